"""Spam / scam classifier for SMS and short messages (Vietnamese and English), with scikit-learn.

One model serves both languages. Features: TF-IDF of character 2–5-grams of the
accent-folded text (people write Vietnamese with and without diacritics), TF-IDF of
word 1–2-grams of the text as written, and a few *signals* a filter evader cannot hide
(link shapes, cheap top-level domains, look-alike digits in words, letters from other
scripts, messenger contacts; see :func:`signals`). Classifier: a linear SVM whose
decision values are turned into probabilities by Platt scaling fitted on 5-fold
out-of-fold predictions; a message is spam when that probability is at least 0.5.
``vigil train`` builds it (see ``textdata`` for the corpora, split and metrics).

The corpora disagree on what "spam" is: Pham 2016 labels operator and shop advertising
spam, IE403 labels the same kind of advertising (its ``(QC)`` messages) legitimate and only
scams as smishing. Trained with ``sources``, the model therefore learns one class per
corpus and label (``spam:pham2016``, ``ham:ie403``, ...), so a message is judged by the
definition of the corpus whose messages it resembles instead of by a blend of two
contradictory ones; P(spam) is the sum of the ``spam:*`` classes. Without ``sources``
the classes are plain ``spam`` and ``ham``, and models of either kind load the same way.

Use from any process; a loaded model is read-only and shared between threads:

    model = TextClassifier.load(path)
    label, score = model.predict("Tai khoan cua ban bi khoa, dang nhap https://vcb-xacthuc.com")

The model file is a pickle that Vigil writes itself, behind a one-line JSON header.
Unpickling runs code, so load only files ``vigil train`` wrote on this deployment; a file
recorded with another scikit-learn version is refused before anything is unpickled.

>>> signals("Bam vao www.vcb-xacthuc.top de nhan qua, kh0ng du0c chia se. LH Zalo 0912345678")
'url tld_top abused_tld hyphen_host leet messenger phone len_medium'
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vigil.lib.detectors.base import DetectorResult, PageFacts, registry
from vigil.lib.detectors.brands import ABUSED_TLDS
from vigil.lib.domains import public_suffix
from vigil.lib.textnorm import fold

__all__ = [
    "ENV_MODEL",
    "MODEL_FORMAT",
    "ModelError",
    "TextClassifier",
    "build_pipeline",
    "class_labels",
    "classify_facts",
    "detect_sms_spam",
    "is_spam_class",
    "load",
    "metrics_path",
    "model_path",
    "signals",
    "sklearn_version",
]

logger = logging.getLogger(__name__)

MODEL_FORMAT = "vigil-text-classifier/1"
ENV_MODEL = "VIGIL_TEXT_MODEL"
THRESHOLD = 0.5
SPAM, HAM = "spam", "ham"
MAX_CHARS = 2_000  # of a page's text: the model learnt from messages, not whole pages
_URL = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![a-z0-9-])")
_SHORTENERS = frozenset(
    {"bit.ly", "tinyurl.com", "t.ly", "sourl.cn", "shorturl.at", "rb.gy", "cutt.ly", "is.gd", "t.co"}
)
_LEET_WORD = re.compile(r"(?<![\w])[a-z]+[0-9@!|$]+[a-z]+(?![\w])")
_PUNCT_IN_WORD = re.compile(r"[a-z][,'\";:_~^][a-z]")
_MESSENGER = re.compile(r"telegram|\bt\.me/|\bzalo\b|whatsapp|\bwa\.me/")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)\d{8,10}(?!\d)")
_MONEY = re.compile(r"\d+[.,]?\d*\s*(?:k|tr|trieu|000\s*d|vnd|usd|\$|£)(?![a-z])")
_CODE = re.compile(r"(?<![\d-])\d{4,8}(?![\d-])")


class ModelError(RuntimeError):
    """A model file cannot be used; the message says what to do."""


def signals(text: str) -> str:
    """Tokens for the message's shape, appended to the learnt features (deterministic, cheap)."""
    lower = text.lower()
    folded = fold(lower)
    out: list[str] = []
    for host in _URL.findall(lower):
        if not public_suffix(host):
            continue  # "mr.nam", "file.txt": not host names
        tld = host.rsplit(".", 1)[-1]
        out += ["url", f"tld_{tld}"]
        out += ["abused_tld"] if tld in ABUSED_TLDS else []
        out += ["shortener"] if host in _SHORTENERS else []
        out += ["gov_vn"] if host.endswith(".gov.vn") else []
        out += ["digit_host"] if re.search(r"\d", host.split(".")[0]) else []
        out += ["hyphen_host"] if "-" in host else []
    without_urls = _URL.sub(" ", folded)
    leet = len(_LEET_WORD.findall(without_urls))
    out += ["leet"] if leet else []
    out += ["leet_many"] if leet >= 3 else []
    out += ["punct_in_words"] if len(_PUNCT_IN_WORD.findall(without_urls)) >= 3 else []
    odd = [c for c in text if c.isalpha() and not c.isascii() and not _vietnamese_letter(c)]
    out += ["other_script"] if odd else []
    out += ["messenger"] if _MESSENGER.search(folded) else []
    out += ["phone"] if _PHONE.search(re.sub(r"(?<=\d)[ .](?=\d)", "", folded)) else []
    out += ["money"] if _MONEY.search(folded) else []
    out += ["code"] if _CODE.search(without_urls) else []
    letters = sum(1 for c in text if c.isalpha()) or 1
    out += ["shouting"] if sum(1 for c in text if c.isupper()) / letters > 0.4 else []
    out.append("len_short" if len(text) < 40 else "len_medium" if len(text) < 160 else "len_long")
    return " ".join(out)


def _vietnamese_letter(char: str) -> bool:
    base = unicodedata.normalize("NFD", char.lower())[0]
    return base.isascii() or base == "đ"


def build_pipeline(seed: int, *, c: float = 1.0, folds: int = 5) -> Any:
    """The untrained scikit-learn pipeline (imported here: scikit-learn is slow to import)."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion, Pipeline  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=fold,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    dtype=np.float32,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a password
                    dtype=np.float32,
                ),
            ),
            ("signals", TfidfVectorizer(preprocessor=signals, token_pattern=r"\S+", use_idf=False)),  # noqa: S106
        ],
        transformer_weights={"chars": 1.0, "words": 1.0, "signals": 0.7},
    )
    svm = LinearSVC(C=c, random_state=seed)
    calibrated = CalibratedClassifierCV(
        svm, method="sigmoid", cv=StratifiedKFold(folds, shuffle=True, random_state=seed), ensemble=False
    )
    return Pipeline([("features", features), ("classifier", calibrated)])


def class_labels(spam: Sequence[bool], sources: Sequence[str] | None, *, minimum: int = 10) -> list[str]:
    """The training label of each message: ``spam``/``ham``, or ``spam:<source>``/``ham:<source>``.

    A corpus-and-label class with fewer than ``minimum`` messages falls back to the plain
    label (the calibration's inner folds need a few messages of every class).

    >>> class_labels([True, False, True], None)
    ['spam', 'ham', 'spam']
    >>> class_labels([True, False, False], ["a", "a", "b"], minimum=1)
    ['spam:a', 'ham:a', 'ham:b']
    >>> class_labels([True, False, False], ["a", "a", "b"], minimum=2)
    ['spam', 'ham', 'ham']
    """
    plain = [SPAM if s else HAM for s in spam]
    if sources is None:
        return plain
    if len(sources) != len(plain):
        raise ValueError(f"{len(sources)} sources for {len(plain)} messages")
    labels = [f"{label}:{source}" for label, source in zip(plain, sources, strict=True)]
    counts = Counter(labels)
    return [label if counts[label] >= minimum else base for label, base in zip(labels, plain, strict=True)]


def is_spam_class(name: str) -> bool:
    """Whether a model class means spam (``spam`` or ``spam:<source>``).

    >>> is_spam_class("spam:ie403"), is_spam_class("spam"), is_spam_class("ham:pham2016")
    (True, True, False)
    """
    return name == SPAM or name.startswith(f"{SPAM}:")


@dataclass(frozen=True)
class TextClassifier:
    """A trained model: ``predict(text) -> ("spam" | "ham", probability of spam)``."""

    pipeline: Any
    threshold: float = THRESHOLD
    info: dict[str, Any] | None = None  # how it was trained, and its held-out metrics

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        spam: Sequence[bool],
        *,
        seed: int,
        c: float = 1.0,
        sources: Sequence[str] | None = None,
    ) -> TextClassifier:
        """Fit a new model on ``texts`` labelled ``spam`` (deterministic for a given seed).

        With ``sources`` (the corpus of each text) the classes are per corpus and label;
        see :func:`class_labels`.
        """
        pipeline = build_pipeline(seed, c=c)
        pipeline.fit(list(texts), class_labels(spam, sources))
        return cls(pipeline)

    def spam_probabilities(self, texts: Sequence[str]) -> list[float]:
        """P(spam) for each text: the sum of the probabilities of the spam classes."""
        if not texts:
            return []
        columns = [i for i, name in enumerate(self.pipeline.classes_) if is_spam_class(str(name))]
        rows = self.pipeline.predict_proba([t[:MAX_CHARS] for t in texts])
        return [min(1.0, float(sum(row[i] for i in columns))) for row in rows]

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, P(spam)) for each text."""
        return [(SPAM if p >= self.threshold else HAM, round(p, 4)) for p in self.spam_probabilities(texts)]

    def predict(self, text: str) -> tuple[str, float]:
        """(label, P(spam)) for one text."""
        return self.predict_many([text])[0]

    def save(self, path: Path) -> None:
        """Write the model atomically: a JSON header line, then the pickled pipeline."""
        header = {
            "format": MODEL_FORMAT,
            "sklearn": sklearn_version(),
            "threshold": self.threshold,
            "info": self.info or {},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            handle.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
            pickle.dump(self.pipeline, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(path)

    @classmethod
    def load(cls, path: Path | str) -> TextClassifier:
        """The model at ``path``, read once per process and file version (thread-safe)."""
        path = Path(path)
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise ModelError(f"no text model at {path}: run `vigil train` to build one") from None
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        with _LOCK:
            cached = _CACHE.get(key[0])
            if cached is not None and cached[0] == key:
                return cached[1]
            model = _read(path)
            _CACHE[key[0]] = (key, model)
            return model


_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple[str, int, int], TextClassifier]] = {}


def sklearn_version() -> str:
    """The installed scikit-learn's version (a model is only loaded by the version that wrote it)."""
    import sklearn  # type: ignore[import-untyped]

    return str(sklearn.__version__)


def _read(path: Path) -> TextClassifier:
    data = path.read_bytes()
    first, _, payload = data.partition(b"\n")
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != MODEL_FORMAT:
        raise ModelError(
            f"{path} is not a Vigil text model ({MODEL_FORMAT}): run `vigil train` to rebuild it"
        )
    if header.get("sklearn") != sklearn_version():
        raise ModelError(
            f"{path} was trained with scikit-learn {header.get('sklearn')} and this is "
            f"{sklearn_version()}: run `vigil train` to rebuild it"
        )
    try:
        pipeline = pickle.load(io.BytesIO(payload))  # noqa: S301 - a file Vigil wrote (checked header)
    except Exception as exc:  # a truncated file, or classes renamed since it was written
        raise ModelError(
            f"{path} cannot be read ({type(exc).__name__}): run `vigil train` to rebuild it"
        ) from exc
    return TextClassifier(pipeline, float(header.get("threshold", THRESHOLD)), header.get("info") or {})


def load(path: Path | str) -> TextClassifier:
    """The model at ``path`` (see :meth:`TextClassifier.load`)."""
    return TextClassifier.load(path)


def model_path(data_dir: Path | str) -> Path:
    """Where the model lives: ``$VIGIL_TEXT_MODEL``, else ``<data_dir>/models/sms-spam.pkl``."""
    configured = os.environ.get(ENV_MODEL, "")
    return Path(configured) if configured else Path(data_dir) / "models" / "sms-spam.pkl"


def metrics_path(model: Path) -> Path:
    """The JSON file of held-out metrics stored next to ``model``.

    >>> metrics_path(Path("/m/sms-spam.pkl")).as_posix()
    '/m/sms-spam.metrics.json'
    """
    return model.with_name(f"{model.stem}.metrics.json")


@registry.register("sms_spam")
def detect_sms_spam(facts: PageFacts) -> DetectorResult | None:
    """The text classifier's verdict when a model is configured (``VIGIL_TEXT_MODEL``); silent otherwise."""
    path = os.environ.get(ENV_MODEL, "")
    return classify_facts(facts, Path(path)) if path else None


def classify_facts(facts: PageFacts, model_path: Path) -> DetectorResult | None:
    """``sms_spam`` with an explicit model file; None when the file is absent or says ham."""
    text = "\n".join(part for part in (facts.title, facts.text) if part).strip()
    if not text or not model_path.is_file():
        return None
    try:
        label, score = TextClassifier.load(model_path).predict(text)
    except ModelError as exc:
        # One unusable model file must not stop a capture's other detectors; say so in the log.
        logger.warning("sms_spam detector skipped: %s", exc)
        return None
    if label != SPAM:
        return None
    what = "message" if not (facts.url or facts.final_url) else "page text"
    return DetectorResult(
        "sms_spam",
        SPAM,
        round(score, 2),
        f"The text classifier trained on Vietnamese and English spam and scam SMS rates this {what} "
        f"as spam with probability {score:.2f}.",
        (text[:200],),
    )
