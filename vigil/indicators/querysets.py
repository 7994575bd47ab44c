"""Reusable reads for indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from vigil.core.models import User


class IndicatorQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Indicators, scoped by the cases a user may see."""

    def visible_to(self, user: User | None) -> IndicatorQuerySet:
        """All indicators for department staff; otherwise those on cases the user sees."""
        from vigil.cases.models import Case
        from vigil.core import roles

        if user is None or not user.is_authenticated:
            return self.none()
        if roles.is_department_wide(user):
            return self.all()
        visible_cases = Case.objects.visible_to(user).values("pk")
        return self.filter(case_links__case__in=visible_cases).distinct()
