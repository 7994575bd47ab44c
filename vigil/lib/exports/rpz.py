"""Response Policy Zone records for blocklist rules (RFC draft-vixie-dnsop-dns-rpz).

Owner names are relative to the policy zone's origin. Triggers used:

* QNAME: ``evil.example`` (the name), ``*.evil.example`` (every name below it);
* IP (response address): ``32.1.2.0.192.rpz-ip`` for 192.0.2.1/32, and
  ``128.1.zz.db8.2001.rpz-ip`` style for IPv6 (``zz`` stands for the longest run of
  zero groups, as in ``::``).

Actions: ``CNAME .`` (NXDOMAIN), ``CNAME <block-page host>.`` (walled garden), and
``CNAME rpz-passthru.`` for allow-listed names, which wins in the same zone because
RPZ prefers an exact QNAME match and BIND/Unbound stop at the first matching policy.

>>> from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
>>> ref = RuleRef(12, "phishing", "registrable_domain", "blhs-290", "2027-05-01T00:00:00+00:00")
>>> for record in rpz_records([Rule(RuleKind.DOMAIN, "evil.example", RuleAction.BLOCK, ref)],
...                           policy=Policy.CNAME, block_host="blocked.vigil.example"):
...     print(record.owner, record.rtype, record.rdata)
evil.example CNAME blocked.vigil.example.
*.evil.example CNAME blocked.vigil.example.
>>> rpz_ip_owner("192.0.2.0/24"), rpz_ip_owner("2001:db8::1")
('24.0.2.0.192.rpz-ip', '128.1.zz.db8.2001.rpz-ip')
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef

__all__ = ["Policy", "RpzRecord", "comment_for", "rpz_ip_owner", "rpz_network_owner", "rpz_records"]

PASSTHRU = "rpz-passthru."


class Policy(enum.StrEnum):
    """What a blocked name resolves to."""

    NXDOMAIN = "nxdomain"
    CNAME = "cname"  # the block page


@dataclass(frozen=True, slots=True, order=True)
class RpzRecord:
    """One policy record: owner (relative to the zone origin), type, data, and its reason."""

    owner: str
    rtype: str
    rdata: str
    comment: str = ""


def rpz_ip_owner(network: str) -> str:
    """The ``rpz-ip`` trigger owner name for an address or CIDR block."""
    return rpz_network_owner(ipaddress.ip_network(network, strict=False))


def rpz_network_owner(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """The ``rpz-ip`` trigger owner name for a network already parsed.

    >>> rpz_network_owner(ipaddress.ip_network("2001:db8:bad::/48"))
    '48.zz.bad.db8.2001.rpz-ip'
    """
    if net.version == 4:
        labels = reversed(str(net.network_address).split("."))
        return f"{net.prefixlen}.{'.'.join(labels)}.rpz-ip"
    groups = net.network_address.exploded.split(":")
    compact = [format(int(group, 16), "x") for group in groups]
    # Replace the longest run (of length > 1) of zero groups by "zz", as "::" does.
    best_start, best_len, start = -1, 0, None
    for index, group in enumerate([*compact, "end"]):
        if group == "0" and start is None:
            start = index
        elif group != "0" and start is not None:
            if index - start > best_len and index - start > 1:
                best_start, best_len = start, index - start
            start = None
    if best_len:
        compact = [*compact[:best_start], "zz", *compact[best_start + best_len :]]
    return f"{net.prefixlen}.{'.'.join(reversed(compact))}.rpz-ip"


def comment_for(ref: RuleRef) -> str:
    """The reason written next to a record, so anyone holding only the zone knows why."""
    parts = [f"decision={ref.decision_id}" if ref.decision_id is not None else f"source={ref.source}"]
    parts.append(f"category={ref.category}")
    if ref.legal_basis:
        parts.append(f"basis={ref.legal_basis}")
    if ref.expires_at:
        parts.append(f"expires={ref.expires_at[:10]}")
    return " ".join(parts)


def rpz_records(rules: Iterable[Rule], *, policy: Policy, block_host: str) -> Iterator[RpzRecord]:
    """The RPZ records for ``rules``; URL rules are skipped (DNS sees no paths)."""
    target = "." if policy == Policy.NXDOMAIN else block_host.rstrip(".") + "."
    for rule in rules:
        if not rule.is_dns_expressible:
            continue
        rdata = PASSTHRU if rule.action == RuleAction.ALLOW else target
        comment = comment_for(rule.ref)
        if rule.kind in (RuleKind.IP, RuleKind.CIDR):
            yield RpzRecord(rpz_ip_owner(rule.value), "CNAME", rdata, comment)
            continue
        yield RpzRecord(rule.value, "CNAME", rdata, comment)
        if rule.kind == RuleKind.DOMAIN:
            yield RpzRecord(f"*.{rule.value}", "CNAME", rdata, comment)
