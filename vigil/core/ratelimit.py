"""A small fixed-window rate limiter on Django's cache, for public endpoints.

Public forms must hold up against floods without a third-party service; a fixed window
per key (client address, token) is enough to keep one source from swamping the desk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` hits per ``seconds`` for one key."""

    count: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a hit is allowed, and when to retry if not."""

    allowed: bool
    retry_after: int


def hit(scope: str, key: str, limit: Limit, *, now: float | None = None) -> Verdict:
    """Count one hit for ``key`` in ``scope``; refuse it once the window is full."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    cache_key = f"vigil-rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=limit.seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=limit.seconds + 5)
        count = 1
    if count > limit.count:
        return Verdict(False, max(1, int((window + 1) * limit.seconds - now)))
    return Verdict(True, 0)
