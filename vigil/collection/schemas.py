"""API shapes for captures and leads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class CaptureIn(Schema):
    url: str = Field("", description="URL to capture (or give indicator_id)")
    indicator_id: int | None = Field(None, description="a URL or domain indicator on the case")


class StepOut(Schema):
    name: str
    state: str
    detail: str = ""


class ArtefactOut(Schema):
    name: str
    evidence_id: int
    sha256: str
    size: int
    media_type: str


class FindingOut(Schema):
    detector: str
    label: str
    score: float
    explanation: str
    evidence: list[str]


class CaptureOut(Schema):
    id: int
    case: str
    url: str
    state: str
    steps: list[StepOut]
    current_step: str
    failure_step: str
    failure_code: str
    failure_message: str
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    final_url: str
    http_status: int | None
    title: str
    cloaking_suspected: bool | None
    tls_trusted: bool | None
    content_sha256: str
    limits: list[dict[str, Any]]
    manifest_sha256: str | None
    artefacts: list[ArtefactOut]
    findings: list[FindingOut]
    retry_of: int | None


class PublicKeyOut(Schema):
    algorithm: str
    key_id: str
    public_key: str
    pem: str


class LeadOut(Schema):
    id: int
    case: str
    kind: str
    state: str
    host: str
    new_value: str
    summary: str
    detail: dict[str, Any]
    capture_id: int | None
    matched_capture_id: int | None
    created_at: dt.datetime
    handled_by: str | None
    note: str


class LeadActionIn(Schema):
    note: str = ""
