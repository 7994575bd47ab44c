"""Importing feeds and lists as draft decisions in bulk, and approving them as one act.

A list becomes one case (keyed by its source) holding the list file as evidence, one
indicator per entry and one draft decision per entry. An approver then approves the
drafts together; the four-eyes rule holds exactly as for single decisions, and the
bulk approval is one audit event naming every decision it put in force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.blocking import policy
from vigil.blocking.models import ImportedList, SharedAddressRange
from vigil.cases import services as case_services
from vigil.cases.choices import AppraisalVerdict, CaseStatus, DecisionState
from vigil.cases.models import Case, CaseIndicator, Decision
from vigil.cases.services.common import require_on_case
from vigil.core import audit, roles
from vigil.core.choices import ActionKind
from vigil.core.models import Category, LegalBasis, User
from vigil.errors import Conflict, FourEyesViolation, InvalidInput, VigilError
from vigil.indicators.models import Indicator
from vigil.lib import listparse
from vigil.lib.decision_scope import ScopeError, check_action_scope
from vigil.lib.domains import registrable_domain
from vigil.lib.indicators import normalise

BATCH = 2000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did, line by line where it matters."""

    case_code: str = ""
    entries: int = 0
    drafted: int = 0
    unchanged: int = 0
    routed_to_takedown: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Planned:
    line: int
    kind: str
    value: str
    action: str
    scope: str
    target: str


def _plan(entry: listparse.ListEntry, action: str) -> _Planned:
    """The decision one list entry becomes; refuses what policy forbids at DNS."""
    blocking = action == ActionKind.DNS_BLOCK
    if entry.kind == "url":
        # DNS sees no paths: on a block list a URL is a takedown matter (it still reaches
        # the check API and the mail filters, which see whole URLs).
        kind, scope, action = "url", "exact_url", ActionKind.TAKEDOWN_REQUEST if blocking else action
    elif entry.kind in ("ip", "cidr"):
        # Resolvers see names only: on a block list an address is blocked at the firewall.
        kind, scope, action = entry.kind, entry.kind, ActionKind.IP_BLOCK if blocking else action
    else:
        kind = "domain"
        scope = "registrable_domain" if registrable_domain(entry.value) == entry.value else "host"
        if blocking:
            policy.check_dns_target(entry.value)
    try:
        check_action_scope(action, scope)
    except ScopeError as exc:
        raise InvalidInput(str(exc), code="invalid_scope") from exc
    return _Planned(entry.line, kind, entry.value, action, scope, entry.value)


def _file_name(source: str) -> str:
    """A safe file name for the stored list, recognisably named after its source."""
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", source).strip("._")[:80] or "list") + ".txt"


def _case_for(actor: User, source: str, category: Category) -> tuple[Case, ImportedList]:
    imported = ImportedList.objects.select_related("case").filter(source=source).first()
    if imported is not None:
        return imported.case, imported
    case = case_services.open_case(
        actor=actor,
        title=_("Imported list: %(source)s") % {"source": source},
        category=category,
        description=_("Entries imported in bulk from %(source)s.") % {"source": source},
    )
    return case, ImportedList.objects.create(source=source, case=case)


def _indicator_ids(planned: Sequence[_Planned], actor: User) -> dict[tuple[str, str], int]:
    keys = {(item.kind, item.value) for item in planned}
    rows = []
    for kind, value in keys:
        parsed = normalise(kind, value)
        rows.append(
            Indicator(
                type=kind,
                value=value,
                display=parsed.display[:2048],
                attrs=dict(parsed.attrs),
                registrable_domain=parsed.attrs.get("registrable_domain", ""),
                created_by=actor,
            )
        )
    Indicator.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    ids: dict[tuple[str, str], int] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        for start in range(0, len(values), BATCH):
            chunk = values[start : start + BATCH]
            for pk, value in Indicator.objects.filter(type=kind, value__in=chunk).values_list("pk", "value"):
                ids[(kind, value)] = pk
    return ids


def _existing(case: Case) -> set[tuple[int, str, str]]:
    """(indicator, action, scope) of drafts and decisions in force on this case."""
    live = [DecisionState.DRAFT, DecisionState.APPROVED, DecisionState.ACTIVE]
    return set(case.decisions.filter(state__in=live).values_list("indicator_id", "action", "scope"))


def import_list(
    *,
    actor: User,
    content: bytes,
    source: str,
    category: Category,
    legal_basis: LegalBasis,
    action: str = ActionKind.DNS_BLOCK,
    fmt: str | None = None,
    expires_at: dt.datetime | None = None,
    reasoning: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Turn a list into draft decisions; importing the same list again changes nothing."""
    roles.require(actor, "decision.draft")
    roles.require(actor, "case.create")
    source = source.strip()
    if not source:
        raise InvalidInput(
            _("Name the list's source (e.g. the feed's URL or publisher)."), details={"field": "source"}
        )
    if action not in (ActionKind.DNS_BLOCK, ActionKind.TAKEDOWN_REQUEST, ActionKind.PUBLIC_WARNING):
        raise InvalidInput(_("Lists can be imported as DNS blocks, takedown requests or public warnings."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The list is not UTF-8 text.")) from exc
    report = ImportReport()
    planned: list[_Planned] = []
    for item in listparse.parse_list(text.splitlines(), fmt):
        report.entries += 1
        if isinstance(item, listparse.ListError):
            report.errors.append((item.line, item.message))
            continue
        try:
            planned.append(_plan(item, action))
        except VigilError as exc:
            report.errors.append((item.line, exc.message))
    expires_at = expires_at or timezone.now() + dt.timedelta(days=category.default_expiry_days)
    reasoning = reasoning or _("Listed by %(source)s; imported in bulk.") % {"source": source}
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        case, imported = _case_for(actor, source, category)
        evidence = case.evidence.filter(sha256=digest).first() or case_services.add_evidence(
            actor=actor,
            case=case,
            chunks=[content],
            filename=_file_name(source),
            source=source,
            note=_("The imported list as received."),
        )
        report.case_code = case.code
        ids = _indicator_ids(planned, actor)
        CaseIndicator.objects.bulk_create(
            [CaseIndicator(case=case, indicator_id=pk, added_by=actor) for pk in set(ids.values())],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        existing = _existing(case)
        drafts = []
        for number, item in enumerate(planned, 1):
            key = (ids[(item.kind, item.value)], item.action, item.scope)
            report.routed_to_takedown += (
                item.action == ActionKind.TAKEDOWN_REQUEST and action == ActionKind.DNS_BLOCK
            )
            if key in existing:
                report.unchanged += 1
                continue
            existing.add(key)
            drafts.append(
                Decision(
                    case=case,
                    action=item.action,
                    scope=item.scope,
                    indicator_id=key[0],
                    target=item.target,
                    category=category,
                    legal_basis=legal_basis,
                    reasoning=reasoning,
                    expires_at=expires_at,
                    author=actor,
                )
            )
            if progress and number % BATCH == 0:
                progress(number, len(planned))
        created = Decision.objects.bulk_create(drafts, batch_size=BATCH)  # ids via RETURNING
        through = Decision.evidence.through
        through.objects.bulk_create(
            [through(decision_id=decision.pk, evidenceitem_id=evidence.pk) for decision in created],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        report.drafted = len(created)
        imported.last_sha256, imported.last_imported_at, imported.entries = (
            digest,
            timezone.now(),
            report.entries,
        )
        imported.save(update_fields=["last_sha256", "last_imported_at", "entries"])
        audit.record(
            actor=actor,
            action="blocklist.list_imported",
            obj=case,
            case_id=case.pk,
            summary=source,
            changes={
                "sha256": [None, digest],
                "entries": [None, report.entries],
                "drafted": [None, report.drafted],
                "unchanged": [None, report.unchanged],
                "errors": [None, len(report.errors)],
            },
        )
        case_services.refresh_search_text(case)
    if progress:
        progress(len(planned), len(planned))
    return report


@dataclass
class BulkApproval:
    """The outcome of approving a case's drafts together."""

    approved: int = 0
    skipped_shared_ip: list[str] = field(default_factory=list)
    skipped_policy: list[str] = field(default_factory=list)


def _check_four_eyes(actor: User, case: Case, drafts: Iterable[Decision]) -> None:
    if any(draft.author_id == actor.pk for draft in drafts):
        raise FourEyesViolation(
            _("You drafted some of these decisions; a different approver must approve them.")
        )
    confirmed = case.appraisals.filter(verdict=AppraisalVerdict.CONFIRMED).exclude(appraiser=actor)
    if not confirmed.exists():
        raise FourEyesViolation(
            _("Approval needs an appraisal confirming the violation by someone other than the approver.")
        )


def _id_summary(ids: list[int]) -> object:
    """Every id when few; otherwise count, range and a digest (the rows carry approver and time)."""
    if len(ids) <= 1000:
        return ids
    digest = hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()
    return {"count": len(ids), "first": min(ids), "last": max(ids), "sha256": digest}


def _update(ids: list[int], **fields: object) -> None:
    for start in range(0, len(ids), BATCH):
        Decision.objects.filter(pk__in=ids[start : start + BATCH]).update(**fields)


def approve_drafts(*, actor: User, case: Case, confirm_shared_ip: bool = False) -> BulkApproval:
    """Approve and put in force every draft on ``case`` in one audited act."""
    require_on_case(actor, case, "decision.approve")
    result = BulkApproval()
    with transaction.atomic():
        drafts = list(
            case.decisions.select_for_update()
            .filter(state=DecisionState.DRAFT)
            .only("id", "author_id", "action", "target", "expires_at")
        )
        if not drafts:
            raise Conflict(_("This case has no drafts to approve."))
        _check_four_eyes(actor, case, drafts)
        if not case.evidence.exists():
            raise Conflict(_("A decision to act must rest on at least one evidence item."))
        now, chosen, confirmed_shared = timezone.now(), [], []
        ranges = list(SharedAddressRange.objects.filter(is_active=True))
        for draft in drafts:
            if draft.expires_at <= now:
                result.skipped_policy.append(f"{draft.target}: expired")
                continue
            try:
                if draft.action == ActionKind.DNS_BLOCK:
                    policy.check_dns_target(draft.target)
                shared = draft.action == ActionKind.IP_BLOCK and bool(
                    policy.shared_ranges_overlapping(draft.target, ranges)
                )
            except VigilError as exc:
                result.skipped_policy.append(f"{draft.target}: {exc.message}")
                continue
            if shared and not confirm_shared_ip:
                result.skipped_shared_ip.append(draft.target)
                continue
            chosen.append(draft.pk)
            if shared:
                confirmed_shared.append(draft.pk)
        _update(chosen, state=DecisionState.ACTIVE, approved_by=actor, approved_at=now, activated_at=now)
        # As for a single approval, the decision itself records who accepted the shared address.
        _update(confirmed_shared, shared_ip_confirmed_by=actor, shared_ip_confirmed_at=now)
        result.approved = len(chosen)
        audit.record(
            actor=actor,
            action="decision.bulk_approved",
            obj=case,
            case_id=case.pk,
            summary=_("%(n)s decisions approved and put in force together.") % {"n": len(chosen)},
            changes={
                "decisions": [None, _id_summary(chosen)],
                "skipped_shared_ip": [None, result.skipped_shared_ip],
                "skipped_policy": [None, result.skipped_policy],
                "confirm_shared_ip": [None, confirm_shared_ip],
            },
        )
        # The same case moves as a single approval makes: appraisal → decided → actioned.
        if chosen and case.status == CaseStatus.APPRAISAL:
            case = case_services.transition_case(
                actor=actor, case=case, target=CaseStatus.DECIDED, system=True
            )
        if chosen and case.status == CaseStatus.DECIDED:
            case_services.transition_case(actor=actor, case=case, target=CaseStatus.ACTIONED, system=True)
        from vigil.blocking.tasks import reconcile_blocklist

        transaction.on_commit(reconcile_blocklist.enqueue)
    return result
