"""Idempotent installation of reference data; runs after every ``migrate`` and ``flush``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from vigil.core import audit
from vigil.core.choices import Role
from vigil.core.models import AuditChainHead, Category, LegalBasis
from vigil.core.seed_data import CATEGORIES, LEGAL_BASES
from vigil.lib.auditchain import GENESIS_HASH


def ensure_chain_head() -> None:
    """The single row audit writers lock; created empty at the genesis hash."""
    AuditChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})


def seed_reference_data() -> dict[str, int]:
    """Create the role groups, categories and legal bases that are missing (never overwrites)."""
    ensure_chain_head()
    created = {"groups": 0, "categories": 0, "legal_bases": 0}
    with transaction.atomic():
        for role in Role.values:
            created["groups"] += Group.objects.get_or_create(name=role)[1]
        for row in CATEGORIES:
            created["categories"] += Category.objects.get_or_create(code=row["code"], defaults=row)[1]
        for row in LEGAL_BASES:
            fields: dict[str, Any] = {key: value for key, value in row.items() if key != "categories"}
            basis, new = LegalBasis.objects.get_or_create(code=row["code"], defaults=fields)
            if new:
                basis.categories.set(Category.objects.filter(code__in=row["categories"]))  # type: ignore[misc]
                created["legal_bases"] += 1
        if any(created.values()):
            audit.record(
                actor=None,
                action="reference_data.seeded",
                changes={"created": [None, created]},
                summary="role groups, categories and legal bases installed",
            )
    return created


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook: reference data exists on every database Vigil runs on."""
    if kwargs.get("using", "default") != "default":
        return
    seed_reference_data()
