"""Turning decisions and the allow-list into blocklist rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vigil.blocking.choices import ProtectedKind
from vigil.blocking.models import ProtectedDomain
from vigil.cases.choices import DecisionState
from vigil.cases.models import Decision
from vigil.core.choices import ActionKind
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef, url_expression

# Decisions that put a network indicator on the blocklist at all (the check API, the
# milter and the Adblock/URIBL lists use them) …
LISTED_ACTIONS = frozenset(ActionKind.values) - {ActionKind.NO_ACTION}
# … and those enforced by resolvers and firewalls (RPZ, IP lists, hosts).
ENFORCED_ACTIONS = frozenset({ActionKind.DNS_BLOCK, ActionKind.IP_BLOCK})

_KIND_FOR_SCOPE = {
    "exact_url": RuleKind.EXACT_URL,
    "host": RuleKind.HOST,
    "registrable_domain": RuleKind.DOMAIN,
    "ip": RuleKind.IP,
    "cidr": RuleKind.CIDR,
}


def decision_queryset() -> Iterable[Decision]:
    """Active decisions with what their rules need, streamed."""
    return (
        Decision.objects.filter(state=DecisionState.ACTIVE, action__in=LISTED_ACTIONS)
        .select_related("category", "legal_basis")
        .only("id", "action", "scope", "target", "expires_at", "category__code", "legal_basis__code")
        .order_by("id")
        .iterator(chunk_size=5000)
    )


def rule_for_decision(decision: Decision) -> Rule | None:
    """The rule an active decision puts in force, or None (indicator scopes, no action)."""
    kind = _KIND_FOR_SCOPE.get(decision.scope)
    if kind is None or decision.action not in LISTED_ACTIONS:
        return None
    value = url_expression(decision.target) if kind == RuleKind.EXACT_URL else decision.target
    ref = RuleRef(
        decision_id=decision.pk,
        category=decision.category.code,
        scope=decision.scope,
        legal_basis=decision.legal_basis.code,
        expires_at=decision.expires_at.isoformat(),
        source="decision",
        action=decision.action,
    )
    return Rule(kind, value, RuleAction.BLOCK, ref)


def allow_rules() -> Iterator[Rule]:
    """Allow-list entries: whole subtrees for portals, banks, platforms and CDNs; the bare name
    for shared hosting (its tenants' subdomains can be blocked one by one)."""
    for entry in ProtectedDomain.objects.filter(is_active=True).order_by("domain"):
        kind = RuleKind.DOMAIN if entry.kind in ProtectedKind.whole_subtree() else RuleKind.HOST
        yield Rule(
            kind, entry.domain, RuleAction.ALLOW, RuleRef(None, entry.kind, "allowlist", source="allowlist")
        )


def active_rules(*, enforced_only: bool) -> Iterator[Rule]:
    """Every rule in force: block rules from active decisions, then the allow-list."""
    for decision in decision_queryset():
        if enforced_only and decision.action not in ENFORCED_ACTIONS:
            continue
        rule = rule_for_decision(decision)
        if rule is not None and (not enforced_only or rule.is_dns_expressible):
            yield rule
    yield from allow_rules()
