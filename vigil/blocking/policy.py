"""Guard rails: what may never be blocked at DNS, and which IP blocks need confirmation."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.utils.translation import gettext as _

from vigil.blocking.choices import ProtectedKind
from vigil.blocking.models import ProtectedDomain, SharedAddressRange
from vigil.errors import InvalidInput
from vigil.lib.domains import is_public_suffix


class RouteToTakedown(InvalidInput):
    """A DNS block that would hit more than the evidence supports: ask the platform instead."""

    code = "route_to_takedown"


def _parents(name: str) -> list[str]:
    labels = name.split(".")
    return [".".join(labels[index:]) for index in range(len(labels))]


def protected_match(name: str) -> ProtectedDomain | None:
    """The allow-list entry that protects ``name``, if any."""
    candidates = ProtectedDomain.objects.filter(domain__in=_parents(name), is_active=True)
    for entry in sorted(candidates, key=lambda row: -len(row.domain)):
        if entry.domain == name or entry.kind in ProtectedKind.whole_subtree():
            return entry
    return None


def check_dns_target(name: str) -> None:
    """Refuse a DNS target that is a public suffix, a TLD, or protected by the allow-list."""
    name = name.strip(".").lower()
    if "." not in name or is_public_suffix(name):
        raise InvalidInput(
            _("%(name)s is a public suffix or a top-level domain: Vigil never blocks it.") % {"name": name},
            code="public_suffix",
            details={"field": "scope"},
        )
    entry = protected_match(name)
    if entry is not None:
        raise RouteToTakedown(
            _(
                "%(name)s is protected (%(kind)s: %(domain)s) and is never blocked at DNS, because that "
                "would cut off everyone else using it. Draft a takedown request to the platform for the "
                "offending content instead."
            )
            % {"name": name, "kind": entry.get_kind_display(), "domain": entry.domain},
            details={"field": "scope", "suggested_action": "takedown_request"},
        )


def shared_ranges_overlapping(
    target: str, ranges: Iterable[SharedAddressRange] | None = None
) -> list[SharedAddressRange]:
    """Shared (CDN, hosting) ranges that overlap an IP address or CIDR block.

    ``ranges`` are the active ranges already loaded, for callers checking many targets.
    """
    network = ipaddress.ip_network(target, strict=False)
    overlapping = []
    for row in SharedAddressRange.objects.filter(is_active=True) if ranges is None else ranges:
        other = ipaddress.ip_network(row.cidr, strict=False)
        if other.version == network.version and other.overlaps(network):
            overlapping.append(row)
    return overlapping
