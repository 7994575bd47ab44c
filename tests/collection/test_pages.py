"""The capture pages, the case page's Captures section, leads, and the API."""

from __future__ import annotations

import pytest

from tests import factories
from tests.collection.helpers import capture_now
from tests.pages import verified_client
from vigil.collection import services
from vigil.collection.models import Capture, Lead
from vigil.lib.detectors.base import DetectorResult, registry

pytestmark = pytest.mark.django_db


def test_case_page_shows_captures_and_starts_one_with_htmx(analyst, web):
    case = factories.case(analyst, indicators=[("url", web.url("/bank/login"))])
    client = verified_client(analyst)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'id="captures"' in page and 'id="capture-form"' in page
    link = case.indicator_links.get()
    response = client.post(
        f"/cases/{case.code}/capture/", {"indicator": link.indicator_id}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body, "the section polls while a capture runs"
    capture = Capture.objects.get(case=case)
    assert capture.state == "queued" and capture.indicator == link.indicator
    services.run_capture(capture.pk, analyst.pk)
    section = client.get(f"/cases/{case.code}/captures/").content.decode()
    assert 'data-state="succeeded"' in section and "every 2s" not in section


def test_case_page_reports_a_bad_url(analyst):
    case = factories.case(analyst)
    client = verified_client(analyst)
    response = client.post(
        f"/cases/{case.code}/capture/", {"url": "ftp://x.example/"}, HTTP_HX_REQUEST="true"
    )
    assert "error-box" in response.content.decode() and not Capture.objects.exists()


def test_liaison_sees_no_capture_form(analyst, liaison, isp):
    case = factories.case(analyst)
    case.concerned_organisations.add(isp)
    page = verified_client(liaison).get(f"/cases/{case.code}/").content.decode()
    assert 'id="captures"' in page and 'id="capture-form"' not in page
    response = verified_client(liaison).post(
        f"/cases/{case.code}/capture/", {"url": "http://x.example.com/"}, HTTP_HX_REQUEST="true"
    )
    assert "error-box" in response.content.decode() and not Capture.objects.exists()


def test_capture_page_shows_steps_artefacts_facts_and_public_key(analyst, web):
    capture = capture_now(analyst, web.url("/redirect/start"))
    page = verified_client(analyst).get(f"/captures/{capture.pk}/").content.decode()
    for needle in (
        'data-step="fetch" data-state="done"',
        'data-artefact="exchange.warc.gz"',
        "302 Found",
        'id="public-key"',
        services.public_key()[0],
        'data-variant="crawler"',
    ):
        assert needle in page, needle
    assert "Retry" not in page


def test_progress_fragment_polls_while_running_and_refreshes_when_done(analyst, web):
    case = factories.case(analyst)
    capture = services.request_capture(actor=analyst, case=case, url=web.url("/harmless"))
    client = verified_client(analyst)
    running = client.get(f"/captures/{capture.pk}/progress/")
    assert 'hx-trigger="every 1s"' in running.content.decode() and "HX-Refresh" not in running
    services.run_capture(capture.pk, analyst.pk)
    done = client.get(f"/captures/{capture.pk}/progress/?was=active")
    assert done["HX-Refresh"] == "true" and "every 1s" not in done.content.decode()


def test_failed_capture_page_names_the_step_and_offers_retry(analyst):
    capture = capture_now(analyst, "http://127.0.0.1:9/")
    client = verified_client(analyst)
    page = client.get(f"/captures/{capture.pk}/").content.decode()
    assert 'id="capture-failure"' in page and "fetch" in page and 'id="retry-form"' in page
    response = client.post(f"/captures/{capture.pk}/retry/")
    retry = Capture.objects.get(retry_of=capture)
    assert response.status_code == 302 and response["Location"] == f"/captures/{retry.pk}/"


def test_captures_of_invisible_cases_are_not_found(analyst, unit_reporter, web):
    capture = capture_now(analyst, web.url("/harmless"))
    client = verified_client(unit_reporter)
    assert client.get(f"/captures/{capture.pk}/").status_code == 404
    assert client.get(f"/captures/{capture.pk}/progress/").status_code == 404


def test_findings_show_on_the_case_and_prefill_the_appraisal_form(analyst, appraiser, web):
    def detect(facts):
        return DetectorResult("test_bank_words", "phishing", 0.9, "Tên ngân hàng và ô nhập OTP.", ("otp",))

    registry.register("test_bank_words")(detect)
    try:
        capture = capture_now(analyst, web.url("/bank/login"))
    finally:
        registry._detectors.pop("test_bank_words", None)
    page = verified_client(appraiser).get(f"/cases/{capture.case.code}/").content.decode()
    assert 'data-detector="test_bank_words"' in page and "Tên ngân hàng và ô nhập OTP." in page
    assert 'id="prefill-note"' in page
    form = page.split('id="appraisal-form"', 1)[1].split("</form>", 1)[0]
    assert "Tên ngân hàng và ô nhập OTP." in form  # the reasoning is pre-filled…
    assert (
        "selected" not in form.split('name="verdict"', 1)[1].split("</select>", 1)[0]
    )  # …the verdict is not


def test_leads_page_lists_and_handles_leads(analyst, web):
    capture_now(analyst, web.url("/bank/login"))
    capture_now(analyst, f"http://localhost:{web.port}/bank/login")
    lead = Lead.objects.get()
    client = verified_client(analyst)
    page = client.get("/leads/").content.decode()
    assert f'id="lead-{lead.pk}"' in page and "same_content" in page
    client.post(f"/leads/{lead.pk}/dismiss/", {"note": "đã xử lý"})
    assert Lead.objects.get().state == "dismissed"
    assert f'id="lead-{lead.pk}"' not in client.get("/leads/").content.decode()
    assert f'id="lead-{lead.pk}"' in client.get("/leads/?state=all").content.decode()


def test_host_history_page_for_staff_only(analyst, liaison, web):
    capture_now(analyst, web.url("/harmless"))
    services.reresolve_all()
    assert "127.0.0.1" in verified_client(analyst).get("/hosts/127.0.0.1/").content.decode()
    assert verified_client(liaison).get("/hosts/127.0.0.1/").status_code == 404


def test_public_key_is_public(client):
    text = client.get("/captures/public-key/").content.decode()
    assert "BEGIN PUBLIC KEY" in text and services.public_key()[0] in text


def test_api_starts_polls_and_retries_captures(analyst, api, web):
    case = factories.case(analyst)
    client = api(analyst)
    started = client.post(f"/cases/{case.code}/captures", {"url": web.url("/gambling")})
    assert started.status_code == 202, started.content
    capture_id = started.json()["id"]
    assert started.json()["state"] == "queued" and started.json()["steps"][0]["state"] == "pending"
    services.run_capture(capture_id, analyst.pk)
    done = client.get(f"/captures/{capture_id}").json()
    assert done["state"] == "succeeded" and done["title"].startswith("Nhà cái")
    assert {a["name"] for a in done["artefacts"]} >= {"page.html", "manifest.json", "exchange.warc.gz"}
    assert done["manifest_sha256"] == next(
        a["sha256"] for a in done["artefacts"] if a["name"] == "manifest.json"
    )
    assert [c["id"] for c in client.get(f"/cases/{case.code}/captures").json()] == [capture_id]
    refused = client.post(f"/captures/{capture_id}/retry")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    key = client.client.get("/api/v1/captures/public-key")
    assert key.json()["public_key"] == services.public_key()[0]


def test_api_refuses_roles_without_capture(analyst, liaison, isp, api, auditor):
    case = factories.case(analyst)
    case.concerned_organisations.add(isp)
    for user in (liaison, auditor):
        response = api(user).post(f"/cases/{case.code}/captures", {"url": "http://x.example.com/"})
        assert response.status_code == 403, response.content
    other = factories.case(analyst)
    assert (
        api(liaison).post(f"/cases/{other.code}/captures", {"url": "http://x.example.com/"}).status_code
        == 404
    )


def test_api_lists_and_links_leads(analyst, api, web):
    capture_now(analyst, web.url("/bank/login"))
    capture_now(analyst, f"http://localhost:{web.port}/bank/login")
    client = api(analyst)
    (lead,) = client.get("/leads").json()
    assert lead["kind"] == "same_content"
    linked = client.post(f"/leads/{lead['id']}/link", {"note": "cùng kit"})
    assert linked.status_code == 200 and linked.json()["state"] == "linked"
    assert client.get("/leads").json() == []
    assert len(client.get("/leads", {"state": "all"}).json()) == 1


def test_handling_a_lead_never_redirects_off_site(analyst, web):
    capture_now(analyst, web.url("/bank/login"))
    capture_now(analyst, f"http://localhost:{web.port}/bank/login")
    lead = Lead.objects.get()
    response = verified_client(analyst).post(
        f"/leads/{lead.pk}/dismiss/", {"next": "https://evil.example.com/phish"}
    )
    assert response.status_code == 302 and response["Location"] == "/leads/"
    assert Lead.objects.get().state == "dismissed"


def test_api_refuses_an_unknown_lead_state_and_a_negative_offset_is_harmless(analyst, api):
    client = api(analyst)
    refused = client.get("/leads", {"state": "opn"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_input"
    assert client.get("/leads", {"offset": -5}).json() == []


def test_api_case_captures_query_count_does_not_grow_with_captures(analyst, api, web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = factories.case(analyst)
    client = api(analyst)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/cases/{case.code}/captures").status_code == 200
        return len(context)

    capture_now(analyst, web.url("/harmless"), case=case)
    queries()  # the first request of a token also records its use
    one = queries()
    capture_now(analyst, web.url("/gambling"), case=case)
    assert queries() == one
