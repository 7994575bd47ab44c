"""Capture as a service: evidence on the case, signed manifest, audit, failure and retry, detectors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tests import factories
from tests.collection.helpers import capture_now
from vigil.cases.services import evidence_store
from vigil.collection import services
from vigil.collection.findings import appraisal_prefill
from vigil.collection.models import Capture, DetectorFinding
from vigil.core.models import AuditEvent
from vigil.errors import Conflict, ContentRefused, NotAllowed, NotFound
from vigil.lib.detectors.base import DetectorResult, PageFacts, registry
from vigil.lib.fetch import manifest

pytestmark = pytest.mark.django_db

EXPECTED_ARTEFACTS = ["page.html", "facts.json", "exchange.warc.gz", "manifest.json"]


def test_a_capture_stores_every_artefact_as_write_once_evidence(analyst, web):
    capture = capture_now(analyst, web.url("/bank/login"))
    assert capture.state == "succeeded", capture.failure_message
    artefacts = {a.name: a.evidence for a in capture.artefacts.select_related("evidence")}
    assert list(artefacts) == EXPECTED_ARTEFACTS
    store = evidence_store()
    for item in artefacts.values():
        assert item.case_id == capture.case_id and item.collector == "vigil-test-collector"
        assert item.source == capture.url and store.verify(item.sha256)
    assert artefacts["page.html"].media_type == "text/html"
    page = store.open(artefacts["page.html"].sha256).read()
    assert "Đăng nhập VCB Digibank" in page.decode()
    assert capture.title == "Vietcombank - Xác thực tài khoản khách hàng"
    assert (capture.http_status, capture.final_url, capture.cloaking_suspected) == (200, capture.url, False)
    assert capture.content_sha256 == hashlib.sha256(page).hexdigest()
    assert [s["state"] for s in capture.steps] == [
        "done",
        "done",
        "skipped",
        "done",
        "done",
        "skipped",
        "done",
        "done",
        "done",
        "done",
        "done",
    ]


def test_the_manifest_is_signed_and_lists_every_artefact_hash(analyst, web):
    capture = capture_now(analyst, web.url("/gambling"))
    signed = evidence_store().open(capture.manifest.sha256).read()
    b64, _pem, key_id = services.public_key()
    result = manifest.verify(signed, trusted_public_key=b64)
    assert result.ok and result.key_id == key_id
    body = result.manifest
    listed = {a["name"]: a["sha256"] for a in body["artefacts"]}
    stored = {
        a.name: a.evidence.sha256
        for a in capture.artefacts.select_related("evidence")
        if a.name != "manifest.json"
    }
    assert listed == stored
    assert body["capture"]["case"] == capture.case.code and body["capture"]["url"] == capture.url
    assert body["collector"] == "vigil-test-collector" and body["software"]["name"] == "vigil"


def test_verify_capture_command_checks_signature_and_files(analyst, web, tmp_path, capsys):
    capture = capture_now(analyst, web.url("/harmless"))
    store = evidence_store()
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_bytes(store.open(capture.manifest.sha256).read())
    call_command("verify_capture", str(manifest_path))  # artefacts from the evidence store
    assert "verified" in capsys.readouterr().out
    folder = tmp_path / "download"
    folder.mkdir()
    for artefact in capture.artefacts.select_related("evidence"):
        (folder / f"capture-{capture.pk}-{artefact.name}").write_bytes(
            store.open(artefact.evidence.sha256).read()
        )
    call_command("verify_capture", str(manifest_path), "--artefacts", str(folder))
    (folder / f"capture-{capture.pk}-page.html").write_bytes(b"<html>edited</html>")
    with pytest.raises(SystemExit) as exited:
        call_command("verify_capture", str(manifest_path), "--artefacts", str(folder))
    assert exited.value.code == 1
    assert "page.html: MISMATCH" in capsys.readouterr().err
    other_key = manifest.public_key_b64(manifest.generate_key())
    with pytest.raises(SystemExit):
        call_command("verify_capture", str(manifest_path), "--public-key", other_key)


def test_verify_capture_works_from_the_vigil_command_line(analyst, web, tmp_path, settings):
    capture = capture_now(analyst, web.url("/harmless"))
    path = tmp_path / "m.json"
    path.write_bytes(evidence_store().open(capture.manifest.sha256).read())
    key = services.public_key()[0]
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "verify-capture", str(path), "--no-store", "--public-key", key],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # No artefacts given: the signature verifies, the files are reported missing.
    assert "signed by key" in result.stdout and "MISSING" in result.stdout
    assert result.returncode == 1


def test_capture_writes_an_audit_trail(analyst, web):
    capture = capture_now(analyst, web.url("/harmless"))
    actions = list(
        AuditEvent.objects.filter(case_id=capture.case_id).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == ["capture.requested", "capture.completed"]
    completed = AuditEvent.objects.get(action="capture.completed", object_id=str(capture.pk))
    assert completed.changes["manifest_sha256"][1] == capture.manifest.sha256
    # One event names every artefact stored as evidence, by its hash.
    stored = set(capture.case.evidence.values_list("sha256", flat=True))
    assert set(completed.changes["artefacts"][1].values()) == stored and len(stored) >= 4


def test_a_failed_capture_says_which_step_and_why_and_can_be_retried(analyst, web):
    capture = capture_now(analyst, "http://127.0.0.1:9/login")
    assert (capture.state, capture.failure_step, capture.failure_code) == ("failed", "fetch", "connect_error")
    assert "cannot connect" in capture.failure_message
    assert not capture.case.evidence.exists()
    failed_steps = [s["name"] for s in capture.steps if s["state"] == "failed"]
    assert failed_steps == ["fetch"]
    assert capture.log_lines.filter(level="error").exists()
    retry = services.retry_capture(actor=analyst, capture=capture)
    assert retry.retry_of_id == capture.pk and retry.state == "queued"
    assert AuditEvent.objects.filter(action="capture.failed", object_id=str(capture.pk)).exists()
    with pytest.raises(Conflict):
        services.retry_capture(actor=analyst, capture=retry)


def test_only_capture_roles_on_visible_cases_may_capture(analyst, liaison, auditor, unit_reporter, web):
    case = factories.case(analyst)
    for user in (liaison, auditor):
        with pytest.raises((NotAllowed, NotFound)):
            services.request_capture(actor=user, case=case, url=web.url("/harmless"))
    with pytest.raises(NotAllowed):
        services.request_capture(actor=unit_reporter, case=case, url=web.url("/harmless"))
    appraiser = factories.user("appraiser")
    assert services.request_capture(actor=appraiser, case=case, url=web.url("/harmless")).state == "queued"


def test_referral_only_cases_are_never_captured(analyst, web):
    case = factories.case(analyst, category_code="csam", indicators=[])
    with pytest.raises(ContentRefused):
        services.request_capture(actor=analyst, case=case, url=web.url("/harmless"))


def test_bad_urls_are_refused_at_request_time(analyst):
    case = factories.case(analyst)
    for bad in ("ftp://example.com/x", "javascript:alert(1)", "", "not a url at all"):
        with pytest.raises(Exception):  # noqa: B017 - InvalidInput with a field-specific message
            services.request_capture(actor=analyst, case=case, url=bad)


def test_a_domain_indicator_is_captured_over_http(analyst):
    case = factories.case(analyst, indicators=[("domain", "vcb-xacthuc.example.com")])
    link = case.indicator_links.get()
    capture = services.request_capture(actor=analyst, case=case, indicator=link.indicator)
    assert capture.url == "http://vcb-xacthuc.example.com/"


def test_a_capture_killed_before_storing_is_reaped_and_retryable(analyst, web):
    case = factories.case(analyst)
    capture = services.request_capture(actor=analyst, case=case, url=web.url("/harmless"))
    old = timezone.now() - dt.timedelta(minutes=30)
    Capture.objects.filter(pk=capture.pk).update(
        state="running", started_at=old, heartbeat_at=old, current_step="fetch"
    )
    assert services.reap_stale_captures() == 1
    capture.refresh_from_db()
    assert (capture.state, capture.failure_step, capture.failure_code) == ("failed", "fetch", "interrupted")
    assert services.reap_stale_captures() == 0
    assert not case.evidence.exists()


def test_auto_capture_sweep_queues_each_new_url_once(analyst, unit_reporter, web):
    case = factories.case(analyst, indicators=[("url", web.url("/bank/login")), ("phone", "0912345678")])
    factories.case(unit_reporter, indicators=[("url", "http://reported-by-unit.example.com/")])
    assert services.auto_capture_sweep() == 1  # the unit reporter may not capture
    assert services.auto_capture_sweep() == 0
    (capture,) = Capture.objects.all()
    assert capture.case == case and capture.requested_by == analyst


@pytest.fixture
def password_detector():
    """A detector registered for the test only (the real ones live in vigil/lib/detectors)."""

    def detect(facts: PageFacts) -> DetectorResult | None:
        asks = [form for form in facts.forms if "password" in form.input_types]
        if not asks:
            return None
        return DetectorResult(
            "test_password_form",
            "phishing",
            0.93,
            "The page asks for a password and an OTP under a bank's name.",
            tuple(form.action for form in asks),
        )

    registry.register("test_password_form")(detect)
    yield detect
    registry._detectors.pop("test_password_form", None)


def test_detector_results_are_stored_shown_and_prefill_but_never_decide(analyst, web, password_detector):
    capture = capture_now(analyst, web.url("/bank/login"))
    finding = DetectorFinding.objects.get(capture=capture, detector="test_password_form")
    assert (finding.label, finding.score) == ("phishing", 0.93)
    assert finding.evidence == [web.url("/bank/collect")]
    with translation.override("en"):
        initial = appraisal_prefill(capture.case)
    assert "The page asks for a password" in initial["reasoning"]
    assert "check each against the captured page" in initial["reasoning"]
    assert initial["category"] == factories.category("phishing").pk
    assert "verdict" not in initial
    assert not capture.case.appraisals.exists() and not capture.case.decisions.exists()


def test_weak_results_do_not_prefill(analyst, web, password_detector, settings):
    settings.VIGIL_DETECTOR_PREFILL_SCORE = 0.95
    capture = capture_now(analyst, web.url("/bank/login"))
    assert DetectorFinding.objects.filter(capture=capture).exists()
    assert appraisal_prefill(capture.case) == {}


def test_a_detector_crash_fails_the_capture_at_detect_without_evidence(analyst, web):
    def broken(facts: PageFacts) -> DetectorResult | None:
        raise RuntimeError("detector bug")

    registry.register("test_broken")(broken)
    try:
        capture = capture_now(analyst, web.url("/harmless"))
    finally:
        registry._detectors.pop("test_broken", None)
    assert (capture.state, capture.failure_step) == ("failed", "detect")
    assert "detector bug" in capture.failure_message
    assert not capture.case.evidence.exists()


@pytest.mark.dns
def test_dns_answers_at_capture_time_come_from_the_configured_resolver(analyst, web, resolver_settings):
    capture = capture_now(analyst, f"http://www.bank.example.test:{web.port}/bank/login")
    assert capture.state == "succeeded", capture.failure_message
    dns = capture.summary["dns"]
    assert dns["resolver"] == f"127.0.0.1:{resolver_settings.port}"
    answers = {a["rdtype"]: a for a in dns["answers"]}
    assert answers["CNAME"]["values"] == ["bank.example.test."]
    assert answers["A"]["values"] == ["127.0.0.1"]
    assert answers["AAAA"]["status"] == "NODATA"
    assert answers["NS"]["name"] == "example.test" and answers["NS"]["values"] == [
        "ns1.example.test.",
        "ns2.example.test.",
    ]
    assert answers["MX"]["status"] == "NODATA"
    assert dns["zone"] == "example.test"
    facts = json.loads(evidence_store().open(capture.artefacts.get(name="facts.json").evidence.sha256).read())
    assert facts["dns"] == dns


@pytest.mark.dns
def test_a_name_that_does_not_exist_fails_at_the_dns_step(analyst, web, resolver_settings):
    capture = capture_now(analyst, f"http://nothing-here.example.test:{web.port}/")
    assert (capture.failure_step, capture.failure_code) == ("dns", "nxdomain")
    assert "NXDOMAIN" in capture.failure_message


def test_a_site_with_a_bad_certificate_is_still_captured(analyst, tls_web):
    capture = capture_now(analyst, tls_web.url("/bank/login"))
    assert capture.state == "succeeded"
    assert capture.tls_trusted is False
    tls = capture.summary["redirect_chain"][0]["tls"]
    assert "self-signed" in tls["problem"] and tls["chain"][0]["sha256_fingerprint"]


def test_a_malformed_resolver_setting_fails_the_capture_with_a_clear_reason(analyst, settings):
    settings.VIGIL_CAPTURE_RESOLVER = "127.0.0.1:fiftythree"
    case = factories.case(analyst)
    capture = services.request_capture(actor=analyst, case=case, url="http://example.com/")
    assert services.run_capture(capture.pk, analyst.pk) == "failed"
    capture.refresh_from_db()
    assert capture.failure_code == "internal_error" and "VIGIL_CAPTURE_RESOLVER" in capture.failure_message
