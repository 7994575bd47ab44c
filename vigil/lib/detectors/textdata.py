"""The SMS corpora the text classifier learns from, a reproducible held-out split, and metrics.

The corpora are research data kept outside the repository (``sms-vi`` has no licence:
research use only, never committed, and neither is a model trained on it). Their
folder is given as ``data_dir``, holding ``sms-vi/`` and ``sms-en-uci/`` as shipped,
each with its PROVENANCE.md.

The split is stratified by source and label with a fixed seed, and identical texts
(lower-cased, spaces collapsed) always land on the same side, so no test message is
also a training message.

>>> msgs = [Message(f"tin {i}", i % 5 == 0, "vi", "demo") for i in range(40)]
>>> train, test = split(msgs, test_fraction=0.25, seed=7)
>>> len(train), len(test), sum(m.spam for m in test)
(30, 10, 2)
>>> split(msgs, test_fraction=0.25, seed=7) == (train, test)
True
"""

from __future__ import annotations

import csv
import hashlib
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vigil.lib.detectors.textclassifier import MODEL_FORMAT, SPAM, TextClassifier, sklearn_version

__all__ = [
    "CORPORA",
    "SEED",
    "TEST_FRACTION",
    "DataMissing",
    "Message",
    "TrainingRun",
    "corpus_files",
    "format_report",
    "load_corpora",
    "metrics",
    "split",
    "train_and_evaluate",
]

HAM = "ham"


class DataMissing(FileNotFoundError):
    """The corpora are not where they were looked for."""


@dataclass(frozen=True, slots=True)
class Message:
    """One labelled message."""

    text: str
    spam: bool
    language: str  # "vi" or "en"
    source: str  # the corpus file's short name


@dataclass(frozen=True, slots=True)
class _Corpus:
    path: str  # relative to the data folder
    language: str
    source: str
    text_column: str
    spam_values: frozenset[str]


CORPORA = (
    _Corpus("sms-vi/pham2016-vi-sms.csv", "vi", "pham2016", "text", frozenset({"spam"})),
    _Corpus("sms-vi/ie403-vi-smishing.csv", "vi", "ie403", "content", frozenset({"1"})),
    _Corpus("sms-en-uci/sms-spam-collection.csv", "en", "uci", "text", frozenset({"spam"})),
)


def corpus_files(data_dir: Path) -> list[Path]:
    """The corpus files under ``data_dir``; DataMissing names the first one absent."""
    files = [data_dir / corpus.path for corpus in CORPORA]
    for path in files:
        if not path.is_file():
            raise DataMissing(
                f"{path} is missing: the SMS corpora (sms-vi, sms-en-uci, research data kept outside "
                f"the repository) are not in {data_dir}; pass --data with the folder that holds them"
            )
    return files


def load_corpora(data_dir: Path) -> list[Message]:
    """Every message of the three corpora, in file order."""
    messages = []
    for corpus, path in zip(CORPORA, corpus_files(data_dir), strict=True):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get(corpus.text_column) or "").strip()
                if text:
                    spam = (row.get("label") or "").strip() in corpus.spam_values
                    messages.append(Message(text, spam, corpus.language, corpus.source))
    return messages


def sha256_of(paths: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of each file, by file name: which data a model was trained on."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def split(
    messages: Sequence[Message], *, test_fraction: float, seed: int
) -> tuple[list[Message], list[Message]]:
    """(train, test): each source-and-label stratum shuffled with ``seed``, ``test_fraction`` held out.

    Messages with the same normalised text form one group and are never split.
    """
    groups: dict[tuple[str, str], list[Message]] = {}
    for message in messages:
        groups.setdefault((message.source, _key(message.text)), []).append(message)
    strata: dict[tuple[str, bool], list[tuple[str, str]]] = {}
    for key, members in groups.items():
        strata.setdefault((key[0], any(m.spam for m in members)), []).append(key)
    held: set[tuple[str, str]] = set()
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    for stratum in sorted(strata):
        keys = sorted(strata[stratum])
        rng.shuffle(keys)
        held.update(keys[: round(len(keys) * test_fraction)])
    train = [m for m in messages if (m.source, _key(m.text)) not in held]
    test = [m for m in messages if (m.source, _key(m.text)) in held]
    return train, test


def _prf(truth: Sequence[bool], predicted: Sequence[bool], positive: bool) -> dict[str, float | int]:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == positive and p == positive)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != positive and p == positive)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == positive and p != positive)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
    }


def metrics(messages: Sequence[Message], predicted_spam: Sequence[bool]) -> dict[str, dict[str, object]]:
    """Precision, recall, F1 and support per class, per language and per source.

    >>> ms = [Message("a", True, "vi", "x"), Message("b", False, "vi", "x"), Message("c", True, "en", "y")]
    >>> m = metrics(ms, [True, True, True])
    >>> m["vi"]["spam"], m["en"]["messages"]
    ({'precision': 0.5, 'recall': 1.0, 'f1': 0.6667, 'support': 1}, 1)
    """
    report: dict[str, dict[str, object]] = {}
    slices = sorted({m.language for m in messages}) + sorted({f"source:{m.source}" for m in messages})
    for name in slices:
        index = [i for i, m in enumerate(messages) if name in (m.language, f"source:{m.source}")]
        truth = [messages[i].spam for i in index]
        guess = [predicted_spam[i] for i in index]
        report[name] = {
            "messages": len(index),
            SPAM: _prf(truth, guess, True),
            HAM: _prf(truth, guess, False),
        }
    return report


SEED = 2017  # the year of the provincial plan; any fixed number would do
TEST_FRACTION = 0.2
DESCRIPTION = (
    "LinearSVC (C=1, one-vs-rest over one class per corpus and label: spam:pham2016, ham:ie403, ...) "
    "with Platt scaling fitted on 5-fold out-of-fold decisions, P(spam) = sum of the spam:* classes; "
    "features: TF-IDF of character 2-5-grams of the accent-folded text, word 1-2-grams of the text "
    "as written, message signals"
)


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """A trained model and what is known about it (stored as JSON next to the model)."""

    model: TextClassifier
    report: dict[str, object]


def train_and_evaluate(
    data_dir: Path, *, seed: int = SEED, test_fraction: float = TEST_FRACTION, limit: int | None = None
) -> TrainingRun:
    """Load the corpora, split them, train on the training part and measure on the held-out part.

    ``limit`` keeps only the first ``limit`` messages of each corpus (for quick tests).
    The model returned is the one measured: it has never seen the held-out messages.
    """
    files = corpus_files(data_dir)
    messages = load_corpora(data_dir)
    if limit is not None:
        messages = _first_of_each_source(messages, limit)
    train, test = split(messages, test_fraction=test_fraction, seed=seed)
    started = time.perf_counter()
    model = TextClassifier.train(
        [m.text for m in train], [m.spam for m in train], seed=seed, sources=[m.source for m in train]
    )
    seconds = time.perf_counter() - started
    predicted = [label == SPAM for label, _score in model.predict_many([m.text for m in test])]
    report: dict[str, object] = {
        "format": MODEL_FORMAT,
        "sklearn": sklearn_version(),
        "classifier": DESCRIPTION,
        "threshold": model.threshold,
        "seed": seed,
        "test_fraction": test_fraction,
        "data": sha256_of(files),
        "train_messages": len(train),
        "train_spam": sum(m.spam for m in train),
        "test_messages": len(test),
        "training_seconds": round(seconds, 1),
        "held_out": metrics(test, predicted),
    }
    return TrainingRun(TextClassifier(model.pipeline, model.threshold, report), report)


def _first_of_each_source(messages: Sequence[Message], limit: int) -> list[Message]:
    kept: Counter[str] = Counter()
    first = []
    for message in messages:
        if kept[message.source] < limit:
            kept[message.source] += 1
            first.append(message)
    return first


def format_report(report: dict[str, object]) -> list[str]:
    """The held-out figures as aligned text lines, one per language or source and class."""
    lines = [f"{'slice':<18}{'class':<6}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    held_out = report.get("held_out")
    assert isinstance(held_out, dict)
    for name, figures in held_out.items():
        for cls in (SPAM, HAM):
            row = figures[cls]
            lines.append(
                f"{name:<18}{cls:<6}{row['precision']:>10.3f}{row['recall']:>8.3f}"
                f"{row['f1']:>8.3f}{row['support']:>9}"
            )
    return lines
