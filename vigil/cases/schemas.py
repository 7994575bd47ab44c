"""API shapes for cases, evidence, appraisals, decisions and appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class IndicatorRef(Schema):
    id: int
    type: str
    value: str
    display: str


class IndicatorIn(Schema):
    type: str | None = Field(
        None, description="url, domain, ip, cidr, phone, bank_account, …; guessed if empty"
    )
    value: str
    note: str = ""


class CaseIn(Schema):
    title: str
    category: str = Field(description="category code")
    description: str = ""
    priority: int = 2
    organisation: str | None = Field(None, description="owning organisation code; default: yours")
    assignee: str | None = Field(None, description="username")
    indicators: list[IndicatorIn] = []


class CasePatch(Schema):
    title: str | None = None
    description: str | None = None
    priority: int | None = None
    category: str | None = None
    assignee: str | None = None


class CaseOut(Schema):
    id: int
    code: str
    title: str
    status: str
    priority: int
    category: str
    organisation: str
    assignee: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    merged_into: str | None

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.code)

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.code)

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.username if obj.assignee_id else None

    @staticmethod
    def resolve_merged_into(obj: Any) -> str | None:
        return obj.merged_into.code if obj.merged_into_id else None


class EvidenceOut(Schema):
    id: int
    case: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    captured_at: dt.datetime
    collector: str
    source: str
    note: str
    content_stored: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_case(obj: Any) -> str:
        return str(obj.case.code)


class WithheldEvidenceIn(Schema):
    sha256: str
    size: int
    media_type: str = "application/octet-stream"
    source: str = ""
    note: str = ""


class AppraisalIn(Schema):
    verdict: str
    reasoning: str
    category: str | None = None


class AppraisalOut(Schema):
    id: int
    appraiser: str
    verdict: str
    reasoning: str
    category: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_appraiser(obj: Any) -> str:
        return str(obj.appraiser.username)

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category.code if obj.category_id else None


class DecisionIn(Schema):
    action: str
    scope: str
    indicator_id: int
    legal_basis: str = Field(description="legal basis code")
    reasoning: str
    evidence_ids: list[int] = []
    expires_at: dt.datetime | None = None
    category: str | None = None


class DecisionOut(Schema):
    id: int
    case: str
    action: str
    scope: str
    target: str
    indicator: IndicatorRef
    category: str
    legal_basis: str
    reasoning: str
    evidence_sha256: list[str]
    state: str
    expires_at: dt.datetime
    author: str
    approved_by: str | None
    approved_at: dt.datetime | None
    activated_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_case(obj: Any) -> str:
        return str(obj.case.code)

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.code)

    @staticmethod
    def resolve_legal_basis(obj: Any) -> str:
        return str(obj.legal_basis.code)

    @staticmethod
    def resolve_evidence_sha256(obj: Any) -> list[str]:
        return [item.sha256 for item in obj.evidence.all()]

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.username)

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.username if obj.approved_by_id else None


class ReasonIn(Schema):
    reason: str


class TransitionIn(Schema):
    status: str
    reason: str = ""


class MergeIn(Schema):
    into: str = Field(description="code of the case that absorbs this one")
    reason: str = ""


class AppealIn(Schema):
    appellant: str
    grounds: str
    contact: str = ""


class AppealResolveIn(Schema):
    outcome: str = Field(description="upheld or overturned")
    reason: str


class AppealOut(Schema):
    id: int
    decision_id: int
    appellant: str
    contact: str
    grounds: str
    state: str
    received_at: dt.datetime
    reviewer: str | None
    outcome_reason: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_reviewer(obj: Any) -> str | None:
        return obj.reviewer.username if obj.reviewer_id else None


class TimelineOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_repr: str
    summary: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class CaseDetailOut(CaseOut):
    description: str
    indicators: list[IndicatorRef]
    evidence: list[EvidenceOut]
    appraisals: list[AppraisalOut]
    decisions: list[DecisionOut]
    concerned_organisations: list[str]

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Any]:
        return [link.indicator for link in obj.indicator_links.all()]

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.all())

    @staticmethod
    def resolve_appraisals(obj: Any) -> list[Any]:
        return list(obj.appraisals.all())

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_concerned_organisations(obj: Any) -> list[str]:
        return [org.code for org in obj.concerned_organisations.all()]
