"""Every case transition, allowed and refused, and the guards on the way."""

from __future__ import annotations

import itertools

import pytest

from tests import factories
from vigil.cases import services
from vigil.cases.models import Case
from vigil.core.models import AuditEvent
from vigil.errors import InvalidInput, InvalidTransition, NotAllowed
from vigil.lib.case_workflow import STATUSES, TRANSITIONS

pytestmark = pytest.mark.django_db

PAIRS = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if a != b]


@pytest.fixture
def decided_case(analyst, appraiser, approver):
    """A case with evidence, an approved and an active decision, so every guard passes."""
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    services.approve_decision(actor=approver, decision=factories.draft(analyst, case, item), activate=False)
    services.approve_decision(actor=approver, decision=factories.draft(analyst, case, item))
    return case


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_transition_matrix(analyst, decided_case, current, target):
    Case.objects.filter(pk=decided_case.pk).update(status=current)
    case = Case.objects.get(pk=decided_case.pk)
    if target in TRANSITIONS[current]:
        services.transition_case(actor=analyst, case=case, target=target, reason="because")
        case.refresh_from_db()
        assert case.status == target
        event = AuditEvent.objects.filter(action="case.status_changed", case_id=case.pk).first()
        assert event is not None and event.changes["status"] == [current, target]
    else:
        with pytest.raises((InvalidTransition, NotAllowed)):
            services.transition_case(actor=analyst, case=case, target=target, reason="because")
        case.refresh_from_db()
        assert case.status == current


def test_refusal_message_names_the_allowed_moves(analyst):
    case = factories.case(analyst)
    with pytest.raises(InvalidTransition) as excinfo:
        services.transition_case(actor=analyst, case=case, target="closed")
    assert "cannot move to 'closed'; allowed: triage, rejected" in excinfo.value.message


def test_appraisal_needs_evidence(analyst):
    case = factories.case(analyst)
    services.transition_case(actor=analyst, case=case, target="triage")
    with pytest.raises(InvalidTransition, match="evidence"):
        services.transition_case(actor=analyst, case=case, target="appraisal")


def test_decided_needs_an_approved_decision(analyst, appraiser):
    case, _item = factories.case_ready_for_decision(analyst, appraiser)
    with pytest.raises(InvalidTransition, match="approved"):
        services.transition_case(actor=analyst, case=case, target="decided")


def test_rejection_needs_a_reason(analyst):
    case = factories.case(analyst)
    with pytest.raises(InvalidInput):
        services.transition_case(actor=analyst, case=case, target="rejected", reason="  ")


def test_roles_without_the_capability_cannot_move_cases(analyst, appraiser, liaison):
    case = factories.case(analyst)
    for actor in (appraiser, liaison):
        with pytest.raises(NotAllowed):
            services.transition_case(actor=actor, case=case, target="triage")


def test_case_codes_are_sequential_per_year(analyst):
    first, second = factories.case(analyst), factories.case(analyst, title="B")
    prefix, year, number = first.code.split("-")
    assert prefix == "VL" and len(number) == 6 and year.isdigit()
    assert int(second.code.split("-")[2]) == int(number) + 1
