"""Protected brands (banks, e-wallets, telcos, public services, platforms) and look-alike hosts.

The list is ``data/brands.csv`` (see ``data/README.md``): each brand's official
registrable domains, the names people write for it, and the tokens that impersonating
host names reuse. A host is *official* for a brand when it is one of those domains or
below one; hosts under ``gov.vn`` are state hosts and never look-alikes.

>>> vcb = brand_named("Vietcombank")
>>> is_official(vcb, "portal.vietcombank.com.vn"), is_official(vcb, "vietcombank.com.vn.evil.example")
(True, False)
>>> found = look_alike("vietcombank-xacthuc.com")
>>> found.brand.name, found.how, found.strong
('Vietcombank', 'brand name with "xacthuc"', True)
>>> look_alike("vietcombank.com.vn") is None, look_alike("dantri.com.vn") is None
(True, True)
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from vigil.lib.detectors.vocab import Prepared, snippet
from vigil.lib.domains import host_to_unicode, is_ip_host, registrable_domain
from vigil.lib.errors import IndicatorError
from vigil.lib.textnorm import fold

__all__ = [
    "Brand",
    "LookAlike",
    "Mention",
    "brand_named",
    "brands",
    "is_official",
    "is_state_host",
    "look_alike",
    "mentions",
    "official_anywhere",
    "skeleton",
]

# Words impersonating hosts put next to a brand: "vietcombank-xacthuc", "bidvonline".
# fmt: off
PHISHING_HOST_WORDS = frozenset({
    "xacthuc", "xacminh", "xacnhan", "dangnhap", "login", "signin", "verify", "verification",
    "secure", "security", "baomat", "update", "capnhat", "hotro", "support", "cskh", "khachhang",
    "online", "ebank", "ebanking", "ibank", "ibanking", "internetbanking", "otp", "account",
    "taikhoan", "nganhang", "bank", "auth", "uudai", "khuyenmai", "hoantien", "nhanthuong",
    "quatang", "tangqua", "trian", "vay", "vaytien", "thanhtoan", "payment", "naptien", "ruttien",
    "app", "service", "dichvu", "card", "the", "visa", "gov", "govvn", "vn", "com", "vip", "pay",
    "kyc", "dinhdanh", "canhan", "tructuyen", "help", "center", "care", "mobile", "digital",
    "kichhoat", "tracuu", "phatnguoi", "nopphat", "hoanthue", "trocap", "mucdo2",
    "i", "e", "v", "ipay", "vips", "svip", "smart", "banking", "ib", "sms", "digibank",
})
# Top-level domains no Vietnamese bank or agency uses, and cheap ones phishing kits favour.
ABUSED_TLDS = frozenset({
    "top", "vip", "xyz", "icu", "cc", "club", "online", "site", "life", "cfd", "shop", "win", "live",
    "fun", "tech", "sbs", "cyou", "bond", "buzz", "click", "link", "monster", "rest", "store", "today",
    "work", "asia", "pw", "tk", "ml", "ga", "cf", "gq", "ws", "lol", "quest", "mom", "autos",
})
# Characters of other scripts that render like Latin letters in a host name.
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ӏ": "l", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ь": "b",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "υ": "u", "ε": "e",
    "ı": "i", "ɡ": "g", "ɑ": "a", "ʟ": "l", "ɩ": "i", "đ": "d",
    "0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
})
# fmt: on
_DIGRAPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


@dataclass(frozen=True, slots=True)
class Brand:
    """A name fraudsters impersonate, with the domains that are really its own."""

    name: str
    kind: str  # bank, ewallet, telco, public_service, platform
    ref: str  # VietQR code in vn_banks.csv for banks and wallets, else ""
    domains: tuple[str, ...]
    keywords: tuple[str, ...]
    host_tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    """A brand named in a text: how often, where first, and whether the title names it."""

    brand: Brand
    count: int
    snippet: str


@dataclass(frozen=True, slots=True)
class LookAlike:
    """Why a host looks like a brand's without being one of its domains."""

    host: str
    brand: Brand
    how: str  # human-readable: 'brand name with "xacthuc"', "homoglyphs", "one letter changed", ...
    strong: bool  # False when the host merely contains the name (a reseller, a fan page ...)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


@functools.cache
def brands() -> tuple[Brand, ...]:
    """Every brand of ``data/brands.csv``, in file order (read once, on first use).

    >>> {b.kind for b in brands()} == {"bank", "ewallet", "telco", "public_service", "platform"}
    True
    """
    text = resources.files("vigil.lib.detectors").joinpath("data", "brands.csv").read_text("utf-8")
    return tuple(
        Brand(
            name=row["name"],
            kind=row["kind"],
            ref=row["ref"],
            domains=_split(row["domains"]),
            keywords=_split(row["keywords"]),
            host_tokens=_split(row["host_tokens"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    )


def brand_named(name: str) -> Brand:
    """The brand called exactly ``name`` (KeyError otherwise)."""
    for brand in brands():
        if brand.name == name:
            return brand
    raise KeyError(name)


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def is_state_host(host: str) -> bool:
    """Whether ``host`` is under ``gov.vn`` (state agencies' own names).

    >>> is_state_host("dichvucong.gov.vn"), is_state_host("dichvucong-gov.vn.com")
    (True, False)
    """
    return _under(host.lower().rstrip("."), "gov.vn")


def is_official(brand: Brand, host: str) -> bool:
    """Whether ``host`` is one of ``brand``'s domains or below one (public services: or gov.vn)."""
    host = host.lower().rstrip(".")
    if brand.kind == "public_service" and is_state_host(host):
        return True
    return any(_under(host, domain) for domain in brand.domains)


def official_anywhere(host: str) -> Brand | None:
    """The brand ``host`` officially belongs to, if any."""
    return next((brand for brand in brands() if brand.domains and is_official(brand, host)), None)


@functools.cache
def _mention_index() -> tuple[re.Pattern[str], dict[str, Brand]]:
    by_keyword: dict[str, Brand] = {}
    for brand in brands():
        for keyword in brand.keywords:
            by_keyword.setdefault(_fold_words(keyword), brand)
    # Longest first: "ngan hang sai gon thuong tin" (Sacombank) before "ngan hang sai gon" (SCB).
    alternatives = sorted(by_keyword, key=len, reverse=True)
    pattern = r"(?<![^\W_])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![^\W_])"
    return re.compile(pattern), by_keyword


def _fold_words(text: str) -> str:
    return " ".join(fold(text).split())


def mentions(prepared: Prepared) -> list[Mention]:
    """Brands named in ``prepared`` (accent-insensitive), most often named first.

    >>> from vigil.lib.detectors.vocab import prepare
    >>> [(m.brand.name, m.count) for m in mentions(prepare("Ngan hang Sai Gon Thuong Tin va VCB, vcb"))]
    [('Vietcombank', 2), ('Sacombank', 1)]
    """
    regex, by_keyword = _mention_index()
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, int]] = {}
    for match in regex.finditer(prepared.folded):
        brand = by_keyword[match.group()]
        counts[brand.name] = counts.get(brand.name, 0) + 1
        first.setdefault(brand.name, match.span())
    named = {brand.name: brand for brand in brands()}
    ordered = sorted(counts, key=lambda name: (-counts[name], first[name][0]))
    return [Mention(named[name], counts[name], snippet(prepared, *first[name])) for name in ordered]


def skeleton(text: str) -> str:
    """What a host label looks like, with look-alike letters, digits and digraphs merged.

    >>> skeleton("vietc0mbank") == skeleton("vietcombank") == skeleton("vletcornbank")
    True
    >>> skeleton("vietcơmbank") == skeleton("vietcombank")
    True
    """
    lowered = text.lower().translate(_CONFUSABLES)
    bare = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    bare = bare.translate(_CONFUSABLES)
    for digraph, letter in _DIGRAPHS:
        bare = bare.replace(digraph, letter)
    return bare


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance, giving up (limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.cache
def _tokens() -> tuple[tuple[str, str, Brand], ...]:
    """(token, skeleton, brand) for every host token, longest first."""
    rows = [(token, skeleton(token), brand) for brand in brands() for token in brand.host_tokens]
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


def _is_phishing_word(text: str, *, glued: bool = False) -> bool:
    """``text`` is a phishing word, or (``glued``) one with a few letters stuck on ("onlinenh")."""
    if text in PHISHING_HOST_WORDS:
        return True
    return glued and any(
        len(word) >= 5 and len(text) - len(word) <= 3 and (text.startswith(word) or text.endswith(word))
        for word in PHISHING_HOST_WORDS
    )


def _match_part(part: str, others: list[str]) -> LookAlike | None:
    shape = skeleton(part)
    extra = [word for word in others if word in PHISHING_HOST_WORDS]
    for token, token_shape, brand in _tokens():
        if part == token:
            if extra:
                return LookAlike("", brand, f'brand name with "{extra[0]}"', True)
            return LookAlike("", brand, "brand name", False)
        if shape == token_shape and len(token) >= 3:
            return LookAlike("", brand, f'"{part}" written to look like "{token}"', True)
        if len(token) >= 3 and (part.startswith(token) or part.endswith(token)):
            rest = part.removeprefix(token) if part.startswith(token) else part.removesuffix(token)
            if _is_phishing_word(rest, glued=len(token) >= 4):
                return LookAlike("", brand, f'brand name with "{rest}"', True)
            if len(token) >= 6 and len(rest) == 1 and rest.isalpha():
                return LookAlike("", brand, f'"{part}" is "{token}" with a letter added', True)
            if rest.isdigit() or len(token) >= 6:
                return LookAlike("", brand, "brand name inside another name", bool(extra))
    for token, token_shape, brand in _tokens():
        # Two edits only between long names of equal length ("vietcornbamk"), else one.
        limit = 2 if len(token) >= 10 and len(shape) == len(token_shape) else 1
        if len(token) >= 6 and len(part) >= 5 and _distance(shape, token_shape, limit) <= limit:
            return LookAlike("", brand, f'"{part}" is "{token}" with a letter changed', True)
    return None


def _match_label(label: str, *, whole: bool, decoy: bool = False) -> LookAlike | None:
    parts = [p for p in re.split(r"[-_]+", label) if p]
    for index, part in enumerate(parts):
        found = _match_part(part, parts[:index] + parts[index + 1 :])
        if found:
            break
    else:
        found = _match_part("".join(parts), []) if len(parts) > 1 else None
        if found is not None and found.how == "brand name":
            found = LookAlike("", found.brand, "brand name split by hyphens", True)
    if found is None or whole:
        return found
    if decoy:  # "vietcombank.vn-yys.club", "bidv.online-support.com"
        return LookAlike("", found.brand, "brand name as a sub-domain of a decoy name", True)
    # Any site may name a sub-domain after a partner ("vcbmobilebanking.smartlink.com.vn").
    return LookAlike("", found.brand, f"brand name in a sub-domain ({found.how})", False)


def look_alike(host: str) -> LookAlike | None:
    """Whether ``host`` imitates a protected brand's name without being one of its domains.

    >>> look_alike("xn--vietcmbank-8uc.com").how
    '"vietcơmbank" written to look like "vietcombank"'
    >>> look_alike("bidvonline.net").how, look_alike("vietcornbank.com").strong
    ('brand name with "online"', True)
    >>> look_alike("jp.zaloapp.com.660316.castexfc.com").how
    'official domain zaloapp.com inside another name'
    >>> look_alike("viettelshop.example").strong
    False
    """
    host = host.lower().rstrip(".")
    if not host or is_ip_host(host) or is_state_host(host) or official_anywhere(host):
        return None
    try:
        domain = registrable_domain(host) or host
    except IndicatorError:
        return None
    for brand in brands():
        for official in brand.domains:
            if f"{official}." in host.removesuffix(domain) or f"{official}-" in host:
                return LookAlike(host, brand, f"official domain {official} inside another name", True)
    label, _, tld = domain.partition(".")
    found = _match_label(host_to_unicode(label), whole=True)
    if found is not None and found.how == "brand name" and tld in ABUSED_TLDS:
        found = LookAlike("", found.brand, f"brand name under .{tld}", True)
    decoy = any(_is_phishing_word(word) for word in re.split(r"[-_]+", label))
    for sub_label in host.removesuffix(domain).strip(".").split("."):
        if found is None and sub_label:
            found = _match_label(host_to_unicode(sub_label), whole=False, decoy=decoy)
    if found is None:
        return None
    return LookAlike(host, found.brand, found.how, found.strong)
