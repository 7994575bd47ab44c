"""Blocklist rules: what the blocking engine enforces, independent of Django.

A :class:`Rule` is one enforceable entry — a URL, a URL path prefix, a host, a whole
registrable domain, an IP address or a CIDR — with the reason it exists
(:class:`RuleRef`). The matcher, the exports (RPZ, IP lists, URIBL, hosts, Adblock) and
the DNS publishers all take rules; the Django ``blocking`` app builds them from active
decisions, the allow-list and manual entries.

Matching semantics (the reference implementation in ``matcher_reference`` is the
definition; the fast matcher must agree with it on every query):

* ``EXACT_URL`` and ``URL_PREFIX`` values are Google Safe Browsing *expressions*
  (``host/path?query`` and ``host/path/``, no scheme, no port). A URL matches when the
  value is one of its :func:`vigil.lib.urls.lookup_expressions`.
* ``HOST`` matches a URL or name whose host is exactly the value.
* ``DOMAIN`` matches the value itself and every name below it, at any depth.
* ``IP`` matches a URL whose host is that address; ``CIDR`` one whose host is inside.
* An ``ALLOW`` rule that matches wins over every ``BLOCK`` rule.

>>> ref = RuleRef(7, "phishing", "registrable_domain", "blhs-290")
>>> rule = Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref)
>>> rule.ref.decision_id, rule.is_dns_expressible
(7, True)
>>> url_expression("https://a.evil.example:8443/x/y.html?q=1")
'a.evil.example/x/y.html?q=1'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from vigil.lib.urls import CanonicalUrl, canonicalise_url

__all__ = ["Rule", "RuleAction", "RuleKind", "RuleRef", "url_expression"]


class RuleKind(enum.StrEnum):
    """What a rule's value is."""

    EXACT_URL = "exact_url"
    URL_PREFIX = "url_prefix"
    HOST = "host"
    DOMAIN = "domain"
    IP = "ip"
    CIDR = "cidr"


class RuleAction(enum.StrEnum):
    """Block, or allow (allow wins)."""

    BLOCK = "block"
    ALLOW = "allow"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Why a rule exists: what a check answers and what an RPZ comment names."""

    decision_id: int | None
    category: str
    scope: str
    legal_basis: str = ""
    expires_at: str | None = None  # ISO 8601, UTC
    source: str = "decision"  # decision | allowlist | manual
    action: str = ""  # the decision's action (dns_block, ip_block, takedown_request…)


@dataclass(frozen=True, slots=True)
class Rule:
    """One enforceable entry."""

    kind: RuleKind
    value: str
    action: RuleAction
    ref: RuleRef

    @property
    def is_dns_expressible(self) -> bool:
        """DNS sees names and addresses, never paths."""
        return self.kind not in (RuleKind.EXACT_URL, RuleKind.URL_PREFIX)


def url_expression(url: str | CanonicalUrl) -> str:
    """The GSB expression for a whole URL: ``host/path?query`` (no scheme, no port).

    >>> url_expression("http://EVIL.example/a/../b?x=1#frag")
    'evil.example/b?x=1'
    """
    canonical = canonicalise_url(url) if isinstance(url, str) else url
    query = "" if canonical.query is None else "?" + canonical.query
    return f"{canonical.host}{canonical.path}{query}"
