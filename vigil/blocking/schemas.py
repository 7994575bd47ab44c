"""API shapes for the check endpoints."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class RefOut(Schema):
    decision_id: int | None
    category: str
    scope: str
    action: str
    legal_basis: str
    expires_at: str | None
    source: str


class CheckOut(Schema):
    value: str
    status: str = Field(description="blocked, allowed or none")
    decisions: list[RefOut]
    block_page: str | None = None
    error: str | None = None


class CheckBatchIn(Schema):
    values: list[str] = Field(max_length=10_000)


class CheckBatchOut(Schema):
    snapshot: str
    results: list[CheckOut]
