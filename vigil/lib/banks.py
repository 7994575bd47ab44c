"""Vietnamese banks and bank-account indicators.

The bank list is ``data/vn_banks.csv`` (see ``data/README.md`` for its source);
names are matched without regard to case, spaces or diacritics, because scam
messages write "Vietcombank", "VCB", "vietcom" and "Ngân hàng Ngoại thương" alike.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from vigil.lib.errors import IndicatorError
from vigil.lib.textnorm import fold

__all__ = ["Bank", "BankAccount", "banks", "find_bank", "normalise_bank_account"]

_WHAT = "a bank account"
# Renamed banks kept in the CSV for their old names; accounts moved with the BIN,
# so an old name must lead to the same indicator as the new one.
_SUPERSEDED = {"LienVietPostBank": "LPBank", "Ocean Bank": "MBV", "DongA Bank": "Vikki Bank"}
# Leading words of official names ("Ngân hàng TMCP ...") that people leave out.
_NAME_PREFIX = re.compile(r"^(?:(?:ngan hang|nh|tmcp|thuong mai|tnhh|mtv|so)\s+)+")
# Words around an account number that name neither the bank nor the account.
# fmt: off
_FILLER = frozenset({
    "stk", "so", "tk", "tai", "khoan", "ngan", "hang", "nh", "chu", "ctk", "account", "acc",
    "no", "number", "bank"
})
# fmt: on
_TOKEN = re.compile(r"[^\W\d_]+|\d[\d.-]*\d|\d")


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank or e-wallet that holds accounts in Vietnam."""

    code: str  # VietQR code, e.g. "VCB"; the prefix of bank-account values
    short_name: str
    name_vi: str
    bin: str | None  # NAPAS bank identification number, e.g. "970436"
    swift: str | None
    aliases: tuple[str, ...] = ()
    vietqr_status: str = ""


@dataclass(frozen=True, slots=True)
class BankAccount:
    """An account number at a known bank."""

    value: str  # "<CODE>:<digits>", e.g. "VCB:0123456789"
    display: str  # "Vietcombank 0123456789"
    bank: Bank
    account: str


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _name_keys(name: str) -> Iterable[str]:
    folded = re.sub(r"[^a-z0-9 ]", " ", fold(name))
    folded = " ".join(folded.split())
    bare = _NAME_PREFIX.sub("", folded)
    yield _key(folded)
    yield _key(bare)
    if bare.endswith(" viet nam"):
        yield _key(bare.removesuffix(" viet nam"))


@functools.cache
def banks() -> tuple[Bank, ...]:
    """All banks of ``data/vn_banks.csv``, in file order (read once, on first use).

    >>> len(banks()) >= 60
    True
    >>> banks()[0].short_name
    'AB Bank'
    """
    text = resources.files("vigil.lib").joinpath("data/vn_banks.csv").read_text("utf-8")
    return tuple(
        Bank(
            code=row["vietqr_code"],
            short_name=row["short_name"],
            name_vi=row["name_vi"],
            bin=row["bin"] or None,
            swift=row["swift_code"] or None,
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            vietqr_status=row["vietqr_status"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@functools.cache
def _index() -> dict[str, Bank]:
    by_short = {bank.short_name: bank for bank in banks()}
    index: dict[str, Bank] = {}
    # Identifiers first, then aliases, then names, so that a code always wins
    # over a word that happens to appear in some other bank's name.
    passes = (
        lambda b: (b.code, b.short_name, b.bin or "", b.swift or ""),
        lambda b: b.aliases,
        lambda b: [k for n in (b.short_name, b.name_vi) for k in _name_keys(n)],
    )
    for keys_of in passes:
        for bank in banks():
            target = by_short[_SUPERSEDED.get(bank.short_name, bank.short_name)]
            for key in map(_key, keys_of(bank)):
                if key:
                    index.setdefault(key, target)
    return index


def find_bank(name_or_code_or_bin: str) -> Bank | None:
    """Find a bank by code, name, alias, BIN or SWIFT code, ignoring case and accents.

    >>> find_bank("vietcom").code, find_bank("970436").code, find_bank("NH Ngoại thương").code
    ('VCB', 'VCB', 'VCB')
    >>> find_bank("VTB").short_name, find_bank("ngan hang quan doi").code
    ('VietinBank', 'MBB')
    >>> find_bank("xyz") is None
    True
    """
    index = _index()
    folded = " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(name_or_code_or_bin)).split())
    bare = _NAME_PREFIX.sub("", folded)
    for candidate in (folded, bare, bare.removesuffix(" bank"), bare.removesuffix("bank")):
        found = index.get(_key(candidate))
        if found is not None:
            return found
    return None


def _bank_in(words: list[str]) -> Bank | None:
    """The bank named by the longest run of ``words`` that names one."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            found = find_bank(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None


def normalise_bank_account(raw: str) -> BankAccount:
    """Read a bank account as people write it: a bank (name, code or BIN) and digits.

    >>> normalise_bank_account("STK 0123 456 789 ngân hàng MB").value
    'MBB:0123456789'
    >>> normalise_bank_account("970436 0123456789").display
    'Vietcombank 0123456789'
    >>> normalise_bank_account("0123456789 xyz")
    Traceback (most recent call last):
    ...
    vigil.lib.errors.IndicatorError: not a bank account: unknown bank 'xyz'
    """
    tokens = _TOKEN.findall(raw)
    numbers = [re.sub(r"\D", "", t) for t in tokens if t[0].isdigit()]
    words = [t for t in tokens if not t[0].isdigit()]
    named = [w for w in words if fold(w) not in _FILLER]
    bank: Bank | None = None
    if named:
        bank = _bank_in(words) or _bank_in(named)
        if bank is None:
            raise IndicatorError(_WHAT, f"unknown bank {' '.join(named)!r}")
    elif len(numbers) >= 2 and len(numbers[0]) == 6:
        bank = find_bank(numbers[0])
        numbers = numbers[1:]
    if bank is None:
        raise IndicatorError(_WHAT, "no bank named")
    account = "".join(numbers)
    if not 6 <= len(account) <= 19:
        raise IndicatorError(_WHAT, "account number must be 6 to 19 digits")
    return BankAccount(
        value=f"{bank.code}:{account}",
        display=f"{bank.short_name} {account}",
        bank=bank,
        account=account,
    )
