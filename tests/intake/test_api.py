"""The partner intake API: bulk batches, idempotent retries, quotas, per-item errors; report status."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from vigil.core.models import AuditEvent
from vigil.intake.models import PartnerBatch, PartnerQuota, PartnerUsage, Report

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "kind": "bank_account",
        "value": "Vietcombank 0123456789",
        "text": "Chuyển khoản phí hồ sơ vay",
        "money_lost": 3000000,
        "happened_on": "2026-11-01",
        "external_id": "vcb-1",
    },
    {"kind": "sms", "text": "VCB: tai khoan bi khoa, goi 0912345678", "external_id": "vcb-2"},
    {"kind": "phone_call", "value": "not-a-number", "external_id": "vcb-3"},
    {
        "kind": "sms",
        "text": "x",
        "indicators": [{"type": "phone", "value": "0987654321"}],
        "external_id": "vcb-4",
    },
    {"kind": "sms", "unknown_field": 1},
]


def _send(client, items, key="batch-1"):
    return client.client.post(
        "/api/v1/intake/reports/batch",
        {"items": items},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_batch_stores_valid_items_and_explains_each_refusal(api, partner):
    client = api(partner)
    response = _send(client, ITEMS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["accepted"], body["refused"]) == (3, 2)
    statuses = [item["status"] for item in body["items"]]
    assert statuses == ["accepted", "accepted", "refused", "accepted", "refused"]
    assert body["items"][2]["errors"][0]["field"] == "value"
    assert body["items"][4]["errors"][0]["field"] == "unknown_field"
    codes = [item["tracking_code"] for item in body["items"] if item["status"] == "accepted"]
    reports = Report.objects.filter(tracking_code__in=codes)
    assert reports.count() == 3
    assert {r.organisation_id for r in reports} == {partner.organisation_id}
    assert {r.channel for r in reports} == {"partner"}
    assert Report.objects.get(external_id="vcb-4").indicators.get().value == "+84987654321"
    event = AuditEvent.objects.get(action="report.batch_received")
    assert sorted(event.changes["tracking_codes"][1]) == sorted(codes)
    assert PartnerUsage.objects.get().reports == 3


def test_retry_with_the_same_key_never_duplicates(api, partner):
    client = api(partner)
    first = _send(client, ITEMS[:2], key="retry-me")
    again = _send(client, ITEMS[:2], key="retry-me")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Report.objects.count() == 2 and PartnerUsage.objects.get().reports == 2
    conflict = _send(client, ITEMS[1:3], key="retry-me")
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    missing = client.client.post(
        "/api/v1/intake/reports/batch", {"items": ITEMS[:1]}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"


def test_quota_refuses_the_whole_batch_with_retry_after(api, partner):
    PartnerQuota.objects.create(organisation=partner.organisation, reports_per_day=3)
    client = api(partner)
    assert _send(client, ITEMS[:2], key="a").status_code == 201
    over = _send(client, ITEMS[:2], key="b")
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert over.json()["code"] == "quota_exceeded" and over.json()["details"]["used"] == 2
    assert Report.objects.count() == 2
    assert _send(client, ITEMS[:1], key="c").status_code == 201
    quota = client.get("/intake/quota").json()
    assert quota == {"organisation": "vcb", "reports_per_day": 3, "used_today": 3, "requests_per_minute": 120}
    # The refused key was not remembered: the same batch may be sent again tomorrow.
    assert not PartnerBatch.objects.filter(key="b").exists()


def test_token_rate_limit(api, partner, settings):
    PartnerQuota.objects.create(
        organisation=partner.organisation, reports_per_day=1000, requests_per_minute=2
    )
    client = api(partner)
    assert _send(client, ITEMS[:1], key="1").status_code == 201
    assert _send(client, ITEMS[:1], key="2").status_code == 201
    limited = _send(client, ITEMS[:1], key="3")
    assert limited.status_code == 429 and limited["Retry-After"] and limited.json()["code"] == "rate_limited"


def test_only_partners_submit(api, analyst, liaison):
    for user in (analyst, liaison):
        response = _send(api(user), ITEMS[:1])
        assert response.status_code == 403
    anonymous = Client().post(
        "/api/v1/intake/reports/batch",
        {"items": ITEMS[:1]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert anonymous.status_code == 401


def test_batch_size_limit(api, partner, settings):
    settings.VIGIL_INTAKE_BATCH_MAX_ITEMS = 2
    response = _send(api(partner), ITEMS[:3])
    assert response.status_code == 400 and "at most 2" in response.json()["message"]


def test_partner_follows_its_own_reports_only(api, partner):
    client = api(partner)
    code = _send(client, ITEMS[:1]).json()["items"][0]["tracking_code"]
    status = client.get(f"/intake/reports/{code}").json()
    assert status["status"] == "received" and status["external_id"] == "vcb-1"
    other_bank = factories.user("partner", org=factories.organisation("acb", "bank"))
    assert api(other_bank).get(f"/intake/reports/{code}").status_code == 404
