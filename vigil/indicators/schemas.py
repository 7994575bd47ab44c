"""API shapes for indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ParseIn(Schema):
    value: str
    type: str | None = None


class ParsedOut(Schema):
    type: str
    value: str
    display: str
    attrs: dict[str, str]
    known_id: int | None = None


class ExtractIn(Schema):
    text: str


class ExtractedOut(Schema):
    type: str
    value: str
    display: str
    raw: str
    start: int
    end: int


class IndicatorOut(Schema):
    id: int
    type: str
    value: str
    display: str
    attrs: dict[str, Any]
    registrable_domain: str
    created_at: dt.datetime


class IndicatorCaseOut(Schema):
    code: str
    title: str
    status: str


class IndicatorDecisionOut(Schema):
    id: int
    case: str
    action: str
    scope: str
    target: str
    state: str
    expires_at: dt.datetime


class IndicatorDetailOut(IndicatorOut):
    cases: list[IndicatorCaseOut]
    decisions: list[IndicatorDecisionOut]
