"""API endpoints for indicators: list, detail, and parsing without storing."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from vigil.core.api import actor
from vigil.errors import InvalidInput, NotFound
from vigil.indicators import selectors, services
from vigil.indicators.choices import IndicatorKind
from vigil.indicators.models import Indicator
from vigil.indicators.schemas import (
    ExtractedOut,
    ExtractIn,
    IndicatorDetailOut,
    IndicatorOut,
    ParsedOut,
    ParseIn,
)

router = Router(tags=["indicators"])

MAX_EXTRACT_CHARS = 100_000


@router.get("", response=list[IndicatorOut])
@paginate(LimitOffsetPagination)
def list_indicators(request: HttpRequest, type: str | None = None, q: str | None = None) -> Any:
    if type and type not in IndicatorKind.values:
        raise InvalidInput(_("Unknown indicator type %(t)s.") % {"t": type}, details={"field": "type"})
    return selectors.search(actor(request), kind=type, query=q)


@router.post("/parse", response=ParsedOut)
def parse(request: HttpRequest, body: ParseIn) -> dict[str, Any]:
    parsed = services.parse(body.type, body.value)
    known = (
        Indicator.objects.visible_to(actor(request))
        .filter(type=str(parsed.type), value=parsed.value)
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "type": str(parsed.type),
        "value": parsed.value,
        "display": parsed.display,
        "attrs": dict(parsed.attrs),
        "known_id": known,
    }


@router.post("/extract", response=list[ExtractedOut])
def extract(request: HttpRequest, body: ExtractIn) -> list[dict[str, Any]]:
    if len(body.text) > MAX_EXTRACT_CHARS:
        raise InvalidInput(_("The text is too long (at most %(n)s characters).") % {"n": MAX_EXTRACT_CHARS})
    return [
        {
            "type": str(item.indicator.type),
            "value": item.indicator.value,
            "display": item.indicator.display,
            "raw": item.raw,
            "start": item.start,
            "end": item.end,
        }
        for item in services.extract(body.text)
    ]


@router.get("/{indicator_id}", response=IndicatorDetailOut)
def get_indicator(request: HttpRequest, indicator_id: int) -> dict[str, Any]:
    user = actor(request)
    indicator = Indicator.objects.visible_to(user).filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound(_("No indicator #%(id)s (or you may not see it).") % {"id": indicator_id})
    cases, decisions = selectors.related(user, indicator)
    data = IndicatorOut.from_orm(indicator).dict()
    data["cases"] = [{"code": c.code, "title": c.title, "status": c.status} for c in cases]
    data["decisions"] = [
        {
            "id": d.pk,
            "case": d.case.code,
            "action": d.action,
            "scope": d.scope,
            "target": d.target,
            "state": d.state,
            "expires_at": d.expires_at,
        }
        for d in decisions
    ]
    return data
