"""Checking report input: every refusal names its field."""

from __future__ import annotations

import datetime as dt

import pytest

from vigil.intake import services


def test_kind_reads_the_main_value_and_the_message_is_searched():
    draft = services.prepare_report(
        kind="bank_account",
        value="Vietcombank 0123456789",
        text="Chuyen khoan phi ho so, lien he 0912.345.678 hoac vao hxxps://vcb-ho-so[.]com",
    )
    values = [(str(i.type), i.value) for i in draft.indicators]
    assert values[0] == ("bank_account", "VCB:0123456789")
    assert ("phone", "+84912345678") in values
    assert ("url", "https://vcb-ho-so.com/") in values or ("url", "https://vcb-ho-so.com") in values


def test_sms_sender_may_be_a_brand_name():
    draft = services.prepare_report(kind="sms", value="VCB", text="")
    assert [(str(i.type), i.value) for i in draft.indicators] == [("sms_sender", "VCB")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "phone_call", "value": "not a number"}, "value"),
        ({"kind": "website", "value": "hello world"}, "value"),
        ({"kind": "teleport", "value": "0912345678"}, "kind"),
        ({"kind": "sms", "text": "Chào bạn, hôm nay trời đẹp"}, "text"),
        ({"kind": "other"}, "value"),
        ({"kind": "phone_call", "value": "0912345678", "money_lost": "nhiều"}, "money_lost"),
        ({"kind": "phone_call", "value": "0912345678", "happened_on": "2999-01-01"}, "happened_on"),
        ({"kind": "phone_call", "value": "0912345678", "contact_email": "a@b.vn"}, "consent"),
        (
            {"kind": "phone_call", "value": "0912345678", "contact_email": "not-mail", "consent": True},
            "contact_email",
        ),
        (
            {"kind": "phone_call", "value": "0912345678", "contact_phone": "abc", "consent": True},
            "contact_phone",
        ),
        ({"kind": "sms", "text": "x" * 6000}, "text"),
    ],
)
def test_each_bad_field_is_named(fields, field):
    with pytest.raises(services.ReportInvalid) as caught:
        services.prepare_report(**fields)
    assert field in caught.value.fields, caught.value.fields
    assert caught.value.fields[field]


def test_all_errors_come_at_once():
    with pytest.raises(services.ReportInvalid) as caught:
        services.prepare_report(kind="phone_call", value="abc", money_lost="x", contact_name="An")
    assert set(caught.value.fields) == {"value", "money_lost", "consent"}


def test_contact_kept_only_with_consent_and_money_parsed():
    draft = services.prepare_report(
        kind="phone_call",
        value="0912 345 678",
        money_lost="5.000.000",
        happened_on=dt.date(2026, 1, 2),
        contact_name="Nguyễn Văn A",
        contact_email="a@example.vn",
        contact_phone="0987 654 321",
        consent=True,
    )
    assert draft.money_lost == 5_000_000
    assert draft.contact_phone == "+84987654321"
    assert draft.consent is True
    bare = services.prepare_report(kind="phone_call", value="0912 345 678", consent=True)
    assert bare.consent is False  # consent without contact details keeps nothing


def test_partner_indicators_skip_extraction_and_errors_are_indexed():
    draft = services.prepare_report(
        kind="sms", text="goi 0912345678", indicators=[("phone", "0987654321")], extract=False
    )
    assert [i.value for i in draft.indicators] == ["+84987654321"]
    with pytest.raises(services.ReportInvalid) as caught:
        services.prepare_report(
            kind="sms", indicators=[("phone", "0987654321"), ("phone", "xx")], extract=False
        )
    assert "indicators.1" in caught.value.fields
