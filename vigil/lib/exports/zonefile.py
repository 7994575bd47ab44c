"""RPZ policy zones as zone-file text, written with plain string building.

The records are those of :func:`vigil.lib.exports.rpz.rpz_records`, one a line, each
with the reason it exists as a comment::

    evil.example CNAME . ; decision=12 category=phishing basis=blhs-290 expires=2027-05-01
    *.evil.example CNAME . ; decision=12 category=phishing basis=blhs-290 expires=2027-05-01

dnspython is never used to write: building a million records through it takes a minute,
string building a second. Rules come in (kind order, value) order, then come the names
that :class:`NameTree` spells out, then the address triggers.

Wildcards follow DNS rules (RFC 4592) in BIND's policy zones too: ``*.d`` does not answer
for ``x.m.d`` when ``m.d`` exists, nor for ``b.d`` when only ``a.b.d`` exists (checked with
BIND 9.18). So rule names below a DOMAIN rule — a blocked host under a blocked domain, an
allow-listed host under a blocked platform — and the names between are resolved as a tree:
each gets the record the matcher decides for it and a wildcard for the names below it.
Of two rules with the same kind and value the allow rule wins; an address inside an
allowed block is left out (a narrower block entry would win the longest-prefix match),
and of an IP and a /32 rule for one address the first is written.

:func:`zone_records` returns the same records as values, so the DNS publisher can diff
two record sets, and :func:`write_records` writes such a set as the same zone text.

>>> import io
>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> ref = RuleRef(12, "phishing", "registrable_domain", "blhs-290")
>>> out = io.StringIO()
>>> meta = ExportMeta("rpz.vigil.example", 7, "2026-05-01T00:00:00Z")
>>> write_zone([Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref)], out, meta).written
2
>>> print(out.getvalue().split("$ORIGIN")[1].strip())
rpz.vigil.example.
$TTL 300
@ SOA localhost. hostmaster.rpz.vigil.example. 7 3600 600 864000 60
@ NS localhost.
evil.example CNAME . ; decision=12 category=phishing basis=blhs-290
*.evil.example CNAME . ; decision=12 category=phishing basis=blhs-290
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from vigil.lib.blocklist import Rule, RuleAction, RuleKind
from vigil.lib.exports.registry import (
    ADDRESS_KINDS,
    MAX_NAME,
    URL_KINDS,
    AllowNetworks,
    Exporter,
    ExportError,
    ExportMeta,
    ExportStats,
    RuleSet,
    SkipReason,
    absolute,
    check_names,
    exporters,
    header,
    names_within,
    parents,
    printable,
    rule_set,
    write_chunks,
)
from vigil.lib.exports.rpz import PASSTHRU, Policy, RpzRecord, comment_for, rpz_ip_owner

__all__ = ["NameTree", "RpzExporter", "write_records", "write_zone", "zone_preamble", "zone_records"]

_RTYPE = re.compile(r"[A-Z][A-Z0-9]*")
# In names joined by newlines: each name's parent, where that has two labels or more.
_PARENT = re.compile(r"\.([^.\n]*\.[^\n]*)")
_ALLOW = RuleAction.ALLOW


class NameTree:
    """What the HOST and DOMAIN rules decide for a name, and which names a zone must spell out.

    ``nodes`` are the names whose records cannot come from each rule alone: rule names
    below a DOMAIN rule, those DOMAIN rules, the names between, and names that both a
    HOST and a DOMAIN rule name. Each node gets :meth:`at` as its own record and
    :meth:`below` as its wildcard.

    >>> from vigil.lib.blocklist import RuleRef
    >>> ref = RuleRef(1, "phishing", "host")
    >>> tree = NameTree(rule_set([Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref),
    ...                           Rule(RuleKind.HOST, "a.b.evil.example", RuleAction.BLOCK, ref),
    ...                           Rule(RuleKind.HOST, "other.example", RuleAction.BLOCK, ref)]))
    >>> tree.nodes
    ['a.b.evil.example', 'b.evil.example', 'evil.example']
    """

    def __init__(self, rules: RuleSet) -> None:
        def tables(kind: RuleKind) -> tuple[dict[str, Rule], dict[str, Rule]]:
            block = dict(zip(rules.values[kind], rules.rules[kind], strict=True))
            allow = {value: block.pop(value) for value in {rule.value for rule in rules.allowed[kind]}}
            return block, allow

        self.block_host, self.allow_host = tables(RuleKind.HOST)
        self.block_domain, self.allow_domain = tables(RuleKind.DOMAIN)
        self.nodes = self._entangled(rules.values[RuleKind.HOST], rules.values[RuleKind.DOMAIN])

    def _entangled(self, hosts: list[str], domains: list[str]) -> list[str]:
        blocked, allowed = self.block_domain.keys(), self.allow_domain.keys()
        nodes = (blocked & hosts) | (allowed & hosts)  # a HOST and a DOMAIN rule name them
        names = [*hosts, *domains]
        ancestors = _ancestors_among(names, lambda found: (found & blocked) | (found & allowed))
        ancestors.update(domain for domain in domains if "." not in domain)  # top-level: rare
        if ancestors:
            below = names_within(names, ancestors)
            nodes |= below
            for name in below:
                chain: list[str] = []
                for parent in parents(name):
                    chain.append(parent)
                    if parent in ancestors:
                        nodes.update(chain)
                        chain = []
        return sorted(nodes)

    @staticmethod
    def _nearest(rules: dict[str, Rule], name: str) -> Rule | None:
        found: Rule | None = rules.get(name)
        if found is None:
            found = next((rules[parent] for parent in parents(name) if parent in rules), None)
        return found

    def at(self, name: str) -> Rule | None:
        """The rule that decides ``name`` (its action is the decision; allow wins), or None."""
        allow = self.allow_host.get(name) or self._nearest(self.allow_domain, name)
        return allow or self.block_host.get(name) or self._nearest(self.block_domain, name)

    def below(self, name: str) -> Rule | None:
        """The rule that decides the names below ``name`` that no rule names (a DOMAIN rule)."""
        return self._nearest(self.allow_domain, name) or self._nearest(self.block_domain, name)

    def overridden(self, name: str) -> int:
        """How many block rules named ``name`` an allow rule overrides entirely."""
        at, below = self.at(name), self.below(name)
        allowed = at is not None and at.action is _ALLOW
        return (allowed and name in self.block_host) + (
            allowed and name in self.block_domain and below is not None and below.action is _ALLOW
        )


def _ancestors_among(names: Iterable[str], among: Callable[[set[str]], set[str]]) -> set[str]:
    """The proper ancestors of ``names`` with two labels or more that ``among`` picks.

    Found a level at a time, each level's parents by one regular-expression pass over the
    names joined (everything after a line's first dot): three times faster than slicing
    name by name.
    """
    found: set[str] = set()
    seen: set[str] = set()
    level = set(_PARENT.findall("\n".join(names)))
    while level:
        fresh = level - seen
        seen |= fresh
        found |= among(fresh)
        level = set(_PARENT.findall("\n".join(fresh)))
    return found


@dataclass(frozen=True, slots=True)
class _Selection:
    """The rules that make records, in order, and what was left out."""

    hosts: list[Rule]  # HOST rules outside the tree
    domains: list[Rule]  # DOMAIN rules outside the tree
    tree: list[tuple[str, Rule]]  # (owner, deciding rule) for the tree's nodes and their wildcards
    addresses: list[tuple[str, Rule]]  # (rpz-ip owner, rule), IP rules then CIDR rules
    stats: ExportStats


def name_room(meta: ExportMeta) -> int:
    """How long a relative owner name may be under ``meta.origin``."""
    return MAX_NAME - len(meta.origin.rstrip(".")) - 1


def check_rule_names(rules: RuleSet, meta: ExportMeta) -> None:
    """Every HOST and DOMAIN value must fit under the origin with a ``*.`` in front."""
    for kind in (RuleKind.HOST, RuleKind.DOMAIN):
        check_names(rules.values[kind], max_length=name_room(meta) - 2)


def _select(rules: Iterable[Rule], meta: ExportMeta) -> _Selection:
    ruleset = rule_set(rules)
    skipped: Counter[SkipReason] = Counter()
    skipped[SkipReason.URL_RULE] = ruleset.count(*URL_KINDS)
    skipped[SkipReason.DUPLICATE] = ruleset.duplicates
    check_rule_names(ruleset, meta)

    tree = NameTree(ruleset)
    hosts, domains = ruleset.rules[RuleKind.HOST], ruleset.rules[RuleKind.DOMAIN]
    tree_records: list[tuple[str, Rule]] = []
    if tree.nodes:
        nodes = set(tree.nodes)
        hosts = [rule for rule in hosts if rule.value not in nodes]
        domains = [rule for rule in domains if rule.value not in nodes]
        for name in tree.nodes:
            at, below = tree.at(name), tree.below(name)
            if at is not None:
                tree_records.append((name, at))
            if below is not None:
                tree_records.append((f"*.{name}", below))
            skipped[SkipReason.ALLOWED] += tree.overridden(name)

    allowed_networks = AllowNetworks.of(ruleset)
    addresses: list[tuple[str, Rule]] = []
    owners: set[str] = set()
    for kind in ADDRESS_KINDS:
        for rule, network in zip(ruleset.rules[kind], ruleset.networks[kind], strict=True):
            if rule.action is RuleAction.BLOCK and allowed_networks and allowed_networks.covers(network):
                skipped[SkipReason.ALLOWED] += 1
                continue
            owner = rpz_ip_owner(rule.value)
            if owner in owners:
                skipped[SkipReason.DUPLICATE] += 1
                continue
            owners.add(owner)
            addresses.append((owner, rule))

    written = len(hosts) + 2 * len(domains) + len(tree_records) + len(addresses)
    stats = ExportStats.of(ruleset.read, written, "records", skipped)
    return _Selection(hosts, domains, tree_records, addresses, stats)


def _comments(rules: Sequence[Rule]) -> list[str]:
    comments = list(map(comment_for, map(operator.attrgetter("ref"), rules)))
    if not "".join(comments).isprintable():  # a line break would end the comment early
        comments = [printable(comment) for comment in comments]
    return comments


def _target(meta: ExportMeta) -> str:
    return "." if meta.policy == Policy.NXDOMAIN else absolute(meta.block_host)


def _lines(selection: _Selection, target: str) -> list[str]:
    """The record lines; a DOMAIN rule's two records are one item."""
    hosts, domains = selection.hosts, selection.domains
    lines = [
        f"{rule.value} CNAME {PASSTHRU if rule.action is _ALLOW else target} ; {comment}\n"
        for rule, comment in zip(hosts, _comments(hosts), strict=True)
    ]
    lines += [
        f"{rule.value} CNAME {rdata} ; {comment}\n*.{rule.value} CNAME {rdata} ; {comment}\n"
        for rule, comment in zip(domains, _comments(domains), strict=True)
        for rdata in (PASSTHRU if rule.action is _ALLOW else target,)
    ]
    for owned in (selection.tree, selection.addresses):
        rules = [rule for _, rule in owned]
        lines += [
            f"{owner} CNAME {PASSTHRU if rule.action is _ALLOW else target} ; {comment}\n"
            for (owner, rule), comment in zip(owned, _comments(rules), strict=True)
        ]
    return lines


def zone_preamble(meta: ExportMeta, stats: ExportStats, *, what: str, notes: Sequence[str] = ()) -> str:
    """Header comments, ``$ORIGIN``, ``$TTL``, SOA and NS records."""
    soa = (
        f"@ SOA {absolute(meta.nameservers[0])} {meta.soa_rname} "
        f"{meta.serial} {meta.refresh} {meta.retry} {meta.expire} {meta.minimum}\n"
    )
    return (
        header(meta, stats, prefix=";", what=what, notes=notes)
        + f"$ORIGIN {meta.zone}\n$TTL {meta.ttl}\n"
        + soa
        + "".join(f"@ NS {absolute(ns)}\n" for ns in meta.nameservers)
    )


def _rpz_notes(meta: ExportMeta) -> list[str]:
    action = "NXDOMAIN (CNAME .)" if meta.policy == Policy.NXDOMAIN else f"CNAME {absolute(meta.block_host)}"
    return [f"blocked names: {action}; allow-listed names: CNAME {PASSTHRU}"]


def write_zone(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write the RPZ zone for ``rules``; URL rules are skipped (DNS sees no paths)."""
    selection = _select(rules, meta)
    lines = _lines(selection, _target(meta))
    out.write(
        zone_preamble(meta, selection.stats, what=f"RPZ policy zone {meta.zone}", notes=_rpz_notes(meta))
    )
    write_chunks(out, lines)
    return selection.stats


def zone_records(rules: Iterable[Rule], meta: ExportMeta) -> tuple[list[RpzRecord], ExportStats]:
    """The records :func:`write_zone` writes for ``rules``, in its order, and its stats."""
    selection = _select(rules, meta)
    target = _target(meta)

    def rdata(rule: Rule) -> str:
        return PASSTHRU if rule.action is _ALLOW else target

    records = [
        RpzRecord(rule.value, "CNAME", rdata(rule), comment)
        for rule, comment in zip(selection.hosts, _comments(selection.hosts), strict=True)
    ]
    for rule, comment in zip(selection.domains, _comments(selection.domains), strict=True):
        records.append(RpzRecord(rule.value, "CNAME", rdata(rule), comment))
        records.append(RpzRecord(f"*.{rule.value}", "CNAME", rdata(rule), comment))
    for owned in (selection.tree, selection.addresses):
        rules = [rule for _, rule in owned]
        records += [
            RpzRecord(owner, "CNAME", rdata(rule), comment)
            for (owner, rule), comment in zip(owned, _comments(rules), strict=True)
        ]
    return records, selection.stats


def write_records(records: Sequence[RpzRecord], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write ``records`` as an RPZ zone, in the order given (sort a set first).

    Raises :class:`ExportError` for an owner that is not a name under the origin, and for
    an owner with a CNAME and any other record (a zone allows one CNAME, alone, per owner).
    """
    owners = [record.owner for record in records]
    room = name_room(meta)
    check_names([o[2:] if o.startswith("*.") else o for o in owners], max_length=room, what="an RPZ owner")
    if owners and max(map(len, owners)) > room:
        long = next(owner for owner in owners if len(owner) > room)
        raise ExportError("an RPZ owner", f"{long!r}: more than the {room} characters that fit here")
    if len(set(owners)) != len(owners):
        _check_cname_alone(records)
    for record in records:
        if not _RTYPE.fullmatch(record.rtype) or not record.rdata or not record.rdata.isprintable():
            raise ExportError("an RPZ record", f"{record.owner} {record.rtype} {record.rdata!r}")
    lines = [
        f"{r.owner} {r.rtype} {r.rdata} ; {printable(r.comment)}\n"
        if r.comment
        else f"{r.owner} {r.rtype} {r.rdata}\n"
        for r in records
    ]
    stats = ExportStats.of(None, len(records), "records", Counter())
    out.write(zone_preamble(meta, stats, what=f"RPZ policy zone {meta.zone}", notes=_rpz_notes(meta)))
    write_chunks(out, lines)
    return stats


def _check_cname_alone(records: Sequence[RpzRecord]) -> None:
    by_owner: dict[str, list[RpzRecord]] = {}
    for record in records:
        by_owner.setdefault(record.owner, []).append(record)
    for owner, group in by_owner.items():
        if len(group) > 1 and any(record.rtype == "CNAME" for record in group):
            rdatas = ", ".join(f"{r.rtype} {r.rdata}" for r in group)
            raise ExportError("an RPZ record set", f"owner {owner!r} has a CNAME and other records: {rdatas}")


@exporters.register
class RpzExporter(Exporter):
    """Response Policy Zone for BIND, Unbound, Knot Resolver and PowerDNS Recursor."""

    name = "rpz"
    media_type = "text/dns"
    extension = "zone"
    description = "Response Policy Zone (RPZ) for recursive resolvers"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the RPZ zone."""
        return write_zone(rules, out, meta)
