"""API shapes of the desk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class BatchIn(Schema):
    """A partner's batch: each item is checked on its own (see ``ReportItem`` in the description)."""

    items: list[dict[str, Any]] = Field(
        ...,
        description="reports: kind, value, text, description, indicators "
        "[{type, value}], money_lost, happened_on, external_id",
    )


class BatchItemOut(Schema):
    index: int
    status: str
    tracking_code: str | None = None
    external_id: str | None = None
    errors: list[dict[str, str]] | None = None


class BatchOut(Schema):
    batch: str
    accepted: int
    refused: int
    items: list[BatchItemOut]


class DecisionPublicOut(Schema):
    decision_id: int
    action: str
    category: str
    legal_basis: str
    approved_at: dt.datetime | None
    expires_at: dt.datetime


class ReportStatusOut(Schema):
    tracking_code: str
    kind: str
    external_id: str
    received_at: dt.datetime
    status: str
    status_label: str
    decisions: list[DecisionPublicOut]


class QuotaOut(Schema):
    organisation: str
    reports_per_day: int
    used_today: int
    requests_per_minute: int


class LookupOut(Schema):
    value: str
    type: str
    verdict: str
    verdict_label: str
    report_count: int
    first_reported: dt.datetime | None
    last_reported: dt.datetime | None
    category: str | None
    decisions: list[DecisionPublicOut]
    appeal_url: str | None
