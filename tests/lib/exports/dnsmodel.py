"""A model of how an authoritative server (and BIND's policy zones) answers from a zone, and the
matcher's decision for a name, to check that wildcards leave no holes."""

from __future__ import annotations

import random

import dns.name
import dns.node
import dns.rdataclass
import dns.rdatatype
import dns.zone

from tests.lib.exports.samples import allow, block
from vigil.lib.blocklist import Rule, RuleAction, RuleKind


class ZoneModel:
    """Which node answers a query (RFC 1034 §4.3.2 with RFC 4592 wildcards), or none."""

    def __init__(self, zone: dns.zone.Zone) -> None:
        self.zone = zone
        self.existing: set[dns.name.Name] = set()  # names with records and the empty non-terminals above
        for name in zone.nodes:
            while name != zone.origin and name not in self.existing:
                self.existing.add(name)
                name = name.parent()

    def answering_node(self, relative: str) -> dns.node.Node | None:
        name = dns.name.from_text(relative, self.zone.origin)
        if name in self.existing:
            return self.zone.get_node(name)  # None for an empty non-terminal
        encloser = name.parent()
        while encloser != self.zone.origin and encloser not in self.existing:
            encloser = encloser.parent()
        return self.zone.get_node(dns.name.Name((b"*", *encloser.labels)))

    def has(self, relative: str, rdtype: dns.rdatatype.RdataType) -> bool:
        node = self.answering_node(relative)
        return node is not None and node.get_rdataset(dns.rdataclass.IN, rdtype) is not None

    def cname(self, relative: str) -> str | None:
        node = self.answering_node(relative)
        rdataset = None if node is None else node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        return None if rdataset is None else rdataset[0].target.to_text()


def matcher_blocks(rules: list[Rule], name: str) -> bool:
    """The blocklist semantics: a HOST rule names one name, a DOMAIN its subtree; allow wins."""

    def matches(rule: Rule) -> bool:
        if rule.kind == RuleKind.HOST:
            return name == rule.value
        return rule.kind == RuleKind.DOMAIN and (name == rule.value or name.endswith("." + rule.value))

    matching = [rule for rule in rules if matches(rule)]
    return bool(matching) and all(rule.action == RuleAction.BLOCK for rule in matching)


def query_names(rules: list[Rule]) -> set[str]:
    """Each rule name, names below it at two depths, and every ancestor."""
    names = {"unrelated.example", "example"}
    for rule in rules:
        if rule.kind in (RuleKind.HOST, RuleKind.DOMAIN):
            labels = rule.value.split(".")
            names.update(".".join(labels[i:]) for i in range(len(labels)))
            names.update({f"zz.{rule.value}", f"a.b.{rule.value}"})
    return names


TRICKY = [
    # A host written below a blocked domain must not cut a hole for the names below and beside it.
    [block(RuleKind.DOMAIN, "evil.example", 1), block(RuleKind.HOST, "x.y.evil.example", 2)],
    # An allow-listed host below a blocked domain: only that name is spared.
    [block(RuleKind.DOMAIN, "evil.example", 1), allow(RuleKind.HOST, "ok.a.evil.example")],
    # An allow-listed domain below a blocked one spares its whole subtree, even blocked names in it.
    [
        block(RuleKind.DOMAIN, "evil.example", 1),
        allow(RuleKind.DOMAIN, "ok.evil.example"),
        block(RuleKind.HOST, "x.ok.evil.example", 2),
        block(RuleKind.DOMAIN, "deep.x.ok.evil.example", 3),
    ],
    # Nested blocked domains and a host and domain with the same name.
    [
        block(RuleKind.DOMAIN, "evil.example", 1),
        block(RuleKind.DOMAIN, "a.b.evil.example", 2),
        block(RuleKind.HOST, "evil.example", 3),
        allow(RuleKind.HOST, "evil.example"),
    ],
    # Shared hosting: the bare name allowed, tenants blocked.
    [allow(RuleKind.HOST, "host.example"), block(RuleKind.DOMAIN, "t.host.example", 1)],
]


def random_rule_sets(count: int = 60, seed: int = 7) -> list[list[Rule]]:
    """Small random trees of HOST and DOMAIN rules over three labels, a third of them allow rules."""
    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        rules = []
        for decision in range(rng.randint(1, 7)):
            name = ".".join([*(rng.choice("abc") for _ in range(rng.randint(0, 3))), "example"])
            kind = rng.choice([RuleKind.HOST, RuleKind.DOMAIN])
            rules.append(allow(kind, name) if rng.random() < 0.3 else block(kind, name, decision))
        sets.append(rules)
    return sets
