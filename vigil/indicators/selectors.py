"""Reads that join indicators with the cases and decisions that touch them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vigil.core.models import User
from vigil.indicators.models import Indicator
from vigil.lib.textnorm import fold


def search(user: User, *, kind: str | None = None, query: str | None = None) -> Any:
    """Visible indicators, optionally of one kind and matching a text (value or display)."""
    indicators = Indicator.objects.visible_to(user)
    if kind:
        indicators = indicators.filter(type=kind)
    if query:
        text = query.strip()
        indicators = indicators.filter(
            Q(value__icontains=text) | Q(display__icontains=text) | Q(value__icontains=fold(text))
        )
    return indicators


def related(user: User, indicator: Indicator) -> tuple[list[Any], list[Any]]:
    """The visible cases and decisions that involve ``indicator``."""
    from vigil.cases.models import Case, Decision

    cases = list(
        Case.objects.visible_to(user)
        .filter(indicator_links__indicator=indicator)
        .select_related("category")
        .order_by("-created_at")
    )
    decisions = list(
        Decision.objects.visible_to(user)
        .filter(indicator=indicator)
        .select_related("case")
        .order_by("-created_at")
    )
    return cases, decisions
