"""Weighted vocabularies for the detectors: accent-aware phrase matching with snippets.

Scam and gambling texts are written with diacritics, without them, or half and half
("nhà cái uy tin"), so a phrase is looked for in accent-folded text when folding
cannot make it mean something else. Where it can ("lô đề" folds to "lo de", which is
also "lo để", *to worry about*), the phrase is marked ``fold=no`` and is looked for
with its diacritics, unless the text has no diacritics at all.

The vocabularies are CSV files in ``data/`` (see ``data/README.md``), read once on first use.

>>> vocabulary = Vocabulary([Term("lô đề", "game", 3.0, fold=False), Term("nhà cái", "game", 3.0)])
>>> [(hit.term.phrase, hit.count) for hit in vocabulary.find(prepare("Nha cai so 1, lo de online"))]
[('lô đề', 1), ('nhà cái', 1)]
>>> vocabulary.find(prepare("Đừng lo để con ở nhà một mình"))
[]
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from vigil.lib.extract import extract_indicators
from vigil.lib.indicators import IndicatorType
from vigil.lib.textnorm import fold, fold_aligned

__all__ = [
    "MAX_TEXT",
    "Hit",
    "Prepared",
    "Term",
    "Vocabulary",
    "distinct_snippets",
    "find",
    "links_in_text",
    "load_terms",
    "prepare",
    "snippet",
    "vocabulary",
]

MAX_TEXT = 100_000  # characters looked at; a doorway page says what it is long before this
MAX_MESSAGE = 5_000  # characters of a message searched for links
_SPACE = re.compile(r"\s+")
# Letters only Vietnamese writes with marks; their share tells accented text from folded text.
_MARKED = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")
_LETTER = re.compile(r"[^\W\d_]")
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase (or ``re:`` pattern), what kind of evidence it is, and its weight."""

    phrase: str
    kind: str
    weight: float
    fold: bool = True  # False: folding would make it an everyday phrase
    group: str = ""  # which pattern it belongs to, where one file serves several detectors


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in a text: how often, and the first place it occurs."""

    term: Term
    count: int
    snippet: str
    matched: str = ""  # the first occurrence as written


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text ready for matching: NFC with collapsed spaces, lower-cased, folded."""

    text: str
    lower: str
    folded: str  # same length as ``lower``: offsets hold in both
    accented: bool


@functools.lru_cache(maxsize=32)  # every detector prepares the same page; compute it once
def prepare(*parts: str) -> Prepared:
    """Join ``parts`` (title, text, labels, ...) into one text to match against.

    >>> p = prepare("Nhà  Cái", "UY TÍN")
    >>> p.text, p.folded, p.accented
    ('Nhà Cái\\nUY TÍN', 'nha cai\\nuy tin', True)
    """
    joined = "\n".join(_SPACE.sub(" ", part).strip() for part in parts if part and part.strip())
    text = unicodedata.normalize("NFC", joined[:MAX_TEXT])
    lower = text.lower()
    if len(lower) != len(text):  # "İ" lowers to two code points; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    letters = len(_LETTER.findall(lower)) or 1
    accented = len(_MARKED.findall(lower)) >= max(2, letters // 200)
    # One fold per distinct character, then a single translate: pages are long.
    table = {ord(c): fold_aligned(c) for c in set(lower)}
    table[ord("_")] = " "  # "KHONG_DUOC CHAP_NHAN": underscores hide words from filters
    folded = lower.translate(table)
    return Prepared(text=text, lower=lower, folded=folded, accented=accented)


def snippet(prepared: Prepared, start: int, end: int, width: int = 30) -> str:
    """The matched words with up to ``width`` characters of context, on one line.

    >>> snippet(prepare("xin chao, day la nha cai so mot viet nam"), 17, 24, width=8)
    '…day la nha cai so mot…'
    """
    lo, hi = max(0, start - width), min(len(prepared.text), end + width)
    text = prepared.text[lo:hi].replace("\n", " ")
    return f"{'…' if lo else ''}{text.strip()}{'…' if hi < len(prepared.text) else ''}"


def _pattern(phrase: str, folded: bool) -> re.Pattern[str]:
    if phrase.startswith("re:"):
        return re.compile(_BEFORE + phrase[3:] + _AFTER)
    # Prepared text has single spaces, so a phrase is a plain string: the fast path of re.
    return re.compile(re.escape(" ".join((fold(phrase) if folded else phrase.lower()).split())))


def _is_word_char(char: str) -> bool:
    return char.isalnum() and char != "_"


def _whole_words(regex: re.Pattern[str], haystack: str, limit: int = 100) -> list[re.Match[str]]:
    found = []
    for match in regex.finditer(haystack):
        start, end = match.span()
        if start > 0 and _is_word_char(haystack[start - 1]) and _is_word_char(haystack[start]):
            continue
        if end < len(haystack) and _is_word_char(haystack[end]) and _is_word_char(haystack[end - 1]):
            continue
        found.append(match)
        if len(found) >= limit:
            break
    return found


class Vocabulary:
    """Terms compiled for matching; build once, share between threads (read-only).

    A ``re:`` term is a regular expression written for the folded text (``fold=yes``)
    or for the lower-cased text with its diacritics (``fold=no``). Counts stop at 100.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._compiled = [
            (term, _pattern(term.phrase, True), _pattern(term.phrase, False)) for term in self.terms
        ]

    def find(self, prepared: Prepared) -> list[Hit]:
        """Every term that occurs in ``prepared``, in vocabulary order, once each."""
        hits = []
        for term, folded, exact in self._compiled:
            if term.phrase.startswith("re:"):
                use_exact = not term.fold
            else:
                use_exact = prepared.accented and not term.fold
            haystack = prepared.lower if use_exact else prepared.folded
            matches = _whole_words(exact if use_exact else folded, haystack)
            if matches:
                first = matches[0]
                start, end = first.span()
                found = Hit(term, len(matches), snippet(prepared, start, end), prepared.text[start:end])
                hits.append(found)
        return hits


def _yes(value: str) -> bool:
    return value.strip().lower() not in ("no", "false", "0")


@functools.cache
def load_terms(filename: str) -> tuple[Term, ...]:
    """The terms of ``data/<filename>`` (columns phrase, kind, weight, fold, and group if present).

    >>> terms = load_terms("gambling_terms.csv")
    >>> next(t for t in terms if t.phrase == "lô đề").fold
    False
    """
    text = resources.files("vigil.lib.detectors").joinpath("data", filename).read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple(
        Term(
            phrase=row["phrase"].strip(),
            kind=row["kind"].strip(),
            weight=float(row["weight"]),
            fold=_yes(row.get("fold") or "yes"),
            group=(row.get("group") or "").strip(),
        )
        for row in rows
        if row["phrase"].strip() and not row["phrase"].startswith("#")
    )


@functools.cache
def vocabulary(filename: str) -> Vocabulary:
    """The compiled vocabulary of ``data/<filename>``, built once per process."""
    return Vocabulary(load_terms(filename))


@functools.lru_cache(maxsize=32)
def find(filename: str, prepared: Prepared) -> tuple[Hit, ...]:
    """``vocabulary(filename).find(prepared)``, remembered: several detectors share one vocabulary."""
    return tuple(vocabulary(filename).find(prepared))


@functools.lru_cache(maxsize=32)
def links_in_text(text: str) -> tuple[tuple[str, str], ...]:
    """(link as written, host) for each URL or domain in a message, defanged ones included.

    >>> links_in_text("Dang nhap hxxps://vcb-xacthuc[.]com/otp hoac goi 0912345678")
    (('https://vcb-xacthuc.com/otp', 'vcb-xacthuc.com'),)
    """
    found = []
    for item in extract_indicators(text[:MAX_MESSAGE]):
        kind = item.indicator.type
        if kind is IndicatorType.URL:
            found.append((item.raw, item.indicator.attrs.get("host", "")))
        elif kind is IndicatorType.DOMAIN:
            found.append((item.raw, item.indicator.value))
    return tuple((raw, host) for raw, host in found if host)


def distinct_snippets(hits: Iterable[Hit], limit: int = 8) -> tuple[str, ...]:
    """Snippets of ``hits``, skipping a hit whose words an earlier snippet already shows.

    >>> p = prepare("Nhà cái uy tín, tài xỉu")
    >>> distinct_snippets(Vocabulary([Term("nhà cái", "game", 3), Term("uy tín", "cta", 1)]).find(p))
    ('Nhà cái uy tín, tài xỉu',)
    """
    chosen: list[str] = []
    for hit in hits:
        if hit.matched and any(hit.matched in earlier for earlier in chosen):
            continue
        if hit.snippet not in chosen:
            chosen.append(hit.snippet)
    return tuple(chosen[:limit])
