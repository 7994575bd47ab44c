"""Public look-up: is this site, number or account known? Answered in plain words.

Nothing about reporters is ever part of the answer (no names, texts or contacts), and
nothing about the visitor is stored: a look-up reads, it never writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from vigil.blocking.checking import check_value
from vigil.cases.choices import AppraisalVerdict, DecisionState
from vigil.cases.models import Appraisal, Case, CaseIndicator, Decision
from vigil.core.choices import ActionKind
from vigil.core.models import Category
from vigil.indicators import services as indicator_services
from vigil.indicators.choices import IndicatorKind
from vigil.indicators.models import Indicator
from vigil.intake.choices import GroupState, Verdict
from vigil.intake.models import TriageGroup
from vigil.lib import indicators as lib

IN_FORCE = (DecisionState.APPROVED, DecisionState.ACTIVE)
SNAPSHOT_TYPES = frozenset({"url", "domain", "ip"})


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The verdict on one value, with only public facts."""

    indicator: lib.Indicator
    verdict: str
    decisions: tuple[Decision, ...] = ()
    report_count: int = 0
    first_reported: dt.datetime | None = None
    last_reported: dt.datetime | None = None
    category: Category | None = None
    appeal_url: str | None = None

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    @property
    def type_label(self) -> str:
        return str(IndicatorKind(str(self.indicator.type)).label)


@dataclass(frozen=True, slots=True)
class _Group:
    report_count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    state: str
    case_id: int | None


def _groups(indicator: lib.Indicator) -> list[_Group]:
    kind, value = str(indicator.type), indicator.value
    query = Q(type=kind, value=value)
    if kind == "domain":
        query |= Q(host=value)
    elif kind == "url" and indicator.attrs.get("host"):
        query |= Q(type="domain", value=indicator.attrs["host"])
    rows = TriageGroup.objects.filter(query).values_list(
        "report_count", "first_seen", "last_seen", "state", "case_id"
    )
    return [_Group(*row) for row in rows if row[3] != GroupState.SPAM]


def _decisions(indicator_id: int | None, case_ids: list[int], ids: list[int]) -> tuple[Decision, ...]:
    """Decisions in force: those the blocklist named (``ids``), and those on the value itself."""
    # A decision names one of its case's indicators: no case link, no decision on the value.
    on_value = indicator_id is not None and bool(case_ids)
    if not ids and not on_value:
        return ()
    query = Q(pk__in=ids)
    if on_value:
        query |= Q(indicator_id=indicator_id)
    return tuple(
        Decision.objects.filter(query, state__in=IN_FORCE)
        .exclude(action=ActionKind.NO_ACTION)
        .select_related("category", "legal_basis")
        .order_by("approved_at", "pk")
    )


def _confirmed_category(case_ids: list[int]) -> Category | None:
    """The category of a case carrying the indicator that an appraiser confirmed; None if none."""
    case_id = (
        Appraisal.objects.filter(case_id__in=case_ids, verdict=AppraisalVerdict.CONFIRMED)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        return None
    return Case.objects.select_related("category").get(pk=case_id).category


def _category_of_case(groups: list[_Group]) -> Category | None:
    case_id = next((g.case_id for g in groups if g.case_id is not None), None)
    if case_id is None:
        return None
    return Category.objects.filter(cases__pk=case_id).first()


def look_up(raw: str) -> LookupResult:
    """The verdict for a URL, domain, phone number, bank account…; raises InvalidInput if unreadable.

    An unknown value costs two indexed reads (the indicator library and the reports).
    """
    indicator = indicator_services.parse(None, raw)
    blocked_ids: list[int] = []
    appeal_url = None
    if indicator.type in SNAPSHOT_TYPES:
        answer = check_value(indicator.value)
        if answer["status"] == "blocked":
            blocked_ids = [d["decision_id"] for d in answer["decisions"] if d.get("decision_id")]
            appeal_url = answer.get("block_page")
    indicator_id = (
        Indicator.objects.filter(type=str(indicator.type), value=indicator.value)
        .values_list("pk", flat=True)
        .first()
    )
    case_ids = (
        list(CaseIndicator.objects.filter(indicator_id=indicator_id).values_list("case_id", flat=True)[:100])
        if indicator_id is not None
        else []
    )
    decisions = _decisions(indicator_id, case_ids, blocked_ids)
    groups = _groups(indicator)
    counted = [g for g in groups if g.report_count]
    facts: dict[str, Any] = {
        "report_count": sum(g.report_count for g in counted),
        "first_reported": min((g.first_seen for g in counted), default=None),
        "last_reported": max((g.last_seen for g in counted), default=None),
    }
    if blocked_ids or any(d.action in (ActionKind.DNS_BLOCK, ActionKind.IP_BLOCK) for d in decisions):
        category = decisions[0].category if decisions else _category_of_case(groups)
        return LookupResult(
            indicator, Verdict.BLOCKED, decisions, category=category, appeal_url=appeal_url, **facts
        )
    if decisions:
        return LookupResult(indicator, Verdict.CONFIRMED, decisions, category=decisions[0].category, **facts)
    confirmed = _confirmed_category(case_ids) if case_ids else None
    if confirmed is not None:
        return LookupResult(indicator, Verdict.CONFIRMED, category=confirmed, **facts)
    if any(g.state in (GroupState.OPEN, GroupState.IN_CASE) for g in counted):
        return LookupResult(indicator, Verdict.REPORTED, category=_category_of_case(groups), **facts)
    if counted:
        return LookupResult(indicator, Verdict.NOT_CONFIRMED, **facts)
    return LookupResult(indicator, Verdict.NONE)
