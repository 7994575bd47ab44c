"""Illegal online gambling: weighted vocabulary, gambling host names, and link farms.

Gambling sites and the doorway pages that advertise them stack game words (nhà cái,
tài xỉu, nổ hũ, xóc đĩa, lô đề, đá gà trực tiếp, casino …) with calls to deposit and
play; news about gambling uses some of the same words next to police and court words,
which count against. A page that links to many gambling sites (the injected links of
a hacked portal) is a *link farm*, reported with its own label.

The vocabulary is ``data/gambling_terms.csv`` (kinds ``game``, ``brand``, ``cta``, ``news``).

>>> facts = PageFacts(url="http://x.example/", title="Nhà cái uy tín - tài xỉu, nổ hũ",
...                   text="Link vào nhà cái, nạp tiền nhanh, cá cược bóng đá, xóc đĩa online.")
>>> result = detect_gambling(facts)
>>> result.label, result.score >= 0.8
('gambling', True)
>>> detect_gambling(PageFacts(text="Khách sạn có casino và hồ bơi.")) is None
True
"""

from __future__ import annotations

import math
import re

from vigil.lib.detectors.base import DetectorResult, PageFacts, registry
from vigil.lib.detectors.vocab import Hit, distinct_snippets, find, prepare
from vigil.lib.domains import registrable_domain
from vigil.lib.errors import IndicatorError

__all__ = ["NAME", "detect_gambling", "gambling_host"]

NAME = "gambling"
_TERMS = "gambling_terms.csv"
THRESHOLD = 8.0  # points; a page needs several distinct gambling terms and little news context
MESSAGE_THRESHOLD = 5.0  # an SMS says it in a dozen words
MIN_FARM_DOMAINS = 5
# Host names of gambling sites: game words, brand names, digits glued to bet/win/club.
_HOST_WORDS = re.compile(
    r"casino|nhacai|cacuoc|taixiu|nohu|gamebai|danhbai|xocdia|soikeo|keonhacai|tylekeo|lode|"
    r"dagatructiep|daga|bacara|baccarat|slot|poker|sicbo|\d+bet|bet\d+|\d+win|win\d+|\d+club|"
    r"sv388|kubet|kuwin|okvip|sunwin|rikvip|hitclub|dafabet|fun88|fb88|w88|m88|go88|hi88|new88|jun88|"
    r"vn88|one88|mu88|qh88|u888|shbet|f8bet|8xbet|bk8"
)
_KIND_LABEL = {"game": "gambling terms", "brand": "gambling brands", "cta": "calls to deposit or play"}


def gambling_host(host: str) -> str:
    """The gambling word in ``host``'s registrable name, or "".

    >>> gambling_host("www.nhacai-uytin.top"), gambling_host("kuwin.us.com"), gambling_host("alphabet.com")
    ('nhacai', 'kuwin', '')
    """
    try:
        name = registrable_domain(host) or host
    except IndicatorError:
        name = host
    found = _HOST_WORDS.search(name.split(".")[0] if "." in name else name)
    if found is None and name != host:
        found = _HOST_WORDS.search(host.removesuffix(name))
    return found.group() if found else ""


def _points(hit: Hit) -> float:
    # Repetition counts, but less and less: a doorway page repeats its words dozens of times.
    return hit.term.weight * (1.0 + 0.5 * math.log2(min(hit.count, 16)))


def _farm(facts: PageFacts) -> list[str]:
    domains: dict[str, str] = {}
    own = registrable_domain(facts.host) if facts.host else None
    for link in facts.links:
        host = re.sub(r"^[a-z]+://", "", link.lower()).split("/")[0].split(":")[0]
        if not host or not gambling_host(host):
            continue
        try:
            domain = registrable_domain(host) or host
        except IndicatorError:
            continue
        if domain != own:
            domains.setdefault(domain, link)
    return list(domains)


@registry.register(NAME)
def detect_gambling(facts: PageFacts) -> DetectorResult | None:
    """A gambling site or advert, or a page carrying a farm of gambling links; None otherwise."""
    prepared = prepare(facts.title, facts.text)
    hits = list(find(_TERMS, prepared))
    games = [h for h in hits if h.term.kind in ("game", "brand")]
    points = sum(_points(h) for h in games)
    if games:
        points += sum(h.term.weight for h in hits if h.term.kind == "cta")
    news = [h for h in hits if h.term.kind == "news"]
    points -= sum(_points(h) for h in news)
    host_word = gambling_host(facts.host) if facts.host else ""
    if host_word and games:
        points += 3.0
    farm = _farm(facts)
    distinct = len({h.term.phrase for h in games})
    threshold = THRESHOLD if (facts.url or facts.final_url) else MESSAGE_THRESHOLD
    if points >= threshold and distinct >= 2:
        return _site(points, hits, host_word, farm, facts.host)
    if len(farm) >= MIN_FARM_DOMAINS:
        score = min(0.9, 0.5 + 0.04 * len(farm))
        shown = ", ".join(farm[:5]) + (" …" if len(farm) > 5 else "")
        return DetectorResult(
            NAME,
            "gambling_link_farm",
            round(score, 2),
            f"The page links to {len(farm)} different gambling sites ({shown}), "
            "as pages with injected gambling links do.",
            tuple(farm[:10]),
        )
    return None


def _site(points: float, hits: list[Hit], host_word: str, farm: list[str], host: str) -> DetectorResult:
    score = min(0.99, 1.0 - math.exp(-points / 10.0))
    parts = []
    for kind, label in _KIND_LABEL.items():
        phrases = [h.term.phrase for h in hits if h.term.kind == kind]
        if phrases:
            shown = ", ".join(f'"{p}"' for p in phrases[:6]) + (" …" if len(phrases) > 6 else "")
            parts.append(f"{label} {shown}")
    explanation = f"The {'page' if host else 'message'} uses " + "; ".join(parts) + "."
    if host_word:
        explanation += f' Its host {host} contains "{host_word}".'
    if farm:
        explanation += f" It links to {len(farm)} other gambling sites."
    evidence = distinct_snippets((h for h in hits if h.term.kind in ("game", "brand")), 6) + tuple(farm[:4])
    return DetectorResult(NAME, "gambling", round(score, 2), explanation, evidence)
