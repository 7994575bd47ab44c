"""Do the user-agent variants of a page differ? Scam and gambling pages cloak.

The page is fetched as the configured browser, as a search-engine crawler and as a
mobile browser. Variants *differ* when the final URL's host, the status or the visible
text (word 3-gram overlap below ``threshold``) differ; small dynamic changes (a token,
a clock) do not count.

>>> a = Variant("default", "UA", "http://x.example/", 200, "t", "xin chào quý khách hôm nay")
>>> b = Variant("crawler", "Bot", "http://x.example/", 200, "t", "tin tức thể thao hôm nay mới")
>>> compare(a, [b])[0].differs
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from vigil.lib.fetch.page import text_shingles

__all__ = ["Comparison", "Variant", "compare", "similarity"]


@dataclass(frozen=True, slots=True)
class Variant:
    """What one user agent was served."""

    name: str  # default, crawler, mobile
    user_agent: str
    final_url: str
    status: int | None
    title: str
    text: str
    content_sha256: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One variant against the default fetch."""

    name: str
    user_agent: str
    final_url: str
    status: int | None
    title: str
    content_sha256: str
    similarity: float
    differs: bool
    reasons: tuple[str, ...]
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return asdict(self)


def similarity(left: str, right: str) -> float:
    """Jaccard overlap of word 3-grams, 1.0 for two empty texts.

    >>> similarity("a b c d", "a b c d"), similarity("a b c", "x y z")
    (1.0, 0.0)
    """
    a, b = text_shingles(left), text_shingles(right)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def compare(default: Variant, others: Sequence[Variant], *, threshold: float = 0.6) -> list[Comparison]:
    """Each other variant compared with the default one."""
    found: list[Comparison] = []
    for other in others:
        reasons: list[str] = []
        score = similarity(default.text, other.text) if not other.error else 0.0
        if other.error:
            reasons.append(f"the fetch failed: {other.error}")
        else:
            default_host = urlsplit(default.final_url).hostname or ""
            other_host = urlsplit(other.final_url).hostname or ""
            if default_host != other_host:
                reasons.append(f"ends on {other_host or other.final_url} instead of {default_host}")
            if default.status != other.status:
                reasons.append(f"status {other.status} instead of {default.status}")
            if default.title != other.title:
                reasons.append(f"title {other.title[:80]!r} instead of {default.title[:80]!r}")
            if score < threshold:
                reasons.append(f"visible text differs (overlap {score:.0%})")
        differs = bool(reasons) and not (
            len(reasons) == 1 and reasons[0].startswith("title") and score >= 0.9
        )
        found.append(
            Comparison(
                name=other.name,
                user_agent=other.user_agent,
                final_url=other.final_url,
                status=other.status,
                title=other.title,
                content_sha256=other.content_sha256,
                similarity=round(score, 3),
                differs=differs,
                reasons=tuple(reasons),
                error=other.error,
            )
        )
    return found
