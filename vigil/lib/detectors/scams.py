"""Scam patterns beyond phishing: fake jobs, fake investments, fake loans, fake state notices, APK lures.

Each pattern is a detector of its own with a weighted vocabulary (``data/scam_terms.csv``,
column ``group``) and a rule for which kinds of evidence must come together; a text
that only *warns* about the scam ("cảnh báo", "thủ đoạn", "không bao giờ yêu cầu")
loses points, so news and advisories stay below the bar.

>>> from vigil.lib.detectors.base import PageFacts
>>> sms = PageFacts(text="Tuyen CTV viec nhe luong cao, lam nhiem vu tha tim, thu nhap 500k/ngay. LH Zalo")
>>> result = detect_fake_recruitment(sms)
>>> result.label, result.score >= 0.7
('fake_recruitment', True)
>>> detect_fake_recruitment(PageFacts(text="Cong ty tuyen ke toan, hop dong lao dong, bao hiem xa hoi"))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from vigil.lib.detectors.base import DetectorResult, PageFacts, registry
from vigil.lib.detectors.brands import is_official, is_state_host, mentions, official_anywhere
from vigil.lib.detectors.vocab import Hit, Prepared, Term, distinct_snippets, find, links_in_text, prepare

__all__ = [
    "detect_apk_lure",
    "detect_fake_government_notice",
    "detect_fake_investment",
    "detect_fake_loan",
    "detect_fake_recruitment",
]

_TERMS = "scam_terms.csv"
ADVISORY = 5.0  # points of warning words ("cảnh báo", "thủ đoạn", "cảnh giác" …) that mark an advisory
_APK_SUFFIXES = (".apk", ".xapk", ".apks")


@dataclass(frozen=True, slots=True)
class _Found:
    points: dict[str, float]  # by kind
    hits: list[Hit]
    total: float


def _find(group: str, prepared: Prepared, links: tuple[tuple[str, str], ...] = ()) -> _Found:
    hits = [h for h in find(_TERMS, prepared) if h.term.group in (group, "any")]
    points: dict[str, float] = {}
    if group == "government":
        # A state notice sends people to gov.vn sites; a link elsewhere is the ask.
        outside = [(raw, host) for raw, host in links if not is_state_host(host)]
        if outside:
            link = Term(f"a link to {outside[0][1]}", "action", 2.0, group="government")
            hits.append(Hit(link, len(outside), outside[0][0]))
    for hit in hits:
        # Repeating a phrase adds a little; the pattern is in which phrases come together.
        value = hit.term.weight * (1.0 + 0.25 * math.log2(min(hit.count, 8)))
        points[hit.term.kind] = points.get(hit.term.kind, 0.0) + value
    total = sum(v for kind, v in points.items() if kind != "negative") - points.get("negative", 0.0)
    return _Found(points, hits, total)


def _score(total: float) -> float:
    return round(min(0.95, 1.0 - math.exp(-total / 8.0)), 2)


def _shown(hit: Hit) -> str:
    if hit.term.phrase.startswith("re:"):  # a pattern: show what it matched
        return f'"{hit.matched or hit.snippet}"'
    if hit.term.phrase.startswith("a link"):  # made up by _find, not a phrase of the text
        return hit.term.phrase
    return f'"{hit.term.phrase}"'


def _phrases(hits: list[Hit], kinds: tuple[str, ...], limit: int = 5) -> str:
    shown = [_shown(h) for h in hits if h.term.kind in kinds]
    return ", ".join(shown[:limit]) + (" …" if len(shown) > limit else "")


def _evidence(found: _Found) -> tuple[str, ...]:
    return distinct_snippets(h for h in found.hits if h.term.kind != "negative")


def _text(facts: PageFacts) -> Prepared:
    return prepare(facts.title, facts.text, *(label for form in facts.forms for label in form.labels))


Rule = Callable[[_Found], bool]


def _pattern(
    name: str, group: str, rule: Rule, describe: Callable[[_Found], str]
) -> Callable[[PageFacts], DetectorResult | None]:
    def detect(facts: PageFacts) -> DetectorResult | None:
        if facts.host and (is_state_host(facts.host) or official_anywhere(facts.host)):
            return None  # a ministry's or a bank's own page describing its own services
        prepared = _text(facts)
        message = not (facts.url or facts.final_url)
        links = links_in_text(prepared.text) if message and group == "government" else ()
        found = _find(group, prepared, links)
        if _p(found, "negative") >= ADVISORY or not rule(found):
            return None  # several warning words: an advisory or a news report quoting the scam
        return DetectorResult(name, name, _score(found.total), describe(found), _evidence(found))

    detect.__name__ = f"detect_{name}"
    detect.__doc__ = f"The {name.replace('_', ' ')} pattern; None when the text does not show it."
    return registry.register(name)(detect)


def _p(found: _Found, kind: str) -> float:
    return found.points.get(kind, 0.0)


detect_fake_recruitment = _pattern(
    "fake_recruitment",
    "recruitment",
    lambda f: _p(f, "bait") >= 2 and f.total >= 6,
    lambda f: (
        "The text offers easy, well-paid work ("
        + _phrases(f.hits, ("bait",))
        + ")"
        + (f" paid for tasks ({_phrases(f.hits, ('method',))})" if _p(f, "method") else "")
        + (", with contact through a messaging app" if _p(f, "contact") else "")
        + ", as task and fake-job scams do."
    ),
)

detect_fake_investment = _pattern(
    "fake_investment",
    "investment",
    lambda f: _p(f, "promise") >= 3 and f.total >= 6,
    lambda f: (
        "The text promises returns no real investment can ("
        + _phrases(f.hits, ("promise",))
        + ")"
        + (f" on {_phrases(f.hits, ('vehicle',), 3)}" if _p(f, "vehicle") else "")
        + "."
    ),
)

detect_fake_loan = _pattern(
    "fake_loan",
    "loan",
    lambda f: _p(f, "flag") >= 3 and _p(f, "offer") >= 1.5 and f.total >= 6,
    lambda f: (
        "The text offers loans ("
        + _phrases(f.hits, ("offer",), 3)
        + ") with terms no licensed lender offers or advance fees ("
        + _phrases(f.hits, ("flag",))
        + ")."
    ),
)

detect_fake_government_notice = _pattern(
    "fake_government_notice",
    "government",
    lambda f: _p(f, "authority") >= 1 and _p(f, "threat") >= 2 and _p(f, "action") >= 2 and f.total >= 7,
    lambda f: (
        "The text speaks for a state agency ("
        + _phrases(f.hits, ("authority",), 3)
        + "), threatens or promises ("
        + _phrases(f.hits, ("threat",), 4)
        + ") and asks for action ("
        + _phrases(f.hits, ("action",), 3)
        + ") outside any gov.vn site."
    ),
)


def _apk_links(facts: PageFacts) -> list[str]:
    links = list(facts.downloads)
    if not facts.url and not facts.final_url:
        links += [raw for raw, _host in links_in_text(facts.text)]
    return [
        link
        for link in dict.fromkeys(links)
        if urlsplit(link if "://" in link else f"http://{link}").path.lower().endswith(_APK_SUFFIXES)
    ]


@registry.register("apk_lure")
def detect_apk_lure(facts: PageFacts) -> DetectorResult | None:
    """An Android package offered outside the app stores under a trusted name or with install tricks."""
    apks = _apk_links(facts)
    if not apks:
        return None
    prepared = _text(facts)
    found = _find("apk", prepared)
    named = [m for m in mentions(prepared) if m.brand.kind in ("bank", "ewallet", "telco", "public_service")]
    apk_hosts = [(urlsplit(a if "://" in a else f"http://{a}").hostname or facts.host).lower() for a in apks]
    named = [m for m in named if not all(is_official(m.brand, h) for h in apk_hosts)]
    lure = _p(found, "lure") - _p(found, "negative")
    if not named and lure < 3:
        return None
    score = 0.5 + (0.25 if named else 0.0) + min(0.2, 0.05 * lure)
    first = apks[0]
    what = "page" if facts.url or facts.final_url else "message"
    parts = [f"The {what} offers an Android package ({first}) for download outside the app stores"]
    if named:
        parts.append(f"in the name of {named[0].brand.name}")
    if lure > 0:
        parts.append(f"with {_phrases(found.hits, ('lure',))}")
    explanation = ", ".join(parts) + "; fake apps like this take over phones and bank accounts."
    evidence = (first, *(m.snippet for m in named[:1]), *_evidence(found))
    return DetectorResult("apk_lure", "apk_lure", round(min(score, 0.95), 2), explanation, evidence[:6])
