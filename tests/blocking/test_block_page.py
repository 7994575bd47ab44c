"""The block page a redirected visitor sees, and the public appeal it leads to."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from vigil.blocking import services
from vigil.cases import services as case_services
from vigil.cases.models import Appeal
from vigil.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(analyst, appraiser, approver):
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    decision = case_services.approve_decision(actor=approver, decision=factories.draft(analyst, case, item))
    services.rebuild_snapshot()
    return decision


def test_a_blocked_name_gets_the_block_page(decision):
    page = Client().get("/any/path", HTTP_HOST="bad.example.com")
    assert page.status_code == 451
    text = page.content.decode()
    assert f"Quyết định số {decision.pk}" in text and f"Decision no. {decision.pk}" in text
    assert "Điều 290" in text and "Phishing" in text
    assert f"https://vigil.example.gov.vn/appeal/{decision.pk}/" in text
    assert page["Link"].endswith('rel="blocked-by"')


def test_a_name_that_is_not_blocked_says_so(decision):
    page = Client().get("/", HTTP_HOST="innocent.example.org:80")
    assert page.status_code == 404 and "không bị chặn" in page.content.decode()


def test_vigils_own_host_is_not_intercepted(decision):
    assert Client().get("/account/login/", HTTP_HOST="localhost").status_code == 200


def test_public_appeal_gets_a_tracking_code(decision, second_approver):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = client.get(f"/appeal/{decision.pk}/")
    assert form.status_code == 200 and b"bad.example.com" in form.content
    refused = client.post(f"/appeal/{decision.pk}/", {"appellant": "Chủ trang", "grounds": "ngắn"})
    assert refused.status_code == 200 and Appeal.objects.count() == 0
    sent = client.post(
        f"/appeal/{decision.pk}/",
        {
            "appellant": "Công ty TNHH Ví Dụ",
            "contact": "lienhe@example.com",
            "consent": "on",
            "grounds": "Tên miền này thuộc công ty chúng tôi, trang giả mạo đã bị gỡ từ tuần trước.",
        },
    )
    assert sent.status_code == 302
    appeal = Appeal.objects.get()
    assert sent["Location"] == f"/appeal/status/{appeal.tracking_code}/"
    assert appeal.received_by is None and appeal.tracking_code.startswith("KN-")
    assert AuditEvent.objects.filter(action="appeal.received", actor=None).exists()
    status = client.get(sent["Location"])
    assert b"Received" in status.content
    case_services.start_appeal_review(actor=second_approver, appeal=appeal)
    case_services.resolve_appeal(
        actor=second_approver,
        appeal=appeal,
        outcome="overturned",
        reason="Đã xác minh, trang giả mạo không còn.",
    )
    assert b"overturned" in client.get(sent["Location"]).content


def test_public_appeals_are_rate_limited(decision):
    client = Client()
    data = {"appellant": "A", "consent": "on", "grounds": "Lý do đủ dài để được chấp nhận là hợp lệ."}
    statuses = [client.post(f"/appeal/{decision.pk}/", data).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_no_appeal_against_a_decision_not_in_force(analyst, appraiser):
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    draft = factories.draft(analyst, case, item)
    assert Client().get(f"/appeal/{draft.pk}/").status_code == 404
