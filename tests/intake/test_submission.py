"""Storing reports: whole or not at all, grouped per indicator, audited, codes unique."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from tests import factories
from vigil.core.models import AuditEvent
from vigil.intake import services
from vigil.intake.choices import GroupState, ReportState
from vigil.intake.models import Report, ReportIndicator, TriageGroup
from vigil.intake.services import committer

pytestmark = pytest.mark.django_db

SMS = "[VCB] Tai khoan bi khoa. Truy cap hxxps://vcb-mo-khoa[.]com hoac goi 0912345678 de mo"


def _report(text: str = SMS, kind: str = "sms", **extra):
    return services.submit_report(services.prepare_report(kind=kind, text=text, **extra))


def test_report_is_stored_with_its_indicators_groups_and_audit_event():
    report = _report()
    assert re.fullmatch(r"PA-[A-HJ-KM-NP-Z2-9]{8}", report.tracking_code)
    assert report.state == ReportState.NEW
    values = set(ReportIndicator.objects.filter(report=report).values_list("type", "value"))
    assert ("phone", "+84912345678") in values
    group = TriageGroup.objects.get(type="phone", value="+84912345678")
    assert group.report_count == 1 and group.state == GroupState.OPEN
    event = AuditEvent.objects.get(action="report.received")
    entry = event.changes["reports"][1][0]
    assert entry["code"] == report.tracking_code and "phone:+84912345678" in entry["indicators"]
    assert "a@" not in str(event.changes)  # no personal data in the trail
    assert event.source_ip is None


def test_same_indicator_groups_and_counts():
    first = _report()
    second = _report("Goi ngay 0912 345 678 de nhan qua tang", kind="phone_call")
    group = TriageGroup.objects.get(type="phone", value="+84912345678")
    assert group.report_count == 2
    assert group.first_seen <= group.last_seen
    assert set(Report.objects.filter(indicators__group=group).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_batch_counts_repeated_values_once_per_report():
    drafts = [services.prepare_report(kind="phone_call", value="0912345678") for _ in range(3)]
    reports = services.submit_reports(drafts)
    assert len({r.tracking_code for r in reports}) == 3
    assert TriageGroup.objects.get(value="+84912345678").report_count == 3
    assert AuditEvent.objects.filter(action="report.received").count() == 1


def test_new_report_on_a_value_in_an_open_case_joins_it(analyst):
    report = _report()
    case = services.open_case_from(
        actor=analyst,
        title="SMS VCB",
        category=factories.category(),
        group=TriageGroup.objects.get(value="+84912345678"),
    )
    later = _report("Lien he 0912345678 ngay", kind="phone_call")
    assert later.state == ReportState.IN_CASE and later.case_id == case.pk
    report.refresh_from_db()
    assert report.case_id == case.pk


def test_rejected_item_reopens_and_spam_item_absorbs(analyst):
    _report("Goi 0912345678", kind="phone_call")
    group = TriageGroup.objects.get(value="+84912345678")
    services.reject(actor=analyst, reason="Số của tổng đài thật", group=group)
    group.refresh_from_db()
    assert group.state == GroupState.REJECTED
    _report("Goi 0912345678 lan nua", kind="phone_call")
    group.refresh_from_db()
    assert group.state == GroupState.OPEN

    _report("Goi 0987654321", kind="phone_call")
    spam_group = TriageGroup.objects.get(value="+84987654321")
    services.mark_spam(actor=analyst, group=spam_group)
    flood = _report("Goi 0987654321 goi 0987654321", kind="phone_call")
    assert flood.state == ReportState.SPAM


def test_a_report_refused_midway_leaves_nothing(monkeypatch):
    draft = services.prepare_report(kind="sms", text=SMS)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("vigil.core.audit.record", broken)
    with pytest.raises(RuntimeError):
        services.submit_report(draft)
    assert not Report.objects.exists()
    assert not ReportIndicator.objects.exists()
    assert not TriageGroup.objects.exists()


def test_group_committer_is_bypassed_inside_a_transaction():
    assert connection.in_atomic_block
    report = committer.store(services.prepare_report(kind="phone_call", value="0912345678"))
    assert Report.objects.filter(pk=report.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_group_commit_stores_concurrent_reports_together():
    drafts = [services.prepare_report(kind="phone_call", value=f"09123456{i:02d}") for i in range(30)]
    results: list[str] = []
    errors: list[BaseException] = []

    def send(draft):
        try:
            results.append(committer.store(draft).tracking_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(set(results)) == 30
    assert Report.objects.filter(tracking_code__in=results).count() == 30
    audited = [
        code
        for e in AuditEvent.objects.filter(action="report.received")
        for code in (entry["code"] for entry in e.changes["reports"][1])
    ]
    assert sorted(audited) == sorted(results)


def test_tracking_code_input_is_forgiving():
    assert services.normalise_code(" pa-abcd 2345 ") == "PA-ABCD2345"
    assert services.normalise_code("abcd2345") == "PA-ABCD2345"


def test_case_category_referral_only_keeps_hash_of_screenshots(analyst):
    from tests.intake.conftest import png_with_exif

    shot = services.store_screenshot(png_with_exif(), "a.jpg")
    import dataclasses

    draft = dataclasses.replace(
        services.prepare_report(kind="phone_call", value="0912345678"), screenshots=(shot,)
    )
    services.submit_report(draft)
    case = services.open_case_from(
        actor=analyst,
        title="CSAM referral",
        category=factories.category("csam"),
        group=TriageGroup.objects.get(value="+84912345678"),
    )
    items = list(case.evidence.all())
    assert items and all(not item.content_stored for item in items)
