"""Abuse guards for the public pages: per-address rate limits and a proof-of-work challenge.

No third-party captcha: deployments may be offline. Under load (or after a few reports
from one address) the form asks the browser to find a number whose SHA-256, together
with a signed challenge, starts with ``POW_BITS`` zero bits — a fraction of a second for
a person, a real cost for a flood.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vigil.core import ratelimit
from vigil.core.middleware import client_ip, wants_json
from vigil.intake import conf

_SALT = "vigil.intake.pow"
CHALLENGE_MAX_AGE = 3600


def address(request: HttpRequest) -> str:
    """The client address used as the rate-limit key (kept only in the cache, never stored)."""
    return client_ip(request) or "unknown"


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """A clear 429 with Retry-After, as JSON for the API and as a page for people."""
    message = _("Too many requests from your connection. Please try again in %(s)s seconds.") % {
        "s": retry_after
    }
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"code": "rate_limited", "message": message, "retry_after": retry_after}, status=429
        )
    else:
        response = render(
            request, "intake/limited.html", {"message": message, "retry_after": retry_after}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def limit_pages(
    scope: str, setting: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow ``conf.get(setting)`` requests a minute per address to the decorated view."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            verdict = ratelimit.hit(scope, address(request), ratelimit.Limit(max(1, conf.get(setting)), 60))
            if not verdict.allowed:
                return too_many(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def report_attempt(request: HttpRequest) -> ratelimit.Verdict:
    """Count one report submission from this address (hourly window)."""
    return ratelimit.hit(
        "intake-report", address(request), ratelimit.Limit(max(1, conf.get("REPORTS_PER_IP_HOUR")), 3600)
    )


def note_accepted(request: HttpRequest) -> None:
    """Count an accepted report for the load and per-address proof-of-work thresholds."""
    ratelimit.count("intake-load", "all", 60)
    ratelimit.count("intake-accepted", address(request), 3600)


def required_bits(request: HttpRequest) -> int:
    """Zero normally; ``POW_BITS`` under load or for an address that already sent several reports."""
    load = ratelimit.counted("intake-load", "all", 60)
    mine = ratelimit.counted("intake-accepted", address(request), 3600)
    if load >= conf.get("POW_LOAD_PER_MINUTE") or mine >= conf.get("POW_AFTER_REPORTS_PER_IP"):
        return conf.get("POW_BITS")
    return 0


def new_challenge(bits: int) -> str:
    """A signed, timestamped challenge for ``bits`` leading zero bits."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{bits}.{secrets.token_hex(8)}")


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits the digest starts with."""
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + (8 - byte.bit_length())
    return count


def solved(challenge: str, nonce: str, needed: int) -> bool:
    """True when the challenge is ours, fresh, unused, at least ``needed`` bits hard, and solved."""
    if needed <= 0:
        return True
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign(challenge or "", max_age=CHALLENGE_MAX_AGE)
        bits = int(payload.split(".", 1)[0])
    except (signing.BadSignature, ValueError):
        return False
    if bits < needed or not nonce or len(nonce) > 20 or not nonce.isdigit():
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        return False
    # One solution, one report.
    return bool(
        cache.add(f"intake-pow:{hashlib.sha256(challenge.encode()).hexdigest()}", 1, CHALLENGE_MAX_AGE)
    )
