"""Four eyes, scopes, expiry and appeals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from vigil.cases import services
from vigil.cases.models import Decision
from vigil.core.models import AuditEvent
from vigil.errors import Conflict, FourEyesViolation, InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(analyst, appraiser):
    return factories.case_ready_for_decision(analyst, appraiser)


def test_approval_by_a_second_person_moves_the_case(analyst, approver, ready):
    case, item = ready
    decision = factories.draft(analyst, case, item)
    assert decision.state == "draft" and decision.target == "bad.example.com"
    services.approve_decision(actor=approver, decision=decision, activate=False)
    decision.refresh_from_db()
    case.refresh_from_db()
    assert (decision.state, decision.approved_by, case.status) == ("approved", approver, "decided")
    services.activate_decision(actor=analyst, decision=decision)
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.state == "active" and decision.activated_at and case.status == "actioned"


def test_author_cannot_approve_own_decision(appraiser, ready):
    case, item = ready
    both = factories.user(["analyst", "approver"])
    decision = factories.draft(both, case, item)
    with pytest.raises(FourEyesViolation, match="drafted"):
        services.approve_decision(actor=both, decision=decision)
    assert Decision.objects.get(pk=decision.pk).state == "draft"


def test_approver_cannot_be_the_only_appraiser(analyst):
    case = factories.case(analyst)
    item = factories.evidence(analyst, case)
    appraiser_approver = factories.user(["appraiser", "approver"])
    services.add_appraisal(
        actor=appraiser_approver,
        case=case,
        verdict="violation_confirmed",
        reasoning="Rõ ràng là trang giả mạo.",
    )
    decision = factories.draft(analyst, case, item)
    with pytest.raises(FourEyesViolation, match="other than the approver"):
        services.approve_decision(actor=appraiser_approver, decision=decision)
    other = factories.user("appraiser")
    services.add_appraisal(
        actor=other, case=case, verdict="violation_confirmed", reasoning="Đồng ý, giả mạo."
    )
    services.approve_decision(actor=appraiser_approver, decision=decision)
    assert Decision.objects.get(pk=decision.pk).state == "active", "approval puts a decision in force"


def test_no_approval_without_a_confirming_appraisal(analyst, approver):
    case = factories.case(analyst)
    item = factories.evidence(analyst, case)
    services.add_appraisal(
        actor=factories.user("appraiser"),
        case=case,
        verdict="insufficient_evidence",
        reasoning="Chưa đủ căn cứ kết luận.",
    )
    decision = factories.draft(analyst, case, item)
    with pytest.raises(FourEyesViolation):
        services.approve_decision(actor=approver, decision=decision)


def test_only_approvers_approve(analyst, appraiser, ready):
    case, item = ready
    decision = factories.draft(analyst, case, item)
    with pytest.raises(NotAllowed):
        services.approve_decision(actor=appraiser, decision=decision)


def test_decision_to_act_needs_evidence(analyst, approver, ready):
    case, _item = ready
    link = case.indicator_links.first()
    decision = services.draft_decision(
        actor=analyst,
        case=case,
        action="takedown_request",
        scope="exact_url",
        indicator=link.indicator,
        legal_basis=factories.legal_basis(),
        reasoning="Yêu cầu gỡ trang giả mạo.",
    )
    with pytest.raises(Conflict, match="evidence"):
        services.approve_decision(actor=approver, decision=decision)


def test_dns_block_of_an_exact_url_is_refused(analyst, ready):
    case, item = ready
    with pytest.raises(InvalidInput, match="DNS sees only host names"):
        factories.draft(analyst, case, item, action="dns_block", scope="exact_url")


def test_a_public_suffix_is_never_a_target(analyst, ready):
    case, item = ready
    services.add_indicator(actor=analyst, case=case, kind="url", raw="https://blogspot.com/scam")
    link = case.indicator_links.get(indicator__value="https://blogspot.com/scam")
    with pytest.raises(InvalidInput, match="public suffix"):
        services.draft_decision(
            actor=analyst,
            case=case,
            action="dns_block",
            scope="host",
            indicator=link.indicator,
            legal_basis=factories.legal_basis(),
            reasoning="Thử chặn hậu tố công cộng.",
            evidence=[item],
        )


def test_scope_must_fit_the_indicator(analyst, ready):
    case, item = ready
    services.add_indicator(actor=analyst, case=case, kind="phone", raw="0912 345 678")
    link = case.indicator_links.get(indicator__type="phone")
    with pytest.raises(InvalidInput, match="does not fit a phone"):
        services.draft_decision(
            actor=analyst,
            case=case,
            action="takedown_request",
            scope="host",
            indicator=link.indicator,
            legal_basis=factories.legal_basis(),
            reasoning="Yêu cầu nhà mạng chặn số.",
            evidence=[item],
        )


def test_expiry_defaults_from_category_and_is_bounded(analyst, ready):
    case, item = ready
    decision = factories.draft(analyst, case, item)
    expected = timezone.now() + dt.timedelta(days=case.category.default_expiry_days)
    assert abs((decision.expires_at - expected).total_seconds()) < 60
    link = case.indicator_links.first()
    for bad in (timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=4 * 365)):
        with pytest.raises(InvalidInput):
            services.draft_decision(
                actor=analyst,
                case=case,
                action="dns_block",
                scope="host",
                indicator=link.indicator,
                legal_basis=factories.legal_basis(),
                reasoning="Chặn tên miền giả mạo.",
                evidence=[item],
                expires_at=bad,
            )


def test_periodic_expiry_ends_only_past_decisions(analyst, approver, ready):
    case, item = ready
    old, current = factories.draft(analyst, case, item), factories.draft(analyst, case, item)
    for decision in (old, current):
        services.approve_decision(actor=approver, decision=decision)
    Decision.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.expire_decisions() == 1
    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.state, current.state) == ("expired", "active")
    assert AuditEvent.objects.filter(action="decision.expired", actor=None, object_id=str(old.pk)).exists()
    assert services.expire_decisions() == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as a real one does
def test_periodic_task_runs_through_the_database_task_backend(analyst, approver, ready):
    from django.core.management import call_command

    from vigil.cases.tasks import expire_decisions
    from vigil.periodic import enqueue_due

    case, item = ready
    decision = factories.draft(analyst, case, item)
    services.approve_decision(actor=approver, decision=decision)
    Decision.objects.filter(pk=decision.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "expire_decisions" in enqueue_due()
    assert "expire_decisions" not in enqueue_due(), "a job is enqueued once per interval"
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
    assert Decision.objects.get(pk=decision.pk).state == "expired"
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(task_path="vigil.cases.tasks.expire_decisions")
    assert expire_decisions.get_result(row.id).return_value == 1


@pytest.fixture
def active_decision(analyst, approver, ready):
    case, item = ready
    decision = factories.draft(analyst, case, item)
    return services.approve_decision(actor=approver, decision=decision)


def test_overturned_appeal_revokes_the_decision(analyst, approver, second_approver, active_decision):
    appeal = services.record_appeal(
        actor=analyst,
        decision=active_decision,
        appellant="Công ty ABC",
        grounds="Tên miền đã đổi chủ và không còn nội dung vi phạm.",
    )
    for reviewer in (approver, active_decision.author):
        with pytest.raises((FourEyesViolation, NotAllowed)):
            services.start_appeal_review(actor=reviewer, appeal=appeal)
    services.start_appeal_review(actor=second_approver, appeal=appeal)
    services.resolve_appeal(
        actor=second_approver,
        appeal=appeal,
        outcome="overturned",
        reason="Đã xác minh chủ mới, nội dung vi phạm đã gỡ.",
    )
    active_decision.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.state == "overturned" and active_decision.state == "revoked"
    assert (
        "Overturned on appeal" in active_decision.end_reason or "appeal" in active_decision.end_reason.lower()
    )


def test_upheld_appeal_keeps_the_decision(analyst, second_approver, active_decision):
    appeal = services.record_appeal(
        actor=analyst,
        decision=active_decision,
        appellant="Người khiếu nại",
        grounds="Tôi cho rằng quyết định là sai.",
    )
    with pytest.raises(Conflict):
        services.resolve_appeal(
            actor=second_approver, appeal=appeal, outcome="upheld", reason="Chưa bắt đầu xem xét."
        )
    services.start_appeal_review(actor=second_approver, appeal=appeal)
    services.resolve_appeal(
        actor=second_approver,
        appeal=appeal,
        outcome="upheld",
        reason="Chứng cứ cho thấy trang vẫn giả mạo.",
    )
    active_decision.refresh_from_db()
    assert active_decision.state == "active"


def test_drafts_cannot_be_appealed(analyst, ready):
    case, item = ready
    with pytest.raises(Conflict):
        services.record_appeal(
            actor=analyst,
            decision=factories.draft(analyst, case, item),
            appellant="X",
            grounds="Không đồng ý với bản nháp.",
        )


def test_revocation_needs_a_reason_and_ends_once(approver, active_decision):
    with pytest.raises(InvalidInput):
        services.revoke_decision(actor=approver, decision=active_decision, reason="")
    services.revoke_decision(actor=approver, decision=active_decision, reason="Đã gỡ bỏ.")
    with pytest.raises(Conflict):
        services.revoke_decision(actor=approver, decision=active_decision, reason="Lần nữa.")
