"""Triage: turning queue items (one indicator, or one cluster of similar messages) into cases.

Every action takes the reports still waiting in the item, locks them and every queue item
they belong to (in one order, before the audit chain), and writes one audit event.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases import services as case_services
from vigil.cases.models import Case, CaseIndicator
from vigil.cases.services.common import require_on_case
from vigil.core import audit, roles
from vigil.core.models import Category, User
from vigil.errors import Conflict, InvalidInput
from vigil.indicators import services as indicator_services
from vigil.intake.choices import GroupState, ReportState
from vigil.intake.models import Report, ReportIndicator, Screenshot, TextCluster, TriageGroup
from vigil.intake.services.screenshots import store as intake_store

MAX_CASE_INDICATORS = 200


def _pending(group: TriageGroup | None, cluster: TextCluster | None) -> list[Report]:
    if (group is None) == (cluster is None):
        raise InvalidInput(_("Act on one queue item: an indicator or a cluster of messages."))
    reports = Report.objects.select_for_update().filter(state=ReportState.NEW)
    if group is not None:
        reports = reports.filter(pk__in=ReportIndicator.objects.filter(group=group).values("report_id"))
    else:
        reports = reports.filter(cluster=cluster)
    selected = list(reports.order_by("pk"))
    if not selected:
        raise Conflict(_("No report is waiting in this item any more; someone else may have handled it."))
    return selected


def _lock_groups(reports: Sequence[Report], extra: TriageGroup | None) -> list[TriageGroup]:
    ids = set(ReportIndicator.objects.filter(report__in=reports).values_list("group_id", flat=True))
    if extra is not None:
        ids.add(extra.pk)
    return list(TriageGroup.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _settle_groups(
    groups: Sequence[TriageGroup],
    acted_on: TriageGroup | None,
    state: str,
    actor: User,
    *,
    case: Case | None = None,
    reason: str = "",
) -> None:
    """Items with nothing left waiting take the action's outcome; the acted-on item always does."""
    waiting = dict(
        ReportIndicator.objects.filter(group__in=groups, report__state=ReportState.NEW)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    now = timezone.now()
    for group in groups:
        is_acted_on = acted_on is not None and group.pk == acted_on.pk
        if not is_acted_on and (waiting.get(group.pk) or group.state != GroupState.OPEN):
            continue
        group.state, group.reason, group.decided_by, group.decided_at = state, reason, actor, now
        if case is not None:
            group.case = case
        group.save(update_fields=["state", "reason", "decided_by", "decided_at", "case"])


def _indicators_of(reports: Sequence[Report], first: TriageGroup | None) -> list[tuple[str, str]]:
    counts = Counter(ReportIndicator.objects.filter(report__in=reports).values_list("type", "value"))
    ordered = [key for key, _n in counts.most_common()]
    if first is not None and (first.type, first.value) in counts:
        ordered.remove((first.type, first.value))
        ordered.insert(0, (first.type, first.value))
    usable = []
    for kind, value in ordered[:MAX_CASE_INDICATORS]:
        try:
            indicator_services.parse(kind, value)
        except InvalidInput:
            continue
        usable.append((kind, value))
    return usable


def _reports_text(reports: Sequence[Report]) -> bytes:
    """The reports as one plain-text evidence file (no contact details: those never leave the desk)."""
    values: dict[int, list[str]] = {report.pk: [] for report in reports}
    for report_id, kind, value in ReportIndicator.objects.filter(report__in=reports).values_list(
        "report_id", "type", "value"
    ):
        values[report_id].append(f"{kind}:{value}")
    out = io.StringIO()
    for report in reports:
        out.write(
            f"=== {report.tracking_code} · {report.get_kind_display()} · {report.get_channel_display()}"
            f" · {report.received_at.isoformat()}\n"
        )
        if report.happened_on:
            out.write(f"happened_on: {report.happened_on.isoformat()}\n")
        if report.money_lost is not None:
            out.write(f"money_lost_vnd: {report.money_lost}\n")
        out.write(f"indicators: {', '.join(values[report.pk])}\n")
        if report.text:
            out.write(f"--- message\n{report.text}\n")
        if report.description:
            out.write(f"--- what happened\n{report.description}\n")
        out.write("\n")
    return out.getvalue().encode("utf-8")


def _carry_evidence(actor: User, case: Case, reports: Sequence[Report]) -> int:
    """The reports' texts and screenshots become evidence (hash only in referral-only categories)."""
    added = 0
    text = _reports_text(reports)
    codes = ", ".join(r.tracking_code for r in reports[:20]) + (" …" if len(reports) > 20 else "")
    shots = list(Screenshot.objects.filter(report__in=reports).select_related("report"))
    if case.category.referral_only:
        for shot in shots:
            case_services.register_withheld_evidence(
                actor=actor,
                case=case,
                sha256=shot.sha256,
                size=shot.size,
                media_type=shot.media_type,
                source=f"public report {shot.report.tracking_code}",
                note=shot.original_name,
            )
            added += 1
        return added
    case_services.add_evidence(
        actor=actor,
        case=case,
        chunks=[text],
        filename=f"reports-{reports[0].tracking_code}.txt",
        declared_media_type="text/plain",
        source=f"public reports {codes}",
        note=_("Texts of %(n)s public reports") % {"n": len(reports)},
        collector="intake",
    )
    added += 1
    store = intake_store()
    for shot in shots:
        if not store.exists(shot.sha256):
            continue
        with store.open(shot.sha256) as handle:
            data = handle.read()
        case_services.add_evidence(
            actor=actor,
            case=case,
            chunks=[data],
            filename=shot.original_name or f"{shot.sha256[:12]}.img",
            declared_media_type=shot.media_type,
            source=f"public report {shot.report.tracking_code}",
            note=_("Screenshot sent with the report (re-encoded, metadata removed)"),
            collector="intake",
            captured_at=shot.report.received_at,
        )
        added += 1
    return added


def _after_commit_notify(reports: Sequence[Report]) -> None:
    ids = [r.pk for r in reports if r.contact_email]
    if ids:
        from vigil.intake.tasks import notify_reporters

        transaction.on_commit(lambda: notify_reporters.enqueue(report_ids=ids))


def _target_repr(group: TriageGroup | None, cluster: TextCluster | None) -> dict[str, object]:
    if group is not None:
        return {
            "object_type": "intake.triagegroup",
            "object_id": str(group.pk),
            "object_repr": str(group)[:300],
        }
    assert cluster is not None
    return {
        "object_type": "intake.textcluster",
        "object_id": str(cluster.pk),
        "object_repr": f"cluster #{cluster.pk}",
    }


def open_case_from(
    *,
    actor: User,
    title: str,
    category: Category,
    description: str = "",
    group: TriageGroup | None = None,
    cluster: TextCluster | None = None,
) -> Case:
    """Open a case from a queue item: its waiting reports, their indicators, texts and screenshots."""
    roles.require(actor, "intake.triage")
    with transaction.atomic():
        reports = _pending(group, cluster)
        groups = _lock_groups(reports, group)
        case = case_services.open_case(
            actor=actor,
            title=title,
            category=category,
            description=description,
            indicators=_indicators_of(reports, group),
        )
        _take_into(actor, case, reports, groups, group, cluster, action="intake.case_opened")
    return case


def attach_to_case(
    *, actor: User, case: Case, group: TriageGroup | None = None, cluster: TextCluster | None = None
) -> Case:
    """Add a queue item's waiting reports (and their indicators and evidence) to an existing case."""
    roles.require(actor, "intake.triage")
    require_on_case(actor, case, "indicator.add")
    with transaction.atomic():
        reports = _pending(group, cluster)
        groups = _lock_groups(reports, group)
        present = set(
            CaseIndicator.objects.filter(case=case).values_list("indicator__type", "indicator__value")
        )
        for kind, value in _indicators_of(reports, group):
            if (kind, value) not in present:
                case_services.add_indicator(
                    actor=actor, case=case, kind=kind, raw=value, note=_("from public reports")
                )
        _take_into(actor, case, reports, groups, group, cluster, action="intake.attached")
    return case


def _take_into(
    actor: User,
    case: Case,
    reports: list[Report],
    groups: list[TriageGroup],
    group: TriageGroup | None,
    cluster: TextCluster | None,
    *,
    action: str,
) -> None:
    evidence = _carry_evidence(actor, case, reports)
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(state=ReportState.IN_CASE, case=case)
    _settle_groups(groups, group, GroupState.IN_CASE, actor, case=case)
    audit.record(
        actor=actor,
        action=action,
        case_id=case.pk,
        summary=case.code,
        changes={
            "reports": [None, [r.tracking_code for r in reports]],
            "case": [None, case.code],
            "evidence_items": [None, evidence],
        },
        **_target_repr(group, cluster),  # type: ignore[arg-type]
    )
    _after_commit_notify(reports)


def reject(
    *, actor: User, reason: str, group: TriageGroup | None = None, cluster: TextCluster | None = None
) -> int:
    """Reject the waiting reports with a reason (the reporters see a neutral "not confirmed")."""
    roles.require(actor, "intake.triage")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("Say why these reports are rejected."), details={"field": "reason"})
    return _close(actor, group, cluster, ReportState.REJECTED, GroupState.REJECTED, reason, "intake.rejected")


def mark_spam(
    *, actor: User, reason: str = "", group: TriageGroup | None = None, cluster: TextCluster | None = None
) -> int:
    """Mark the waiting reports as spam or abuse; later reports naming only such values are spam too."""
    roles.require(actor, "intake.triage")
    return _close(
        actor, group, cluster, ReportState.SPAM, GroupState.SPAM, (reason or "").strip(), "intake.marked_spam"
    )


def _close(
    actor: User,
    group: TriageGroup | None,
    cluster: TextCluster | None,
    report_state: str,
    group_state: str,
    reason: str,
    action: str,
) -> int:
    with transaction.atomic():
        reports = _pending(group, cluster)
        groups = _lock_groups(reports, group)
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(
            state=report_state, rejection_reason=reason
        )
        _settle_groups(groups, group, group_state, actor, reason=reason)
        audit.record(
            actor=actor,
            action=action,
            summary=reason,
            changes={"reports": [None, [r.tracking_code for r in reports]]},
            **_target_repr(group, cluster),  # type: ignore[arg-type]
        )
        _after_commit_notify(reports)
    return len(reports)
