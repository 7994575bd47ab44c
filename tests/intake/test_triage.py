"""Triage: groups and clusters become cases; rejection reads neutrally; reporters get mail."""

from __future__ import annotations

import dataclasses

import pytest
from django.core import mail

from tests import factories
from tests.intake.conftest import png_with_exif
from tests.pages import verified_client
from vigil.cases import services as case_services
from vigil.cases.models import CaseIndicator, EvidenceItem
from vigil.core.models import AuditEvent
from vigil.errors import Conflict, InvalidInput, NotAllowed
from vigil.intake import services
from vigil.intake.choices import GroupState, PublicStatus, ReportState
from vigil.intake.models import Report, TextCluster, TriageGroup

pytestmark = pytest.mark.django_db

CAMPAIGN = "[Dien luc] Quy khach no tien dien ky nay, se bi cat dien trong 2 gio. Thanh toan ngay qua so {n}"


FIRST = CAMPAIGN.format(n="0912345678")


def _report(kind="sms", text=FIRST, **extra) -> Report:
    return services.submit_report(services.prepare_report(kind=kind, text=text, **extra))


def test_open_case_from_group_brings_reports_indicators_and_evidence(analyst):
    shot = services.store_screenshot(png_with_exif(), "chup.jpg")
    first = services.submit_report(
        dataclasses.replace(
            services.prepare_report(
                kind="sms",
                text=CAMPAIGN.format(n="0912345678") + " hoac evn-thanh-toan.com",
                contact_email="a@example.vn",
                contact_name="An",
                consent=True,
            ),
            screenshots=(shot,),
        )
    )
    second = _report()
    group = TriageGroup.objects.get(value="+84912345678")
    case = services.open_case_from(
        actor=analyst, title="Giả danh điện lực", category=factories.category("fraud"), group=group
    )
    values = set(CaseIndicator.objects.filter(case=case).values_list("indicator__type", "indicator__value"))
    assert ("phone", "+84912345678") in values and ("domain", "evn-thanh-toan.com") in values
    for report in (first, second):
        report.refresh_from_db()
        assert report.case_id == case.pk and report.state == ReportState.IN_CASE
    group.refresh_from_db()
    assert group.state == GroupState.IN_CASE and group.case_id == case.pk
    items = list(EvidenceItem.objects.filter(case=case))
    assert {i.media_type for i in items} == {"text/plain", "image/jpeg"}
    text = (
        case_services.evidence_store()
        .open(next(i for i in items if i.media_type == "text/plain").sha256)
        .read()
    )
    assert first.tracking_code.encode() in text and b"a@example.vn" not in text
    event = AuditEvent.objects.get(action="intake.case_opened")
    assert event.case_id == case.pk and first.tracking_code in str(event.changes)
    assert services.public_view(first).status == PublicStatus.CHECKING
    # The domain's own queue item still waits for nobody: its only report went into the case.
    assert TriageGroup.objects.get(value="evn-thanh-toan.com").state == GroupState.IN_CASE
    with pytest.raises(Conflict):
        services.open_case_from(actor=analyst, title="again", category=factories.category(), group=group)


def test_attach_reject_and_spam(analyst):
    case = factories.case(analyst)
    _report(kind="phone_call", text="", value="0911000111")
    group = TriageGroup.objects.get(value="+84911000111")
    services.attach_to_case(actor=analyst, case=case, group=group)
    assert Report.objects.get(indicators__group=group).case_id == case.pk
    assert CaseIndicator.objects.filter(case=case, indicator__value="+84911000111").exists()

    rejected = _report(
        kind="phone_call", text="", value="0911000222", contact_email="b@example.vn", consent=True
    )
    services.reject(
        actor=analyst, reason="Đây là số tổng đài thật", group=TriageGroup.objects.get(value="+84911000222")
    )
    rejected.refresh_from_db()
    assert services.public_view(rejected).status == PublicStatus.NOT_CONFIRMED
    body = verified_client(analyst).get(f"/report/status/{rejected.tracking_code}/").content.decode()
    assert "tổng đài thật" not in body and "not confirmed" in body

    spam = _report(kind="phone_call", text="", value="0911000333")
    services.mark_spam(actor=analyst, reason="flood", group=TriageGroup.objects.get(value="+84911000333"))
    spam.refresh_from_db()
    assert spam.state == ReportState.SPAM
    assert services.public_view(spam).status == PublicStatus.NOT_CONFIRMED
    assert (
        AuditEvent.objects.filter(
            action__in=["intake.attached", "intake.rejected", "intake.marked_spam"]
        ).count()
        == 3
    )


def test_only_triage_staff_act(appraiser, unit_reporter):
    _report()
    group = TriageGroup.objects.get(value="+84912345678")
    for user in (appraiser, unit_reporter):
        with pytest.raises(NotAllowed):
            services.reject(actor=user, reason="không phải lừa đảo", group=group)
    with pytest.raises(InvalidInput):
        services.reject(actor=factories.user("analyst"), reason="", group=group)


def test_near_duplicate_messages_cluster(analyst):
    for number in ("0912345678", "0987654321", "0933111222", "0977 888 999"):
        _report(text=CAMPAIGN.format(n=number))
    _report(text="Chuc mung ban trung thuong xe may SH, nhan giai tai shopee-qua-tang.com truoc 17h")
    assert services.cluster_pending() == 5
    clusters = list(TextCluster.objects.order_by("-size"))
    assert [c.size for c in clusters] == [4, 1]
    campaign = clusters[0]
    assert Report.objects.filter(cluster=campaign).count() == 4
    # A fifth copy joins the same cluster later, found through the stored LSH keys.
    late = _report(text=CAMPAIGN.format(n="0966 555 444"))
    services.cluster_pending()
    late.refresh_from_db()
    assert late.cluster_id == campaign.pk
    page = verified_client(analyst).get("/intake/", {"tab": "clusters"}).content.decode()
    assert f"/intake/clusters/{campaign.pk}/" in page
    case = services.open_case_from(
        actor=analyst, title="Chiến dịch SMS điện lực", category=factories.category("fraud"), cluster=campaign
    )
    assert Report.objects.filter(cluster=campaign, case=case).count() == 5
    assert CaseIndicator.objects.filter(case=case, indicator__type="phone").count() == 5


def test_reporters_get_a_mail_when_the_status_changes(
    analyst, appraiser, approver, django_capture_on_commit_callbacks
):
    report = _report(
        kind="phone_call", text="", value="0912345678", contact_email="nguoi.dan@example.vn", consent=True
    )
    silent = _report(kind="phone_call", text="", value="0912 345 678")
    assert services.notify_status_changes() == 0
    group = TriageGroup.objects.get(value="+84912345678")
    case = services.open_case_from(
        actor=analyst, title="Gọi giả danh", category=factories.category(), group=group
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_status_changes([report.pk, silent.pk]) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nguoi.dan@example.vn"] and report.tracking_code in message.subject
    assert f"/report/status/{report.tracking_code}/" in message.body
    for status in ("triage", "collecting"):
        case_services.transition_case(actor=analyst, case=case, target=status)
    item = factories.evidence(analyst, case)
    case_services.transition_case(actor=analyst, case=case, target="appraisal")
    case_services.add_appraisal(
        actor=appraiser, case=case, verdict="violation_confirmed", reasoning="Đã xác minh số này."
    )
    decision = case_services.draft_decision(
        actor=analyst,
        case=case,
        action="takedown_request",
        scope="indicator",
        indicator=case.indicator_links.first().indicator,
        legal_basis=factories.legal_basis(),
        reasoning="Yêu cầu nhà mạng khóa số.",
        evidence=[item],
    )
    case_services.approve_decision(actor=approver, decision=decision)
    report.refresh_from_db()
    view = services.public_view(report)
    assert view.status == PublicStatus.ACTED_ON and view.decisions[0].pk == decision.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_status_changes()
    assert len(mail.outbox) == 2 and f"{decision.pk}" in mail.outbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_status_changes() == 0  # told once


def test_contact_details_are_erased_after_retention(settings):
    import datetime as dt

    from django.utils import timezone

    report = _report(
        kind="phone_call", text="", value="0912345678", contact_email="x@example.vn", consent=True
    )
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.REJECTED, received_at=timezone.now() - dt.timedelta(days=400)
    )
    assert services.erase_old_contacts() == 1
    report.refresh_from_db()
    assert report.contact_email == "" and report.consent_at is None
    assert AuditEvent.objects.filter(action="report.contacts_erased").exists()


def test_evidence_text_lists_each_reports_own_indicators(analyst):
    first = _report(text=CAMPAIGN.format(n="0912345678") + " hoac evn-thanh-toan.com")
    second = _report()
    case = services.open_case_from(
        actor=analyst,
        title="Giả danh điện lực",
        category=factories.category("fraud"),
        group=TriageGroup.objects.get(value="+84912345678"),
    )
    item = EvidenceItem.objects.get(case=case, media_type="text/plain")
    text = case_services.evidence_store().open(item.sha256).read().decode()
    blocks = {block.split(" · ")[0]: block for block in text.split("=== ")[1:]}
    assert "indicators: phone:+84912345678, domain:evn-thanh-toan.com\n" in blocks[first.tracking_code]
    assert "indicators: phone:+84912345678\n" in blocks[second.tracking_code]
