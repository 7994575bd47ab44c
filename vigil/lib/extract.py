"""Finding indicators in free text: SMS, chat messages, e-mails, citizens' reports.

Scam messages hide links from filters ("hxxp://", "vcb-xacminh(.)com",
"example . com"), so text is first *refanged*; offsets in the results are into
that refanged text, which :func:`refang` returns for display.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from vigil.lib.accounts import platform_of_host
from vigil.lib.banks import Bank, find_bank
from vigil.lib.domains import normalise_domain, public_suffix
from vigil.lib.errors import IndicatorError
from vigil.lib.indicators import Indicator, IndicatorType, normalise
from vigil.lib.textnorm import fold_aligned

__all__ = ["Extracted", "extract_indicators", "refang"]

_OPEN, _CLOSE = r"[\[\(\{]\s*", r"\s*[\]\)\}]"
_REFANG_RULES = (
    (re.compile(r"\bh[x*]{2}p(?=[\[\(\{]?:)", re.IGNORECASE), "http"),
    (re.compile(r"\bh[x*]{2}ps(?=[\[\(\{]?:)", re.IGNORECASE), "https"),
    (re.compile(_OPEN + r"://" + _CLOSE), "://"),
    (re.compile(_OPEN + r":" + _CLOSE), ":"),
    (re.compile(r"\s*" + _OPEN + r"(?:\.|dot)" + _CLOSE + r"\s*", re.IGNORECASE), "."),
    (re.compile(r"\s*" + _OPEN + r"(?:@|at)" + _CLOSE + r"\s*", re.IGNORECASE), "@"),
    (re.compile(_OPEN + r"/" + _CLOSE), "/"),
)
# "name . tld" with a space before the dot (a space only after it is how a
# sentence ends); the right side is only looked at, so chains like
# "a dot b dot com" join from the right over successive passes.
_SPACED_DOT = re.compile(
    r"(?<![\w-])([A-Za-z0-9][A-Za-z0-9-]*)(?:\s+\.\s*|\s+dot\s+)"
    r"(?=([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?![\w-]))",
    re.IGNORECASE,
)
# Top-level domains that are also everyday Vietnamese (written without accents)
# or English words: "o nha . co ai" must not become a domain.
# fmt: off
_WORDY_TLDS = frozenset({
    "ai", "am", "an", "as", "at", "ba", "be", "bi", "bo", "by", "ca", "co", "cu", "do", "ga",
    "gi", "hu", "in", "is", "it", "la", "ma", "me", "mo", "my", "na", "ne", "no", "nu", "so",
    "to", "us", "vi", "day", "moi", "ong", "xin", "one", "now", "new", "win", "top", "how",
    "you", "fun"
})
# fmt: on
# File names that end in a real TLD ("setup.zip", "main.py", "readme.md").
_FILE_TLDS = frozenset({"zip", "mov", "py", "md", "sh", "rs", "pl", "ps"})


def _joinable(right: str) -> bool:
    labels = right.lower().split(".")
    if len(labels) == 1 and labels[0] in _WORDY_TLDS:
        return False
    if right[:1].isupper() and not right.isupper():
        # "nha . Link nhan qua": a capitalised word starts a sentence.
        return False
    return bool(public_suffix("x." + right))


def refang(text: str) -> str:
    """Undo the usual defanging of links and addresses (the text is also NFC-normalised).

    >>> refang("hxxps://vcb-xacminh(.)com [dot] vn/login, lienhe[at]abc[.]com")
    'https://vcb-xacminh.com.vn/login, lienhe@abc.com'
    >>> refang("Vào example . com ngay. Mẹ ở nhà . Sau đó gọi lại")
    'Vào example.com ngay. Mẹ ở nhà . Sau đó gọi lại'
    """
    out = unicodedata.normalize("NFC", text)
    for pattern, replacement in _REFANG_RULES:
        out = pattern.sub(replacement, out)
    for _ in range(20):
        joined = _SPACED_DOT.sub(lambda m: f"{m.group(1)}." if _joinable(m.group(2)) else m.group(0), out)
        if joined == out:
            break
        out = joined
    return out


@dataclass(frozen=True, slots=True)
class Extracted:
    """An indicator found in text; ``start``/``end`` index the *refanged* text."""

    indicator: Indicator
    raw: str
    start: int
    end: int


_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_HOST = rf"(?:{_LABEL}\.)+{_LABEL}"
_STOP = "\\s<>\"'`"
_SCHEMED = re.compile(rf"(?<!\w)https?://[^{_STOP}]+", re.IGNORECASE)
_BARE = re.compile(rf"(?<![\w.@/:-])(?P<host>{_HOST})(?P<rest>(?::\d{{1,5}})?[/?][^{_STOP}]*)?(?![\w@-])")
_EMAIL = re.compile(rf"(?<![\w.+%-])[\w.+%-]{{1,64}}@{_HOST}(?![\w-])")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_WALLET = re.compile(
    r"(?<!\w)(?:bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87}|0x[0-9a-fA-F]{40}"
    r"|T[1-9A-HJ-NP-Za-km-z]{33}|[13][1-9A-HJ-NP-Za-km-z]{25,34})(?!\w)"
)
_ACCOUNT_NUMBER = re.compile(r"(?<![\w.,/:+-])\d{2,}(?:[ .-]\d{2,}){0,5}(?!\w|[.,:/-]\d)")
_MONEY_AFTER = re.compile(r"\s*(?:d|vnd|dong|k|tr|trieu|usd|\$|%)(?!\w)")
_ACCOUNT_WORDS = re.compile(r"\b(?:stk|so tk|so tai khoan|tai khoan|tk|ctk|acc|account)\b")
# Numbers right after these are codes, balances or phone numbers, not accounts.
_NOT_ACCOUNT_WORDS = re.compile(
    r"\b(?:otp|ma|mat khau|pin|so du|sd|hotline|sdt|dien thoai|goi|lien he|zalo)\W*$"
)
# Ten-digit tax, ID-card and order numbers often pass as valid mobile numbers.
_NOT_PHONE_WORDS = re.compile(
    r"\b(?:ma so thue|mst|cccd|cmnd|can cuoc|ma don|ma don hang|ma van don|ma gd"
    r"|ma giao dich|so hoa don|so hop dong)\W*$"
)
_TRAILING = ".,;:!?'\"»”’…)]}>"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _trim(candidate: str) -> str:
    while candidate and candidate[-1] in _TRAILING:
        opener = _PAIRS.get(candidate[-1])
        if opener and candidate.count(opener) >= candidate.count(candidate[-1]):
            break
        candidate = candidate[:-1]
    return candidate


class _Finder:
    """Collects findings, remembering which spans of text are already taken."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold_aligned(text)
        self.found: list[tuple[int, int, Extracted]] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.taken)

    def add(
        self,
        kind: IndicatorType,
        raw: str,
        start: int,
        *,
        take: bool = True,
        value_of: str | None = None,
    ) -> bool:
        """Record ``raw`` found at ``start`` if it normalises (``value_of`` instead, if given)."""
        try:
            indicator = normalise(kind, raw if value_of is None else value_of)
        except IndicatorError:
            return False
        end = start + len(raw)
        self.found.append((start, len(self.found), Extracted(indicator, raw, start, end)))
        if take:
            self.taken.append((start, end))
        return True

    def add_url(self, raw: str, start: int) -> None:
        if not self.add(IndicatorType.URL, raw, start):
            return
        host = self.found[-1][2].indicator.attrs.get("host", "")
        if platform_of_host(host):
            self.add(IndicatorType.SOCIAL_ACCOUNT, raw, start, take=False)
        if host in ("play.google.com", "apps.apple.com", "itunes.apple.com"):
            self.add(IndicatorType.APP_ID, raw, start, take=False)


def _bare_host_kind(host: str, rest: str | None) -> IndicatorType | None:
    labels = host.lower().split(".")
    if all(label.isdigit() for label in labels):
        # Only a plain dotted quad: "5.000.000/tháng" is money, not an address.
        strict = _IPV4.fullmatch(host) is not None
        return IndicatorType.URL if rest and strict else None
    try:
        normalise_domain(host)
    except IndicatorError:
        return None
    if rest:
        return IndicatorType.URL
    tld = labels[-1]
    if tld in _FILE_TLDS:
        return None
    if tld in _WORDY_TLDS and not re.search(r"[\d-]", labels[-2]):
        return None
    return IndicatorType.DOMAIN


def _find_links(finder: _Finder) -> None:
    text = finder.text
    for match in _EMAIL.finditer(text):
        finder.add(IndicatorType.EMAIL, match.group(), match.start())
    for match in _SCHEMED.finditer(text):
        if finder.free(match.start(), match.end()):
            finder.add_url(_trim(match.group()), match.start())
    for match in _BARE.finditer(text):
        raw = _trim(match.group())
        if not finder.free(match.start(), match.start() + len(raw)):
            continue
        rest = match.group("rest") and raw[len(match.group("host")) :]
        kind = _bare_host_kind(match.group("host"), rest or None)
        if kind is IndicatorType.URL:
            finder.add_url(raw, match.start())
        elif kind is IndicatorType.DOMAIN:
            finder.add(kind, match.group("host"), match.start())


def _find_addresses(finder: _Finder) -> None:
    text, folded = finder.text, finder.folded
    for match in _IPV4.finditer(text):
        if finder.free(*match.span()) and not _MONEY_AFTER.match(folded, match.end()):
            finder.add(IndicatorType.IP, match.group(), match.start())
    for match in _IPV6.finditer(text):
        value = match.group()
        shaped = ("::" in value or value.count(":") == 7) and value != "::"
        if shaped and finder.free(*match.span()):
            finder.add(IndicatorType.IP, value, match.start())
    for match in _WALLET.finditer(text):
        if finder.free(*match.span()):
            finder.add(IndicatorType.CRYPTO_WALLET, match.group(), match.start())
    matcher = phonenumbers.PhoneNumberMatcher(text, "VN", leniency=phonenumbers.Leniency.VALID)
    for phone in matcher:
        context = folded[max(0, phone.start - 25) : phone.start]
        if finder.free(phone.start, phone.end) and not _NOT_PHONE_WORDS.search(context):
            finder.add(IndicatorType.PHONE, phone.raw_string, phone.start, take=False)


@functools.lru_cache(maxsize=2048)
def _bank_named(words: tuple[str, ...]) -> Bank | None:
    # Descriptive names ("quan doi", "sai gon") are ordinary words, so a
    # multi-word name counts only after "ngân hàng"/"NH" or before "bank".
    named = len(words) == 1 or words[-1] == "bank" or words[0] in ("nh", "ngan")
    return find_bank(" ".join(words)) if named else None


def _bank_mentions(folded: str, lo: int, hi: int) -> Iterator[tuple[int, int, Bank]]:
    tokens = [m for m in re.finditer(r"[a-z0-9]+", folded[lo:hi]) if not m.group().isdigit()]
    for i in range(len(tokens)):
        for j in range(min(len(tokens), i + 5), i, -1):
            bank = _bank_named(tuple(t.group() for t in tokens[i:j]))
            if bank is not None:
                yield lo + tokens[i].start(), lo + tokens[j - 1].end(), bank
                break


def _gap(mention: tuple[int, int, Bank], start: int, end: int) -> int:
    return start - mention[1] if mention[1] <= start else mention[0] - end


def _find_bank_accounts(finder: _Finder) -> None:
    folded = finder.folded
    for match in _ACCOUNT_NUMBER.finditer(folded):
        start, end = match.span()
        digits = re.sub(r"\D", "", match.group())
        if not 6 <= len(digits) <= 19 or not finder.free(start, end):
            continue
        line_end = folded.find("\n", end)
        lo = max(folded.rfind("\n", 0, start) + 1, start - 60)
        hi = min(len(folded) if line_end < 0 else line_end, end + 40)
        before = folded[lo:start]
        if _MONEY_AFTER.match(folded, end) or _NOT_ACCOUNT_WORDS.search(before[-25:]):
            continue
        keyword = _ACCOUNT_WORDS.search(before) or _ACCOUNT_WORDS.search(folded[end:hi])
        mentions = sorted(_bank_mentions(folded, lo, hi), key=lambda m: _gap(m, start, end))
        if mentions and (keyword or _gap(mentions[0], start, end) <= 15):
            bank_start, bank_end, bank = mentions[0]
            first, last = min(start, bank_start), max(end, bank_end)
            raw, value = finder.text[first:last], f"{bank.code}:{digits}"
            finder.add(IndicatorType.BANK_ACCOUNT, raw, first, take=False, value_of=value)
        elif not mentions and keyword and len(digits) > 12:
            # "STK 970436 0123456789": a leading NAPAS BIN names the bank.
            finder.add(IndicatorType.BANK_ACCOUNT, finder.text[start:end], start, take=False)


def extract_indicators(text: str) -> list[Extracted]:
    """Every indicator in ``text``, in text order, each (type, value) once.

    A domain that is part of a URL or an e-mail address is not reported on its own;
    links to social platforms and app stores are also reported as accounts / apps.

    >>> def values(text):
    ...     return [found.indicator.value for found in extract_indicators(text)]
    >>> values("Vao hxxp://vcb-xacminh[.]com/otp ngay")
    ['http://vcb-xacminh.com/otp']
    >>> values("STK 0123456789 ngân hàng MB, gọi 0912.345.678")
    ['MBB:0123456789', '+84912345678']
    """
    finder = _Finder(refang(text))
    _find_links(finder)
    _find_addresses(finder)
    _find_bank_accounts(finder)
    seen: set[tuple[IndicatorType, str]] = set()
    result = []
    for _, _, extracted in sorted(finder.found, key=lambda item: (item[0], item[1])):
        key = (extracted.indicator.type, extracted.indicator.value)
        if key not in seen:
            seen.add(key)
            result.append(extracted)
    return result
