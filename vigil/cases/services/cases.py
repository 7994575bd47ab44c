"""Opening, editing, moving and merging cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.choices import CaseStatus, DecisionState, Priority
from vigil.cases.models import (
    Appraisal,
    Case,
    CaseCodeCounter,
    CaseIndicator,
    Decision,
    EvidenceItem,
)
from vigil.cases.services.common import require_on_case, require_visible
from vigil.core import audit, roles
from vigil.core.models import Category, Organisation, User
from vigil.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from vigil.indicators import services as indicator_services
from vigil.lib.case_workflow import MERGEABLE, WorkflowError, check_transition
from vigil.lib.textnorm import fold

EDITABLE_FIELDS = ("title", "description", "priority", "category", "assignee")


def _next_code() -> str:
    year = timezone.localdate().year
    # The UPDATE locks the year's row until commit, so concurrent openings queue up.
    if not CaseCodeCounter.objects.filter(pk=year).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                CaseCodeCounter.objects.create(year=year, last=1)
        except IntegrityError:
            CaseCodeCounter.objects.filter(pk=year).update(last=F("last") + 1)
    last = CaseCodeCounter.objects.values_list("last", flat=True).get(pk=year)
    return f"{settings.VIGIL_CASE_PREFIX}-{year}-{last:06d}"


def refresh_search_text(case: Case) -> None:
    """Rebuild the accent-folded text that case search matches against."""
    # Bulk-imported cases hold thousands of indicators; search finds those through the
    # indicator index (see CaseQuerySet.search), so the text keeps only the first ones.
    values = case.indicator_links.order_by("id").values_list("indicator__value", "indicator__display")[:500]
    parts = [case.code, case.title, case.description]
    parts += [text for pair in values for text in pair]
    Case.objects.filter(pk=case.pk).update(search_text=fold(" ".join(parts)))


def open_case(
    *,
    actor: User,
    title: str,
    category: Category,
    organisation: Organisation | None = None,
    description: str = "",
    priority: int = Priority.NORMAL,
    assignee: User | None = None,
    indicators: Iterable[tuple[str | None, str]] = (),
) -> Case:
    """Open a case (status ``new``), optionally with indicators given as (kind, raw value)."""
    roles.require(actor, "case.create")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("A case needs a title."), details={"field": "title"})
    organisation = organisation or actor.organisation
    if organisation is None:
        raise InvalidInput(_("A case needs an owning organisation."), details={"field": "organisation"})
    if not roles.is_department_wide(actor) and organisation.pk != actor.organisation_id:
        raise NotAllowed(_("You can only open cases for your own organisation."))
    if priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), details={"field": "priority"})
    parsed = [indicator_services.parse(kind, raw) for kind, raw in indicators]
    with transaction.atomic():
        case = Case.objects.create(
            code=_next_code(),
            title=title[:300],
            description=description,
            category=category,
            priority=priority,
            organisation=organisation,
            assignee=assignee,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="case.opened",
            obj=case,
            case_id=case.pk,
            changes=audit.diff(
                None,
                audit.snapshot(case, ("title", "category", "priority", "organisation", "assignee", "status")),
            ),
        )
        for item in parsed:
            row, _created = indicator_services.record(actor=actor, parsed=item)
            _link_indicator(actor, case, row, note="")
        refresh_search_text(case)
    return case


def update_case(*, actor: User, case: Case, **changes: Any) -> Case:
    """Edit a case's title, description, priority, category or assignee."""
    require_on_case(actor, case, "case.edit")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "title" in changes and not str(changes["title"] or "").strip():
        raise InvalidInput(_("A case needs a title."), details={"field": "title"})
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise InvalidInput(_("Unknown priority."), details={"field": "priority"})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        before = audit.snapshot(case, EDITABLE_FIELDS)
        for name, value in changes.items():
            setattr(case, name, value)
        case.updated_at = timezone.now()
        case.save()
        delta = audit.diff(before, audit.snapshot(case, EDITABLE_FIELDS))
        if delta:
            audit.record(actor=actor, action="case.updated", obj=case, case_id=case.pk, changes=delta)
        refresh_search_text(case)
    return case


def _guard_transition(case: Case, target: str, reason: str) -> None:
    if target == CaseStatus.APPRAISAL and not case.evidence.exists():
        raise InvalidTransition(_("Add at least one evidence item before appraisal."))
    if (
        target == CaseStatus.DECIDED
        and not case.decisions.filter(state__in=[DecisionState.APPROVED, DecisionState.ACTIVE]).exists()
    ):
        raise InvalidTransition(_("A case is decided only once a decision has been approved."))
    if target == CaseStatus.ACTIONED and not case.decisions.filter(state=DecisionState.ACTIVE).exists():
        raise InvalidTransition(_("A case is actioned only once a decision is active."))
    if target == CaseStatus.REJECTED and not reason.strip():
        raise InvalidInput(_("Say why the case is rejected."), details={"field": "reason"})


def transition_case(
    *, actor: User | None, case: Case, target: str, reason: str = "", system: bool = False
) -> Case:
    """Move a case to ``target`` if the workflow and its guards allow it.

    ``system`` transitions follow from another audited action (approving a decision moves
    its case to "decided") and skip the role check the caller already made.
    """
    if not system:
        assert actor is not None
        require_on_case(actor, case, "case.transition")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        try:
            check_transition(case.status, target)
        except WorkflowError as exc:
            raise InvalidTransition(str(exc), details={"from": case.status, "to": target}) from exc
        _guard_transition(case, target, reason)
        before = case.status
        case.status, case.updated_at = target, timezone.now()
        case.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="case.status_changed",
            obj=case,
            case_id=case.pk,
            changes={"status": [before, target]},
            summary=reason,
        )
    return case


def _link_indicator(actor: User, case: Case, indicator: Any, note: str) -> CaseIndicator:
    link = CaseIndicator.objects.create(case=case, indicator=indicator, note=note[:500], added_by=actor)
    audit.record(
        actor=actor,
        action="case.indicator_added",
        obj=link.indicator,
        case_id=case.pk,
        summary=note,
        changes={"case": [None, case.code]},
    )
    return link


def add_indicator(*, actor: User, case: Case, kind: str | None, raw: str, note: str = "") -> CaseIndicator:
    """Attach an indicator (normalised, created if new) to a case."""
    require_on_case(actor, case, "indicator.add")
    parsed = indicator_services.parse(kind, raw)
    with transaction.atomic():
        indicator, _created = indicator_services.record(actor=actor, parsed=parsed)
        if CaseIndicator.objects.filter(case=case, indicator=indicator).exists():
            raise Conflict(_("%(value)s is already on this case.") % {"value": indicator.display})
        link = _link_indicator(actor, case, indicator, note)
        refresh_search_text(case)
    return link


def _move_indicator_links(source: Case, target: Case) -> int:
    moved = 0
    already = set(target.indicator_links.values_list("indicator_id", flat=True))
    for link in source.indicator_links.all():
        if link.indicator_id in already:
            continue  # the target already has it; the source keeps its own link row
        CaseIndicator.objects.create(
            case=target,
            indicator_id=link.indicator_id,
            note=link.note,
            added_by=link.added_by,
            added_at=link.added_at,
        )
        moved += 1
    return moved


def merge_cases(*, actor: User, source: Case, target: Case, reason: str = "") -> Case:
    """Merge ``source`` into ``target``: every indicator, evidence item, appraisal and decision
    moves to the target; the source keeps its history and becomes ``merged``."""
    require_on_case(actor, source, "case.merge")
    require_visible(actor, target)
    if source.pk == target.pk:
        raise InvalidInput(_("A case cannot be merged into itself."))
    if target.status == CaseStatus.MERGED:
        raise Conflict(
            _("Case %(code)s is itself merged; merge into the case it points to.") % {"code": target.code}
        )
    if source.status not in MERGEABLE:
        raise InvalidTransition(
            _("Only cases in new, triage, collecting or appraisal can be merged (this one is %(s)s).")
            % {"s": source.get_status_display()}
        )
    with transaction.atomic():
        source = Case.objects.select_for_update().get(pk=source.pk)
        moved = {
            "indicators": _move_indicator_links(source, target),
            "evidence": EvidenceItem.objects.filter(case=source).update(case=target),
            "appraisals": Appraisal.objects.filter(case=source).update(case=target),
            "decisions": Decision.objects.filter(case=source).update(case=target),
        }
        target.concerned_organisations.add(*source.concerned_organisations.all())
        if source.organisation_id != target.organisation_id:
            target.concerned_organisations.add(source.organisation)
        before = source.status
        source.status, source.merged_into, source.updated_at = (
            CaseStatus.MERGED,
            target,
            timezone.now(),
        )
        source.save(update_fields=["status", "merged_into", "updated_at"])
        audit.record(
            actor=actor,
            action="case.merged",
            obj=source,
            case_id=source.pk,
            summary=reason,
            changes={"status": [before, "merged"], "merged_into": [None, target.code]},
        )
        audit.record(
            actor=actor,
            action="case.merge_received",
            obj=target,
            case_id=target.pk,
            summary=reason,
            changes={"merged_from": [None, source.code], "moved": [None, moved]},
        )
        refresh_search_text(target)
    return target


def merged_history_ids(case: Case) -> Sequence[int]:
    """This case's id and the ids of every case merged into it (for the timeline)."""
    ids, frontier = [case.pk], [case.pk]
    while frontier:
        frontier = list(Case.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids
