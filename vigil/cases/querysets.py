"""Reusable reads for cases and the rows that hang off them, scoped per user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from vigil.lib.case_workflow import OPEN
from vigil.lib.textnorm import fold

if TYPE_CHECKING:
    from vigil.core.models import User


def _as_indicator_value(query: str) -> str | None:
    from vigil.lib.indicators import IndicatorError, normalise_any

    try:
        return normalise_any(query.strip()).value if query.strip() else None
    except IndicatorError:
        return None


class CaseQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Cases, with the scoping rule every page and endpoint goes through."""

    def visible_to(self, user: User | None) -> CaseQuerySet:
        """All cases for department staff; otherwise cases owned by or concerning the user's organisation."""
        from vigil.core import roles

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.is_department_wide(user):
            return self.all()
        if not roles.roles_of(user) or user.organisation_id is None:
            return self.none()
        concerned = self.model.concerned_organisations.through.objects.filter(
            organisation_id=user.organisation_id
        ).values("case_id")
        return self.filter(models.Q(organisation_id=user.organisation_id) | models.Q(pk__in=concerned))

    def open(self) -> CaseQuerySet:
        """Cases still being worked on."""
        return self.filter(status__in=OPEN)

    def search(self, query: str) -> CaseQuerySet:
        """Accent- and case-insensitive match of every word in code, title, text and indicators.

        A query that is itself an indicator in any spelling ("0912 345 678", "hxxp://…")
        also finds the cases carrying that indicator's normalised value.
        """
        words = self
        for word in fold(query).split()[:10]:
            words = words.filter(search_text__contains=word)
        value = _as_indicator_value(query)
        if value is None:
            return words
        carrying = self.filter(indicator_links__indicator__value=value).values("pk")
        return self.filter(models.Q(pk__in=words.values("pk")) | models.Q(pk__in=carrying))


class CaseScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Rows that belong to a case and are visible exactly when their case is."""

    case_path = "case"

    def visible_to(self, user: User | None) -> CaseScopedQuerySet:
        """Rows whose case the user may see."""
        from vigil.cases.models import Case
        from vigil.core import roles

        if user is not None and user.is_authenticated and roles.is_department_wide(user):
            return self.all()
        visible = Case.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.case_path}__in": visible})


class AppealQuerySet(CaseScopedQuerySet):
    """Appeals reach their case through the decision."""

    case_path = "decision__case"
