"""Phone numbers: Vietnamese formats first, then international."""

from __future__ import annotations

import pytest

from vigil.lib.errors import IndicatorError
from vigil.lib.phones import PhoneNumber, normalise_phone


@pytest.mark.parametrize(
    ("raw", "value", "number_type"),
    [
        # the four spellings of one mobile number
        ("0912 345 678", "+84912345678", "mobile"),
        ("+84 912 345 678", "+84912345678", "mobile"),
        ("84912345678", "+84912345678", "mobile"),
        ("(+84) 912.345.678", "+84912345678", "mobile"),
        # more ways people write it
        ("0912.345.678", "+84912345678", "mobile"),
        ("0912-345-678", "+84912345678", "mobile"),
        ("091 234 5678", "+84912345678", "mobile"),
        ("0084 912 345 678", "+84912345678", "mobile"),
        ("+84 (0) 912 345 678", "+84912345678", "mobile"),
        ("tel:+84912345678", "+84912345678", "mobile"),
        # mobile prefixes 03x 05x 07x 08x 09x
        ("0332 345 678", "+84332345678", "mobile"),
        ("0362345678", "+84362345678", "mobile"),
        ("0562 345 678", "+84562345678", "mobile"),
        ("0592345678", "+84592345678", "mobile"),
        ("0702 345 678", "+84702345678", "mobile"),
        ("0772345678", "+84772345678", "mobile"),
        ("0812 345 678", "+84812345678", "mobile"),
        ("0868 123 456", "+84868123456", "mobile"),
        ("0987 654 321", "+84987654321", "mobile"),
        # landlines: Vĩnh Long (270), Hà Nội (24), TP. Hồ Chí Minh (28), Cần Thơ (292)
        ("0270 3822 123", "+842703822123", "fixed_line"),
        ("(0270) 3.822.123", "+842703822123", "fixed_line"),
        ("024 3825 1234", "+842438251234", "fixed_line"),
        ("(028) 3822 1234", "+842838221234", "fixed_line"),
        ("0292 3812 345", "+842923812345", "fixed_line"),
        # hotlines
        ("1900 1234", "+8419001234", "premium_rate"),
        ("1800 1234", "+8418001234", "toll_free"),
        # international
        ("+1 650 253 0000", "+16502530000", "fixed_line_or_mobile"),
        ("+44 20 7946 0958", "+442079460958", "fixed_line"),
        ("+86 138 0013 8000", "+8613800138000", "mobile"),
    ],
)
def test_valid_numbers(raw: str, value: str, number_type: str) -> None:
    phone = normalise_phone(raw)
    assert (phone.value, phone.number_type) == (value, number_type)


def test_display_and_region() -> None:
    assert normalise_phone("0912345678") == PhoneNumber(
        value="+84912345678", display="+84 912 345 678", region="VN", number_type="mobile"
    )
    assert normalise_phone("+1 650 253 0000").region == "US"


def test_default_region() -> None:
    assert normalise_phone("020 7946 0958", default_region="GB").value == "+442079460958"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "12",
        "12345",
        "0123 456 789",  # 012x mobile numbers were retired in 2018
        "01212345678",
        "0912 345 67",
        "091234567890",
        "+84 12",
        "+999 123 456",
        "1-800-FLOWERS",
        "0912345678 ext 12",
        "0912345678; 0987654321",
    ],
)
def test_invalid_numbers(raw: str) -> None:
    with pytest.raises(IndicatorError, match=r"^not a Vietnamese or international phone number$"):
        normalise_phone(raw)
