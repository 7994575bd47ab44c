"""E-mail addresses."""

from __future__ import annotations

import pytest

from vigil.lib.emails import normalise_email
from vigil.lib.errors import IndicatorError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cskh@vietcombank.com.vn", "cskh@vietcombank.com.vn"),
        ("  CSKH@VietcomBank.COM.VN ", "CSKH@vietcombank.com.vn"),
        ("Hotro.VCB+otp@Gmail.com", "Hotro.VCB+otp@gmail.com"),
        ("lienhe@ví-dụ.vn", "lienhe@xn--v-d-rma6749a.vn"),
        ("lienhe@xn--v-d-rma6749a.vn", "lienhe@xn--v-d-rma6749a.vn"),
        ("mailto:abc@example.com", "abc@example.com"),
        ("MAILTO:abc%40example.com?subject=OTP&body=x", "abc@example.com"),
        ("Nguyễn Văn A <nva@example.com>", "nva@example.com"),
        ('"Phòng CSKH" <cskh@example.com>', "cskh@example.com"),
        ("<cskh@example.com>", "cskh@example.com"),
        ("thư@ví-dụ.vn", "thư@xn--v-d-rma6749a.vn"),
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "mailto:",
        "abc",
        "abc@",
        "@example.com",
        "a..b@example.com",
        "a@localhost",
        "a@b.test",
        "a@[1.2.3.4]",
        "a b@example.com",
        "a@exa mple.com",
    ],
)
def test_normalise_email_refuses(raw: str) -> None:
    with pytest.raises(IndicatorError, match=r"^not an e-mail address"):
        normalise_email(raw)
