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

import bisect
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from typing import TextIO

from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.exports.registry import (
    ADDRESS_KINDS,
    MAX_NAME,
    URL_KINDS,
    AllowNetworks,
    Exporter,
    ExportError,
    ExportMeta,
    ExportStats,
    Network,
    RuleSet,
    SkipReason,
    SortedRules,
    absolute,
    check_joined_names,
    check_names,
    exporters,
    header,
    names_within,
    parents,
    printable,
    rule_network,
    sort_rules,
    write_chunks,
)
from vigil.lib.exports.rpz import PASSTHRU, Policy, RpzRecord, comment_for, rpz_network_owner
from vigil.lib.gcpause import gc_paused

__all__ = ["NameTree", "RpzExporter", "write_records", "write_zone", "zone_preamble", "zone_records"]

_RTYPE = re.compile(r"[A-Z][A-Z0-9]*")
# In names joined by newlines: each name's parent, where that has two labels or more.
_PARENT = re.compile(r"\.([^.\n]*\.[^\n]*)")
# Every byte but the dot and the newline: deleting them leaves one line of dots per name.
_NOT_DOT_OR_NEWLINE = bytes(byte for byte in range(256) if byte not in b".\n")
_ALLOW = RuleAction.ALLOW
_RULES_PER_CHUNK = 2048  # rules formatted, joined and written at a time: the text stays in cache


class NameTree:
    """What the HOST and DOMAIN rules decide for a name, and which names a zone must spell out.

    ``nodes`` are the names whose records cannot come from each rule alone: rule names
    below a DOMAIN rule, those DOMAIN rules, the names between, and names that both a
    HOST and a DOMAIN rule name. Each node gets :meth:`at` as its own record and
    :meth:`below` as its wildcard.

    >>> from vigil.lib.blocklist import RuleRef
    >>> from vigil.lib.exports.registry import rule_set
    >>> ref = RuleRef(1, "phishing", "host")
    >>> tree = NameTree(rule_set([Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref),
    ...                           Rule(RuleKind.HOST, "a.b.evil.example", RuleAction.BLOCK, ref),
    ...                           Rule(RuleKind.HOST, "other.example", RuleAction.BLOCK, ref)]))
    >>> tree.nodes
    ['a.b.evil.example', 'b.evil.example', 'evil.example']
    >>> tree.at("b.evil.example").value, tree.below("a.b.evil.example").value
    ('evil.example', 'evil.example')
    """

    def __init__(self, rules: RuleSet) -> None:
        host, domain = RuleKind.HOST, RuleKind.DOMAIN
        self._setup(rules.rules[host], rules.values[host], rules.rules[domain], rules.values[domain], None)

    @classmethod
    def of(
        cls,
        hosts: list[Rule],
        host_values: list[str],
        domains: list[Rule],
        domain_values: list[str],
        *,
        joined: str | None = None,
    ) -> NameTree:
        """The tree of HOST and DOMAIN rules sorted by value, one per value, and valid names.

        ``joined`` is the host values then the domain values joined by newlines, when the
        caller has that text already.
        """
        tree = cls.__new__(cls)
        tree._setup(hosts, host_values, domains, domain_values, joined)
        return tree

    def _setup(
        self,
        hosts: list[Rule],
        host_values: list[str],
        domains: list[Rule],
        domain_values: list[str],
        joined: str | None,
    ) -> None:
        self._hosts, self._host_values = hosts, host_values
        self._domains, self._domain_values = domains, domain_values
        self._host_index: dict[str, int] = {}  # name → index in the sorted values, or -1
        self._domain_index: dict[str, int] = {}
        # What the tree learns on the way about which names are rule values, to spare searches:
        self._host_set: set[str] | None = None  # every HOST value
        self._domain_set: set[str] | None = None  # every DOMAIN value
        self._domain_scopes: tuple[
            tuple[set[str], set[str]], ...
        ] = ()  # (names, the DOMAIN values among them)
        self._tables: dict[RuleKind, tuple[dict[str, Rule], dict[str, Rule]]] = {}
        self.nodes = self._entangled(host_values, domain_values, joined)

    # The rules by name, built on first use (the zone writer only looks names up).

    @property
    def block_host(self) -> dict[str, Rule]:
        """The HOST block rules by name, in name order."""
        return self._table(RuleKind.HOST)[0]

    @property
    def allow_host(self) -> dict[str, Rule]:
        """The HOST allow rules by name."""
        return self._table(RuleKind.HOST)[1]

    @property
    def block_domain(self) -> dict[str, Rule]:
        """The DOMAIN block rules by name, in name order."""
        return self._table(RuleKind.DOMAIN)[0]

    @property
    def allow_domain(self) -> dict[str, Rule]:
        """The DOMAIN allow rules by name."""
        return self._table(RuleKind.DOMAIN)[1]

    def _table(self, kind: RuleKind) -> tuple[dict[str, Rule], dict[str, Rule]]:
        if kind not in self._tables:
            rules, values = (
                (self._hosts, self._host_values)
                if kind is RuleKind.HOST
                else (self._domains, self._domain_values)
            )
            block = dict(zip(values, rules, strict=True))
            allow = {rule.value: block.pop(rule.value) for rule in rules if rule.action is _ALLOW}
            self._tables[kind] = block, allow
        return self._tables[kind]

    # Looking names up: a binary search in the sorted values, unless a set already answers.

    def _host_at(self, name: str) -> int:
        index = self._host_index.get(name)
        if index is None:
            known = self._host_set
            index = _search(self._host_values, name) if known is None or name in known else -1
            self._host_index[name] = index
        return index

    def _domain_at(self, name: str) -> int:
        index = self._domain_index.get(name)
        if index is None:
            index = _search(self._domain_values, name) if self._may_be_domain(name) else -1
            self._domain_index[name] = index
        return index

    def _may_be_domain(self, name: str) -> bool:
        if self._domain_set is not None:
            return name in self._domain_set
        for names, domains in self._domain_scopes:
            if name in names:
                return name in domains
        return True

    def _host(self, name: str) -> Rule | None:
        index = self._host_at(name)
        return self._hosts[index] if index >= 0 else None

    def _domain(self, name: str) -> Rule | None:
        index = self._domain_at(name)
        return self._domains[index] if index >= 0 else None

    def node_positions(self) -> tuple[list[int], list[int]]:
        """Where the nodes are among the HOST values and among the DOMAIN values, in order.

        The rules there get their records from the tree, not one by one.
        """
        hosts = [index for index in map(self._host_at, self.nodes) if index >= 0]
        domains = [index for index in map(self._domain_at, self.nodes) if index >= 0]
        return hosts, domains

    def decide(self, name: str) -> tuple[Rule | None, Rule | None]:
        """:meth:`at` and :meth:`below` for ``name``, with one walk up its labels."""
        allow = block = None
        for candidate in chain((name,), parents(name)):
            rule = self._domain(candidate)
            if rule is None:
                continue
            if rule.action is _ALLOW:
                allow = rule  # the nearest allow decides both: nothing further up matters
                break
            if block is None:
                block = rule
        host = self._host(name)
        if host is not None and host.action is _ALLOW:
            return host, allow or block
        return allow or host or block, allow or block

    def at(self, name: str) -> Rule | None:
        """The rule that decides ``name`` (its action is the decision; allow wins), or None."""
        return self.decide(name)[0]

    def below(self, name: str) -> Rule | None:
        """The rule that decides the names below ``name`` that no rule names (a DOMAIN rule)."""
        return self.decide(name)[1]

    def overridden(self, name: str, decided: tuple[Rule | None, Rule | None] | None = None) -> int:
        """How many block rules named ``name`` an allow rule overrides entirely.

        ``decided`` is :meth:`decide`'s answer for ``name``, when the caller has it.
        """
        at, below = decided or self.decide(name)
        if at is None or at.action is not _ALLOW:
            return 0
        host, domain = self._host(name), self._domain(name)
        below_allowed = below is not None and below.action is _ALLOW
        return (host is not None and host.action is not _ALLOW) + (
            domain is not None and domain.action is not _ALLOW and below_allowed
        )

    def _entangled(self, hosts: list[str], domains: list[str], joined: str | None) -> list[str]:
        if not domains:
            return []
        text = "\n".join([*hosts, *domains]) if joined is None else joined
        if not text.isascii() or _has_top_level_name(text):
            return self._entangled_in_general(hosts, domains)
        # One match per name of three labels or more: the text before it ends with the name's
        # first label, the match holds its parent.
        pieces = _PARENT.split(text)
        first_parents = pieces[1::2]
        seen = set(first_parents)  # every proper ancestor of two labels or more, a level at a time
        level = seen
        while level:
            level = set(_PARENT.findall("\n".join(level))) - seen
            seen |= level
        host_set = set(hosts)
        found = (seen | host_set).intersection(domains)
        ancestors = found & seen  # DOMAIN rules with a rule name below them
        doubles = found & host_set  # a HOST and a DOMAIN rule name them
        self._host_set, self._domain_scopes = host_set, ((seen, ancestors), (host_set, doubles))
        nodes = set(doubles)
        if ancestors:
            within = _at_or_below(seen, ancestors)
            below = set(ancestors)
            for index in compress(range(len(first_parents)), map(within.__contains__, first_parents)):
                before = pieces[2 * index]
                below.add(f"{before[before.rfind(chr(10)) + 1 :]}.{first_parents[index]}")
            nodes |= below
            _add_chains(nodes, below, ancestors)
        return sorted(nodes)

    def _entangled_in_general(self, hosts: list[str], domains: list[str]) -> list[str]:
        """:meth:`_entangled` for any names, top-level DOMAIN rules (rare) among them."""
        self._host_set, self._domain_set = set(hosts), set(domains)
        nodes = self._domain_set.intersection(hosts)
        names = [*hosts, *domains]
        ancestors = _ancestors_among(names, self._domain_set.intersection)
        ancestors.update(domain for domain in domains if "." not in domain)
        if ancestors:
            below = names_within(names, ancestors)
            nodes |= below
            _add_chains(nodes, below, ancestors)
        return sorted(nodes)


def _search(values: list[str], name: str) -> int:
    """The index of ``name`` in the sorted ``values``, or -1."""
    index = bisect.bisect_left(values, name)
    return index if index < len(values) and values[index] == name else -1


def _at_or_below(names: Iterable[str], ancestors: set[str]) -> set[str]:
    """The ``names`` that are one of ``ancestors`` (names of two labels or more) or lie below one."""
    found = set(ancestors)
    for name in names:
        if name.count(".") < 2:  # most: no proper ancestor of two labels
            continue
        rest = name[name.find(".") + 1 :]
        while "." in rest:  # a proper ancestor of two labels or more
            if rest in ancestors:
                found.add(name)
                break
            rest = rest[rest.find(".") + 1 :]
    return found


def _has_top_level_name(text: str) -> bool:
    """Whether a line of ``text`` (ASCII names joined by newlines) has no dot."""
    dots = text.encode("ascii").translate(None, _NOT_DOT_OR_NEWLINE)
    return not dots or b"\n\n" in dots or dots[:1] == b"\n" or dots[-1:] == b"\n"


def _add_chains(nodes: set[str], below: Iterable[str], ancestors: set[str]) -> None:
    """Add the names between each of ``below`` and the furthest of ``ancestors`` above it."""
    for name in below:
        chain_: list[str] = []
        for parent in parents(name):
            chain_.append(parent)
            if parent in ancestors:
                nodes.update(chain_)
                chain_ = []


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

    hosts: list[Rule]  # HOST rules, one per value
    host_names: list[str]  # their values
    host_nodes: list[int]  # the indices of those the tree writes instead (sorted)
    domains: list[Rule]  # DOMAIN rules, one per value
    domain_names: list[str]  # their values
    domain_nodes: list[int]  # the indices of those the tree writes instead (sorted)
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
    """What :func:`rule_set`, :class:`NameTree` and the allow-list leave to write: one sort in all."""
    by_kind = sort_rules(rules)
    skipped: Counter[SkipReason] = Counter()
    for kind in URL_KINDS:
        kept, _, dropped = by_kind.one_per_value(kind)
        skipped[SkipReason.URL_RULE] += len(kept)
        skipped[SkipReason.DUPLICATE] += dropped
    addresses = _addresses(by_kind, skipped)  # a malformed address is reported before a bad name
    hosts, host_names, dropped_hosts = by_kind.one_per_value(RuleKind.HOST)
    domains, domain_names, dropped_domains = by_kind.one_per_value(RuleKind.DOMAIN)
    skipped[SkipReason.DUPLICATE] += dropped_hosts + dropped_domains
    names = [*host_names, *domain_names]
    joined = "\n".join(names)
    if names:  # hosts first, then domains: the first bad one is the one check_rule_names names
        check_joined_names(names, joined, max_length=name_room(meta) - 2, what="a DNS name")

    tree = NameTree.of(hosts, host_names, domains, domain_names, joined=joined)
    host_nodes, domain_nodes = tree.node_positions()
    tree_records: list[tuple[str, Rule]] = []
    for name in tree.nodes:
        decided = at, below = tree.decide(name)
        if at is not None:
            tree_records.append((name, at))
        if below is not None:
            tree_records.append((f"*.{name}", below))
        skipped[SkipReason.ALLOWED] += tree.overridden(name, decided)

    written = len(hosts) - len(host_nodes) + 2 * (len(domains) - len(domain_nodes))
    written += len(tree_records) + len(addresses)
    stats = ExportStats.of(len(by_kind.given), written, "records", skipped)
    return _Selection(
        hosts, host_names, host_nodes, domains, domain_names, domain_nodes, tree_records, addresses, stats
    )


def _addresses(rules: SortedRules, skipped: Counter[SkipReason]) -> list[tuple[str, Rule]]:
    """(rpz-ip owner, rule) for the IP rules, then the CIDR rules, in address order, one per owner.

    Rules of one kind for one network are one rule (as in :func:`rule_set`); a block inside
    an allowed block is left out; an owner already written is a duplicate.
    """
    entries: list[tuple[Network | None, Rule]] = []
    for kind in ADDRESS_KINDS:
        kept, dropped = rules.one_per_address(kind)
        entries += kept
        skipped[SkipReason.DUPLICATE] += dropped
    allowed = AllowNetworks(
        rule_network(rule) for kind in ADDRESS_KINDS for rule in rules.rules[kind] if rule.action is _ALLOW
    )
    addresses: list[tuple[str, Rule]] = []
    owners: set[str] = set()
    for network, rule in entries:
        if allowed and rule.action is RuleAction.BLOCK and allowed.covers(network or rule_network(rule)):
            skipped[SkipReason.ALLOWED] += 1
            continue
        # A plain dotted quad is its own canonical text: its owner needs no parsing.
        owner = rpz_network_owner(network) if network else f"32.{_reversed_labels(rule.value)}.rpz-ip"
        if owner in owners:
            skipped[SkipReason.DUPLICATE] += 1
            continue
        owners.add(owner)
        addresses.append((owner, rule))
    return addresses


def _target(meta: ExportMeta) -> str:
    return "." if meta.policy == Policy.NXDOMAIN else absolute(meta.block_host)


def _runs(selection: _Selection) -> Iterator[tuple[Sequence[str], Sequence[Rule], int, int, bool]]:
    """(owners, rules, start, end, wildcard): the records, in order, are those of the rules
    ``rules[start:end]`` under ``owners[start:end]``, each with a wildcard too if ``wildcard``.
    """
    for owners, rules, nodes, wildcard in (
        (selection.host_names, selection.hosts, selection.host_nodes, False),
        (selection.domain_names, selection.domains, selection.domain_nodes, True),
    ):
        start = 0
        for end in [*nodes, len(rules)]:  # the runs between the rules the tree writes instead
            if end > start:
                yield owners, rules, start, end, wildcard
            start = end + 1
    for owned in (selection.tree, selection.addresses):
        yield [owner for owner, _ in owned], [rule for _, rule in owned], 0, len(owned), False


def _texts(selection: _Selection, target: str) -> Iterator[str]:
    """The record lines, a couple of thousand rules' worth at a time.

    Each piece is written before the next is made, so the lines of a million records never
    all exist at once: making and freeing them in cache costs a third of keeping them.
    """
    printable_fields: set[object] = set()
    for owners, rules, start, end, wildcard in _runs(selection):
        for low in range(start, end, _RULES_PER_CHUNK):
            high = min(low + _RULES_PER_CHUNK, end)
            yield _lines(owners[low:high], rules[low:high], target, wildcard, printable_fields)


def _lines(
    owners: Sequence[str], rules: Sequence[Rule], target: str, wildcard: bool, printable_fields: set[object]
) -> str:
    """The lines of ``rules`` under ``owners``, joined, each with :func:`comment_for`'s comment.

    The usual comment (a decision with a basis and an expiry) is made inline, once its
    fields are known to be printable: ``printable_fields`` collects them, as
    :func:`_comment` finds them, so the check is a set lookup and not a scan of every comment.
    """
    lines: list[str] = []
    append = lines.append
    for owner, rule in zip(owners, rules, strict=True):
        ref = rule.ref
        decision, category, basis, expires = ref.decision_id, ref.category, ref.legal_basis, ref.expires_at
        if (
            decision is not None
            and basis
            and expires
            and category in printable_fields
            and basis in printable_fields
            and (date := expires[:10]) in printable_fields
        ):
            comment = f"decision={decision} category={category} basis={basis} expires={date}"
        else:
            comment = _comment(ref, printable_fields)
        rdata = PASSTHRU if rule.action is _ALLOW else target
        if wildcard:
            append(f"{owner} CNAME {rdata} ; {comment}\n*.{owner} CNAME {rdata} ; {comment}\n")
        else:
            append(f"{owner} CNAME {rdata} ; {comment}\n")
    return "".join(lines)


def _comment(ref: RuleRef, printable_fields: set[object]) -> str:
    """:func:`comment_for` made printable; the fields of a printable one join ``printable_fields``."""
    comment = comment_for(ref)
    if not comment.isprintable():  # a line break would end the comment early
        return printable(comment)
    printable_fields.update((ref.category, ref.legal_basis, (ref.expires_at or "")[:10]))
    return comment


def _comments(rules: Sequence[Rule]) -> list[str]:
    comments = list(map(comment_for, map(operator.attrgetter("ref"), rules)))
    if not "".join(comments).isprintable():  # a line break would end the comment early
        comments = [printable(comment) for comment in comments]
    return comments


def _reversed_labels(name: str) -> str:
    return ".".join(reversed(name.split(".")))


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
    with gc_paused():  # until the lists of all rules are garbage again
        selection = _select(rules, meta)
        out.write(
            zone_preamble(meta, selection.stats, what=f"RPZ policy zone {meta.zone}", notes=_rpz_notes(meta))
        )
        for text in _texts(selection, _target(meta)):
            out.write(text)
        return selection.stats


def zone_records(rules: Iterable[Rule], meta: ExportMeta) -> tuple[list[RpzRecord], ExportStats]:
    """The records :func:`write_zone` writes for ``rules``, in its order, and its stats."""
    with gc_paused():
        selection = _select(rules, meta)
        target = _target(meta)
        records: list[RpzRecord] = []
        for all_owners, all_rules, start, end, wildcard in _runs(selection):
            owners, owned_rules = all_owners[start:end], all_rules[start:end]
            for owner, rule, comment in zip(owners, owned_rules, _comments(owned_rules), strict=True):
                rdata = PASSTHRU if rule.action is _ALLOW else target
                records.append(RpzRecord(owner, "CNAME", rdata, comment))
                if wildcard:
                    records.append(RpzRecord(f"*.{owner}", "CNAME", rdata, comment))
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
