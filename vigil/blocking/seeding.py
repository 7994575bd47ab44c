"""Idempotent seeding of the allow-list and shared ranges after ``migrate`` and ``flush``."""

from __future__ import annotations

from typing import Any

from vigil.blocking.models import BlocklistSerial, ProtectedDomain, SharedAddressRange
from vigil.blocking.seed_data import PROTECTED_DOMAINS, SHARED_ADDRESS_RANGES


def seed_blocking_data() -> dict[str, int]:
    """Create missing rows; never overwrite an administrator's edits."""
    created = {"protected_domains": 0, "shared_ranges": 0}
    for domain, kind, note in PROTECTED_DOMAINS:
        created["protected_domains"] += ProtectedDomain.objects.get_or_create(
            domain=domain, defaults={"kind": kind, "note": note}
        )[1]
    for cidr, provider in SHARED_ADDRESS_RANGES:
        created["shared_ranges"] += SharedAddressRange.objects.get_or_create(
            cidr=cidr, defaults={"provider": provider}
        )[1]
    BlocklistSerial.objects.get_or_create(pk=1)
    return created


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("using", "default") == "default":
        seed_blocking_data()
