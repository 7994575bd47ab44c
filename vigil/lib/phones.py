"""Phone numbers, Vietnamese first, in E.164 form (via the phonenumbers library)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

from vigil.lib.errors import IndicatorError

__all__ = ["PhoneNumber", "from_parsed", "normalise_phone"]

_WHAT = "a Vietnamese or international phone number"
# Letters are refused: phonenumbers would read "1-800-FLOWERS" as a vanity number,
# and a value with letters in it is a brand name or a typo, not a number to block.
_ALLOWED = re.compile(r"[0-9()+./\s-]{3,40}")
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid phone number."""

    value: str  # E.164, e.g. "+84912345678"
    display: str  # international format, e.g. "+84 912 345 678"
    region: str  # ISO 3166 region, e.g. "VN"
    number_type: str  # "mobile", "fixed_line", "toll_free", "premium_rate", ...


def from_parsed(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    """Wrap a number phonenumbers has already parsed and validated.

    >>> from_parsed(phonenumbers.parse("+84 24 3825 1234")).number_type
    'fixed_line'
    """
    return _wrap(number, phonenumbers.number_type(number))


def _wrap(number: phonenumbers.PhoneNumber, kind: int) -> PhoneNumber:
    # E.164 is "+", the country code and the national significant number: built here
    # because format_number(E164) re-derives the region and metadata (a fifth of a parse).
    return PhoneNumber(
        value=f"+{number.country_code}{phonenumbers.national_significant_number(number)}",
        display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        region=phonenumbers.region_code_for_number(number) or "",
        number_type=_TYPE_NAMES.get(kind, "unknown"),
    )


# Scam campaigns repeat the same numbers across thousands of reports and look-ups; a
# parse costs ~55 µs, a cache hit well under 1.
@functools.lru_cache(maxsize=16_384)
def normalise_phone(raw: str, default_region: str = "VN") -> PhoneNumber:
    """Parse and validate a phone number; numbers without a country code are Vietnamese.

    >>> normalise_phone("(+84) 912.345.678").value
    '+84912345678'
    >>> phone = normalise_phone("0270 3822 123")
    >>> phone.value, phone.display, phone.number_type
    ('+842703822123', '+84 270 3822 123', 'fixed_line')
    >>> normalise_phone("0123 456 789")
    Traceback (most recent call last):
    ...
    vigil.lib.errors.IndicatorError: not a Vietnamese or international phone number
    """
    text = raw.strip().removeprefix("tel:").strip()
    if not _ALLOWED.fullmatch(text):
        raise IndicatorError(_WHAT)
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise IndicatorError(_WHAT) from None
    # The type is UNKNOWN exactly when is_valid_number is false (both match the number
    # against its region's patterns); asking once halves the cost of validating.
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        raise IndicatorError(_WHAT)
    return _wrap(number, kind)
