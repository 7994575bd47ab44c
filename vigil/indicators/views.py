"""Indicator pages: search and detail (every case and decision that touches a value)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vigil.core.models import User
from vigil.errors import VigilError
from vigil.indicators import selectors, services
from vigil.indicators.choices import IndicatorKind
from vigil.indicators.models import Indicator


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    """Search indicators by value; a pasted value is normalised first so any form finds it."""
    user: User = request.user  # type: ignore[assignment]
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("type", "") or None
    if kind not in IndicatorKind.values:
        kind = None
    normalised = None
    if query:
        try:
            normalised = services.parse(kind, query)
        except VigilError:
            normalised = None
    if (
        normalised is not None
        and Indicator.objects.visible_to(user)
        .filter(type=str(normalised.type), value=normalised.value)
        .exists()
    ):
        indicators = Indicator.objects.visible_to(user).filter(
            type=str(normalised.type), value=normalised.value
        )
    else:
        indicators = selectors.search(user, kind=kind, query=query)
    page = Paginator(indicators.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "page": page,
            "q": query,
            "type": kind or "",
            "kinds": IndicatorKind.choices,
            "normalised": normalised,
            "normalised_label": IndicatorKind(str(normalised.type)).label if normalised else "",
        },
    )


@login_required
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """One indicator with its cases and decisions."""
    user: User = request.user  # type: ignore[assignment]
    indicator = Indicator.objects.visible_to(user).filter(pk=indicator_id).first()
    if indicator is None:
        return render(
            request,
            "core/error.html",
            {"title": _("Not found"), "message": _("No such indicator (or you may not see it).")},
            status=404,
        )
    cases, decisions = selectors.related(user, indicator)
    return render(
        request,
        "indicators/indicator_detail.html",
        {"indicator": indicator, "cases": cases, "decisions": decisions},
    )
