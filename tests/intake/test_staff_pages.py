"""Staff pages: the queue, items, clusters, reports, warnings; who may see them."""

from __future__ import annotations

import pytest

from tests import factories
from tests.pages import verified_client
from vigil.core.models import AuditEvent
from vigil.intake import services
from vigil.intake.models import Advisory, Screenshot, TriageGroup

pytestmark = pytest.mark.django_db


def _report(**extra):
    fields = {"kind": "phone_call", "value": "0912345678"}
    fields.update(extra)
    return services.submit_report(services.prepare_report(**fields))


def test_queue_and_group_pages(analyst, django_assert_max_num_queries):
    for number in ("0912345678", "0912345678", "0987654321"):
        _report(value=number, text=f"Goi {number} de nhan qua")
    client = verified_client(analyst)
    with django_assert_max_num_queries(20):
        page = client.get("/intake/")
    body = page.content.decode()
    assert page.status_code == 200 and "+84 912 345 678" in body and 'id="group-rows"' in body
    group = TriageGroup.objects.get(value="+84912345678")
    detail = client.get(f"/intake/groups/{group.pk}/").content.decode()
    assert 'id="open-case-form"' in detail and detail.count('class="report"') == 2
    assert "Public reports" in body  # the nav link


def test_triage_actions_through_the_pages(analyst):
    _report()
    group = TriageGroup.objects.get()
    client = verified_client(analyst)
    response = client.post(
        f"/intake/groups/{group.pk}/do/open-case/",
        {"title": "Cuộc gọi giả danh", "category": factories.category("fraud").pk},
    )
    assert response.status_code == 302 and "/cases/" in response["Location"]
    group.refresh_from_db()
    assert group.case is not None
    listing = client.get(f"/intake/cases/{group.case.code}/").content.decode()
    assert "PA-" in listing
    again = client.post(f"/intake/groups/{group.pk}/do/reject/", {"reason": "nothing left"}, follow=True)
    assert "No report is waiting" in again.content.decode()


def test_contact_details_only_for_triage_staff(analyst, auditor):
    report = _report(contact_name="Trần Thị B", contact_email="b@example.vn", consent=True)
    assert (
        "b@example.vn"
        in verified_client(analyst).get(f"/intake/reports/{report.tracking_code}/").content.decode()
    )
    body = verified_client(auditor).get(f"/intake/reports/{report.tracking_code}/").content.decode()
    assert "b@example.vn" not in body


def test_outsiders_are_kept_out(liaison, partner):
    for user in (liaison, partner):
        assert verified_client(user).get("/intake/").status_code == 403
    assert verified_client(liaison).get("/intake/import/").status_code == 403


def test_screenshot_view_is_audited(analyst):
    import dataclasses

    from tests.intake.conftest import png_with_exif

    shot = services.store_screenshot(png_with_exif(), "a.jpg")
    services.submit_report(
        dataclasses.replace(
            services.prepare_report(kind="phone_call", value="0912345678"), screenshots=(shot,)
        )
    )
    row = Screenshot.objects.get()
    response = verified_client(analyst).get(f"/intake/screenshots/{row.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == "sandbox"
    assert AuditEvent.objects.filter(action="report.screenshot_read").exists()


def test_warning_pages(analyst, appraiser):
    client = verified_client(analyst)
    bad = client.post("/intake/warnings/new/", {"title": "T", "body": "ngắn", "indicator_lines": ""})
    assert bad.status_code == 400
    bad_line = client.post(
        "/intake/warnings/new/",
        {
            "title": "Cảnh báo",
            "body": "Nội dung đủ dài để đăng cảnh báo.",
            "indicator_lines": "0912345678\nkhông phải gì",
        },
    )
    assert bad_line.status_code == 400 and "Line 2" in bad_line.content.decode()
    ok = client.post(
        "/intake/warnings/new/",
        {
            "title": "Cảnh báo",
            "body": "Nội dung đủ dài để đăng cảnh báo.",
            "indicator_lines": "0912345678",
            "publish": "on",
        },
    )
    assert ok.status_code == 302
    advisory = Advisory.objects.get()
    assert advisory.is_published and advisory.indicators[0]["value"] == "+84912345678"
    assert AuditEvent.objects.filter(action="advisory.created").exists()
    from vigil.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.save_advisory(actor=appraiser, title="x", body="y" * 30, category=None)
