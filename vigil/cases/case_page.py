"""Everything the case page shows, assembled once for the full page and for HTMX fragments."""

from __future__ import annotations

from typing import Any

from django import forms

from vigil.cases import hooks
from vigil.cases.choices import AppealState, DecisionState
from vigil.cases.forms import (
    AppealForm,
    AppealResolveForm,
    AppraisalForm,
    DecisionForm,
    EvidenceForm,
    IndicatorForm,
    MergeForm,
    ReasonForm,
    TransitionForm,
    WithheldEvidenceForm,
)
from vigil.cases.models import Appeal, Case
from vigil.cases.services.cases import merged_history_ids
from vigil.core import roles
from vigil.core.models import AuditEvent, User
from vigil.lib.case_workflow import allowed_next

CAPABILITIES = (
    "case.transition",
    "case.merge",
    "indicator.add",
    "evidence.add",
    "appraisal.add",
    "decision.draft",
    "decision.approve",
    "decision.activate",
    "decision.revoke",
    "appeal.record",
    "appeal.review",
)


def case_page_context(
    user: User,
    case: Case,
    *,
    errors: dict[str, str] | None = None,
    bound: dict[str, forms.Form | None] | None = None,
) -> dict[str, Any]:
    """Context for ``cases/case_detail.html`` and its ``_case_main.html`` fragment."""
    bound = bound or {}
    transition = TransitionForm()
    next_statuses = allowed_next(case.status)
    transition.fields["status"].choices = [  # type: ignore[attr-defined]
        (value, label)
        for value, label in transition.fields["status"].choices  # type: ignore[attr-defined]
        if value in next_statuses
    ]
    decisions = list(case.decisions.all())
    appeals = list(
        Appeal.objects.filter(decision__case=case).select_related("decision", "reviewer", "received_by")
    )
    can = {name.replace(".", "_"): roles.can(user, name) for name in CAPABILITIES}
    editable = case.status != "merged"
    return {
        "case": case,
        "editable": editable,
        "can": can if editable else {name: False for name in can},
        "errors": errors or {},
        "indicator_form": bound.get("indicators") or IndicatorForm(),
        "evidence_form": bound.get("evidence")
        if isinstance(bound.get("evidence"), EvidenceForm)
        else EvidenceForm(),
        "withheld_form": bound.get("evidence")
        if isinstance(bound.get("evidence"), WithheldEvidenceForm)
        else WithheldEvidenceForm(),
        "transition_form": transition,
        "merge_form": MergeForm(),
        "appraisal_form": bound.get("appraisals") or AppraisalForm(initial=hooks.appraisal_initial(case)),
        "decision_form": bound.get("decisions")
        if isinstance(bound.get("decisions"), DecisionForm)
        else DecisionForm(case=case),
        "reason_form": ReasonForm(),
        "appeal_form": AppealForm(),
        "resolve_form": AppealResolveForm(),
        "decisions": decisions,
        "appealable": [d for d in decisions if d.state in {DecisionState.APPROVED, DecisionState.ACTIVE}],
        "appeals": appeals,
        "open_appeal_states": {AppealState.RECEIVED, AppealState.UNDER_REVIEW},
        "timeline": AuditEvent.objects.filter(case_id__in=merged_history_ids(case)).order_by("seq"),
        "merged_cases": case.merged_cases.all(),
    }
