"""Decisions in force reach the shared snapshot, the check API, the CLI and the exports."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.test import Client

from tests import factories
from vigil.blocking import services
from vigil.cases import services as case_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocked(analyst, appraiser, approver):
    """An active DNS block on host bad.example.com, and an exact-URL takedown on another site."""
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    dns = case_services.approve_decision(actor=approver, decision=factories.draft(analyst, case, item))
    link = case_services.add_indicator(
        actor=analyst, case=case, kind="url", raw="https://shop.example.net/pay?id=1"
    )
    takedown = case_services.draft_decision(
        actor=analyst,
        case=case,
        action="takedown_request",
        scope="exact_url",
        indicator=link.indicator,
        legal_basis=factories.legal_basis(),
        reasoning="Yêu cầu gỡ trang thanh toán giả.",
        evidence=[item],
    )
    takedown = case_services.approve_decision(actor=approver, decision=takedown)
    services.rebuild_snapshot()
    return {"dns": dns, "takedown": takedown, "case": case}


def test_snapshot_answers_for_decisions_in_force(blocked):
    snapshot = services.current_snapshot()
    verdict = snapshot.check("http://bad.example.com/anything")
    assert verdict.status == "blocked" and [r.decision_id for r in verdict.refs] == [blocked["dns"].pk]
    assert verdict.refs[0].action == "dns_block" and verdict.refs[0].legal_basis == "blhs-290"
    assert snapshot.check("https://shop.example.net/pay?id=1").status == "blocked"
    assert snapshot.check("https://shop.example.net/other").status == "none"
    assert snapshot.check("www.facebook.com").status == "allowed"


def test_revocation_takes_the_entry_out(blocked, approver):
    case_services.revoke_decision(actor=approver, decision=blocked["dns"], reason="Đã gỡ bỏ nội dung.")
    services.apply_decision_change(blocked["dns"].pk)
    assert services.current_snapshot().check("bad.example.com").status == "none"


def test_check_api_single_and_batch(api, liaison, blocked):
    client = api(liaison)
    one = client.get("/check", {"url": "http://bad.example.com/login"}).json()
    assert one["status"] == "blocked" and one["decisions"][0]["decision_id"] == blocked["dns"].pk
    assert one["block_page"] == f"https://vigil.example.gov.vn/appeal/{blocked['dns'].pk}/"
    batch = client.post(
        "/check", {"values": ["bad.example.com", "8.8.8.8", "good.example.org", "a b c"]}
    ).json()
    assert [r["status"] for r in batch["results"]] == ["blocked", "none", "none", "none"]
    assert batch["results"][3]["error"]
    assert client.get("/check").status_code == 400
    too_many = client.post("/check", {"values": ["x.example"] * 10_001})
    assert too_many.status_code == 422


def test_exports_follow_their_audience(blocked):
    rpz = services.export_text("rpz")
    assert "bad.example.com CNAME blocked.vigil.example." in rpz
    assert f"decision={blocked['dns'].pk}" in rpz
    assert "facebook.com CNAME rpz-passthru." in rpz
    assert "shop.example.net" not in rpz, "exact URLs never reach DNS"
    adblock = services.export_text("adblock")
    assert "||bad.example.com^" in adblock and "shop.example.net/pay" in adblock
    hosts = services.export_text("hosts")
    assert "0.0.0.0 bad.example.com" in hosts
    for fmt in ("nftables", "cidr", "uribl", "rspamd"):
        assert services.export_text(fmt).strip(), fmt


def test_export_api_uses_etags(api, analyst, blocked):
    client = api(analyst)
    first = client.get("/exports/rpz")
    assert first.status_code == 200 and b"bad.example.com" in first.content
    etag = first["ETag"]
    again = client.client.get("/api/v1/exports/rpz", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert client.get("/exports/nope").status_code == 404


def test_check_command_reads_standard_input(blocked, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("http://bad.example.com/x\nexample.org\n"))
    out = io.StringIO()
    call_command("check", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [f"http://bad.example.com/x\tblocked\t{blocked['dns'].pk}", "example.org\tnone\t-"]


def test_export_command_writes_a_file(blocked, tmp_path):
    target = tmp_path / "zone.rpz"
    call_command("export", "rpz", output=str(target), stderr=io.StringIO())
    assert "bad.example.com CNAME" in target.read_text()


def test_blocking_page_for_staff(analyst, blocked):
    from tests.pages import verified_client

    page = verified_client(analyst).get("/blocking/", {"check": "bad.example.com"})
    assert page.status_code == 200 and b"blocked" in page.content
    download = verified_client(analyst).get("/blocking/export/hosts/")
    assert b"0.0.0.0 bad.example.com" in download.content
    assert Client().get("/blocking/").status_code == 302
