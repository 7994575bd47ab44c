"""Appeals against decisions: received → under review → upheld / overturned."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.choices import AppealState, DecisionState
from vigil.cases.models import Appeal, Decision
from vigil.cases.services.common import require_on_case
from vigil.cases.services.decisions import end_decision
from vigil.core import audit
from vigil.core.models import User
from vigil.errors import Conflict, FourEyesViolation, InvalidInput

APPEAL_FIELDS = ("state", "reviewer", "outcome_reason", "decided_at")


def record_appeal(
    *, actor: User, decision: Decision, appellant: str, grounds: str, contact: str = ""
) -> Appeal:
    """Register an appeal received against a decision."""
    require_on_case(actor, decision.case, "appeal.record")
    if not (appellant or "").strip():
        raise InvalidInput(_("Name the appellant."), details={"field": "appellant"})
    if len((grounds or "").strip()) < 10:
        raise InvalidInput(_("Write the grounds of the appeal."), details={"field": "grounds"})
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.state == DecisionState.DRAFT:
            raise Conflict(_("A draft has no effect yet and cannot be appealed."))
        appeal = Appeal.objects.create(
            decision=decision,
            appellant=appellant.strip()[:200],
            contact=contact.strip()[:300],
            grounds=grounds.strip(),
            received_by=actor,
        )
        audit.record(
            actor=actor,
            action="appeal.received",
            obj=appeal,
            case_id=decision.case_id,
            changes={"decision": [None, decision.pk]},
            summary=grounds[:500],
        )
    return appeal


def _tracking_code() -> str:
    # Unambiguous letters and digits; 8 of them make guessing a code hopeless.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "KN-" + "".join(secrets.choice(alphabet) for _ in range(8))


def record_public_appeal(*, decision: Decision, appellant: str, grounds: str, contact: str = "") -> Appeal:
    """An appeal filed by anyone through the public form linked from the block page."""
    if not (appellant or "").strip():
        raise InvalidInput(_("Give your name or your organisation's."), details={"field": "appellant"})
    if len((grounds or "").strip()) < 20:
        raise InvalidInput(
            _("Explain why the decision is wrong (at least a sentence or two)."), details={"field": "grounds"}
        )
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.state not in {DecisionState.APPROVED, DecisionState.ACTIVE}:
            raise Conflict(_("This decision is not in force, so there is nothing to appeal."))
        appeal = Appeal.objects.create(
            decision=decision,
            appellant=appellant.strip()[:200],
            contact=contact.strip()[:300],
            grounds=grounds.strip(),
            received_by=None,
            tracking_code=_tracking_code(),
        )
        audit.record(
            actor=None,
            action="appeal.received",
            obj=appeal,
            case_id=decision.case_id,
            changes={"decision": [None, decision.pk], "channel": [None, "public form"]},
            summary=grounds[:500],
        )
    return appeal


def _require_independent(actor: User, decision: Decision) -> None:
    if actor.pk in {decision.author_id, decision.approved_by_id}:
        raise FourEyesViolation(
            _("You drafted or approved this decision; the appeal must be reviewed by someone else.")
        )


def start_appeal_review(*, actor: User, appeal: Appeal) -> Appeal:
    """Take an appeal under review."""
    require_on_case(actor, appeal.decision.case, "appeal.review")
    _require_independent(actor, appeal.decision)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != AppealState.RECEIVED:
            raise Conflict(_("This appeal is already %(s)s.") % {"s": appeal.get_state_display()})
        before = audit.snapshot(appeal, APPEAL_FIELDS)
        appeal.state, appeal.reviewer = AppealState.UNDER_REVIEW, actor
        appeal.save(update_fields=list(APPEAL_FIELDS))
        audit.record(
            actor=actor,
            action="appeal.review_started",
            obj=appeal,
            case_id=appeal.decision.case_id,
            changes=audit.diff(before, audit.snapshot(appeal, APPEAL_FIELDS)),
        )
    return appeal


def resolve_appeal(*, actor: User, appeal: Appeal, outcome: str, reason: str) -> Appeal:
    """Uphold or overturn; overturning revokes the decision in the same transaction."""
    require_on_case(actor, appeal.decision.case, "appeal.review")
    _require_independent(actor, appeal.decision)
    if outcome not in {AppealState.UPHELD, AppealState.OVERTURNED}:
        raise InvalidInput(_("The outcome is either upheld or overturned."), details={"field": "outcome"})
    if len((reason or "").strip()) < 10:
        raise InvalidInput(_("Explain the outcome to the appellant."), details={"field": "reason"})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
        if appeal.state != AppealState.UNDER_REVIEW:
            raise Conflict(
                _("Only an appeal under review can be resolved (this one is %(s)s).")
                % {"s": appeal.get_state_display()}
            )
        if appeal.reviewer_id != actor.pk:
            raise Conflict(_("Another reviewer took this appeal; only they can resolve it."))
        before = audit.snapshot(appeal, APPEAL_FIELDS)
        appeal.state, appeal.outcome_reason, appeal.decided_at = (
            outcome,
            reason.strip(),
            timezone.now(),
        )
        appeal.save(update_fields=list(APPEAL_FIELDS))
        audit.record(
            actor=actor,
            action=f"appeal.{outcome}",
            obj=appeal,
            case_id=appeal.decision.case_id,
            changes=audit.diff(before, audit.snapshot(appeal, APPEAL_FIELDS)),
            summary=reason[:500],
        )
        if outcome == AppealState.OVERTURNED and appeal.decision.state in {
            DecisionState.APPROVED,
            DecisionState.ACTIVE,
        }:
            end_decision(
                actor=actor,
                decision=appeal.decision,
                state=DecisionState.REVOKED,
                reason=_("Overturned on appeal #%(id)s: %(r)s") % {"id": appeal.pk, "r": reason.strip()},
                action="decision.revoked",
            )
    return appeal
