"""Crypto-currency wallet addresses."""

from __future__ import annotations

import pytest

from vigil.lib.crypto import Wallet, normalise_wallet, parse_wallet
from vigil.lib.errors import IndicatorError


@pytest.mark.parametrize(
    ("raw", "value", "kind"),
    [
        # the Bitcoin genesis block's address
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh"),
        (
            " btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ",
            "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "p2pkh",
        ),
        (
            "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1",
            "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "p2pkh",
        ),
        # BIP-13 P2SH example
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),
        # bech32 (BIP-173) and bech32m (BIP-350) examples
        (
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "p2wpkh",
        ),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "p2wpkh",
        ),
        (
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "btc:bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "p2wsh",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "p2tr",
        ),
        # Ethereum Foundation address with its EIP-55 capitals, and lower case
        (
            "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe",
            "eth:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae",
            "account",
        ),
        (
            "ethereum:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae@1",
            "eth:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae",
            "account",
        ),
        # Tron: the USDT (TRC-20) contract address
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "account"),
        (
            "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "account",
        ),
    ],
)
def test_valid_wallets(raw: str, value: str, kind: str) -> None:
    wallet = parse_wallet(raw)
    assert (wallet.value, wallet.kind) == (value, kind)
    assert normalise_wallet(raw) == value
    assert normalise_wallet(value) == value


def test_wallet_parts() -> None:
    assert parse_wallet("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") == Wallet(
        value="trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        chain="trx",
        address="TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        kind="account",
    )


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        # one character changed: checksums must catch it
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj1",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
        # BIP-350 invalid vectors: v0 with a bech32m checksum, v1 with bech32, bad char
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
        # mixed case bech32, testnet, wrong lengths
        "bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
        "0xde0b295669a9fd93d5f28d9ec85e40f4cb697ba",
        "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae0",
        "0xzz0b295669a9fd93d5f28d9ec85e40f4cb697bae",
        # a Tron address given as Bitcoin
        "btc:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    ],
)
def test_invalid_wallets(raw: str) -> None:
    with pytest.raises(IndicatorError, match=r"^not a crypto wallet address"):
        normalise_wallet(raw)
