"""The audit trail: hash chain, append-only triggers, tamper detection."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests import factories
from vigil.cases import services as case_services
from vigil.cases.models import EvidenceItem
from vigil.core import audit, guards
from vigil.core.models import AuditEvent
from vigil.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_events_form_a_verifiable_chain(analyst):
    case = factories.case(analyst)
    verdict = audit.verify()
    events = list(AuditEvent.objects.order_by("seq"))
    assert verdict.ok and verdict.checked == len(events) >= 3
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    opened = AuditEvent.objects.get(action="case.opened")
    assert opened.case_id == case.pk and opened.actor == analyst
    assert opened.changes["title"] == [None, case.title]


def test_source_ip_is_recorded_from_the_request_context(analyst):
    token = audit.set_context(audit.RequestContext(source_ip="203.0.113.7"))
    try:
        factories.case(analyst)
    finally:
        audit.reset_context(token)
    assert AuditEvent.objects.get(action="case.opened").source_ip == "203.0.113.7"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET summary = 'rewritten' WHERE seq = 1",
        "DELETE FROM core_auditevent WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(analyst, statement):
    factories.case(analyst)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(statement)
    assert AuditEvent.objects.filter(seq=1).exclude(summary="rewritten").exists()


def test_verify_names_the_row_changed_behind_the_applications_back(analyst):
    factories.case(analyst)
    factories.case(analyst, title="Second")
    total = AuditEvent.objects.count()
    target = AuditEvent.objects.order_by("seq")[2]
    guards.remove(connection, [guards.AUDIT_GUARD])
    _raw("UPDATE core_auditevent SET summary = %s WHERE seq = %s", ["nothing to see", target.seq])
    guards.install(connection, [guards.AUDIT_GUARD])

    verdict = audit.verify()
    assert not verdict.ok
    assert verdict.first_broken_seq == target.seq
    assert verdict.checked == target.seq - 1 < total
    with pytest.raises(CommandError, match=rf"BROKEN at event #{target.seq}\b"):
        call_command("audit", "verify")


def test_verify_detects_a_relinked_chain(analyst):
    """Recomputing one row's hash is not enough: the next row's link breaks."""
    factories.case(analyst)
    events = list(AuditEvent.objects.order_by("seq"))
    victim = events[1]
    guards.remove(connection, [guards.AUDIT_GUARD])
    victim.summary = "forged"
    forged_hash = audit.event_hash(victim.prev_hash, audit._payload(victim))
    _raw(
        "UPDATE core_auditevent SET summary = %s, hash = %s WHERE seq = %s",
        ["forged", forged_hash, victim.seq],
    )
    guards.install(connection, [guards.AUDIT_GUARD])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == victim.seq + 1


def test_verify_detects_events_removed_from_the_end(analyst):
    factories.case(analyst)
    last = AuditEvent.objects.order_by("-seq").first()
    guards.remove(connection, [guards.AUDIT_GUARD])
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [last.seq])
    guards.install(connection, [guards.AUDIT_GUARD])
    verdict = audit.verify()
    assert not verdict.ok
    assert "recorded head" in verdict.reason


def test_intact_trail_passes_the_command(analyst, capsys):
    factories.case(analyst)
    call_command("audit", "verify")
    assert "audit trail intact" in capsys.readouterr().out


def test_a_refused_action_leaves_no_event(analyst):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput):
        factories.case(analyst, indicators=[("url", "http://")])
    assert AuditEvent.objects.count() == before


def test_evidence_content_columns_are_write_once(analyst):
    case = factories.case(analyst)
    item = factories.evidence(analyst, case)
    with pytest.raises(DatabaseError, match="write-once"), transaction.atomic():
        _raw("UPDATE cases_evidenceitem SET sha256 = %s WHERE id = %s", ["0" * 64, item.pk])
    with pytest.raises(DatabaseError, match="write-once"), transaction.atomic():
        _raw("DELETE FROM cases_evidenceitem WHERE id = %s", [item.pk])
    other = factories.case(analyst, title="Other")
    EvidenceItem.objects.filter(pk=item.pk).update(case=other)  # merging moves evidence: allowed
    item.refresh_from_db()
    assert item.case == other


def test_merge_keeps_audit_events_and_chain(analyst):
    source = factories.case(analyst, indicators=[("phone", "0912345678")])
    target = factories.case(analyst, title="Target")
    source_events = set(AuditEvent.objects.filter(case_id=source.pk).values_list("seq", flat=True))
    case_services.merge_cases(actor=analyst, source=source, target=target, reason="same scam")
    assert source_events <= set(AuditEvent.objects.filter(case_id=source.pk).values_list("seq", flat=True))
    assert audit.verify().ok
