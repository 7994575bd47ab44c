"""Following sites that move: DNS history, liveness, and leads raised to analysts."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.choices import CaseStatus, DecisionState
from vigil.cases.models import Case, CaseIndicator, Decision
from vigil.cases.services import add_indicator
from vigil.collection.choices import CaptureState, LeadKind, LeadState
from vigil.collection.models import Capture, HostCheck, HostObservation, Lead
from vigil.collection.services import config
from vigil.core import audit, roles
from vigil.core.models import User
from vigil.errors import Conflict
from vigil.lib.fetch import dnsrecords, liveness, runner
from vigil.lib.fetch.pipeline import CaptureOutcome

logger = logging.getLogger(__name__)

TRACKED_TYPES = ("A", "AAAA", "NS")
AUTO_CAPTURE_STATUSES = (CaseStatus.NEW, CaseStatus.TRIAGE, CaseStatus.COLLECTING, CaseStatus.APPRAISAL)


@dataclass
class Watched:
    """A host to re-resolve, the URLs on it to re-check, and the cases watching it."""

    host: str
    urls: set[str] = field(default_factory=set)
    cases: dict[int, int] = field(default_factory=dict)  # case id -> indicator id


def _host_of(indicator_type: str, value: str, attrs: dict[str, str]) -> str:
    if indicator_type == "domain":
        return value
    return (attrs.get("host") or urlsplit(value).hostname or "").lower()


def watched_hosts() -> dict[str, Watched]:
    """Every URL and domain under an active decision or on an open case."""
    open_links = CaseIndicator.objects.filter(
        case__in=Case.objects.open(), indicator__type__in=("url", "domain")
    )
    found: dict[str, Watched] = {}

    def add(case_id: int, indicator_id: int, kind: str, value: str, attrs: dict[str, str]) -> None:
        host = _host_of(kind, value, attrs)
        if not host:
            return
        watched = found.setdefault(host, Watched(host))
        watched.urls.add(value if kind == "url" else f"http://{value}/")
        watched.cases.setdefault(case_id, indicator_id)

    for case_id, indicator_id, kind, value, attrs in open_links.values_list(
        "case_id", "indicator_id", "indicator__type", "indicator__value", "indicator__attrs"
    ):
        add(case_id, indicator_id, kind, value, attrs or {})
    for case_id, indicator_id, kind, value, attrs in Decision.objects.filter(
        state=DecisionState.ACTIVE, indicator__type__in=("url", "domain")
    ).values_list("case_id", "indicator_id", "indicator__type", "indicator__value", "indicator__attrs"):
        add(case_id, indicator_id, kind, value, attrs or {})
    return found


def record_observations(host: str, snapshot: dnsrecords.DnsSnapshot, at: dt.datetime) -> dict[str, list[str]]:
    """Add the snapshot's A/AAAA/NS answers to the host's history; returns values new to a known host."""
    known = set(HostObservation.objects.filter(host=host).values_list("rdtype", "value"))
    new: dict[str, list[str]] = defaultdict(list)
    for rdtype in TRACKED_TYPES:
        for value in snapshot.values(rdtype):
            value = value.lower().rstrip(".") if rdtype == "NS" else value
            if (rdtype, value) in known:
                HostObservation.objects.filter(host=host, rdtype=rdtype, value=value).update(
                    last_seen=at, times_seen=F("times_seen") + 1
                )
                continue
            try:
                with transaction.atomic():
                    HostObservation.objects.create(
                        host=host, rdtype=rdtype, value=value, first_seen=at, last_seen=at
                    )
            except IntegrityError:
                continue
            if any(kind == rdtype for kind, _ in known):
                new[rdtype].append(value)
    return dict(new)


def raise_lead(
    *,
    case_id: int,
    kind: str,
    dedupe_key: str,
    summary: str,
    host: str = "",
    indicator_id: int | None = None,
    capture: Capture | None = None,
    matched_capture: Capture | None = None,
    new_value: str = "",
    detail: dict[str, object] | None = None,
) -> Lead | None:
    """Record a lead for analysts (once per ``dedupe_key``), audited as the system's."""
    if Lead.objects.filter(dedupe_key=dedupe_key[:200]).exists():
        return None
    try:
        with transaction.atomic():
            lead = Lead.objects.create(
                case_id=case_id,
                indicator_id=indicator_id,
                kind=kind,
                host=host[:253],
                capture=capture,
                matched_capture=matched_capture,
                new_value=new_value[:2048],
                summary=summary,
                detail=detail or {},
                dedupe_key=dedupe_key[:200],
            )
            audit.record(actor=None, action="lead.raised", obj=lead, case_id=case_id, summary=summary[:300])
    except IntegrityError:
        return None
    return lead


def _leads_for_changes(watched: Watched, new: dict[str, list[str]], check: HostCheck) -> int:
    raised = 0
    for rdtype, values in new.items():
        kind = LeadKind.NEW_NAMESERVER if rdtype == "NS" else LeadKind.NEW_ADDRESS
        for value in values:
            for case_id, indicator_id in watched.cases.items():
                if kind == LeadKind.NEW_NAMESERVER:
                    summary = _("%(host)s is now served by the name server %(value)s") % {
                        "host": watched.host,
                        "value": value,
                    }
                else:
                    summary = _("%(host)s now resolves to a new address, %(value)s") % {
                        "host": watched.host,
                        "value": value,
                    }
                lead = raise_lead(
                    case_id=case_id,
                    kind=kind,
                    dedupe_key=f"{kind}:{case_id}:{watched.host}:{value}",
                    summary=summary,
                    host=watched.host,
                    indicator_id=indicator_id,
                    new_value=value,
                    detail={
                        "rdtype": rdtype,
                        "all_now": check.addresses if rdtype != "NS" else check.nameservers,
                    },
                )
                raised += lead is not None
    return raised


def reresolve_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-resolve and re-check every watched host; flag new IPs and name servers as leads."""
    now = now or timezone.now()
    watched = watched_hosts()
    if not watched:
        return {"hosts": 0, "leads": 0, "live": 0}
    capture_config = config.capture_config()
    results = runner.submit(
        liveness.check_hosts({host: sorted(w.urls) for host, w in watched.items()}, capture_config)
    ).result()
    leads = live = 0
    for result in results:
        target = watched[result.host]
        snapshot = result.dns
        new = record_observations(result.host, snapshot, now) if snapshot is not None else {}
        for url_check in result.urls or (liveness.UrlCheck("", None, "", "", "no URL"),):
            previous = (
                HostCheck.objects.filter(host=result.host, url=url_check.url)
                .exclude(content_sha256="")
                .first()
            )
            changed = bool(
                previous is not None
                and url_check.content_sha256
                and previous.content_sha256 != url_check.content_sha256
            )
            check = HostCheck.objects.create(
                host=result.host,
                url=url_check.url,
                checked_at=now,
                resolver=snapshot.resolver if snapshot is not None else "",
                dns_status="NXDOMAIN"
                if snapshot is not None and snapshot.nxdomain
                else ("NOERROR" if snapshot is not None and snapshot.addresses else "NOADDRESS"),
                addresses=list(snapshot.addresses) if snapshot is not None else [],
                nameservers=list(snapshot.values("NS")) if snapshot is not None else [],
                new_addresses=new.get("A", []) + new.get("AAAA", []),
                new_nameservers=new.get("NS", []),
                http_status=url_check.status,
                content_sha256=url_check.content_sha256,
                content_changed=changed,
                live=url_check.status is not None and url_check.status < 400,
                error=url_check.error,
            )
            live += check.live
        if new:
            leads += _leads_for_changes(target, new, check)
    return {"hosts": len(watched), "leads": leads, "live": live}


def _matching_captures(capture: Capture) -> Iterable[Capture]:
    match = Q()
    if capture.content_sha256:
        match |= Q(content_sha256=capture.content_sha256)
    if capture.text_fingerprint:
        match |= Q(text_fingerprint=capture.text_fingerprint)
    if capture.dom_fingerprint:
        match |= Q(dom_fingerprint=capture.dom_fingerprint)
    if not match:
        return []
    return (
        Capture.objects.filter(match, state=CaptureState.SUCCEEDED)
        .exclude(registrable_domain=capture.registrable_domain)
        .exclude(case_id=capture.case_id)
        .select_related("case")
        .order_by("-finished_at")[:20]
    )


def after_capture(capture: Capture, outcome: CaptureOutcome) -> int:
    """Keep the capture's DNS answers as history; raise leads for the same page on another domain."""
    if outcome.dns is not None:
        record_observations(outcome.dns.host, outcome.dns, capture.finished_at or timezone.now())
    raised = 0
    seen_cases: set[int] = set()
    matches = list(_matching_captures(capture))
    if not matches:
        return 0
    blocked = set(
        Decision.objects.filter(state=DecisionState.ACTIVE, case_id__in={m.case_id for m in matches})
        .values_list("case_id", flat=True)
        .distinct()
    )
    for match in matches:
        if match.case_id in seen_cases:
            continue
        seen_cases.add(match.case_id)
        how = (
            _("identical page")
            if capture.content_sha256 and match.content_sha256 == capture.content_sha256
            else _("same text")
            if capture.text_fingerprint and match.text_fingerprint == capture.text_fingerprint
            else _("same page structure")
        )
        if match.case_id in blocked:
            summary = _("The blocked site %(old)s is back under %(new)s (%(how)s; case %(case)s).")
        else:
            summary = _("The page of %(old)s appeared under %(new)s (%(how)s; case %(case)s).")
        lead = raise_lead(
            case_id=match.case_id,
            kind=LeadKind.SAME_CONTENT,
            dedupe_key=f"same_content:{match.case_id}:{capture.registrable_domain}",
            summary=summary % {"old": match.host, "new": capture.host, "how": how, "case": capture.case.code},
            host=capture.host,
            capture=capture,
            matched_capture=match,
            new_value=capture.final_url or capture.url,
            detail={"how": how, "new_case": capture.case.code, "blocked": match.case_id in blocked},
        )
        raised += lead is not None
    return raised


def _require_handler(actor: User, lead: Lead) -> None:
    from vigil.cases.services.common import require_on_case

    require_on_case(actor, lead.case, "capture.run")
    if lead.state != LeadState.OPEN:
        raise Conflict(_("This lead was already handled."))


def dismiss_lead(*, actor: User, lead: Lead, note: str = "") -> Lead:
    """Close a lead as not relevant, with an optional note."""
    _require_handler(actor, lead)
    with transaction.atomic():
        _close(actor, lead, LeadState.DISMISSED, "lead.dismissed", note)
    lead.refresh_from_db()
    return lead


def link_lead(*, actor: User, lead: Lead, note: str = "") -> Lead:
    """Accept a lead: a page seen elsewhere joins the case as a URL indicator (IP or NS changes are noted)."""
    _require_handler(actor, lead)
    with transaction.atomic():
        if lead.kind == LeadKind.SAME_CONTENT and lead.new_value:
            roles.require(actor, "indicator.add")
            with contextlib.suppress(Conflict):  # already on the case
                # The URL, the narrowest scope; the analyst may widen it to the domain.
                add_indicator(
                    actor=actor,
                    case=lead.case,
                    kind="url",
                    raw=lead.new_value,
                    note=_("linked lead #%(id)d: %(summary)s")
                    % {"id": lead.pk, "summary": lead.summary[:300]},
                )
        _close(actor, lead, LeadState.LINKED, "lead.linked", note)
    lead.refresh_from_db()
    return lead


def _close(actor: User, lead: Lead, state: str, action: str, note: str) -> None:
    """Mark an open lead handled, once: of two analysts closing it at the same time, one wins."""
    closed = Lead.objects.filter(pk=lead.pk, state=LeadState.OPEN).update(
        state=state, handled_by=actor, handled_at=timezone.now(), note=note
    )
    if not closed:
        raise Conflict(_("This lead was already handled."))
    audit.record(
        actor=actor,
        action=action,
        obj=lead,
        case_id=lead.case_id,
        summary=note[:300],
        changes={"state": [LeadState.OPEN, state]},
    )
