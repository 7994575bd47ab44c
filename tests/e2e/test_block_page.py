"""A visitor sent to Vigil by a resolver's CNAME sees why the site is blocked and can appeal."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.e2e.conftest import CHROMIUM_ARGS, _chromium_path
from vigil.blocking import services as blocking_services
from vigil.cases import services as case_services
from vigil.cases.models import Appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_blocked_visitor_reads_the_reason_and_files_an_appeal(live_server, settings, tmp_path):
    from playwright.sync_api import sync_playwright

    settings.VIGIL_BLOCKLIST_DIR = tmp_path / "blocklist"
    settings.VIGIL_PUBLIC_URL = live_server.url
    blocking_services._holder.cache_clear()
    analyst, appraiser = factories.user("analyst"), factories.user("appraiser")
    approver = factories.user("approver")
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    decision = case_services.approve_decision(actor=approver, decision=factories.draft(analyst, case, item))
    blocking_services.rebuild_snapshot()
    port = urlsplit(live_server.url).port

    with sync_playwright() as playwright:
        # The resolver's CNAME, played by Chromium's host mapping: bad.example.com reaches Vigil.
        browser = playwright.chromium.launch(
            executable_path=_chromium_path(),
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP bad.example.com 127.0.0.1"],
        )
        page = browser.new_page(locale="vi-VN")
        response = page.goto(f"http://bad.example.com:{port}/login")
        assert response is not None and response.status == 451
        body = page.inner_text("body")
        assert f"Quyết định số {decision.pk}" in body and "Decision no." in body
        assert "Điều 290" in body
        page.click("a.button")
        page.wait_for_selector("#appeal-form")
        page.fill("#id_appellant", "Chủ sở hữu tên miền")
        page.fill("#id_contact", "chu@example.com")
        page.fill("#id_grounds", "Trang này đã bị gỡ nội dung giả mạo, đề nghị xem xét lại quyết định.")
        page.check("#id_consent")
        page.click("#appeal-form button[type=submit]")
        page.wait_for_selector("#tracking-code")
        code = page.inner_text("#tracking-code").strip()
        browser.close()
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.decision_id == decision.pk and appeal.state == "received"
