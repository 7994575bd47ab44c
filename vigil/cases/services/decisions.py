"""Appraisals and decisions, with the four-eyes rule enforced here and nowhere else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vigil.blocking import policy
from vigil.cases import hooks
from vigil.cases.choices import AppraisalVerdict, CaseStatus, DecisionScope, DecisionState
from vigil.cases.models import Appraisal, Case, Decision, EvidenceItem
from vigil.cases.services.cases import transition_case
from vigil.cases.services.common import require_on_case
from vigil.core import audit
from vigil.core.choices import ActionKind
from vigil.core.models import Category, LegalBasis, User
from vigil.errors import Conflict, FourEyesViolation, InvalidInput
from vigil.indicators.models import Indicator
from vigil.lib.decision_scope import ScopeError, check_action_scope, target_for

MAX_EXPIRY = dt.timedelta(days=3 * 365)
DECISION_FIELDS = (
    "state",
    "approved_by",
    "approved_at",
    "shared_ip_confirmed_by",
    "shared_ip_confirmed_at",
    "activated_at",
    "ended_at",
    "end_reason",
)


def add_appraisal(
    *, actor: User, case: Case, verdict: str, reasoning: str, category: Category | None = None
) -> Appraisal:
    """Record one appraiser's written assessment."""
    require_on_case(actor, case, "appraisal.add")
    if verdict not in AppraisalVerdict.values:
        raise InvalidInput(_("Unknown verdict."), details={"field": "verdict"})
    if len((reasoning or "").strip()) < 10:
        raise InvalidInput(_("Write the reasoning (at least a sentence)."), details={"field": "reasoning"})
    with transaction.atomic():
        appraisal = Appraisal.objects.create(
            case=case,
            appraiser=actor,
            verdict=verdict,
            reasoning=reasoning.strip(),
            category=category,
        )
        audit.record(
            actor=actor,
            action="appraisal.added",
            obj=appraisal,
            case_id=case.pk,
            changes={"verdict": [None, verdict]},
            summary=reasoning[:500],
        )
    return appraisal


def _check_expiry(expires_at: dt.datetime) -> None:
    now = timezone.now()
    if expires_at <= now:
        raise InvalidInput(_("The expiry must be in the future."), details={"field": "expires_at"})
    if expires_at - now > MAX_EXPIRY:
        raise InvalidInput(
            _("A decision may last at most three years; renew it with a new decision."),
            details={"field": "expires_at"},
        )


def draft_decision(
    *,
    actor: User,
    case: Case,
    action: str,
    scope: str,
    indicator: Indicator,
    legal_basis: LegalBasis,
    reasoning: str,
    evidence: Iterable[EvidenceItem] = (),
    expires_at: dt.datetime | None = None,
    category: Category | None = None,
) -> Decision:
    """Draft a decision; it has no effect until a different person approves it."""
    require_on_case(actor, case, "decision.draft")
    if action not in ActionKind.values:
        raise InvalidInput(_("Unknown action."), details={"field": "action"})
    if scope not in DecisionScope.values:
        raise InvalidInput(_("Unknown scope."), details={"field": "scope"})
    if not case.indicator_links.filter(indicator=indicator).exists():
        raise InvalidInput(_("The indicator must be on this case."), details={"field": "indicator"})
    if not legal_basis.is_active:
        raise InvalidInput(_("This legal basis is no longer in use."), details={"field": "legal_basis"})
    if len((reasoning or "").strip()) < 10:
        raise InvalidInput(_("Write the reasoning (at least a sentence)."), details={"field": "reasoning"})
    try:
        check_action_scope(action, scope)
        target = target_for(scope, indicator.type, indicator.value, indicator.attrs)
    except ScopeError as exc:
        raise InvalidInput(str(exc), code="invalid_scope", details={"field": "scope"}) from exc
    if action == ActionKind.DNS_BLOCK:
        policy.check_dns_target(target)
    evidence = list(evidence)
    if any(item.case_id != case.pk for item in evidence):
        raise InvalidInput(_("Evidence must belong to this case."), details={"field": "evidence"})
    category = category or case.category
    expires_at = expires_at or timezone.now() + dt.timedelta(days=category.default_expiry_days)
    _check_expiry(expires_at)
    with transaction.atomic():
        decision = Decision.objects.create(
            case=case,
            action=action,
            scope=scope,
            indicator=indicator,
            target=target,
            category=category,
            legal_basis=legal_basis,
            reasoning=reasoning.strip(),
            expires_at=expires_at,
            author=actor,
        )
        decision.evidence.set(evidence)
        audit.record(
            actor=actor,
            action="decision.drafted",
            obj=decision,
            case_id=case.pk,
            changes={
                "action": [None, action],
                "scope": [None, scope],
                "target": [None, target],
                "legal_basis": [None, legal_basis.code],
                "expires_at": [None, expires_at],
                "evidence": [None, sorted(item.sha256 for item in evidence)],
            },
        )
    return decision


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("case", "legal_basis").get(pk=decision.pk)


def _save_state(
    actor: User | None,
    decision: Decision,
    action: str,
    before: dict[str, object],
    summary: str = "",
) -> None:
    decision.save(update_fields=list(DECISION_FIELDS))
    audit.record(
        actor=actor,
        action=action,
        obj=decision,
        case_id=decision.case_id,
        summary=summary,
        changes=audit.diff(before, audit.snapshot(decision, DECISION_FIELDS)),
    )


def _check_shared_ip(actor: User, decision: Decision, confirm_shared_ip: bool) -> None:
    if decision.action != ActionKind.IP_BLOCK:
        return
    shared = policy.shared_ranges_overlapping(decision.target)
    if not shared:
        return
    if not confirm_shared_ip:
        providers = ", ".join(sorted({f"{row.provider} {row.cidr}" for row in shared}))
        raise Conflict(
            _(
                "%(target)s is a shared address (%(providers)s): blocking it cuts off every site hosted "
                "there. Approve only with an explicit confirmation that you accept this."
            )
            % {"target": decision.target, "providers": providers},
            code="shared_ip_needs_confirmation",
            details={"shared_ranges": [row.cidr for row in shared]},
        )
    decision.shared_ip_confirmed_by, decision.shared_ip_confirmed_at = actor, timezone.now()


def _check_approvable(actor: User, decision: Decision) -> None:
    if decision.state != DecisionState.DRAFT:
        raise Conflict(
            _("Only a draft can be approved (this decision is %(s)s).") % {"s": decision.get_state_display()}
        )
    if decision.author_id == actor.pk:
        raise FourEyesViolation(_("You drafted this decision; a different approver must approve it."))
    appraised_by_other = decision.case.appraisals.filter(verdict=AppraisalVerdict.CONFIRMED).exclude(
        appraiser=actor
    )
    if not appraised_by_other.exists():
        raise FourEyesViolation(
            _("Approval needs an appraisal confirming the violation by someone other than the approver.")
        )
    if decision.action != ActionKind.NO_ACTION and not decision.evidence.exists():
        raise Conflict(_("A decision to act must rest on at least one evidence item."))
    if decision.expires_at <= timezone.now():
        raise Conflict(_("This draft has already passed its expiry; draft it again."))
    if decision.action == ActionKind.DNS_BLOCK:
        # The allow-list may have grown since the draft was written.
        policy.check_dns_target(decision.target)


def approve_decision(
    *, actor: User, decision: Decision, confirm_shared_ip: bool = False, activate: bool = True
) -> Decision:
    """Approve a draft (and, by default, put it in force at once).

    The approver must not be its author nor the only one who appraised the case; an IP
    block on a shared address needs ``confirm_shared_ip``, which is recorded.
    """
    require_on_case(actor, decision.case, "decision.approve")
    with transaction.atomic():
        decision = _locked(decision)
        _check_approvable(actor, decision)
        before = audit.snapshot(decision, DECISION_FIELDS)
        _check_shared_ip(actor, decision, confirm_shared_ip)
        decision.state, decision.approved_by, decision.approved_at = (
            DecisionState.APPROVED,
            actor,
            timezone.now(),
        )
        _save_state(actor, decision, "decision.approved", before)
        if decision.case.status == CaseStatus.APPRAISAL:
            decision.case = transition_case(
                actor=actor, case=decision.case, target=CaseStatus.DECIDED, system=True
            )
        if activate:
            _activate(actor, decision)
        hooks.decision_changed(decision.pk)
    return decision


def _activate(actor: User, decision: Decision) -> None:
    if decision.expires_at <= timezone.now():
        raise Conflict(_("This decision has passed its expiry and cannot be activated."))
    before = audit.snapshot(decision, DECISION_FIELDS)
    decision.state, decision.activated_at = DecisionState.ACTIVE, timezone.now()
    _save_state(actor, decision, "decision.activated", before)
    if decision.case.status == CaseStatus.DECIDED:
        decision.case = transition_case(
            actor=actor, case=decision.case, target=CaseStatus.ACTIONED, system=True
        )


def activate_decision(*, actor: User, decision: Decision) -> Decision:
    """Put an approved decision into force (exports and requests pick up active decisions)."""
    require_on_case(actor, decision.case, "decision.activate")
    with transaction.atomic():
        decision = _locked(decision)
        if decision.state != DecisionState.APPROVED:
            raise Conflict(
                _("Only an approved decision can be activated (this one is %(s)s).")
                % {"s": decision.get_state_display()}
            )
        _activate(actor, decision)
        hooks.decision_changed(decision.pk)
    return decision


def end_decision(*, actor: User | None, decision: Decision, state: str, reason: str, action: str) -> Decision:
    """Move a decision to a final state (revoked or expired); shared by revocation, appeals and expiry."""
    with transaction.atomic():
        decision = _locked(decision)
        if decision.state in {DecisionState.EXPIRED, DecisionState.REVOKED}:
            raise Conflict(
                _("This decision has already ended (%(s)s).") % {"s": decision.get_state_display()}
            )
        before = audit.snapshot(decision, DECISION_FIELDS)
        decision.state, decision.ended_at, decision.end_reason = state, timezone.now(), reason
        _save_state(actor, decision, action, before, summary=reason)
        hooks.decision_changed(decision.pk)
    return decision


def revoke_decision(*, actor: User, decision: Decision, reason: str) -> Decision:
    """Withdraw a decision before its expiry."""
    require_on_case(actor, decision.case, "decision.revoke")
    if len((reason or "").strip()) < 5:
        raise InvalidInput(_("Say why the decision is revoked."), details={"field": "reason"})
    return end_decision(
        actor=actor,
        decision=decision,
        state=DecisionState.REVOKED,
        reason=reason.strip(),
        action="decision.revoked",
    )


def expire_decisions(*, now: dt.datetime | None = None) -> int:
    """End every approved or active decision whose expiry has passed (run periodically)."""
    now = now or timezone.now()
    due = Decision.objects.filter(
        state__in=[DecisionState.APPROVED, DecisionState.ACTIVE], expires_at__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        try:
            end_decision(
                actor=None,
                decision=Decision(pk=pk),
                state=DecisionState.EXPIRED,
                reason=gettext_noop("expiry reached"),
                action="decision.expired",
            )
        except Conflict:
            continue  # ended by someone else meanwhile
        count += 1
    return count
