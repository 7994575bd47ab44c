"""API endpoints for captures and leads."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from vigil.cases import lookups
from vigil.collection import services
from vigil.collection.choices import LeadState
from vigil.collection.models import Capture, CaptureArtefact, Lead
from vigil.collection.schemas import CaptureIn, CaptureOut, LeadActionIn, LeadOut, PublicKeyOut
from vigil.core.api import actor
from vigil.errors import InvalidInput, NotFound
from vigil.indicators.models import Indicator

router = Router(tags=["collection"])


def capture_out(capture: Capture) -> dict[str, Any]:
    """A capture as the API shows it."""
    return {
        "id": capture.pk,
        "case": capture.case.code,
        "url": capture.url,
        "state": capture.state,
        "steps": capture.step_list(),
        "current_step": capture.current_step,
        "failure_step": capture.failure_step,
        "failure_code": capture.failure_code,
        "failure_message": capture.failure_message,
        "requested_by": capture.requested_by.get_username(),
        "requested_at": capture.requested_at,
        "started_at": capture.started_at,
        "finished_at": capture.finished_at,
        "final_url": capture.final_url,
        "http_status": capture.http_status,
        "title": capture.title,
        "cloaking_suspected": capture.cloaking_suspected,
        "tls_trusted": capture.tls_trusted,
        "content_sha256": capture.content_sha256,
        "limits": capture.limits or [],
        "manifest_sha256": capture.manifest.sha256 if capture.manifest_id else None,
        "artefacts": [
            {
                "name": a.name,
                "evidence_id": a.evidence_id,
                "sha256": a.evidence.sha256,
                "size": a.evidence.size,
                "media_type": a.evidence.media_type,
            }
            for a in capture.artefacts.all()
        ],
        "findings": [
            {
                "detector": f.detector,
                "label": f.label,
                "score": f.score,
                "explanation": f.explanation,
                "evidence": list(f.evidence or []),
            }
            for f in capture.findings.all()
        ],
        "retry_of": capture.retry_of_id,
    }


def _with_details(captures: QuerySet[Capture]) -> QuerySet[Capture]:
    return captures.select_related("case", "requested_by", "manifest").prefetch_related(
        Prefetch("artefacts", queryset=CaptureArtefact.objects.select_related("evidence")), "findings"
    )


def _capture(request: HttpRequest, capture_id: int) -> Capture:
    capture = _with_details(Capture.objects.visible_to(actor(request))).filter(pk=capture_id).first()
    if capture is None:
        raise NotFound(_("No such capture."))
    return capture


@router.post("/cases/{code}/captures", response={202: CaptureOut})
def start_capture(request: HttpRequest, code: str, body: CaptureIn) -> Status:
    """Queue a capture; poll ``GET /captures/{id}`` for its steps and result."""
    user = actor(request)
    case = lookups.visible_case(user, code)
    indicator = Indicator.objects.filter(pk=body.indicator_id).first() if body.indicator_id else None
    capture = services.request_capture(actor=user, case=case, url=body.url, indicator=indicator)
    return Status(202, capture_out(_capture(request, capture.pk)))


@router.get("/cases/{code}/captures", response=list[CaptureOut])
def case_captures(request: HttpRequest, code: str) -> Any:
    case = lookups.visible_case(actor(request), code)
    captures = _with_details(Capture.objects.filter(case=case))[:100]
    return [capture_out(capture) for capture in captures]


@router.get("/captures/public-key", response=PublicKeyOut, auth=None)
def public_key(request: HttpRequest) -> Any:
    """The Ed25519 key that signs capture manifests (public: anyone may verify)."""
    b64, pem, key_id = services.public_key()
    return {"algorithm": "Ed25519", "key_id": key_id, "public_key": b64, "pem": pem}


@router.get("/captures/{capture_id}", response=CaptureOut)
def get_capture(request: HttpRequest, capture_id: int) -> Any:
    return capture_out(_capture(request, capture_id))


@router.post("/captures/{capture_id}/retry", response={202: CaptureOut})
def retry_capture(request: HttpRequest, capture_id: int) -> Status:
    retry = services.retry_capture(actor=actor(request), capture=_capture(request, capture_id))
    return Status(202, capture_out(_capture(request, retry.pk)))


def lead_out(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "case": lead.case.code,
        "kind": lead.kind,
        "state": lead.state,
        "host": lead.host,
        "new_value": lead.new_value,
        "summary": lead.summary,
        "detail": lead.detail or {},
        "capture_id": lead.capture_id,
        "matched_capture_id": lead.matched_capture_id,
        "created_at": lead.created_at,
        "handled_by": lead.handled_by.get_username() if lead.handled_by_id else None,
        "note": lead.note,
    }


@router.get("/leads", response=list[LeadOut])
def list_leads(request: HttpRequest, state: str = "open", limit: int = 100, offset: int = 0) -> Any:
    """Leads (``state``: open, linked, dismissed or all), newest first."""
    if state != "all" and state not in LeadState.values:
        raise InvalidInput(
            _("Unknown lead state %(state)s; one of %(states)s, or all.")
            % {"state": state[:50], "states": ", ".join(LeadState.values)},
            details={"field": "state"},
        )
    leads = Lead.objects.visible_to(actor(request)).select_related("case", "handled_by")
    if state != "all":
        leads = leads.filter(state=state)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [lead_out(lead) for lead in leads[offset : offset + limit]]


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    lead = Lead.objects.visible_to(actor(request)).select_related("case").filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("No such lead."))
    return lead


@router.post("/leads/{lead_id}/link", response=LeadOut)
def link_lead(request: HttpRequest, lead_id: int, body: LeadActionIn) -> Any:
    lead = services.link_lead(actor=actor(request), lead=_lead(request, lead_id), note=body.note)
    return lead_out(Lead.objects.select_related("case", "handled_by").get(pk=lead.pk))


@router.post("/leads/{lead_id}/dismiss", response=LeadOut)
def dismiss_lead(request: HttpRequest, lead_id: int, body: LeadActionIn) -> Any:
    lead = services.dismiss_lead(actor=actor(request), lead=_lead(request, lead_id), note=body.note)
    return lead_out(Lead.objects.select_related("case", "handled_by").get(pk=lead.pk))
