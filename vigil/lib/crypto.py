"""Crypto-currency wallet addresses: Bitcoin, Ethereum (and EVM chains), Tron.

Only addresses whose checksum verifies are accepted, so a typo never becomes an
indicator that matches some stranger's wallet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import base58
import bech32

from vigil.lib.errors import IndicatorError

__all__ = ["Wallet", "normalise_wallet", "parse_wallet"]

_WHAT = "a crypto wallet address"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3
_ETH = re.compile(r"0x[0-9a-fA-F]{40}")
_URI_PREFIXES = {
    "bitcoin": "btc",
    "btc": "btc",
    "ethereum": "eth",
    "eth": "eth",
    "tron": "trx",
    "trx": "trx",
}


@dataclass(frozen=True, slots=True)
class Wallet:
    """A wallet address whose checksum verified."""

    value: str  # "btc:<address>", "eth:0x<hex>", "trx:T..."
    chain: str  # "btc", "eth", "trx"
    address: str
    kind: str  # "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "account"


def _base58(address: str, version: int) -> bytes:
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        raise IndicatorError(_WHAT, "bad base58 checksum") from None
    if len(payload) != 21 or payload[0] != version:
        raise IndicatorError(_WHAT, "wrong length or version byte")
    return payload


def _segwit_kind(address: str) -> str:
    """Check a bc1 address by BIP-173 (witness v0) or BIP-350 (v1 and later).

    The bech32 package implements only BIP-173's checksum constant, so the
    checksum is computed with its primitives and compared here; this also
    refuses a v0 address with a bech32m checksum and the reverse.
    """
    if (address.lower() != address and address.upper() != address) or len(address) > 90:
        raise IndicatorError(_WHAT, "mixed case or too long")
    lowered = address.lower()
    hrp, _, rest = lowered.rpartition("1")
    data = [bech32.CHARSET.find(char) for char in rest]
    if hrp != "bc" or len(data) < 7 or -1 in data:
        raise IndicatorError(_WHAT, "not a bc1 address")
    version = data[0]
    check = bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + data)
    if check != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        raise IndicatorError(_WHAT, "bad bech32 checksum")
    program = bech32.convertbits(data[1:-6], 5, 8, False)
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        raise IndicatorError(_WHAT, "bad witness program")
    if version == 0:
        if len(program) not in (20, 32):
            raise IndicatorError(_WHAT, "bad witness program length")
        return "p2wpkh" if len(program) == 20 else "p2wsh"
    return "p2tr" if version == 1 and len(program) == 32 else f"segwit_v{version}"


def _strip_uri(text: str) -> tuple[str | None, str]:
    scheme, colon, rest = text.partition(":")
    if colon and scheme.lower() in _URI_PREFIXES:
        # BIP-21 and EIP-681 URIs carry an amount or chain id after the address.
        return _URI_PREFIXES[scheme.lower()], re.split(r"[?@/]", rest.strip(), maxsplit=1)[0]
    return None, text


def parse_wallet(raw: str) -> Wallet:
    """Validate a wallet address and say which chain and kind it is.

    >>> wallet = parse_wallet("bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=1")
    >>> wallet.value, wallet.kind
    ('btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'p2pkh')
    >>> parse_wallet("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").kind
    'account'
    """
    hint, address = _strip_uri(raw.strip())
    if address[:3].lower() == "bc1":
        chain, kind = "btc", _segwit_kind(address)
        address = address.lower()
    elif _ETH.fullmatch(address):
        # EIP-55 mixed case is only a typing check; the address is the same
        # account in any case, so it is compared and stored in lower case.
        chain, kind, address = "eth", "account", address.lower()
    elif address.startswith("T"):
        _base58(address, 0x41)
        chain, kind = "trx", "account"
    elif address[:1] in ("1", "3"):
        _base58(address, 0x00 if address.startswith("1") else 0x05)
        chain, kind = "btc", "p2pkh" if address.startswith("1") else "p2sh"
    else:
        raise IndicatorError(_WHAT)
    if hint is not None and hint != chain:
        raise IndicatorError(_WHAT, f"a {chain} address given as {hint}")
    return Wallet(value=f"{chain}:{address}", chain=chain, address=address, kind=kind)


def normalise_wallet(raw: str) -> str:
    """Canonical ``<chain>:<address>`` form of a wallet address.

    >>> normalise_wallet("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ")
    'btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'
    >>> normalise_wallet("0xDE0B295669A9FD93D5F28D9EC85E40F4CB697BAE")
    'eth:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae'
    """
    return parse_wallet(raw).value
