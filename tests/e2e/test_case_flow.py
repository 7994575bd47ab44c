"""The foundation's whole flow in a real browser: TOTP log-in, case, indicator, evidence,
appraisal by one person, approval by another, and the audit trail showing it all."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_for_secret(secret: str) -> str:
    return f"{totp(base64.b32decode(secret)):06d}"


def _login(page, base: str, username: str, *, secret: str | None = None) -> None:
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    if secret is None:  # first log-in: enrol the authenticator shown on the page
        assert page.locator(".qr svg").count() == 1
        secret = page.inner_text("#totp-secret").strip()
    page.fill("#id_code", _code_for_secret(secret))
    page.click("main button[type=submit]")
    page.wait_for_selector("nav.mainnav")


def _enrolled(username: str, role: str) -> str:
    user = factories.user(role, username=username)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def test_case_from_report_to_approved_decision(live_server, new_page, tmp_path):
    base = live_server.url
    factories.user("analyst", username="an")
    appraiser_secret = _enrolled("ap", "appraiser")
    approver_secret = _enrolled("ok", "approver")
    auditor_secret = _enrolled("au", "auditor")

    analyst = new_page()
    _login(analyst, base, "an")
    assert TOTPDevice.objects.get(user__username="an").confirmed

    analyst.goto(f"{base}/cases/new/")
    analyst.fill("#id_title", "Tin nhắn mạo danh Vietcombank")
    analyst.select_option("#id_category", label="Phishing")
    analyst.fill("#id_indicator_text", "VCB thong bao: truy cap hxxps://vcb-xac-thuc[.]com/otp de mo khoa")
    analyst.click("#case-create button[type=submit]")
    analyst.wait_for_selector("#case-code")
    code = analyst.inner_text("#case-code")
    assert "https://vcb-xac-thuc.com/otp" in analyst.inner_text("#indicator-rows")

    analyst.select_option("#indicator-form select[name=type]", "phone")
    analyst.fill("#indicator-form input[name=value]", "0912 345 678")
    analyst.click("#indicator-form button[type=submit]")
    analyst.wait_for_selector("#indicator-rows >> text=+84 91")

    capture = tmp_path / "capture.html"
    capture.write_text("<html><body><form><input name=otp></form><script>alert(1)</script></body></html>")
    analyst.set_input_files("#evidence-form input[type=file]", str(capture))
    analyst.fill("#evidence-form input[name=source]", "https://vcb-xac-thuc.com/otp")
    analyst.click("#evidence-form button[type=submit]")
    analyst.wait_for_selector("#evidence-rows >> text=capture.html")

    for status in ("triage", "collecting", "appraisal"):
        analyst.select_option("#transition-form select[name=status]", status)
        analyst.click("#transition-form button[type=submit]")
        analyst.wait_for_selector(
            f"#case-status >> text={status.title() if status != 'collecting' else 'Collecting evidence'}"
        )

    analyst.click("#decisions summary")
    analyst.select_option("#decision-form select[name=action]", "dns_block")
    analyst.select_option("#decision-form select[name=scope]", "host")
    analyst.select_option("#decision-form select[name=indicator]", label="URL: https://vcb-xac-thuc.com/otp")
    analyst.select_option("#decision-form select[name=legal_basis]", index=1)
    analyst.fill("#decision-form textarea[name=reasoning]", "Chặn phân giải tên miền trang giả mạo.")
    analyst.check("#decision-form input[name=evidence]")
    analyst.click("#decision-form button[type=submit]")
    analyst.wait_for_selector(".decision [data-state=draft]")

    appraiser = new_page()
    _login(appraiser, base, "ap", secret=appraiser_secret)
    appraiser.goto(f"{base}/cases/{code}/")
    appraiser.select_option("#appraisal-form select[name=verdict]", "violation_confirmed")
    appraiser.fill("#appraisal-form textarea[name=reasoning]", "Giao diện giả Vietcombank, thu mã OTP.")
    appraiser.click("#appraisal-form button[type=submit]")
    appraiser.wait_for_selector("#appraisals >> text=Violation confirmed")

    approver = new_page()
    _login(approver, base, "ok", secret=approver_secret)
    approver.goto(f"{base}/cases/{code}/")
    approver.click(".decision button.approve")
    approver.wait_for_selector(".decision [data-state=active]")
    assert approver.inner_text("#case-status") == "Actioned"

    auditor = new_page()
    _login(auditor, base, "au", secret=auditor_secret)
    auditor.goto(f"{base}/audit/?verify=1")
    events = auditor.inner_text("#audit-events")
    for action in (
        "case.opened",
        "case.indicator_added",
        "evidence.added",
        "appraisal.added",
        "decision.drafted",
        "decision.approved",
        "user.totp_enrolled",
    ):
        assert action in events, action
    assert "Chain intact" in auditor.inner_text("#verify-result")
