"""Blocked addresses for firewalls: an nftables set file and a plain CIDR list.

Both hold the blocked IP and CIDR rules aggregated with :func:`ipaddress.collapse_addresses`
after every allow-listed address is taken out (``address_exclude``), IPv4 first, in address
order. Name and URL rules have no place here.

The nftables file replaces the two sets' contents in one atomic transaction when loaded with
``nft -f``: it declares table and sets (harmless if they exist), flushes the sets, then adds
the elements. Firewall rules refer to them as ``@blocked_v4`` and ``@blocked_v6`` in chains
of ``table inet vigil`` that the operator defines elsewhere.

>>> import io
>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> ref = RuleRef(3, "malware", "cidr")
>>> rules = [Rule(RuleKind.CIDR, "192.0.2.0/25", RuleAction.BLOCK, ref),
...          Rule(RuleKind.CIDR, "192.0.2.128/25", RuleAction.BLOCK, ref),
...          Rule(RuleKind.IP, "192.0.2.7", RuleAction.ALLOW, RuleRef(None, "cdn", "allowlist"))]
>>> out = io.StringIO()
>>> write_cidr(rules, out, ExportMeta("vigil.example", 1, "2026-05-01T00:00:00Z")).written
8
>>> print(*[line for line in out.getvalue().splitlines() if not line.startswith("#")], sep="\\n")
192.0.2.0/30
192.0.2.4/31
192.0.2.6/32
192.0.2.8/29
192.0.2.16/28
192.0.2.32/27
192.0.2.64/26
192.0.2.128/25
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from vigil.lib.blocklist import Rule, RuleAction
from vigil.lib.exports.registry import (
    ADDRESS_KINDS,
    NAME_KINDS,
    URL_KINDS,
    AllowNetworks,
    Exporter,
    ExportMeta,
    ExportStats,
    Network,
    SkipReason,
    exporters,
    header,
    rule_set,
    write_chunks,
)

__all__ = [
    "BlockedNetworks",
    "CidrExporter",
    "NftablesExporter",
    "blocked_networks",
    "write_cidr",
    "write_nftables",
]

TABLE = "inet vigil"
SETS = {4: ("blocked_v4", "ipv4_addr"), 6: ("blocked_v6", "ipv6_addr")}


@dataclass(frozen=True, slots=True)
class BlockedNetworks:
    """The aggregated blocked networks of each address family, and the stats."""

    v4: list[ipaddress.IPv4Network]
    v6: list[ipaddress.IPv6Network]
    stats: ExportStats


def blocked_networks(rules: Iterable[Rule], unit: str = "networks") -> BlockedNetworks:
    """Blocked IP and CIDR rules, allow-listed addresses taken out, aggregated and sorted."""
    ruleset = rule_set(rules)
    skipped: Counter[SkipReason] = Counter()
    skipped[SkipReason.URL_RULE] = ruleset.count(*URL_KINDS)
    skipped[SkipReason.NAME_RULE] = ruleset.count(*NAME_KINDS)
    skipped[SkipReason.DUPLICATE] = ruleset.duplicates
    allowed = AllowNetworks.of(ruleset)
    blocked: list[Network] = []
    for kind in ADDRESS_KINDS:
        for rule, network in zip(ruleset.rules[kind], ruleset.networks[kind], strict=True):
            if rule.action is RuleAction.ALLOW:
                skipped[SkipReason.ALLOW_RULE] += 1  # applied below, never listed
            elif not allowed:
                blocked.append(network)
            else:
                remaining = allowed.subtract(network)
                skipped[SkipReason.ALLOWED] += not remaining
                blocked += remaining
    v4 = list(ipaddress.collapse_addresses(n for n in blocked if isinstance(n, ipaddress.IPv4Network)))
    v6 = list(ipaddress.collapse_addresses(n for n in blocked if isinstance(n, ipaddress.IPv6Network)))
    return BlockedNetworks(v4, v6, ExportStats.of(ruleset.read, len(v4) + len(v6), unit, skipped))


def _element(network: Network) -> str:
    # A single address reads better bare; nftables takes both forms.
    return str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)


def _set_block(version: int, elements: list[str] | None) -> str:
    name, addr_type = SETS[version]
    lines = [f"\tset {name} {{\n", f"\t\ttype {addr_type}\n", "\t\tflags interval\n"]
    if elements:  # "elements = { }" is a syntax error: an empty set has no elements line
        lines.append("\t\telements = {\n")
        lines += [f"\t\t\t{element},\n" for element in elements]
        lines.append("\t\t}\n")
    lines.append("\t}\n")
    return "".join(lines)


def write_nftables(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write an nftables file that replaces the contents of ``@blocked_v4`` and ``@blocked_v6``."""
    networks = blocked_networks(rules, unit="set elements")
    notes = [
        f"ipv4: {len(networks.v4)}, ipv6: {len(networks.v6)} (aggregated, allow-listed addresses removed)",
        "load with: nft -f <this file> (atomic: the sets are flushed and refilled in one transaction)",
    ]
    out.write("#!/usr/sbin/nft -f\n")
    out.write(
        header(meta, networks.stats, prefix="#", what="nftables sets of blocked addresses", notes=notes)
    )
    out.write(f"table {TABLE} {{\n{_set_block(4, None)}{_set_block(6, None)}}}\n")
    for version in SETS:
        out.write(f"flush set {TABLE} {SETS[version][0]}\n")
    out.write(f"table {TABLE} {{\n")
    out.write(_set_block(4, [_element(n) for n in networks.v4]))
    out.write(_set_block(6, [_element(n) for n in networks.v6]))
    out.write("}\n")
    return networks.stats


def write_cidr(rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
    """Write the blocked networks one CIDR a line (``/32`` and ``/128`` included), IPv4 first."""
    networks = blocked_networks(rules, unit="networks")
    notes = [
        f"ipv4: {len(networks.v4)}, ipv6: {len(networks.v6)} (aggregated, allow-listed addresses removed)"
    ]
    out.write(header(meta, networks.stats, prefix="#", what="blocked IP networks (CIDR)", notes=notes))
    write_chunks(out, [f"{network}\n" for network in [*networks.v4, *networks.v6]])
    return networks.stats


@exporters.register
class NftablesExporter(Exporter):
    """nftables interval sets ``blocked_v4`` and ``blocked_v6`` in ``table inet vigil``."""

    name = "nftables"
    media_type = "text/plain"
    extension = "nft"
    description = "nftables sets of blocked addresses"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the nftables file."""
        return write_nftables(rules, out, meta)


@exporters.register
class CidrExporter(Exporter):
    """Plain list of blocked networks, one CIDR a line."""

    name = "cidr"
    media_type = "text/plain"
    extension = "txt"
    description = "blocked IP networks, one CIDR a line"

    def write(self, rules: Iterable[Rule], out: TextIO, meta: ExportMeta) -> ExportStats:
        """Write the CIDR list."""
        return write_cidr(rules, out, meta)
