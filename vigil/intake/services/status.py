"""What a reporter is told about their report, and the mail sent when that changes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigil.cases.choices import CaseStatus, DecisionState
from vigil.cases.models import Case, Decision
from vigil.core import audit
from vigil.core.choices import ActionKind
from vigil.intake import conf
from vigil.intake.choices import PublicStatus, ReportState
from vigil.intake.models import Report

logger = logging.getLogger(__name__)

# Decisions that confirm the report: in force now or in force until they ran out.
CONFIRMING_STATES = (DecisionState.APPROVED, DecisionState.ACTIVE, DecisionState.EXPIRED)
FINAL = frozenset({PublicStatus.ACTED_ON, PublicStatus.NOT_CONFIRMED})


@dataclass(frozen=True, slots=True)
class PublicView:
    """The status page's content: a status and the public decisions behind it."""

    status: str
    decisions: tuple[Decision, ...] = ()

    @property
    def label(self) -> str:
        return str(PublicStatus(self.status).label)


def _final_case(case: Case) -> Case:
    seen = {case.pk}
    while case.merged_into_id is not None and case.merged_into_id not in seen:
        case = Case.objects.select_related("merged_into").get(pk=case.merged_into_id)
        seen.add(case.pk)
    return case


def _public_decisions(case: Case) -> tuple[Decision, ...]:
    return tuple(
        Decision.objects.filter(case=case, state__in=CONFIRMING_STATES)
        .exclude(action=ActionKind.NO_ACTION)
        .select_related("category", "legal_basis")
        .order_by("approved_at", "pk")
    )


def public_view(report: Report) -> PublicView:
    """Received → being checked → confirmed and acted on / not confirmed; rejection reads neutrally."""
    if report.state in (ReportState.REJECTED, ReportState.SPAM):
        return PublicView(PublicStatus.NOT_CONFIRMED)
    if report.state == ReportState.NEW or report.case_id is None:
        return PublicView(PublicStatus.RECEIVED)
    case = _final_case(report.case)
    decisions = _public_decisions(case)
    if decisions:
        return PublicView(PublicStatus.ACTED_ON, decisions)
    if case.status in (CaseStatus.REJECTED, CaseStatus.CLOSED):
        return PublicView(PublicStatus.NOT_CONFIRMED)
    return PublicView(PublicStatus.CHECKING)


def status_url(report: Report) -> str:
    """The public status page's full address."""
    return settings.VIGIL_PUBLIC_URL + reverse("intake:status", kwargs={"code": report.tracking_code})


def _mail(report: Report, view: PublicView) -> None:
    with translation.override(report.language or settings.LANGUAGE_CODE):
        subject = _("Your report %(code)s: %(status)s") % {"code": report.tracking_code, "status": view.label}
        body = render_to_string(
            "intake/mail_status.txt",
            {"report": report, "view": view, "url": status_url(report), "site": settings.VIGIL_SITE_NAME},
        )
    send_mail(subject, body, None, [report.contact_email])


def notify_status_changes(report_ids: Iterable[int] | None = None, *, limit: int = 500) -> int:
    """Mail every reporter (who gave an e-mail address) whose report's public status changed."""
    reports = Report.objects.exclude(contact_email="").exclude(status_notified__in=FINAL)
    if report_ids is not None:
        reports = reports.filter(pk__in=list(report_ids))
    else:
        reports = reports.exclude(state=ReportState.NEW)
    sent = 0
    for report in reports.select_related("case").order_by("pk")[:limit]:
        view = public_view(report)
        if view.status == report.status_notified:
            continue
        with transaction.atomic():
            updated = Report.objects.filter(pk=report.pk, status_notified=report.status_notified).update(
                status_notified=view.status
            )
            if updated:
                transaction.on_commit(lambda r=report, v=view: _send_safely(r, v))
                sent += 1
    return sent


def _send_safely(report: Report, view: PublicView) -> None:
    try:
        _mail(report, view)
    except Exception:  # a mail server that is down must not break triage; the page still tells
        logger.exception("status mail for %s failed", report.tracking_code)


def erase_old_contacts(*, now: dt.datetime | None = None) -> int:
    """Erase contact details of reports that reached a final status long enough ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=conf.get("CONTACT_RETENTION_DAYS"))
    with transaction.atomic():
        erased = (
            Report.objects.filter(received_at__lt=cutoff, consent_at__isnull=False)
            .exclude(state=ReportState.NEW)
            .update(contact_name="", contact_email="", contact_phone="", consent_at=None)
        )
        if erased:
            audit.record(
                actor=None,
                action="report.contacts_erased",
                object_type="intake.report",
                summary=f"{erased} reports older than {cutoff.date().isoformat()}",
                changes={"reports": [None, erased]},
            )
    return erased
