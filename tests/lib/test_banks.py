"""The bank list and bank-account indicators."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import vigil.lib
from vigil.lib.banks import Bank, banks, find_bank, normalise_bank_account
from vigil.lib.errors import IndicatorError

CSV = Path(vigil.lib.__file__).parent / "data" / "vn_banks.csv"


def test_csv_shape() -> None:
    with CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 62
    assert list(rows[0]) == [
        "vietqr_code",
        "short_name",
        "name_vi",
        "bin",
        "swift_code",
        "vietqr_status",
        "aliases",
    ]
    assert all(row["bin"] == "" or row["bin"].isdigit() for row in rows)


def test_banks_loaded() -> None:
    all_banks = banks()
    assert len(all_banks) == 62
    vcb = next(bank for bank in all_banks if bank.code == "VCB")
    assert vcb == Bank(
        code="VCB",
        short_name="Vietcombank",
        name_vi="Ngân hàng TMCP Ngoại Thương Việt Nam",
        bin="970436",
        swift="BFTVVNVX",
        aliases=("Vietcom", "Ngoại thương", "VCBank"),
        vietqr_status="transfer",
    )
    assert next(bank for bank in all_banks if bank.code == "BIDC").bin is None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("VCB", "VCB"),
        ("vcb", "VCB"),
        ("Vietcombank", "VCB"),
        ("vietcom", "VCB"),
        ("VIET COM BANK", "VCB"),
        ("970436", "VCB"),
        ("BFTVVNVX", "VCB"),
        ("Ngân hàng TMCP Ngoại Thương Việt Nam", "VCB"),
        ("ngan hang ngoai thuong viet nam", "VCB"),
        ("NH Ngoại thương", "VCB"),
        ("Ngân hàng Vietcombank", "VCB"),
        ("TCB", "TCB"),
        ("Techcom", "TCB"),
        ("techcombank", "TCB"),
        ("MB", "MBB"),
        ("MBBank", "MBB"),
        ("MB Bank", "MBB"),
        ("Ngân hàng Quân đội", "MBB"),
        ("Agri", "AGRIBANK"),
        ("agribank", "AGRIBANK"),
        ("BIDV", "BID"),
        ("VTB", "CTG"),
        ("Vietinbank", "CTG"),
        ("Viettinbank", None),
        ("ACB", "ACB"),
        ("Á Châu", "ACB"),
        ("Sacombank", "STB"),
        ("TPBank", "TPB"),
        ("tp bank", "TPB"),
        ("VPBank", "VPB"),
        ("MoMo", "MOMO"),
        ("Ví MoMo", "MOMO"),
        ("Co-op Bank", "COOPBANK"),
        # renamed banks lead to their successor
        ("LienVietPostBank", "LPB"),
        ("Ocean Bank", "MBV"),
        ("970414", "MBV"),
        ("DongA Bank", "VIKKI"),
        ("970406", "VIKKI"),
        ("xyz", None),
        ("", None),
        ("ngân hàng", None),
        ("bank", None),
    ],
)
def test_find_bank(query: str, code: str | None) -> None:
    found = find_bank(query)
    assert (found.code if found else None) == code


@pytest.mark.parametrize(
    ("raw", "value", "display"),
    [
        ("Vietcombank 0123 456 789", "VCB:0123456789", "Vietcombank 0123456789"),
        ("VCB:0123456789", "VCB:0123456789", "Vietcombank 0123456789"),
        ("vcb: 0123.456.789", "VCB:0123456789", "Vietcombank 0123456789"),
        ("970436 0123456789", "VCB:0123456789", "Vietcombank 0123456789"),
        ("0123456789 - Techcombank", "TCB:0123456789", "Techcombank 0123456789"),
        ("STK 0123456789 ngân hàng MB", "MBB:0123456789", "MB Bank 0123456789"),
        ("Số tài khoản: 1903 6868 1234 56 (Techcombank)", "TCB:19036868123456", None),
        ("so tai khoan 123456 ngan hang Agri", "AGRIBANK:123456", None),
        ("Ngân hàng TMCP Ngoại Thương Việt Nam - 0011001234567", "VCB:0011001234567", None),
        ("Sacombank - CTK Nguyen Van A - 0601-2345-6789", "STB:060123456789", None),
        ("tk 1234567890123456789 vtb", "CTG:1234567890123456789", None),
        ("MoMo 0912345678", "MOMO:0912345678", "MoMo 0912345678"),
        ("LienVietPostBank 12345678", "LPB:12345678", "LPBank 12345678"),
    ],
)
def test_normalise_bank_account(raw: str, value: str, display: str | None) -> None:
    account = normalise_bank_account(raw)
    assert account.value == value
    assert account.account == value.split(":")[1]
    if display is not None:
        assert account.display == display


def test_value_is_idempotent() -> None:
    value = normalise_bank_account("STK 0123456789 ngân hàng MB").value
    assert normalise_bank_account(value).value == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("xyz 0123456789", "not a bank account: unknown bank 'xyz'"),
        ("STK 0123456789 ngân hàng Viettinbank", "not a bank account: unknown bank 'Viettinbank'"),
        ("0123456789", "not a bank account: no bank named"),
        ("STK: 0123456789", "not a bank account: no bank named"),
        ("999999 0123456789", "not a bank account: no bank named"),
        ("", "not a bank account: no bank named"),
        ("Vietcombank 12345", "not a bank account: account number must be 6 to 19 digits"),
        ("Vietcombank", "not a bank account: account number must be 6 to 19 digits"),
        (
            "VCB 12345678901234567890",
            "not a bank account: account number must be 6 to 19 digits",
        ),
    ],
)
def test_normalise_bank_account_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_bank_account(raw)
    assert str(caught.value) == message
