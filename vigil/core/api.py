"""API endpoints for reference data, the current user, tokens and the audit trail."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from vigil.core import audit, roles, services
from vigil.core.models import ApiToken, AuditEvent, Category, LegalBasis, Organisation, User
from vigil.core.schemas import (
    AuditEventOut,
    AuditVerifyOut,
    CategoryOut,
    LegalBasisOut,
    MeOut,
    OrganisationOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from vigil.errors import NotAllowed

router = Router(tags=["reference data and audit"])


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return request.user  # type: ignore[return-value]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = actor(request)
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "organisation": user.organisation.code if user.organisation else None,
        "roles": sorted(roles.roles_of(user)),
    }


@router.get("/organisations", response=list[OrganisationOut])
def organisations(request: HttpRequest) -> object:
    return Organisation.objects.filter(is_active=True)


@router.get("/categories", response=list[CategoryOut])
def categories(request: HttpRequest) -> object:
    return Category.objects.filter(is_active=True)


@router.get("/legal-bases", response=list[LegalBasisOut])
def legal_bases(request: HttpRequest) -> object:
    return LegalBasis.objects.filter(is_active=True).prefetch_related("categories")


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> object:
    return ApiToken.objects.filter(user=actor(request))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, body: TokenIn) -> Status:
    token, raw = services.issue_token(
        actor=actor(request), user=actor(request), name=body.name, days=body.days
    )
    data = TokenOut.from_orm(token).dict()
    data["token"] = raw
    return Status(201, data)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> object:
    token = get_object_or_404(ApiToken, pk=token_id, user=actor(request))
    return services.revoke_token(actor=actor(request), token=token)


def _require_auditor(request: HttpRequest) -> None:
    if not roles.can(actor(request), "audit.view"):
        raise NotAllowed(_("Only auditors and administrators may read the audit trail."))


@router.get("/audit/events", response=list[AuditEventOut])
@paginate(LimitOffsetPagination)
def audit_events(
    request: HttpRequest,
    action: str | None = None,
    case_id: int | None = None,
    actor_name: str | None = Query(None, alias="actor"),
) -> object:
    _require_auditor(request)
    events = AuditEvent.objects.visible_to(actor(request))
    if action:
        events = events.filter(action__startswith=action)
    if case_id is not None:
        events = events.filter(case_id=case_id)
    if actor_name:
        events = events.filter(actor_label=actor_name)
    return events


@router.get("/audit/verify", response=AuditVerifyOut)
def audit_verify(request: HttpRequest) -> object:
    _require_auditor(request)
    return audit.verify()
