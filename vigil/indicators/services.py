"""Parsing, extracting and recording indicators."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vigil.core import audit
from vigil.core.models import User
from vigil.errors import InvalidInput
from vigil.indicators import messages
from vigil.indicators.models import Indicator
from vigil.lib import extract as extract_lib
from vigil.lib import indicators as lib

DEFANGABLE = {None, "url", "domain", "ip", "cidr", "email"}


def parse(kind: str | None, raw: str) -> lib.Indicator:
    """Normalise ``raw`` as ``kind`` (or the best guess), with a specific error if it fails."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidInput(_("Enter a value."), code="invalid_indicator")
    if kind in DEFANGABLE:
        # Analysts paste defanged values (hxxp://, example[.]com); accept them as typed.
        raw = extract_lib.refang(raw)
    try:
        return lib.normalise(kind, raw) if kind else lib.normalise_any(raw)
    except lib.IndicatorError as exc:
        raise InvalidInput(messages.describe(exc), code="invalid_indicator") from exc


def extract(text: str) -> list[extract_lib.Extracted]:
    """Every indicator in a pasted message, de-obfuscated, in text order."""
    return extract_lib.extract_indicators(text or "")


def record(*, actor: User | None, parsed: lib.Indicator) -> tuple[Indicator, bool]:
    """The stored row for a parsed indicator, created (and audited) if new."""
    existing = Indicator.objects.filter(type=str(parsed.type), value=parsed.value).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = Indicator.objects.create(
                type=str(parsed.type),
                value=parsed.value,
                display=parsed.display[:2048],
                attrs=dict(parsed.attrs),
                registrable_domain=parsed.attrs.get("registrable_domain", "") or "",
                created_by=actor,
            )
            audit.record(
                actor=actor,
                action="indicator.created",
                obj=row,
                changes={"value": [None, row.value], "type": [None, row.type]},
            )
            return row, True
    except IntegrityError:
        # Another request created the same value between our read and our insert.
        return Indicator.objects.get(type=str(parsed.type), value=parsed.value), False


def get_or_create(*, actor: User | None, kind: str | None, raw: str) -> tuple[Indicator, bool]:
    """Parse and record in one step."""
    return record(actor=actor, parsed=parse(kind, raw))
