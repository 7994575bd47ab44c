"""Bulk import of lists as draft decisions, and their approval as one audited act."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from vigil.blocking.imports import approve_drafts, import_list
from vigil.cases import services as case_services
from vigil.cases.models import Decision
from vigil.core.models import AuditEvent
from vigil.errors import FourEyesViolation, NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FEED = b"""# scam feed, hosts format
0.0.0.0 vcb-xacthuc.example.com
0.0.0.0 login.bidv-secure.example.net
0.0.0.0 facebook.com
0.0.0.0 not_a_domain!!
hxxp://phish.example.org/otp
203.0.113.7
104.16.1.1
"""


def _import(actor, content=FEED, source="feed.example/scam.txt"):
    return import_list(
        actor=actor,
        content=content,
        source=source,
        category=factories.category("fraud"),
        legal_basis=factories.legal_basis("blhs-174"),
    )


def test_a_list_becomes_drafts_with_per_line_errors(analyst):
    report = _import(analyst)
    assert report.entries == 7 and report.drafted == 5 and report.unchanged == 0
    assert [line for line, _message in report.errors] == [4, 5]
    assert (
        "protected" in dict(report.errors)[4] and "not a URL, domain or IP address" in dict(report.errors)[5]
    )
    decisions = {d.target: (d.action, d.scope, d.state) for d in Decision.objects.all()}
    assert decisions["vcb-xacthuc.example.com"] == ("dns_block", "host", "draft")
    assert decisions["http://phish.example.org/otp"] == ("takedown_request", "exact_url", "draft")
    assert decisions["203.0.113.7"] == ("ip_block", "ip", "draft")
    assert report.routed_to_takedown == 1
    case = Decision.objects.first().case
    assert case.evidence.get().original_name.startswith("feed.example")
    assert all(d.evidence.exists() for d in Decision.objects.all())
    event = AuditEvent.objects.get(action="blocklist.list_imported")
    assert event.changes["drafted"] == [None, 5]


def test_registrable_domains_get_domain_scope(analyst):
    _import(analyst, b"lua-dao.example.com\nexample-scam.net\n")
    scopes = dict(Decision.objects.values_list("target", "scope"))
    assert scopes == {"lua-dao.example.com": "host", "example-scam.net": "registrable_domain"}


def test_reimporting_the_same_list_changes_nothing(analyst):
    first = _import(analyst)
    events = AuditEvent.objects.count()
    again = _import(analyst)
    assert again.drafted == 0 and again.unchanged == first.drafted and again.case_code == first.case_code
    assert Decision.objects.count() == first.drafted
    assert AuditEvent.objects.count() == events + 1  # only the import itself is recorded


def test_bulk_approval_keeps_four_eyes_and_skips_shared_addresses(analyst, appraiser, approver):
    report = _import(analyst)
    case = Decision.objects.first().case
    both = factories.user(["analyst", "approver"])
    with pytest.raises(FourEyesViolation):
        approve_drafts(actor=approver, case=case)  # nobody else appraised it yet
    case_services.add_appraisal(
        actor=appraiser,
        case=case,
        verdict="violation_confirmed",
        reasoning="Danh sách từ nguồn tin cậy, đã kiểm tra mẫu.",
    )
    with pytest.raises(NotAllowed):
        approve_drafts(actor=analyst, case=case)
    result = approve_drafts(actor=approver, case=case)
    assert result.approved == report.drafted - 1 and result.skipped_shared_ip == ["104.16.1.1"]
    assert Decision.objects.filter(state="active", approved_by=approver).count() == result.approved
    event = AuditEvent.objects.get(action="decision.bulk_approved")
    assert len(event.changes["decisions"][1]) == result.approved
    assert both  # a user who both imports and approves is refused the same way (see above)


def test_command_line_import_and_approval(analyst, appraiser, approver, tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"scam-one.example.com\nscam-two.example.com\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_list",
        str(path),
        category="fraud",
        legal_basis="blhs-174",
        source="cli-test",
        actor="analyst",
        stdout=out,
        stderr=err,
    )
    assert "2 new drafts" in out.getvalue()
    code = out.getvalue().split()[1].rstrip(":")
    case = Decision.objects.first().case
    assert case.code == code
    case_services.add_appraisal(
        actor=appraiser,
        case=case,
        verdict="violation_confirmed",
        reasoning="Đã kiểm tra từng tên miền trong danh sách.",
    )
    call_command("approve_import", code, actor="approver", stdout=out)
    assert "2 decisions approved" in out.getvalue()
    with pytest.raises(CommandError, match="no drafts"):
        call_command("approve_import", code, actor="approver", stdout=out)


def test_a_list_imported_as_public_warnings_blocks_nothing(analyst):
    report = import_list(
        actor=analyst,
        content=b"warn.example.com\nhttp://warn.example.org/otp\n203.0.113.8\n",
        source="warnings",
        category=factories.category("fraud"),
        legal_basis=factories.legal_basis("blhs-174"),
        action="public_warning",
    )
    assert report.drafted == 3 and report.routed_to_takedown == 0
    assert set(Decision.objects.values_list("action", flat=True)) == {"public_warning"}
    assert Decision.objects.get(target="203.0.113.8").scope == "ip"


def test_addresses_on_a_takedown_list_are_reported_not_blocked(analyst):
    report = import_list(
        actor=analyst,
        content=b"takedown.example.com\n203.0.113.9\n",
        source="takedowns",
        category=factories.category("fraud"),
        legal_basis=factories.legal_basis("blhs-174"),
        action="takedown_request",
    )
    assert report.drafted == 1 and [line for line, _message in report.errors] == [2]
    assert list(Decision.objects.values_list("target", "action")) == [
        ("takedown.example.com", "takedown_request")
    ]


def test_confirmed_shared_addresses_are_recorded_on_the_decision(analyst, appraiser, approver):
    _import(analyst)
    case = Decision.objects.first().case
    case_services.add_appraisal(
        actor=appraiser, case=case, verdict="violation_confirmed", reasoning="Đã kiểm tra mẫu."
    )
    result = approve_drafts(actor=approver, case=case, confirm_shared_ip=True)
    assert result.skipped_shared_ip == []
    shared = Decision.objects.get(target="104.16.1.1")
    assert shared.state == "active" and shared.shared_ip_confirmed_by == approver
    assert Decision.objects.get(target="203.0.113.7").shared_ip_confirmed_by is None


def test_the_importer_cannot_approve_its_own_drafts(appraiser):
    both = factories.user(["analyst", "approver"])
    _import(both)
    case = Decision.objects.first().case
    case_services.add_appraisal(
        actor=appraiser, case=case, verdict="violation_confirmed", reasoning="Đã kiểm tra mẫu."
    )
    with pytest.raises(FourEyesViolation, match="You drafted"):
        approve_drafts(actor=both, case=case)
    assert not Decision.objects.filter(state="active").exists()
