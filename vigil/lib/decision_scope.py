"""Which scopes fit which indicators and actions, and what exactly a decision targets.

Pure Python: the blocklist engine and the decision service share these rules.

>>> target_for("host", "url", "http://a.evil.vn/x", {"host": "a.evil.vn", "registrable_domain": "evil.vn"})
'a.evil.vn'
>>> target_for("registrable_domain", "domain", "a.evil.vn", {"registrable_domain": "evil.vn"})
'evil.vn'
>>> check_action_scope("dns_block", "exact_url")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
vigil.lib.decision_scope.ScopeError: a DNS block cannot target an exact URL (DNS sees only host names)...
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from vigil.lib.domains import is_public_suffix

ALL_SCOPES = ("exact_url", "host", "registrable_domain", "ip", "cidr", "indicator")

SCOPES_FOR_TYPE: dict[str, tuple[str, ...]] = {
    "url": ("exact_url", "host", "registrable_domain", "ip"),
    "domain": ("host", "registrable_domain"),
    "ip": ("ip",),
    "cidr": ("cidr",),
}
NETWORK_TYPES = frozenset(SCOPES_FOR_TYPE)

SCOPES_FOR_ACTION: dict[str, frozenset[str]] = {
    "dns_block": frozenset({"host", "registrable_domain"}),
    "ip_block": frozenset({"ip", "cidr"}),
    "takedown_request": frozenset({"exact_url", "host", "registrable_domain", "indicator"}),
    "referral_to_police": frozenset(ALL_SCOPES),
    "public_warning": frozenset(ALL_SCOPES),
    "no_action": frozenset(ALL_SCOPES),
}

_ACTION_HINTS = {
    ("dns_block", "exact_url"): (
        "a DNS block cannot target an exact URL (DNS sees only host names); use a host or "
        "whole-domain scope, or a takedown request for one URL"
    ),
}


class ScopeError(ValueError):
    """A scope that does not fit the indicator or the action."""


def scopes_for(indicator_type: str) -> tuple[str, ...]:
    """The scopes a decision on this kind of indicator may take.

    >>> scopes_for("phone")
    ('indicator',)
    """
    return SCOPES_FOR_TYPE.get(indicator_type, ("indicator",))


def check_action_scope(action: str, scope: str) -> None:
    """Raise :class:`ScopeError` unless ``action`` can be carried out at ``scope``."""
    allowed = SCOPES_FOR_ACTION.get(action)
    if allowed is None:
        raise ScopeError(f"unknown action {action!r}")
    if scope not in allowed:
        hint = _ACTION_HINTS.get((action, scope))
        raise ScopeError(
            hint
            or f"action {action!r} cannot be taken at scope {scope!r}; "
            f"possible scopes: {', '.join(sorted(allowed))}"
        )


def _ip_of_host(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def target_for(scope: str, indicator_type: str, value: str, attrs: Mapping[str, str]) -> str:
    """The exact thing a decision with ``scope`` on this indicator applies to."""
    if scope not in scopes_for(indicator_type):
        raise ScopeError(
            f"scope {scope!r} does not fit a {indicator_type} indicator; "
            f"possible scopes: {', '.join(scopes_for(indicator_type))}"
        )
    host = attrs.get("host", value if indicator_type == "domain" else "")
    if scope in {"exact_url", "indicator", "cidr"} or (scope == "ip" and indicator_type == "ip"):
        return value
    if scope == "ip":
        address = _ip_of_host(host)
        if address is None:
            raise ScopeError("an IP scope needs a URL whose host is an IP address")
        return address
    if _ip_of_host(host) is not None:
        raise ScopeError("this URL's host is an IP address; use the IP scope")
    target = host if scope == "host" else attrs.get("registrable_domain", "")
    if not target:
        raise ScopeError("this indicator has no registrable domain")
    if is_public_suffix(target):
        raise ScopeError(f"{target!r} is a public suffix and can never be a target")
    return target
