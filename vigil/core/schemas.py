"""API shapes for the core app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class OrganisationOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str


class CategoryOut(Schema):
    code: str
    name_vi: str
    name_en: str
    severity: int
    default_action: str
    default_expiry_days: int
    referral_only: bool


class LegalBasisOut(Schema):
    code: str
    instrument: str
    article: str
    summary_vi: str
    summary_en: str
    url: str
    verified: bool
    categories: list[str]

    @staticmethod
    def resolve_categories(obj: Any) -> list[str]:
        return [category.code for category in obj.categories.all()]


class MeOut(Schema):
    username: str
    full_name: str
    organisation: str | None
    roles: list[str]


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    case_id: int | None
    summary: str
    changes: dict[str, Any]
    source_ip: str | None
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class AuditVerifyOut(Schema):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str
    head_seq: int
    head_hash: str


class TokenIn(Schema):
    name: str
    days: int | None = 365


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str
