"""The evidence store: content-addressed, write-once, size-limited, CSAM-safe, audited reads."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from vigil.cases import services
from vigil.core.models import AuditEvent
from vigil.errors import ContentRefused, InvalidInput, NotFound, TooLarge

pytestmark = pytest.mark.django_db


def _stored_files(root):
    return [path for path in root.rglob("*") if path.is_file() and ".incoming" not in path.parts]


def test_same_bytes_are_stored_once(analyst, evidence_root):
    first, second = factories.case(analyst), factories.case(analyst, title="Other")
    a = factories.evidence(analyst, first, content=b"identical bytes")
    b = factories.evidence(analyst, second, content=b"identical bytes")
    assert a.sha256 == b.sha256 == hashlib.sha256(b"identical bytes").hexdigest()
    files = _stored_files(evidence_root)
    assert len(files) == 1 and files[0].name == a.sha256
    assert files[0].read_bytes() == b"identical bytes"
    assert not files[0].stat().st_mode & 0o222, "stored evidence is read-only"
    added = AuditEvent.objects.filter(action="evidence.added").order_by("seq")
    assert [e.changes["stored_new_file"][1] for e in added] == [True, False]


def test_over_limit_upload_is_refused_and_nothing_is_kept(analyst, settings, evidence_root):
    settings.EVIDENCE_MAX_BYTES = 1024
    case = factories.case(analyst)
    with pytest.raises(TooLarge) as excinfo:
        services.add_evidence(actor=analyst, case=case, chunks=[b"x" * 600, b"y" * 600], filename="big.bin")
    assert excinfo.value.status == 413
    assert _stored_files(evidence_root) == []
    assert not case.evidence.exists()


def test_api_answers_413_for_an_over_limit_upload(api, analyst, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    case = factories.case(analyst)
    response = api(analyst).client.post(
        f"/api/v1/cases/{case.code}/evidence", {"file": SimpleUploadedFile("big.bin", b"z" * 5000)}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_body_far_over_the_limit_is_refused_before_it_is_read(api, analyst, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    case = factories.case(analyst)
    big = SimpleUploadedFile("huge.bin", b"z" * (2 * 1024 * 1024))
    response = api(analyst).client.post(f"/api/v1/cases/{case.code}/evidence", {"file": big})
    assert response.status_code == 413 and response.json()["limit_bytes"] == 1024
    assert not AuditEvent.objects.filter(action="evidence.added").exists()


def test_csam_content_is_never_stored(analyst, evidence_root, api):
    case = factories.case(analyst, category_code="csam", indicators=[("url", "http://abuse.example.com/x")])
    with pytest.raises(ContentRefused):
        factories.evidence(analyst, case, content=b"\xff\xd8\xff\xe0 pretend image")
    response = api(analyst).client.post(
        f"/api/v1/cases/{case.code}/evidence", {"file": SimpleUploadedFile("x.jpg", b"\xff\xd8\xff")}
    )
    assert response.status_code == 422 and response.json()["code"] == "content_refused"
    assert _stored_files(evidence_root) == []
    digest = hashlib.sha256(b"never stored").hexdigest()
    item = services.register_withheld_evidence(
        actor=analyst,
        case=case,
        sha256=digest.upper(),
        size=12,
        media_type="image/jpeg",
        note="reported hash",
    )
    assert item.sha256 == digest and not item.content_stored
    with pytest.raises(NotFound):
        services.open_evidence(actor=analyst, item=item)


def test_hash_only_is_for_referral_categories_only(analyst):
    case = factories.case(analyst)
    with pytest.raises(InvalidInput):
        services.register_withheld_evidence(
            actor=analyst, case=case, sha256="a" * 64, size=1, media_type="text/plain"
        )
    with pytest.raises(InvalidInput):
        services.register_withheld_evidence(
            actor=analyst,
            case=factories.case(analyst, category_code="csam"),
            sha256="nothex",
            size=1,
            media_type="x",
        )


def test_every_read_is_audited_and_content_verified(analyst, auditor, evidence_root):
    case = factories.case(analyst)
    item = factories.evidence(analyst, case, content=b"<html><script>alert(1)</script></html>")
    assert item.media_type == "text/html"
    with services.open_evidence(actor=auditor, item=item, purpose="review") as handle:
        assert handle.read().startswith(b"<html>")
    event = AuditEvent.objects.get(action="evidence.read")
    assert (event.actor, event.summary, event.case_id) == (auditor, "review", case.pk)
    assert services.evidence_store().verify(item.sha256)


def test_media_type_is_sniffed_not_trusted(analyst):
    case = factories.case(analyst)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    item = services.add_evidence(
        actor=analyst, case=case, chunks=[png], filename="screenshot.html", declared_media_type="text/html"
    )
    assert item.media_type == "image/png"


def test_empty_upload_is_refused(analyst):
    with pytest.raises(InvalidInput):
        services.add_evidence(actor=analyst, case=factories.case(analyst), chunks=[b""], filename="empty.txt")
