"""The public desk end to end in a real browser: a citizen reports a scam SMS with a screenshot
(solving the proof-of-work challenge in the page), staff triage it into a case, appraise, decide and
approve, and the citizen's status page and the public look-up show the outcome."""

from __future__ import annotations

import base64
import io

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from tests import factories
from vigil.blocking import services as blocking_services
from vigil.intake import services as intake_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMS = (
    "VCB thong bao: tai khoan cua quy khach bi khoa. Truy cap hxxps://vcb-mo-khoa[.]com/xac-thuc "
    "hoac goi 0912 345 678"
)


@pytest.fixture(autouse=True)
def desk_settings(settings, tmp_path):
    settings.VIGIL_INTAKE_ROOT = tmp_path / "intake"
    settings.VIGIL_BLOCKLIST_DIR = tmp_path / "blocklist"
    # The live server shares an in-memory test database; a second connection for group commit cannot.
    settings.VIGIL_INTAKE_GROUP_COMMIT = 0
    # Ask for proof of work from the first report on, so the page's own solver runs.
    settings.VIGIL_INTAKE_POW_AFTER_REPORTS_PER_IP = 0
    settings.VIGIL_INTAKE_POW_BITS = 10
    blocking_services._holder.cache_clear()
    return settings


def _enrolled(username: str, role: str) -> str:
    user = factories.user(role, username=username)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def _login(page, base: str, username: str, secret: str) -> None:
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    page.fill("#id_code", f"{totp(base64.b32decode(secret)):06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector("nav.mainnav")


def _screenshot(tmp_path) -> str:
    image = Image.new("RGB", (120, 200), (250, 250, 250))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (10.0, 15.0, 0.0), 3: "E", 4: (105.0, 58.0, 0.0)}
    path = tmp_path / "tin-nhan.jpg"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return str(path)


def test_citizen_report_to_decision_and_lookups(live_server, new_page, tmp_path):
    base = live_server.url
    analyst_secret = _enrolled("an", "analyst")
    appraiser_secret = _enrolled("ap", "appraiser")
    approver_secret = _enrolled("ok", "approver")

    citizen = new_page()
    citizen.goto(f"{base}/report/")
    assert citizen.get_attribute("#report-form", "data-pow-bits") == "10"
    citizen.check("input[name=kind][value=sms]")
    assert "Sender" in citizen.inner_text("#value-label")
    citizen.fill("#id_text", SMS)
    citizen.fill("#id_description", "Tôi suýt bấm vào đường dẫn.")
    citizen.set_input_files("#id_screenshots", _screenshot(tmp_path))
    citizen.click("summary")
    citizen.fill("#id_contact_email", "nguoi.dan@example.vn")
    citizen.check("#id_consent")
    citizen.click("main button[type=submit]")
    citizen.wait_for_selector("#tracking-code")
    code = citizen.inner_text("#tracking-code").strip()
    assert citizen.get_attribute("#report-status", "data-status") == "received"
    status_url = citizen.url.split("?")[0]

    # Another citizen reports only a phone number: it stays "reported" in the look-up.
    intake_services.submit_report(intake_services.prepare_report(kind="phone_call", value="0987 111 222"))

    analyst = new_page()
    _login(analyst, base, "an", analyst_secret)
    analyst.click("nav.mainnav >> text=Public reports")
    analyst.click("#group-rows >> text=+84 912 345 678")
    assert code in analyst.inner_text("#report-rows")
    analyst.fill("#open-case-form input[name=title]", "Tin nhắn giả mạo Vietcombank")
    analyst.select_option("#open-case-form select[name=category]", label="Phishing")
    analyst.click("#open-case-form button[type=submit]")
    analyst.wait_for_selector("#case-code")
    case_code = analyst.inner_text("#case-code")
    assert "vcb-mo-khoa.com" in analyst.inner_text("#indicator-rows")
    assert "tin-nhan.jpg" in analyst.inner_text("#evidence-rows")

    citizen.goto(status_url)
    assert citizen.get_attribute("#report-status", "data-status") == "checking"

    for status, label in (
        ("triage", "Triage"),
        ("collecting", "Collecting evidence"),
        ("appraisal", "Appraisal"),
    ):
        analyst.select_option("#transition-form select[name=status]", status)
        analyst.click("#transition-form button[type=submit]")
        analyst.wait_for_selector(f"#case-status >> text={label}")

    appraiser = new_page()
    _login(appraiser, base, "ap", appraiser_secret)
    appraiser.goto(f"{base}/cases/{case_code}/")
    appraiser.select_option("#appraisal-form select[name=verdict]", "violation_confirmed")
    appraiser.fill("#appraisal-form textarea[name=reasoning]", "Trang giả Vietcombank, thu mã OTP.")
    appraiser.click("#appraisal-form button[type=submit]")
    appraiser.wait_for_selector("#appraisals >> text=Violation confirmed")

    analyst.reload()
    analyst.click("#decisions summary")
    analyst.select_option("#decision-form select[name=action]", "dns_block")
    analyst.select_option("#decision-form select[name=scope]", "host")
    analyst.select_option(
        "#decision-form select[name=indicator]", label="URL: https://vcb-mo-khoa.com/xac-thuc"
    )
    analyst.select_option("#decision-form select[name=legal_basis]", index=1)
    analyst.fill("#decision-form textarea[name=reasoning]", "Chặn phân giải tên miền giả mạo.")
    analyst.locator("#decision-form input[name=evidence]").first.check()
    analyst.click("#decision-form button[type=submit]")
    analyst.wait_for_selector(".decision [data-state=draft]")

    approver = new_page()
    _login(approver, base, "ok", approver_secret)
    approver.goto(f"{base}/cases/{case_code}/")
    approver.click(".decision button.approve")
    approver.wait_for_selector(".decision [data-state=active]")

    citizen.goto(status_url)
    assert citizen.get_attribute("#report-status", "data-status") == "acted_on"
    decisions = citizen.inner_text("#public-decisions")
    assert "Decision no." in decisions and "vcb-mo-khoa.com" in decisions
    assert "nguoi.dan@example.vn" not in citizen.content()

    # The worker would rebuild the blocklist snapshot after the approval; do it here.
    blocking_services.rebuild_snapshot()
    lookups = new_page()
    for value, verdict in (
        ("vcb-mo-khoa.com", "blocked"),
        ("0987111222", "reported"),
        ("0966 000 999", "none"),
    ):
        lookups.goto(f"{base}/lookup/")
        lookups.fill("#id_q", value)
        lookups.click("#lookup-form button[type=submit]")
        lookups.wait_for_selector("#lookup-result")
        assert lookups.get_attribute("#lookup-result", "data-verdict") == verdict, value
    lookups.goto(f"{base}/lookup/?q=vcb-mo-khoa.com")
    assert "Blocked by decision no." in lookups.inner_text("#lookup-result")
