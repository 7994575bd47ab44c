"""Bulk reports from partners (banks, telcos, platforms): idempotent batches within a daily quota."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from vigil.core import roles
from vigil.core.models import Organisation, User
from vigil.errors import Conflict, InvalidInput, NotAllowed, VigilError
from vigil.intake import conf
from vigil.intake.choices import Channel
from vigil.intake.models import PartnerBatch, PartnerQuota, PartnerUsage
from vigil.intake.services.drafts import ReportDraft, ReportInvalid, prepare_report
from vigil.intake.services.submission import submit_many
from vigil.intake.services.writelock import writer_turn


class QuotaExceeded(VigilError):
    """The organisation's daily quota would be exceeded; nothing was stored."""

    code = "quota_exceeded"
    status = 429


class IndicatorItem(BaseModel):
    """One indicator named explicitly by the partner (normalised by Vigil)."""

    model_config = ConfigDict(extra="forbid")
    type: str | None = Field(
        None, description="url, domain, ip, phone, bank_account, email, … or empty to guess"
    )
    value: str = Field(..., max_length=2048)


class ReportItem(BaseModel):
    """One report in a batch; ``indicators`` given means the text is not searched for more."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(..., description="website, phone_call, sms, bank_account, email, social, app, other")
    value: str = Field("", max_length=2048, description="the main indicator, read according to kind")
    text: str = Field("", description="the message as received (SMS, chat…)")
    description: str = ""
    indicators: list[IndicatorItem] = Field(default_factory=list, max_length=50)
    money_lost: int | None = None
    happened_on: dt.date | None = None
    external_id: str = Field("", max_length=100, description="your own reference, echoed back")


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What the API answers, and whether it is a replay of an earlier answer."""

    body: dict[str, Any]
    replayed: bool = False


def quota_of(organisation: Organisation) -> tuple[int, int]:
    """(reports per day, requests per minute per token) for an organisation."""
    row = (
        PartnerQuota.objects.filter(organisation=organisation)
        .values_list("reports_per_day", "requests_per_minute")
        .first()
    )
    if row is not None:
        return int(row[0]), int(row[1])
    return conf.get("PARTNER_DAILY_QUOTA"), conf.get("PARTNER_REQUESTS_PER_MINUTE")


def usage_today(organisation: Organisation) -> int:
    """Reports accepted from the organisation today (local day)."""
    row = PartnerUsage.objects.filter(organisation=organisation, day=timezone.localdate()).first()
    return row.reports if row else 0


def seconds_to_midnight() -> int:
    """When the daily quota starts afresh."""
    now = timezone.localtime()
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def _consume_quota(organisation: Organisation, count: int) -> None:
    limit, _rpm = quota_of(organisation)
    day = timezone.localdate()
    for _attempt in range(2):
        if PartnerUsage.objects.filter(organisation=organisation, day=day, reports__lte=limit - count).update(
            reports=F("reports") + count
        ):
            return
        if PartnerUsage.objects.filter(organisation=organisation, day=day).exists() or count > limit:
            break
        try:
            with transaction.atomic():
                PartnerUsage.objects.create(organisation=organisation, day=day, reports=count)
            return
        except IntegrityError:
            continue  # another request created today's row first: count against it
    used = usage_today(organisation)
    raise QuotaExceeded(
        _(
            "This batch of %(n)s reports would exceed your organisation's daily quota "
            "(%(used)s of %(limit)s used)."
        )
        % {"n": count, "used": used, "limit": limit},
        details={"quota": limit, "used": used, "retry_after": seconds_to_midnight()},
    )


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > 100 or not key.isprintable():
        raise InvalidInput(
            _("Send an Idempotency-Key header (1–100 printable characters, unique per batch)."),
            code="idempotency_key_required",
        )
    return key


def _item_errors(exc: PydanticError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())) or "item",
            "message": error.get("msg", ""),
        }
        for error in exc.errors()
    ]


def _prepare(index: int, raw: Any) -> tuple[ReportDraft | None, dict[str, Any]]:
    try:
        item = ReportItem.model_validate(raw)
    except PydanticError as exc:
        return None, {"index": index, "status": "refused", "errors": _item_errors(exc)}
    try:
        draft = prepare_report(
            kind=item.kind,
            value=item.value,
            text=item.text,
            description=item.description,
            money_lost=item.money_lost,
            happened_on=item.happened_on,
            indicators=[(i.type, i.value) for i in item.indicators],
            external_id=item.external_id,
            extract=not item.indicators,
        )
    except ReportInvalid as exc:
        errors = [{"field": name, "message": message} for name, message in exc.fields.items()]
        return None, {"index": index, "status": "refused", "errors": errors, "external_id": item.external_id}
    return draft, {"index": index, "status": "accepted", "external_id": item.external_id}


def _replay(batch: PartnerBatch, digest: str) -> BatchOutcome:
    if batch.request_sha256 != digest:
        raise Conflict(
            _("This Idempotency-Key was already used for a different batch; use a new key for new reports."),
            code="idempotency_conflict",
        )
    return BatchOutcome(batch.response, replayed=True)


def submit_batch(*, actor: User, key: str, items: Sequence[Any]) -> BatchOutcome:
    """Store every valid item, refuse each invalid one with its errors; a repeated key replays the answer."""
    roles.require(actor, "intake.submit")
    organisation = actor.organisation
    if organisation is None:
        raise NotAllowed(_("Partner accounts must belong to an organisation."))
    key = _check_key(key)
    if not items:
        raise InvalidInput(_("The batch has no items."), details={"field": "items"})
    if len(items) > conf.get("BATCH_MAX_ITEMS"):
        raise InvalidInput(
            _("A batch holds at most %(n)s items.") % {"n": conf.get("BATCH_MAX_ITEMS")},
            details={"field": "items"},
        )
    digest = hashlib.sha256(
        json.dumps(list(items), sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    earlier = PartnerBatch.objects.filter(organisation=organisation, key=key).first()
    if earlier is not None:
        return _replay(earlier, digest)
    prepared = [_prepare(index, raw) for index, raw in enumerate(items)]
    drafts = [draft for draft, _result in prepared if draft is not None]
    with writer_turn(), transaction.atomic():
        try:
            with transaction.atomic():
                batch = PartnerBatch.objects.create(
                    organisation=organisation,
                    key=key,
                    request_sha256=digest,
                    created_by=actor,
                    item_count=len(items),
                )
        except IntegrityError:
            # The same batch is being (or was just) stored by a concurrent retry.
            return _replay(PartnerBatch.objects.get(organisation=organisation, key=key), digest)
        if drafts:
            _consume_quota(organisation, len(drafts))
        reports = iter(
            submit_many(
                drafts,
                channel=Channel.PARTNER,
                actor=actor,
                organisation=organisation,
                summary=f"batch {key}",
            )
        )
        results = []
        for draft, result in prepared:
            if draft is not None:
                result["tracking_code"] = next(reports).tracking_code
            results.append(result)
        accepted = len(drafts)
        body = {"batch": key, "accepted": accepted, "refused": len(items) - accepted, "items": results}
        batch.response = body
        batch.save(update_fields=["response"])
    return BatchOutcome(body)
