"""Reusable reads for the desk, scoped per user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from vigil.lib.textnorm import fold

if TYPE_CHECKING:
    from vigil.core.models import User


def _department_wide(user: User | None) -> bool:
    from vigil.core import roles

    return user is not None and user.is_authenticated and user.is_active and roles.is_department_wide(user)


class ReportQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Reports: department staff see all; a partner sees its own organisation's submissions."""

    def visible_to(self, user: User | None) -> ReportQuerySet:
        from vigil.core import roles

        if _department_wide(user):
            return self.all()
        if user is None or not user.is_authenticated or user.organisation_id is None:
            return self.none()
        if roles.can(user, "intake.submit"):
            return self.filter(organisation_id=user.organisation_id)
        return self.none()


class TriageGroupQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Queue items: department staff only (they hold every report's text)."""

    def visible_to(self, user: User | None) -> TriageGroupQuerySet:
        return self.all() if _department_wide(user) else self.none()

    def queue(self) -> TriageGroupQuerySet:
        """Items with reports waiting for triage, newest activity first."""
        return self.filter(state="open").order_by("-last_seen", "-id")


class AdvisoryQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Public warnings."""

    def published(self) -> AdvisoryQuerySet:
        return self.filter(is_published=True, published_at__lte=timezone.now())

    def search(self, query: str) -> AdvisoryQuerySet:
        """Accent- and case-insensitive match of every word."""
        result = self
        for word in fold(query).split()[:10]:
            result = result.filter(search_text__contains=word)
        return result
