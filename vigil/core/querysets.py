"""Reusable reads for core models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from vigil.core.models import User


class AuditEventQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Audit events, readable in full only by auditors and administrators."""

    def visible_to(self, user: User | None) -> AuditEventQuerySet:
        """Every event for auditors and administrators, none for anyone else."""
        from vigil.core import roles

        if roles.can(user, "audit.view"):
            return self.all()
        return self.none()

    def for_case(self, case_id: int) -> AuditEventQuerySet:
        """The events that make up one case's timeline."""
        return self.filter(case_id=case_id).order_by("seq")
