"""The public desk without log-in: report, status, look-up, warnings; abuse guards; no stored XSS."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests import factories
from tests.intake.conftest import png_with_exif
from vigil.blocking import services as blocking_services
from vigil.cases import services as case_services
from vigil.core.models import AuditEvent
from vigil.intake import guards, services
from vigil.intake.models import Report, Screenshot, TriageGroup

pytestmark = pytest.mark.django_db

SMS = "VCB thong bao: tai khoan bi khoa, truy cap hxxps://vcb-mo-khoa[.]com hoac goi 0912345678"


def _client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _post(client: Client, **fields):
    data = {"kind": "sms", "value": "", "text": SMS, "description": "", "money_lost": "", "happened_on": ""}
    data.update(fields)
    return client.post("/report/", data)


def test_form_is_vietnamese_first_and_small():
    response = Client().get("/report/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="vi"' in body
    assert len(response.content) < 30_000
    assert "desk.js" in body and "htmx" not in body
    assert "Gửi phản ánh" in body  # Vietnamese by default


def test_report_gets_a_code_and_a_status_page():
    client = _client()
    response = _post(client)
    assert response.status_code == 303
    location = response["Location"]
    code = location.split("/")[3]
    report = Report.objects.get(tracking_code=code)
    page = client.get(location)
    body = page.content.decode()
    assert code in body and 'data-status="received"' in body
    assert "vcb-mo-khoa.com" in body
    assert report.channel == "web" and report.language == "en"
    # The reporter's address is kept nowhere, not even in the audit event of the report.
    assert AuditEvent.objects.get(action="report.received").source_ip is None


def test_errors_show_beside_their_fields_and_nothing_is_stored():
    response = _post(
        _client(), kind="phone_call", value="not a number", text="", money_lost="lots", contact_email="a@b.vn"
    )
    body = response.content.decode()
    assert response.status_code == 400
    for field in ("value", "money_lost", "consent"):
        assert f'id="error-{field}"' in body, field
    assert not Report.objects.exists()


def test_screenshot_is_reencoded_without_exif(settings):
    original = png_with_exif((64, 48))
    assert b"PhoneMaker" in original
    upload = SimpleUploadedFile("photo.jpg", original, content_type="image/jpeg")
    response = _post(_client(), screenshots=[upload])
    assert response.status_code == 303, response.content.decode()[:2000]
    shot = Screenshot.objects.get()
    assert (shot.width, shot.height) == (64, 48)
    stored = services.screenshots.store().open(shot.sha256).read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert hashlib.sha256(stored).hexdigest() == shot.sha256


def test_non_images_and_too_large_images_are_refused_whole(settings):
    response = _post(_client(), screenshots=[SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>")])
    assert response.status_code == 400
    assert 'id="error-screenshots"' in response.content.decode()
    settings.VIGIL_INTAKE_SCREENSHOT_MAX_BYTES = 100
    response = _post(_client(), screenshots=[SimpleUploadedFile("p.jpg", png_with_exif())])
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_rate_limit_answers_429_with_retry_after(settings):
    settings.VIGIL_INTAKE_REPORTS_PER_IP_HOUR = 2
    client = _client()
    assert _post(client).status_code == 303
    assert _post(client).status_code == 303
    limited = _post(client)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Report.objects.count() == 2


def test_lookup_rate_limit(settings):
    settings.VIGIL_INTAKE_LOOKUPS_PER_IP_MINUTE = 1
    client = _client()
    assert client.get("/lookup/", {"q": "0912345678"}).status_code == 200
    response = client.get("/lookup/", {"q": "0912345678"})
    assert response.status_code == 429 and response["Retry-After"]


def test_proof_of_work_is_asked_under_load(settings):
    settings.VIGIL_INTAKE_POW_LOAD_PER_MINUTE = 1
    settings.VIGIL_INTAKE_POW_BITS = 8
    client = _client()
    assert _post(client).status_code == 303  # first one: no load yet
    page = client.get("/report/").content.decode()
    assert 'data-pow-bits="8"' in page
    refused = _post(client)
    assert refused.status_code == 400 and Report.objects.count() == 1
    challenge = guards.new_challenge(8)
    nonce = next(
        n
        for n in range(1_000_000)
        if guards.leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) >= 8
    )
    assert _post(client, pow_challenge=challenge, pow_nonce=str(nonce)).status_code == 303
    replay = _post(client, pow_challenge=challenge, pow_nonce=str(nonce))
    assert replay.status_code == 400, "a solution is good for one report only"
    weak = guards.new_challenge(1)
    assert not guards.solved(weak, "0", 8)


def test_status_page_unknown_code_is_404_and_find_form_redirects():
    client = _client()
    assert client.get("/report/status/PA-AAAAAAAA/").status_code == 404
    report = services.submit_report(services.prepare_report(kind="phone_call", value="0912345678"))
    response = client.get("/report/status/", {"code": report.tracking_code.lower()})
    assert response.status_code == 302 and report.tracking_code in response["Location"]


def test_texts_are_escaped_everywhere(analyst):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> goi 0912345678'
    report = services.submit_report(services.prepare_report(kind="sms", text=evil, description=evil))
    from tests.pages import verified_client

    staff = verified_client(analyst)
    group = TriageGroup.objects.get(value="+84912345678")
    for url in (f"/intake/groups/{group.pk}/", f"/intake/reports/{report.tracking_code}/", "/intake/"):
        body = staff.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
    public = _client().get(f"/report/status/{report.tracking_code}/").content.decode()
    assert "<script>alert" not in public


def test_lookup_verdicts(analyst, appraiser, approver):
    client = _client()
    unknown = client.get("/lookup/", {"q": "0987 000 111"})
    assert 'data-verdict="none"' in unknown.content.decode()
    services.submit_report(
        services.prepare_report(
            kind="phone_call",
            value="0912345678",
            description="Kẻ gian xưng công an",
            contact_name="Bí mật",
            contact_email="victim@example.vn",
            consent=True,
        )
    )
    services.submit_report(services.prepare_report(kind="phone_call", value="0912 345 678"))
    reported = client.get("/lookup/", {"q": "+84 912 345 678"}).content.decode()
    assert 'data-verdict="reported"' in reported
    assert 'id="report-count">2<' in reported
    assert "Bí mật" not in reported and "victim@" not in reported and "xưng công an" not in reported

    case, item = factories.case_ready_for_decision(analyst, appraiser)
    decision = factories.draft(analyst, case, item)
    case_services.approve_decision(actor=approver, decision=decision)
    blocking_services.rebuild_snapshot()
    blocked = client.get("/lookup/", {"q": "hxxp://bad.example[.]com/login"}).content.decode()
    assert 'data-verdict="blocked"' in blocked
    assert f"decision no. {decision.pk}" in blocked.lower()
    api = client.get("/api/v1/public/lookup", {"value": "http://bad.example.com/login"}).json()
    assert api["verdict"] == "blocked" and api["decisions"][0]["decision_id"] == decision.pk
    assert not AuditEvent.objects.filter(action__startswith="lookup").exists()


def test_confirmed_scam_without_block(analyst, appraiser):
    case = factories.case(analyst, indicators=[("phone", "0909 111 222")])
    case_services.transition_case(actor=analyst, case=case, target="triage")
    case_services.transition_case(actor=analyst, case=case, target="collecting")
    factories.evidence(analyst, case)
    case_services.transition_case(actor=analyst, case=case, target="appraisal")
    case_services.add_appraisal(
        actor=appraiser,
        case=case,
        verdict="violation_confirmed",
        reasoning="Số điện thoại lừa đảo đã xác minh.",
    )
    body = _client().get("/lookup/", {"q": "0909111222"}).content.decode()
    assert 'data-verdict="confirmed"' in body


def test_lookup_of_nonsense_says_so():
    response = _client().get("/lookup/", {"q": "xin chào"})
    assert response.status_code == 400
    assert "could not recognise" in response.content.decode()


def test_warnings_list_search_and_feeds(analyst):
    services.save_advisory(
        actor=analyst,
        title="Cảnh báo giả danh Điện lực",
        body="Kẻ gian gọi điện báo cắt điện, yêu cầu chuyển tiền. <b>Không</b> làm theo.",
        category=factories.category("fraud"),
        indicator_lines="0912345678\nevn-thanhtoan.com",
        publish=True,
    )
    services.save_advisory(
        actor=analyst, title="Bản nháp", body="Chưa đăng, chưa đăng, chưa đăng.", category=None
    )
    client = _client()
    listing = client.get("/warnings/").content.decode()
    assert "giả danh Điện lực" in listing and "Bản nháp" not in listing
    assert "<b>Không</b>" not in listing
    assert "Điện lực" in client.get("/warnings/", {"q": "dien luc"}).content.decode()
    assert "Điện lực" not in client.get("/warnings/", {"q": "ngan hang"}).content.decode()
    atom = client.get("/warnings/feed.atom")
    assert atom.status_code == 200 and b"<feed" in atom.content and "giả danh".encode() in atom.content
    feed = client.get("/warnings/feed.json").json()
    assert feed["version"].endswith("1.1")
    assert feed["items"][0]["title"] == "Cảnh báo giả danh Điện lực"
    assert "phone:+84912345678" in feed["items"][0]["tags"]


def test_javascript_proof_of_work_matches_python():
    # The vendored solver counts zero bits the same way the server does (checked in the browser test);
    # here: the helper itself.
    assert guards.leading_zero_bits(b"\x00\x0f") == 12
    assert guards.leading_zero_bits(b"\x80") == 0


def test_lookup_names_a_decision_on_a_value_outside_the_blocklist(analyst, appraiser, approver):
    case = factories.case(analyst, indicators=[("phone", "0909 111 222")])
    for status in ("triage", "collecting"):
        case_services.transition_case(actor=analyst, case=case, target=status)
    item = factories.evidence(analyst, case)
    case_services.transition_case(actor=analyst, case=case, target="appraisal")
    case_services.add_appraisal(
        actor=appraiser,
        case=case,
        verdict="violation_confirmed",
        reasoning="Số điện thoại lừa đảo đã xác minh.",
    )
    decision = factories.draft(analyst, case, item, action="takedown_request", scope="indicator")
    case_services.approve_decision(actor=approver, decision=decision)
    api = _client().get("/api/v1/public/lookup", {"value": "0909111222"}).json()
    assert api["verdict"] == "confirmed"
    assert [d["decision_id"] for d in api["decisions"]] == [decision.pk]


def test_proof_of_work_is_asked_from_an_address_that_sent_several_reports(settings):
    settings.VIGIL_INTAKE_POW_AFTER_REPORTS_PER_IP = 2
    settings.VIGIL_INTAKE_POW_BITS = 8
    busy = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.7")
    assert 'data-pow-bits="0"' in busy.get("/report/").content.decode()
    for _ in range(2):
        assert _post(busy).status_code == 303
    assert 'data-pow-bits="8"' in busy.get("/report/").content.decode()
    assert _post(busy).status_code == 400
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.8")
    assert 'data-pow-bits="0"' in other.get("/report/").content.decode()
    assert _post(other).status_code == 303
