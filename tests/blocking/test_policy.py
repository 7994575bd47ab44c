"""Guard rails: public suffixes, the allow-list, over-wide scopes, shared (CDN) addresses."""

from __future__ import annotations

import pytest

from tests import factories
from vigil.blocking.models import ProtectedDomain
from vigil.cases import services
from vigil.cases.models import Decision
from vigil.core.models import AuditEvent
from vigil.errors import Conflict, InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _draft(analyst, case, item, raw, *, kind="url", action="dns_block", scope="host"):
    link = services.add_indicator(actor=analyst, case=case, kind=kind, raw=raw)
    return services.draft_decision(
        actor=analyst,
        case=case,
        action=action,
        scope=scope,
        indicator=link.indicator,
        legal_basis=factories.legal_basis(),
        reasoning="Chặn trang lừa đảo trên nền tảng.",
        evidence=[item],
    )


@pytest.fixture
def ready(analyst, appraiser):
    return factories.case_ready_for_decision(analyst, appraiser)


@pytest.mark.parametrize(
    ("raw", "scope"),
    [
        ("https://www.facebook.com/groups/lua-dao-viec-lam", "host"),
        ("https://www.facebook.com/groups/lua-dao-viec-lam", "registrable_domain"),
        ("https://dichvucong.gov.vn/fake", "host"),
        ("https://online.vietcombank.com.vn/x", "registrable_domain"),
        ("https://lua-dao.wordpress.com/bai-viet", "registrable_domain"),  # the whole shared platform
    ],
)
def test_protected_names_are_refused_at_dns_and_routed_to_takedown(analyst, ready, raw, scope):
    case, item = ready
    with pytest.raises(InvalidInput) as excinfo:
        _draft(analyst, case, item, raw, scope=scope)
    assert excinfo.value.code == "route_to_takedown"
    assert excinfo.value.details["suggested_action"] == "takedown_request"
    assert "takedown request" in excinfo.value.message


def test_a_takedown_request_on_a_platform_is_fine(analyst, ready):
    case, item = ready
    decision = _draft(
        analyst,
        case,
        item,
        "https://www.facebook.com/groups/lua-dao-viec-lam",
        action="takedown_request",
        scope="exact_url",
    )
    assert decision.target.startswith("https://www.facebook.com/")


def test_one_tenant_of_a_shared_host_may_be_blocked_by_host(analyst, ready):
    case, item = ready
    decision = _draft(analyst, case, item, "https://lua-dao.wordpress.com/bai-viet", scope="host")
    assert decision.target == "lua-dao.wordpress.com"


def test_public_suffixes_are_never_targets(analyst, ready):
    case, item = ready
    with pytest.raises(InvalidInput, match="public suffix"):
        _draft(analyst, case, item, "http://blogspot.com/x", scope="host")


def test_allow_list_grown_after_the_draft_stops_the_approval(analyst, approver, ready):
    case, item = ready
    decision = factories.draft(analyst, case, item)
    ProtectedDomain.objects.create(domain="example.com", kind="platform")
    with pytest.raises(InvalidInput) as excinfo:
        services.approve_decision(actor=approver, decision=decision)
    assert excinfo.value.code == "route_to_takedown"
    assert Decision.objects.get(pk=decision.pk).state == "draft"


def test_ip_block_on_a_cdn_address_needs_an_audited_confirmation(analyst, approver, ready):
    case, item = ready
    decision = _draft(analyst, case, item, "104.16.1.1", kind="ip", action="ip_block", scope="ip")
    with pytest.raises(Conflict) as excinfo:
        services.approve_decision(actor=approver, decision=decision)
    assert excinfo.value.code == "shared_ip_needs_confirmation" and "Cloudflare" in excinfo.value.message
    assert Decision.objects.get(pk=decision.pk).state == "draft"
    services.approve_decision(actor=approver, decision=decision, confirm_shared_ip=True)
    decision.refresh_from_db()
    assert decision.state == "active" and decision.shared_ip_confirmed_by == approver
    approved = AuditEvent.objects.get(action="decision.approved", object_id=str(decision.pk))
    assert approved.changes["shared_ip_confirmed_by"] == [None, approver.pk]


def test_ip_block_on_an_ordinary_address_needs_no_confirmation(analyst, approver, ready):
    case, item = ready
    decision = _draft(analyst, case, item, "203.0.113.9", kind="ip", action="ip_block", scope="ip")
    services.approve_decision(actor=approver, decision=decision)
    decision.refresh_from_db()
    assert decision.state == "active" and decision.shared_ip_confirmed_by is None
