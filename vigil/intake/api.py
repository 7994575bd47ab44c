"""The desk's API: partners' bulk intake and report status, and the public look-up."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Query, Router

from vigil.cases.models import Decision
from vigil.core import ratelimit, roles
from vigil.core.models import User
from vigil.errors import NotAllowed
from vigil.intake import conf, guards, services
from vigil.intake.models import Report
from vigil.intake.schemas import BatchIn, BatchOut, LookupOut, QuotaOut, ReportStatusOut

router = Router(tags=["intake"])


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "decision_id": d.pk,
        "action": d.action,
        "category": d.category.code,
        "legal_basis": str(d.legal_basis),
        "approved_at": d.approved_at,
        "expires_at": d.expires_at,
    }


def _token_limit(request: HttpRequest) -> HttpResponse | None:
    user = _actor(request)
    if not roles.can(user, "intake.submit"):
        raise NotAllowed(_("Only partner accounts (role partner) submit reports through this endpoint."))
    if user.organisation is None:
        raise NotAllowed(_("Partner accounts must belong to an organisation."))
    _per_day, per_minute = services.quota_of(user.organisation)
    credential = request.headers.get("Authorization") or f"user:{user.pk}"
    key = hashlib.sha256(credential.encode()).hexdigest()[:24]
    verdict = ratelimit.hit("intake-partner", key, ratelimit.Limit(max(1, per_minute), 60))
    return None if verdict.allowed else guards.too_many(request, verdict.retry_after)


@router.post(
    "/intake/reports/batch",
    response={200: BatchOut, 201: BatchOut},
    summary="Submit up to 1,000 reports at once (partners)",
)
def submit_batch(
    request: HttpRequest, body: BatchIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> Any:
    """Each item is stored or refused on its own; the answer lists each item's tracking code or errors.

    Send a unique ``Idempotency-Key`` header per batch: retrying with the same key and the same
    items returns the first answer again (header ``Idempotent-Replayed: true``) and never stores
    twice; the same key with different items is refused with 409. Items: ``kind`` (website,
    phone_call, sms, bank_account, email, social, app, other), ``value`` (the main indicator),
    ``text`` (the message as received), ``description``, ``indicators`` ([{type, value}]; when
    given, the text is not searched for more), ``money_lost`` (đồng), ``happened_on``
    (YYYY-MM-DD), ``external_id`` (your reference, echoed back). A batch that would exceed the
    organisation's daily quota is refused whole with 429 and ``Retry-After``.
    """
    limited = _token_limit(request)
    if limited is not None:
        return limited
    try:
        outcome = services.submit_batch(actor=_actor(request), key=idempotency_key, items=body.items)
    except services.QuotaExceeded as exc:
        response = JsonResponse(
            {"code": exc.code, "message": exc.message, "details": exc.details}, status=429
        )
        response["Retry-After"] = str(exc.details.get("retry_after", 3600))
        return response
    response = HttpResponse(
        json.dumps(outcome.body, ensure_ascii=False),
        content_type="application/json",
        status=200 if outcome.replayed else 201,
    )
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get("/intake/reports/{code}", response=ReportStatusOut, summary="Status of a report you submitted")
def report_status(request: HttpRequest, code: str) -> dict[str, Any]:
    report = get_object_or_404(
        Report.objects.visible_to(_actor(request)), tracking_code=services.normalise_code(code)
    )
    view = services.public_view(report)
    return {
        "tracking_code": report.tracking_code,
        "kind": report.kind,
        "external_id": report.external_id,
        "received_at": report.received_at,
        "status": view.status,
        "status_label": view.label,
        "decisions": [_decision(d) for d in view.decisions],
    }


@router.get("/intake/quota", response=QuotaOut, summary="Your organisation's quota and today's use")
def quota(request: HttpRequest) -> dict[str, Any]:
    user = _actor(request)
    if user.organisation is None or not roles.can(user, "intake.submit"):
        raise NotAllowed(_("Only partner accounts have an intake quota."))
    per_day, per_minute = services.quota_of(user.organisation)
    return {
        "organisation": user.organisation.code,
        "reports_per_day": per_day,
        "used_today": services.usage_today(user.organisation),
        "requests_per_minute": per_minute,
    }


@router.get("/public/lookup", response=LookupOut, auth=None, summary="Public look-up of one value (no token)")
def public_lookup(request: HttpRequest, value: str = Query(..., max_length=2048)) -> Any:
    """The same verdict as the public look-up page; limited per client address, nothing stored."""
    verdict = ratelimit.hit(
        "intake-lookup",
        guards.address(request),
        ratelimit.Limit(max(1, conf.get("LOOKUPS_PER_IP_MINUTE")), 60),
    )
    if not verdict.allowed:
        return guards.too_many(request, verdict.retry_after)
    result = services.look_up(value)
    return {
        "value": result.indicator.display,
        "type": str(result.indicator.type),
        "verdict": result.verdict,
        "verdict_label": result.verdict_label,
        "report_count": result.report_count,
        "first_reported": result.first_reported,
        "last_reported": result.last_reported,
        "category": result.category.code if result.category else None,
        "decisions": [_decision(d) for d in result.decisions],
        "appeal_url": result.appeal_url,
    }
