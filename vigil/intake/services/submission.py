"""Storing reports: one at a time from the public form, or many at once from partners and imports.

A report is stored whole, with its indicators, its triage groups' counters and its audit
event, in one transaction, before its tracking code is shown to anyone: an acknowledged
code is a committed row.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vigil.cases.choices import CaseStatus
from vigil.cases.models import Case
from vigil.core import audit
from vigil.core.models import Organisation, User
from vigil.intake.choices import Channel, GroupState, ReportState
from vigil.intake.models import Report, Screenshot, TriageGroup
from vigil.intake.services.drafts import ReportDraft
from vigil.lib import indicators as lib

CODE_PREFIX = "PA-"
# No 0/O, 1/I/L: codes are read aloud over the phone and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Cases that can still take new reports; a report on a value whose case is over reopens triage.
OPEN_CASE_STATUSES = frozenset(
    {
        CaseStatus.NEW,
        CaseStatus.TRIAGE,
        CaseStatus.COLLECTING,
        CaseStatus.APPRAISAL,
        CaseStatus.DECIDED,
        CaseStatus.ACTIONED,
        CaseStatus.MONITORING,
    }
)
Key = tuple[str, str]


def new_tracking_code() -> str:
    """``PA-`` and 8 unambiguous characters (31⁸ ≈ 850 billion codes: guessing one is hopeless)."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a person typed, as a stored code: upper case, ``PA-`` added if missing."""
    code = "".join((code or "").split()).upper()
    return code if code.startswith(CODE_PREFIX) else CODE_PREFIX + code.removeprefix("PA")


@dataclass(frozen=True, slots=True)
class _GroupRow:
    pk: int
    state: str
    case_id: int | None


def _host_of(indicator: lib.Indicator) -> str:
    if indicator.type == "domain":
        return indicator.value[:253]
    if indicator.type == "url":
        return str(indicator.attrs.get("host", "") or "")[:253]
    return ""


_UPSERT = (
    "INSERT INTO intake_triagegroup"
    " (type, value, display, host, state, report_count, first_seen, last_seen, reason) VALUES {rows}"
    " ON CONFLICT (type, value) DO UPDATE SET report_count = intake_triagegroup.report_count"
    " + excluded.report_count, last_seen = excluded.last_seen"
    " RETURNING id, type, value, state, case_id"
)


def _touch_groups(drafts: Sequence[ReportDraft], now: dt.datetime) -> dict[Key, _GroupRow]:
    """Create or count up the queue item of every named indicator, and read back its state.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL) does
    what would otherwise take an insert, a locking select and an update: this is the hot
    path of every report. Keys go in sorted order, so concurrent writers lock rows in the
    same order and never deadlock; the audit chain head is locked only afterwards.
    """
    counts: Counter[Key] = Counter()
    first: dict[Key, tuple[str, str]] = {}
    for draft in drafts:
        for indicator in draft.indicators:
            key = (str(indicator.type), indicator.value)
            counts[key] += 1
            if key not in first:
                first[key] = (indicator.display[:2048], _host_of(indicator))
    keys = sorted(counts)
    rows: dict[Key, _GroupRow] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            params: list[object] = []
            for kind, value in chunk:
                display, host = first[(kind, value)]
                params += [kind, value, display, host, GroupState.OPEN, counts[(kind, value)], now, now, ""]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(_UPSERT.format(rows=placeholders), params)
            for pk, kind, value, state, case_id in cursor.fetchall():
                rows[(kind, value)] = _GroupRow(pk, state, case_id)
    return rows


def _placement(
    draft: ReportDraft, rows: dict[Key, _GroupRow], open_cases: set[int]
) -> tuple[str, int | None]:
    """The new report's state: joins a case still open on one of its values, spam if every value
    was marked as abuse, otherwise waits for triage."""
    groups = [rows[(str(i.type), i.value)] for i in draft.indicators]
    for group in groups:
        if group.state == GroupState.IN_CASE and group.case_id in open_cases:
            return ReportState.IN_CASE, group.case_id
    if groups and all(group.state == GroupState.SPAM for group in groups):
        return ReportState.SPAM, None
    return ReportState.NEW, None


def _reopen(rows: dict[Key, _GroupRow], placed: list[tuple[ReportDraft, str, int | None]]) -> None:
    """Items rejected earlier, or whose case is over, go back to the queue when a new report waits on them."""
    waiting: set[int] = set()
    for draft, state, _case in placed:
        if state == ReportState.NEW:
            for i in draft.indicators:
                row = rows[(str(i.type), i.value)]
                if row.state in (GroupState.REJECTED, GroupState.IN_CASE):
                    waiting.add(row.pk)
    if waiting:
        TriageGroup.objects.filter(pk__in=waiting).exclude(state=GroupState.OPEN).exclude(
            state=GroupState.SPAM
        ).update(state=GroupState.OPEN)


@dataclass(frozen=True, slots=True)
class StoredReport:
    """What the caller of a commit needs to know about each stored report."""

    pk: int
    tracking_code: str
    kind: str
    state: str
    case_id: int | None


_REPORT_COLUMNS = (
    "tracking_code", "kind", "channel", "state", "case_id", "text", "description", "money_lost",
    "happened_on", "contact_name", "contact_email", "contact_phone", "consent_at", "language",
    "organisation_id", "submitted_by_id", "external_id", "needs_clustering", "received_at",
    "rejection_reason", "status_notified",
)  # fmt: skip
_ROWS_PER_INSERT = 200


def _insert_reports(values: list[tuple[object, ...]]) -> dict[str, int]:
    """Insert report rows; return their ids by tracking code.

    Plain multi-row ``INSERT … RETURNING`` (SQLite ≥ 3.35, PostgreSQL): building thousands
    of model instances was most of a partner batch's time.
    """
    columns = ", ".join(_REPORT_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_REPORT_COLUMNS)) + ")"
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(values), _ROWS_PER_INSERT):
            chunk = values[start : start + _ROWS_PER_INSERT]
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO intake_report ({columns}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
                " RETURNING id, tracking_code",
                params,
            )
            ids.update((code, pk) for pk, code in cursor.fetchall())
    return ids


def _insert_links(links: list[tuple[object, ...]]) -> None:
    """Multi-row inserts: ``executemany`` steps SQLite once per row, each a wait for the GIL
    while the writer holds the database's write lock."""
    with connection.cursor() as cursor:
        for start in range(0, len(links), _ROWS_PER_INSERT):
            chunk = links[start : start + _ROWS_PER_INSERT]
            cursor.execute(
                "INSERT INTO intake_reportindicator (report_id, group_id, type, value, display) VALUES "  # noqa: S608 - placeholders only
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )


def _store(
    drafts: Sequence[ReportDraft],
    *,
    channel: str,
    actor: User | None,
    organisation: Organisation | None,
) -> list[StoredReport]:
    now = timezone.now()
    rows = _touch_groups(drafts, now)
    case_ids = {row.case_id for row in rows.values() if row.state == GroupState.IN_CASE and row.case_id}
    open_cases = (
        set(Case.objects.filter(pk__in=case_ids, status__in=OPEN_CASE_STATUSES).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    placed = [(draft, *_placement(draft, rows, open_cases)) for draft in drafts]
    _reopen(rows, placed)
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    codes = [new_tracking_code() for _ in drafts]
    values = [
        (
            code,
            draft.kind,
            channel,
            state,
            case_id,
            draft.text,
            draft.description,
            draft.money_lost,
            ops.adapt_datefield_value(draft.happened_on),
            draft.contact_name,
            draft.contact_email,
            draft.contact_phone,
            at if draft.consent else None,
            draft.language,
            organisation.pk if organisation else None,
            actor.pk if actor else None,
            draft.external_id,
            bool(draft.text),
            at,
            "",
            "received",
        )
        for code, (draft, state, case_id) in zip(codes, placed, strict=True)
    ]
    ids = _insert_reports(values)
    reports = [
        StoredReport(ids[code], code, draft.kind, state, case_id)
        for code, (draft, state, case_id) in zip(codes, placed, strict=True)
    ]
    links = [
        (report.pk, rows[(str(i.type), i.value)].pk, str(i.type), i.value, i.display[:2048])
        for report, draft in zip(reports, drafts, strict=True)
        for i in draft.indicators
    ]
    _insert_links(links)
    shots = [
        Screenshot(
            report_id=report.pk,
            sha256=s.sha256,
            size=s.size,
            media_type=s.media_type,
            width=s.width,
            height=s.height,
            original_name=s.name[:255],
        )
        for report, draft in zip(reports, drafts, strict=True)
        for s in draft.screenshots
    ]
    if shots:
        Screenshot.objects.bulk_create(shots)
    return reports


def _with_fresh_codes(store: Callable[[], list[StoredReport]], attempts: int = 3) -> list[StoredReport]:
    # A clash of two random codes is astronomically rare; if it happens, store again.
    for attempt in range(attempts):
        try:
            return store()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _received_event(reports: Sequence[StoredReport], drafts: Sequence[ReportDraft], channel: str) -> None:
    """One audit event for the reports of one commit, naming each report and what it reported."""
    entries = [
        {
            "code": report.tracking_code,
            "kind": report.kind,
            "indicators": [f"{i.type}:{i.value}" for i in draft.indicators],
            "screenshots": len(draft.screenshots),
            "contact_kept": draft.consent,
        }
        for report, draft in zip(reports, drafts, strict=True)
    ]
    first = reports[0]
    audit.record(
        actor=None,
        action="report.received",
        object_type="intake.report",
        object_id=str(first.pk),
        object_repr=first.tracking_code
        if len(reports) == 1
        else f"{first.tracking_code} +{len(reports) - 1}",
        case_id=first.case_id if len(reports) == 1 else None,
        changes={"channel": [None, channel], "reports": [None, entries]},
    )


def submit_reports(drafts: Sequence[ReportDraft], *, channel: str = Channel.WEB) -> list[StoredReport]:
    """Store citizens' reports in one transaction with one audit event; every returned code is committed."""

    def store() -> list[StoredReport]:
        with transaction.atomic():
            reports = _store(drafts, channel=channel, actor=None, organisation=None)
            # Last, so the audit chain's lock is held as briefly as possible.
            _received_event(reports, drafts, channel)
        return reports

    # A reporter's address is personal data the desk does not need: not even the audit
    # event keeps it (the group committer's thread has no request, so both paths agree).
    token = audit.set_context(audit.RequestContext(source_ip=None))
    try:
        return _with_fresh_codes(store)
    finally:
        audit.reset_context(token)


def submit_report(draft: ReportDraft, *, channel: str = Channel.WEB) -> Report:
    """Store one citizen's report with its audit event; the returned code is committed."""
    return Report.objects.get(pk=submit_reports([draft], channel=channel)[0].pk)


def submit_many(
    drafts: Sequence[ReportDraft],
    *,
    channel: str,
    actor: User,
    organisation: Organisation | None,
    summary: str = "",
) -> list[StoredReport]:
    """Store many reports in one transaction with one audit event naming every tracking code."""
    if not drafts:
        return []

    def store() -> list[StoredReport]:
        with transaction.atomic():
            reports = _store(drafts, channel=channel, actor=actor, organisation=organisation)
            audit.record(
                actor=actor,
                action="report.batch_received",
                object_type="intake.report",
                object_id=reports[0].tracking_code,
                object_repr=f"{len(reports)} reports",
                summary=summary,
                changes={
                    "channel": [None, channel],
                    "organisation": [None, organisation.code if organisation else None],
                    "tracking_codes": [None, [r.tracking_code for r in reports]],
                },
            )
        return reports

    return _with_fresh_codes(store)
