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


def _cache_key(scope: str, key: str, seconds: int, now: float) -> str:
    return f"vigil-rl:{scope}:{key}:{int(now // seconds)}"


def count(scope: str, key: str, seconds: int, *, now: float | None = None) -> int:
    """Count one hit for ``key`` in ``scope``'s current window of ``seconds``; return the window's total."""
    cache_key = _cache_key(scope, key, seconds, time.time() if now is None else now)
    cache.add(cache_key, 0, timeout=seconds + 5)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=seconds + 5)
        return 1


def counted(scope: str, key: str, seconds: int, *, now: float | None = None) -> int:
    """The hits :func:`count` has counted in the current window so far (counts none itself)."""
    return int(cache.get(_cache_key(scope, key, seconds, time.time() if now is None else now), 0))


def hit(scope: str, key: str, limit: Limit, *, now: float | None = None) -> Verdict:
    """Count one hit for ``key`` in ``scope``; refuse it once the window is full."""
    now = time.time() if now is None else now
    if count(scope, key, limit.seconds, now=now) > limit.count:
        window_end = (int(now // limit.seconds) + 1) * limit.seconds
        return Verdict(False, max(1, int(window_end - now)))
    return Verdict(True, 0)
