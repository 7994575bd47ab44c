"""The indicator front door: normalise, guess_type, normalise_any."""

from __future__ import annotations

import pickle

import pytest

from vigil.lib.indicators import (
    Indicator,
    IndicatorError,
    IndicatorType,
    guess_type,
    normalise,
    normalise_any,
)


@pytest.mark.parametrize(
    ("kind", "raw", "value", "display", "attrs"),
    [
        (
            "url",
            "HTTP://Vietcombank.com.vn@VCB-xacminh.com/login#x",
            "http://vcb-xacminh.com/login",
            "http://vcb-xacminh.com/login",
            {"scheme": "http", "host": "vcb-xacminh.com", "registrable_domain": "vcb-xacminh.com"},
        ),
        (
            "url",
            "https://ví-dụ.vn:8443/",
            "https://xn--v-d-rma6749a.vn:8443/",
            "https://xn--v-d-rma6749a.vn:8443/",
            {
                "scheme": "https",
                "host": "xn--v-d-rma6749a.vn",
                "registrable_domain": "xn--v-d-rma6749a.vn",
                "port": "8443",
                "host_unicode": "ví-dụ.vn",
            },
        ),
        (
            "domain",
            "Shop.Ví-Dụ.vn",
            "shop.xn--v-d-rma6749a.vn",
            "shop.ví-dụ.vn",
            {
                "registrable_domain": "xn--v-d-rma6749a.vn",
                "public_suffix": "vn",
                "unicode": "shop.ví-dụ.vn",
            },
        ),
        ("ip", "0xC37F000B", "195.127.0.11", "195.127.0.11", {"version": "4", "is_global": "true"}),
        ("ip", "10.0.0.1", "10.0.0.1", "10.0.0.1", {"version": "4", "is_global": "false"}),
        (
            "cidr",
            "192.168.1.7/24",
            "192.168.1.0/24",
            "192.168.1.0/24",
            {"version": "4", "host_bits_cleared": "true"},
        ),
        (
            "phone",
            "0912.345.678",
            "+84912345678",
            "+84 912 345 678",
            {"region": "VN", "number_type": "mobile"},
        ),
        (
            "bank_account",
            "Vietcombank 0123 456 789",
            "VCB:0123456789",
            "Vietcombank 0123456789",
            {
                "bank_code": "VCB",
                "bank_name": "Vietcombank",
                "bin": "970436",
                "account": "0123456789",
            },
        ),
        (
            "email",
            "CSKH@Ví-Dụ.vn",
            "CSKH@xn--v-d-rma6749a.vn",
            "CSKH@ví-dụ.vn",
            {"domain": "xn--v-d-rma6749a.vn", "registrable_domain": "xn--v-d-rma6749a.vn"},
        ),
        (
            "social_account",
            "t.me/abc_shop",
            "telegram:abc_shop",
            "https://t.me/abc_shop",
            {"platform": "telegram", "handle": "abc_shop", "url": "https://t.me/abc_shop"},
        ),
        ("sms_sender", "Vietcombank", "VIETCOMBANK", "VIETCOMBANK", {"kind": "brandname"}),
        ("sms_sender", "9029", "9029", "9029", {"kind": "short_code"}),
        (
            "app_id",
            "id1346969467",
            "ios:1346969467",
            "ios:1346969467",
            {
                "platform": "ios",
                "app_id": "1346969467",
                "store_url": "https://apps.apple.com/app/id1346969467",
            },
        ),
        (
            "crypto_wallet",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            {
                "chain": "btc",
                "kind": "p2wpkh",
                "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            },
        ),
    ],
)
def test_normalise(kind: str, raw: str, value: str, display: str, attrs: dict[str, str]) -> None:
    indicator = normalise(kind, raw)
    assert indicator == Indicator(IndicatorType(kind), value, display, attrs)
    assert normalise(indicator.type, indicator.value).value == value


def test_every_type_has_a_normaliser() -> None:
    samples = {
        IndicatorType.URL: "example.com/x",
        IndicatorType.DOMAIN: "example.com",
        IndicatorType.IP: "1.2.3.4",
        IndicatorType.CIDR: "1.2.3.0/24",
        IndicatorType.PHONE: "0912345678",
        IndicatorType.BANK_ACCOUNT: "VCB 0123456789",
        IndicatorType.EMAIL: "a@example.com",
        IndicatorType.SOCIAL_ACCOUNT: "fb:abc",
        IndicatorType.SMS_SENDER: "BIDV",
        IndicatorType.APP_ID: "com.example.app",
        IndicatorType.CRYPTO_WALLET: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    }
    assert set(samples) == set(IndicatorType)
    for kind, raw in samples.items():
        assert normalise(kind, raw).type is kind


def test_indicator_is_an_immutable_hashable_value() -> None:
    indicator = normalise("phone", "0912345678")
    with pytest.raises(TypeError):
        indicator.attrs["region"] = "US"  # type: ignore[index]
    with pytest.raises(AttributeError):
        indicator.value = "x"  # type: ignore[misc]
    assert {indicator, normalise("phone", "+84 912 345 678")} == {indicator}


def test_errors() -> None:
    with pytest.raises(IndicatorError, match=r"^not a known indicator type: 'colour'$"):
        normalise("colour", "red")
    with pytest.raises(IndicatorError, match=r"^not a URL: longer than 2048 characters"):
        normalise("url", "http://example.com/" + "a" * 2048)
    with pytest.raises(ValueError, match=r"^not a domain: 'com.vn' is a public suffix$"):
        normalise("domain", "com.vn")


def test_errors_pickle() -> None:
    error = IndicatorError("a URL", "no host")
    assert str(pickle.loads(pickle.dumps(error))) == "not a URL: no host"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://vcb-xacminh.com/login", IndicatorType.URL),
        ("hxxps://vcb-xacminh[.]com/login", IndicatorType.URL),
        ("vcb-xacminh.com/login", IndicatorType.URL),
        ("t.me/abc_shop", IndicatorType.URL),
        ("vcb-xacminh.com", IndicatorType.DOMAIN),
        ("vcb-xacminh[.]com", IndicatorType.DOMAIN),
        ("ví-dụ.vn", IndicatorType.DOMAIN),
        ("com.vn", IndicatorType.DOMAIN),
        ("195.127.0.11", IndicatorType.IP),
        ("2001:db8::1", IndicatorType.IP),
        ("10.0.0.0/8", IndicatorType.CIDR),
        ("2001:db8::/32", IndicatorType.CIDR),
        ("0912 345 678", IndicatorType.PHONE),
        ("+84912345678", IndicatorType.PHONE),
        ("+1 650 253 0000", IndicatorType.PHONE),
        ("0270 3822 123", IndicatorType.PHONE),
        ("Vietcombank 0123456789", IndicatorType.BANK_ACCOUNT),
        ("970436 0123456789", IndicatorType.BANK_ACCOUNT),
        ("VCB:0123456789", IndicatorType.BANK_ACCOUNT),
        ("cskh@vcb-xacminh.com", IndicatorType.EMAIL),
        ("cskh[at]vcb-xacminh[.]com", IndicatorType.EMAIL),
        ("mailto:cskh@vcb-xacminh.com", IndicatorType.EMAIL),
        ("facebook:some.page", IndicatorType.SOCIAL_ACCOUNT),
        ("zalo:0912345678", IndicatorType.SOCIAL_ACCOUNT),
        ("9029", IndicatorType.SMS_SENDER),
        ("VIETCOMBANK", IndicatorType.SMS_SENDER),
        ("android:com.example.app", IndicatorType.APP_ID),
        ("vn.teraapp.n8410", IndicatorType.APP_ID),
        ("id1346969467", IndicatorType.APP_ID),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", IndicatorType.CRYPTO_WALLET),
        ("0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe", IndicatorType.CRYPTO_WALLET),
        ("eth:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae", IndicatorType.CRYPTO_WALLET),
        ("", None),
        ("   ", None),
        ("hello world", None),
        ("lừa đảo", None),
        ("0123456789", None),
        ("@abc_shop", None),
    ],
)
def test_guess_type(raw: str, expected: IndicatorType | None) -> None:
    assert guess_type(raw) == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("hxxps://vcb-xacminh[.]com/login", "https://vcb-xacminh.com/login"),
        ("vcb-xacminh . com", "vcb-xacminh.com"),
        ("0912.345.678", "+84912345678"),
        ("STK 0123456789 Techcombank", "TCB:0123456789"),
        ("cskh[at]example[.]com", "cskh@example.com"),
    ],
)
def test_normalise_any(raw: str, value: str) -> None:
    assert normalise_any(raw).value == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("hello world", "not a recognised indicator: cannot tell what 'hello world' is"),
        ("com.vn", "not a domain: 'com.vn' is a public suffix"),
        ("", "not a recognised indicator"),
    ],
)
def test_normalise_any_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_any(raw)
    assert str(caught.value).startswith(message)
