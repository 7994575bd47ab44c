"""API endpoints for cases, evidence, appraisals, decisions and appeals."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from vigil.cases import lookups, services
from vigil.cases.filters import CaseFilter
from vigil.cases.models import Appeal, Case, Decision
from vigil.cases.schemas import (
    AppealIn,
    AppealOut,
    AppealResolveIn,
    AppraisalIn,
    AppraisalOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CasePatch,
    DecisionIn,
    DecisionOut,
    EvidenceOut,
    IndicatorIn,
    IndicatorRef,
    MergeIn,
    ReasonIn,
    TimelineOut,
    TransitionIn,
    WithheldEvidenceIn,
)
from vigil.cases.services.cases import merged_history_ids
from vigil.cases.views_support import evidence_response
from vigil.core.api import actor
from vigil.core.models import AuditEvent
from vigil.errors import InvalidInput

router = Router(tags=["cases"])


@router.get("/cases", response=list[CaseOut])
@paginate(LimitOffsetPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    cases = Case.objects.visible_to(actor(request)).select_related(
        "category", "organisation", "assignee", "merged_into"
    )
    return filters.apply(cases)


@router.post("/cases", response={201: CaseDetailOut})
def create_case(request: HttpRequest, body: CaseIn) -> Status:
    user = actor(request)
    case = services.open_case(
        actor=user,
        title=body.title,
        category=lookups.category_by_code(body.category),
        organisation=lookups.organisation_by_code(body.organisation) if body.organisation else None,
        description=body.description,
        priority=body.priority,
        assignee=lookups.user_by_username(body.assignee) if body.assignee else None,
        indicators=[(item.type, item.value) for item in body.indicators],
    )
    return Status(201, lookups.visible_case(user, case.code, detail=True))


@router.get("/cases/{code}", response=CaseDetailOut)
def get_case(request: HttpRequest, code: str) -> Case:
    return lookups.visible_case(actor(request), code, detail=True)


@router.patch("/cases/{code}", response=CaseDetailOut)
def patch_case(request: HttpRequest, code: str, body: CasePatch) -> Case:
    user = actor(request)
    case = lookups.visible_case(user, code)
    changes: dict[str, Any] = body.dict(exclude_unset=True)
    if "category" in changes:
        changes["category"] = lookups.category_by_code(changes["category"])
    if "assignee" in changes:
        changes["assignee"] = lookups.user_by_username(changes["assignee"]) if changes["assignee"] else None
    services.update_case(actor=user, case=case, **changes)
    return lookups.visible_case(user, code, detail=True)


@router.post("/cases/{code}/transition", response=CaseOut)
def transition(request: HttpRequest, code: str, body: TransitionIn) -> Case:
    user = actor(request)
    case = services.transition_case(
        actor=user, case=lookups.visible_case(user, code), target=body.status, reason=body.reason
    )
    return lookups.visible_case(user, case.code)


@router.post("/cases/{code}/merge", response=CaseOut)
def merge(request: HttpRequest, code: str, body: MergeIn) -> Case:
    user = actor(request)
    target = services.merge_cases(
        actor=user,
        source=lookups.visible_case(user, code),
        target=lookups.visible_case(user, body.into),
        reason=body.reason,
    )
    return lookups.visible_case(user, target.code)


@router.post("/cases/{code}/indicators", response={201: IndicatorRef})
def add_indicator(request: HttpRequest, code: str, body: IndicatorIn) -> Status:
    user = actor(request)
    link = services.add_indicator(
        actor=user,
        case=lookups.visible_case(user, code),
        kind=body.type,
        raw=body.value,
        note=body.note,
    )
    return Status(201, link.indicator)


@router.get("/cases/{code}/timeline", response=list[TimelineOut])
def timeline(request: HttpRequest, code: str) -> Any:
    case = lookups.visible_case(actor(request), code)
    return AuditEvent.objects.filter(case_id__in=merged_history_ids(case)).order_by("seq")


@router.post("/cases/{code}/evidence", response={201: EvidenceOut})
def upload_evidence(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    source: Form[str] = "",
    note: Form[str] = "",
) -> Status:
    user = actor(request)
    item = services.add_evidence(
        actor=user,
        case=lookups.visible_case(user, code),
        chunks=file.chunks(),
        filename=file.name or "",
        declared_media_type=file.content_type or "",
        source=source,
        note=note,
    )
    return Status(201, item)


@router.post("/cases/{code}/evidence/withheld", response={201: EvidenceOut})
def record_withheld(request: HttpRequest, code: str, body: WithheldEvidenceIn) -> Status:
    user = actor(request)
    item = services.register_withheld_evidence(
        actor=user,
        case=lookups.visible_case(user, code),
        sha256=body.sha256,
        size=body.size,
        media_type=body.media_type,
        source=body.source,
        note=body.note,
    )
    return Status(201, item)


@router.get("/evidence/{item_id}", response=EvidenceOut)
def get_evidence(request: HttpRequest, item_id: int) -> Any:
    return lookups.visible_evidence(actor(request), item_id)


@router.get("/evidence/{item_id}/content")
def download_evidence(request: HttpRequest, item_id: int) -> FileResponse:
    user = actor(request)
    item = lookups.visible_evidence(user, item_id)
    return evidence_response(item, services.open_evidence(actor=user, item=item, purpose="api download"))


@router.post("/cases/{code}/appraisals", response={201: AppraisalOut})
def add_appraisal(request: HttpRequest, code: str, body: AppraisalIn) -> Status:
    user = actor(request)
    appraisal = services.add_appraisal(
        actor=user,
        case=lookups.visible_case(user, code),
        verdict=body.verdict,
        reasoning=body.reasoning,
        category=lookups.category_by_code(body.category) if body.category else None,
    )
    return Status(201, appraisal)


@router.get("/decisions", response=list[DecisionOut])
@paginate(LimitOffsetPagination)
def list_decisions(
    request: HttpRequest,
    state: str | None = None,
    action: str | None = None,
    case: str | None = None,
) -> Any:
    decisions = lookups.decisions_with_relations().visible_to(actor(request))  # type: ignore[attr-defined]
    if state:
        decisions = decisions.filter(state=state)
    if action:
        decisions = decisions.filter(action=action)
    if case:
        decisions = decisions.filter(case__code=case.upper())
    return decisions


@router.post("/cases/{code}/decisions", response={201: DecisionOut})
def draft_decision(request: HttpRequest, code: str, body: DecisionIn) -> Status:
    user = actor(request)
    case = lookups.visible_case(user, code)
    link = case.indicator_links.select_related("indicator").filter(indicator_id=body.indicator_id).first()
    if link is None:
        raise InvalidInput(_("The indicator must be on this case."), details={"field": "indicator_id"})
    evidence = list(case.evidence.filter(pk__in=body.evidence_ids))
    if len(evidence) != len(set(body.evidence_ids)):
        raise InvalidInput(_("Some evidence ids are not on this case."), details={"field": "evidence_ids"})
    decision = services.draft_decision(
        actor=user,
        case=case,
        action=body.action,
        scope=body.scope,
        indicator=link.indicator,
        legal_basis=lookups.legal_basis_by_code(body.legal_basis),
        reasoning=body.reasoning,
        evidence=evidence,
        expires_at=body.expires_at,
        category=lookups.category_by_code(body.category) if body.category else None,
    )
    return Status(201, lookups.visible_decision(user, decision.pk))


@router.get("/decisions/{decision_id}", response=DecisionOut)
def get_decision(request: HttpRequest, decision_id: int) -> Decision:
    return lookups.visible_decision(actor(request), decision_id)


@router.post("/decisions/{decision_id}/approve", response=DecisionOut)
def approve(
    request: HttpRequest, decision_id: int, confirm_shared_ip: bool = False, activate: bool = True
) -> Decision:
    """Approve a draft and (unless ``activate=false``) put it in force; IP blocks on shared
    addresses need ``confirm_shared_ip=true``."""
    user = actor(request)
    services.approve_decision(
        actor=user,
        decision=lookups.visible_decision(user, decision_id),
        confirm_shared_ip=confirm_shared_ip,
        activate=activate,
    )
    return lookups.visible_decision(user, decision_id)


@router.post("/decisions/{decision_id}/activate", response=DecisionOut)
def activate(request: HttpRequest, decision_id: int) -> Decision:
    user = actor(request)
    services.activate_decision(actor=user, decision=lookups.visible_decision(user, decision_id))
    return lookups.visible_decision(user, decision_id)


@router.post("/decisions/{decision_id}/revoke", response=DecisionOut)
def revoke(request: HttpRequest, decision_id: int, body: ReasonIn) -> Decision:
    user = actor(request)
    services.revoke_decision(
        actor=user, decision=lookups.visible_decision(user, decision_id), reason=body.reason
    )
    return lookups.visible_decision(user, decision_id)


@router.get("/appeals", response=list[AppealOut])
@paginate(LimitOffsetPagination)
def list_appeals(request: HttpRequest, state: str | None = None) -> Any:
    appeals = Appeal.objects.visible_to(actor(request)).select_related("reviewer")
    return appeals.filter(state=state) if state else appeals


@router.post("/decisions/{decision_id}/appeals", response={201: AppealOut})
def record_appeal(request: HttpRequest, decision_id: int, body: AppealIn) -> Status:
    user = actor(request)
    appeal = services.record_appeal(
        actor=user,
        decision=lookups.visible_decision(user, decision_id),
        appellant=body.appellant,
        grounds=body.grounds,
        contact=body.contact,
    )
    return Status(201, appeal)


@router.post("/appeals/{appeal_id}/review", response=AppealOut)
def review_appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    user = actor(request)
    return services.start_appeal_review(actor=user, appeal=lookups.visible_appeal(user, appeal_id))


@router.post("/appeals/{appeal_id}/resolve", response=AppealOut)
def resolve_appeal(request: HttpRequest, appeal_id: int, body: AppealResolveIn) -> Appeal:
    user = actor(request)
    return services.resolve_appeal(
        actor=user,
        appeal=lookups.visible_appeal(user, appeal_id),
        outcome=body.outcome,
        reason=body.reason,
    )
