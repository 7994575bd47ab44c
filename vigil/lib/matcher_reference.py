"""The blocklist semantics applied literally: every rule is tried against every query.

This is the definition the fast matcher (:mod:`vigil.lib.matcher`) is tested and
benchmarked against. It is slow on purpose (no index, no shortcut): each rule kind's
test below is one line of the rules in :mod:`vigil.lib.blocklist`.

>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> prefix = Rule(RuleKind.URL_PREFIX, "b.c/1/", RuleAction.BLOCK, RuleRef(1, "x", "url"))
>>> reference = ReferenceMatcher([prefix])
>>> reference.match_url("http://a.b.c/1/2.html?param=1").status
'blocked'
>>> reference.match_url("http://a.b.c/2/1/").status
'none'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.matcher import NONE, Verdict, check_target, rule_order
from vigil.lib.urls import CanonicalUrl, canonicalise_url, lookup_expressions

__all__ = ["ReferenceMatcher", "reference_verdicts", "rule_matches", "verdict_for"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def rule_matches(rule: Rule, url: CanonicalUrl, expressions: frozenset[str] | None = None) -> bool:
    """Whether one rule matches one canonical URL, as :mod:`vigil.lib.blocklist` words it.

    >>> from vigil.lib.blocklist import RuleRef
    >>> rule = Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, RuleRef(1, "x", "domain"))
    >>> rule_matches(rule, canonicalise_url("http://a.b.evil.example/"))
    True
    >>> rule_matches(rule, canonicalise_url("noevil.example"))
    False
    """
    host = url.host
    if rule.kind in (RuleKind.EXACT_URL, RuleKind.URL_PREFIX):
        if expressions is None:
            expressions = frozenset(lookup_expressions(url))
        return rule.value in expressions
    if rule.kind is RuleKind.HOST:
        return host == rule.value
    if rule.kind is RuleKind.DOMAIN:
        return host == rule.value or host.endswith("." + rule.value)
    address = _address(host)
    if address is None:
        return False
    if rule.kind is RuleKind.IP:
        return address == ipaddress.ip_address(rule.value)
    # CIDR; an address of the other IP version is never inside (ipaddress says False).
    return address in ipaddress.ip_network(rule.value)


def verdict_for(matching: Iterable[Rule]) -> Verdict:
    """The verdict given the rules that match: allow wins; refs in :func:`rule_order`."""
    rules = sorted(set(matching), key=rule_order)
    allowed = [rule for rule in rules if rule.action is RuleAction.ALLOW]
    chosen = allowed or rules
    if not chosen:
        return NONE
    return Verdict(
        "allowed" if allowed else "blocked",
        tuple(rule.ref for rule in chosen),
        tuple(rule.value for rule in chosen),
    )


class ReferenceMatcher:
    """The same questions as :class:`vigil.lib.matcher.Snapshot`, answered by a loop over all rules."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(sorted(set(rules), key=rule_order))

    def match_url(self, url: str | CanonicalUrl) -> Verdict:
        """Verdict for a URL (canonicalised first when it is a string)."""
        canonical = canonicalise_url(url) if isinstance(url, str) else url
        expressions = frozenset(lookup_expressions(canonical))
        return verdict_for(rule for rule in self.rules if rule_matches(rule, canonical, expressions))

    def check(self, value: str) -> Verdict:
        """Verdict for a URL, a bare host or domain, or an IP address."""
        return self.match_url(check_target(value))


def _suffixes(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[start:]) for start in range(len(labels))]


def reference_verdicts(rules: Iterable[Rule], urls: Sequence[CanonicalUrl]) -> list[Verdict]:
    """:meth:`ReferenceMatcher.match_url` for many URLs in one pass over the rules.

    Trying every rule on every URL is rules x URLs work (hours for a million rules and
    thousands of URLs), so each rule is tried, with :func:`rule_matches` as it is, only
    on the URLs it could match at all: for a rule with a host (names, hosts, URL
    expressions), the URLs whose host is that host or ends in ``.`` + it (a domain, a
    host and every Safe Browsing host suffix is such a suffix); for an IP rule, the URLs
    with that address; for a CIDR rule, every URL with an address.
    """
    buckets: dict[object, list[int]] = {}
    for index, url in enumerate(urls):
        address = _address(url.host)
        keys: list[object] = [url.host, address, "[any ip]"] if address is not None else []
        for key in keys or _suffixes(url.host):
            buckets.setdefault(key, []).append(index)
    expressions = [frozenset(lookup_expressions(url)) for url in urls]
    matching: list[list[Rule]] = [[] for _ in urls]
    for rule in set(rules):
        bucket: object
        if rule.kind is RuleKind.IP:
            bucket = ipaddress.ip_address(rule.value)
        elif rule.kind is RuleKind.CIDR:
            bucket = "[any ip]"
        else:
            bucket = rule.value.partition("/")[0]
        for index in buckets.get(bucket, ()):
            if rule_matches(rule, urls[index], expressions[index]):
                matching[index].append(rule)
    return [verdict_for(rules_here) for rules_here in matching]
