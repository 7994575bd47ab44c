"""Importing reports from files through the staff UI, with progress and a per-row error report."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pages import verified_client
from vigil.intake import services
from vigil.intake.models import ImportJob, Report

pytestmark = pytest.mark.django_db

CSV = (
    "kind,value,text,money_lost,external_id,indicators\n"
    "phone_call,0912345678,,2000000,r1,\n"
    "bank_account,,Chuyen tien vao tai khoan,,r2,bank_account:VCB:0123456789\n"
    "phone_call,abc,,,r3,\n"
    'sms,,=HYPERLINK("http://x") goi 0912345678,,r4,\n'
    "website,evil.example.com,,ten dong,r5,\n"
)


def test_csv_import_runs_in_background_with_row_errors(analyst, django_capture_on_commit_callbacks):
    client = verified_client(analyst)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/intake/import/", {"file": SimpleUploadedFile("reports.csv", CSV.encode())})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.total_rows == 5 and job.state == "queued" and len(callbacks) == 1
    page = client.get(f"/intake/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    services.run_import(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.accepted == 3 and job.processed_rows == 5
    assert sorted(e["row"] for e in job.errors) == [3, 5]
    assert {e["field"] for e in job.errors} == {"value", "money_lost"}
    assert set(Report.objects.values_list("external_id", flat=True)) == {"r1", "r2", "r4"}
    progress = client.get(f"/intake/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert (
        'data-state="done"' in progress and "hx-trigger" not in progress and 'id="import-errors"' in progress
    )
    errors_csv = client.get(f"/intake/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert errors_csv.startswith("row,field,message")


def test_json_import_and_bad_files(analyst):
    data = json.dumps({"items": [{"kind": "phone_call", "value": "0987654321"}, "nonsense"]}).encode()
    job = services.create_import(actor=analyst, name="r.json", data=data)
    services.run_import(job.pk)
    job.refresh_from_db()
    assert (job.accepted, [e["row"] for e in job.errors]) == (1, [2])
    client = verified_client(analyst)
    bad = client.post("/intake/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400 and "kind" in bad.content.decode()


def test_group_csv_export_neutralises_formulas(analyst):
    services.submit_report(
        services.prepare_report(
            kind="sms",
            text='=CMD("calc") goi 0912345678',
            description="+SUM(A1) @x -1",
            contact_email="x@y.vn",
            consent=True,
        )
    )
    from vigil.intake.models import TriageGroup

    group = TriageGroup.objects.get(value="+84912345678")
    body = verified_client(analyst).get(f"/intake/groups/{group.pk}/reports.csv").content.decode("utf-8-sig")
    assert "'=CMD" in body and "'+SUM" in body and "x@y.vn" not in body
    assert "\n=" not in body and ",=" not in body and ",+" not in body
