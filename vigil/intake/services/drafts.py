"""Checking a report's input, field by field, into a :class:`ReportDraft` ready to store.

Every refusal names the field it concerns, so the form shows it beside that field and
the partner API returns it with the item.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.errors import InvalidInput
from vigil.indicators import services as indicator_services
from vigil.intake.choices import ReportKind
from vigil.lib import indicators as lib
from vigil.lib.errors import IndicatorError
from vigil.lib.phones import normalise_phone

MAX_TEXT = 5000
MAX_INDICATORS = 20
MAX_MONEY = 10**15

# The indicator kinds the main field of each report kind accepts, in the order tried.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    ReportKind.WEBSITE: ("url", "domain", "ip"),
    ReportKind.PHONE_CALL: ("phone",),
    ReportKind.SMS: ("phone", "sms_sender"),
    ReportKind.BANK_ACCOUNT: ("bank_account",),
    ReportKind.EMAIL: ("email",),
    ReportKind.SOCIAL: ("social_account", "url"),
    ReportKind.APP: ("app_id", "url"),
    ReportKind.OTHER: (),
}


@dataclass(frozen=True, slots=True)
class StoredImage:
    """A screenshot already re-encoded and stored in the desk's store."""

    sha256: str
    size: int
    media_type: str
    width: int
    height: int
    name: str


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """A checked report, not yet stored."""

    kind: str
    indicators: tuple[lib.Indicator, ...]
    text: str = ""
    description: str = ""
    money_lost: int | None = None
    happened_on: dt.date | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    consent: bool = False
    language: str = ""
    external_id: str = ""
    screenshots: tuple[StoredImage, ...] = field(default=())


class ReportInvalid(InvalidInput):
    """One or more fields are wrong; ``fields`` maps each to its message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__(
            next(iter(self.fields.values()), _("The report is incomplete.")),
            code="invalid_report",
            details={"fields": self.fields},
        )


@functools.lru_cache(maxsize=4096)
def extract_cached(text: str) -> tuple[lib.Indicator, ...]:
    """Indicators in a message; campaigns repeat the same text, so results are cached per process."""
    return tuple(found.indicator for found in indicator_services.extract(text))


def _kind_error(kind: str) -> str:
    messages = {
        ReportKind.WEBSITE: _("This does not look like a web address (e.g. vcb-xacminh.com or a full link)."),
        ReportKind.PHONE_CALL: _("This does not look like a phone number (e.g. 0912 345 678)."),
        ReportKind.SMS: _("Give the sender as a phone number or the name shown (e.g. 0912 345 678 or VCB)."),
        ReportKind.BANK_ACCOUNT: _("Give the bank and the account number (e.g. Vietcombank 0123456789)."),
        ReportKind.EMAIL: _("This does not look like an e-mail address."),
        ReportKind.SOCIAL: _("Give the link to the account or page (e.g. https://facebook.com/...)."),
        ReportKind.APP: _("Give the app's store link or its package name."),
    }
    return str(messages.get(kind, _("We could not recognise this value.")))


def parse_for_kind(kind: str, raw: str) -> lib.Indicator:
    """The main field's value as an indicator of a kind the report kind allows."""
    allowed = KIND_TYPES.get(kind, ())
    if not allowed:
        return indicator_services.parse(None, raw)
    try:
        guessed = indicator_services.parse(None, raw)
    except InvalidInput:
        guessed = None
    if guessed is not None and str(guessed.type) in allowed:
        return guessed
    for kind_type in allowed:
        try:
            return indicator_services.parse(kind_type, raw)
        except InvalidInput:
            continue
    raise InvalidInput(_kind_error(kind), code="invalid_indicator")


def _parse_money(value: Any, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        amount = int(str(value).replace(".", "").replace(",", "").replace(" ", ""))
    except ValueError:
        errors["money_lost"] = _("Give the amount in đồng, digits only (e.g. 5000000).")
        return None
    if not 0 <= amount <= MAX_MONEY:
        errors["money_lost"] = _("The amount must be between 0 and 1,000,000 billion đồng.")
        return None
    return amount


def _parse_date(value: Any, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            errors["happened_on"] = _("Give the date as YYYY-MM-DD.")
            return None
    if value > timezone.localdate() + dt.timedelta(days=1):
        errors["happened_on"] = _("The date cannot be in the future.")
        return None
    if value.year < 2000:
        errors["happened_on"] = _("The date is too far in the past.")
        return None
    return value


def _contact(
    name: str, email: str, phone: str, consent: bool, errors: dict[str, str]
) -> tuple[str, str, str]:
    name, email, phone = name.strip()[:200], email.strip()[:254], phone.strip()[:40]
    if not (name or email or phone):
        return "", "", ""
    if not consent:
        errors["consent"] = _(
            "Tick the consent box to let us keep your contact details, or leave them empty."
        )
        return "", "", ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("This does not look like an e-mail address.")
    if phone:
        try:
            phone = normalise_phone(phone).value
        except IndicatorError:
            errors["contact_phone"] = _("This does not look like a phone number (e.g. 0912 345 678).")
    return name, email, phone


def _add(found: list[lib.Indicator], seen: set[tuple[str, str]], indicator: lib.Indicator) -> None:
    key = (str(indicator.type), indicator.value)
    if key not in seen:
        seen.add(key)
        found.append(indicator)


def prepare_report(
    *,
    kind: str,
    value: str = "",
    text: str = "",
    description: str = "",
    money_lost: Any = None,
    happened_on: Any = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    consent: bool = False,
    indicators: Sequence[tuple[str | None, str]] = (),
    screenshots: Sequence[StoredImage] = (),
    language: str = "",
    external_id: str = "",
    extract: bool = True,
) -> ReportDraft:
    """Check every field; raise :class:`ReportInvalid` naming each wrong one, or return the draft.

    ``indicators`` are given explicitly by partners and imports; the message ``text`` is
    searched for more only when ``extract`` is true (for partners: when they gave none).
    """
    errors: dict[str, str] = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose what you are reporting.")
    text, description = (text or "").strip(), (description or "").strip()
    if len(text) > MAX_TEXT:
        errors["text"] = _("The message is too long (at most %(n)s characters).") % {"n": MAX_TEXT}
    if len(description) > MAX_TEXT:
        errors["description"] = _("The description is too long (at most %(n)s characters).") % {"n": MAX_TEXT}
    found: list[lib.Indicator] = []
    seen: set[tuple[str, str]] = set()
    if (value or "").strip() and "kind" not in errors:
        try:
            _add(found, seen, parse_for_kind(kind, value))
        except InvalidInput as exc:
            errors["value"] = exc.message
    for index, (indicator_type, raw) in enumerate(indicators):
        try:
            _add(found, seen, indicator_services.parse(indicator_type or None, raw))
        except InvalidInput as exc:
            errors[f"indicators.{index}"] = exc.message
    if extract and text and "text" not in errors:
        for indicator in extract_cached(text):
            _add(found, seen, indicator)
    if not found and not errors:
        errors["value" if not text else "text"] = (
            _("We found no website, phone number or account in the message: add one in the field above.")
            if text
            else _("Tell us at least the website, phone number or account you are reporting.")
        )
    money = _parse_money(money_lost, errors)
    day = _parse_date(happened_on, errors)
    name, email, phone = _contact(contact_name, contact_email, contact_phone, bool(consent), errors)
    if errors:
        raise ReportInvalid(errors)
    return ReportDraft(
        kind=kind,
        indicators=tuple(found[:MAX_INDICATORS]),
        text=text,
        description=description,
        money_lost=money,
        happened_on=day,
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        consent=bool(consent) and bool(name or email or phone),
        language=(language or "")[:8],
        external_id=(external_id or "").strip()[:100],
        screenshots=tuple(screenshots),
    )
