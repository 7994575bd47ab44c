"""Indicators: the typed, canonical values that cases, blocklists and reports share.

``(type, value)`` is an indicator's identity everywhere in Vigil, so every kind of
value has exactly one normaliser here, and two spellings of the same thing (an
obfuscated URL, a phone number with or without +84) meet in one value.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from vigil.lib import accounts, banks, crypto, domains, emails, ips, phones, urls
from vigil.lib.errors import IndicatorError

__all__ = [
    "MAX_VALUE_LENGTH",
    "Indicator",
    "IndicatorError",
    "IndicatorType",
    "guess_type",
    "normalise",
    "normalise_any",
]

MAX_VALUE_LENGTH = 2048


class IndicatorType(enum.StrEnum):
    """Kinds of indicator; the values are stored in the database."""

    URL = "url"
    DOMAIN = "domain"
    IP = "ip"
    CIDR = "cidr"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    EMAIL = "email"
    SOCIAL_ACCOUNT = "social_account"
    SMS_SENDER = "sms_sender"
    APP_ID = "app_id"
    CRYPTO_WALLET = "crypto_wallet"


_NAMES = {
    IndicatorType.URL: "a URL",
    IndicatorType.DOMAIN: "a domain",
    IndicatorType.IP: "an IP address",
    IndicatorType.CIDR: "a CIDR block",
    IndicatorType.PHONE: "a Vietnamese or international phone number",
    IndicatorType.BANK_ACCOUNT: "a bank account",
    IndicatorType.EMAIL: "an e-mail address",
    IndicatorType.SOCIAL_ACCOUNT: "a social account",
    IndicatorType.SMS_SENDER: "an SMS sender",
    IndicatorType.APP_ID: "an app id",
    IndicatorType.CRYPTO_WALLET: "a crypto wallet address",
}


@dataclass(frozen=True, slots=True)
class Indicator:
    """A normalised indicator. ``attrs`` holds extra facts and is read-only."""

    type: IndicatorType
    value: str
    display: str
    attrs: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A frozen value must not carry a dict someone could still change.
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))


def _facts(**facts: str | None) -> dict[str, str]:
    return {key: value for key, value in facts.items() if value}


def _url(raw: str) -> Indicator:
    url = urls.canonicalise_url(raw)
    unicode_host = domains.host_to_unicode(url.host)
    attrs = _facts(
        scheme=url.scheme,
        host=url.host,
        registrable_domain=url.registrable_domain,
        port=None if url.port is None else str(url.port),
        host_unicode=unicode_host if unicode_host != url.host else None,
    )
    return Indicator(IndicatorType.URL, url.url, url.url, attrs)


def _domain(raw: str) -> Indicator:
    name = domains.normalise_domain(raw)
    unicode_name = domains.host_to_unicode(name)
    attrs = _facts(
        registrable_domain=domains.registrable_domain(name),
        public_suffix=domains.public_suffix(name),
        unicode=unicode_name,
    )
    return Indicator(IndicatorType.DOMAIN, name, unicode_name, attrs)


def _ip(raw: str) -> Indicator:
    value = ips.normalise_ip(raw)
    address = ipaddress.ip_address(value)
    attrs = _facts(version=str(address.version), is_global=str(address.is_global).lower())
    return Indicator(IndicatorType.IP, value, value, attrs)


def _cidr(raw: str) -> Indicator:
    network = ips.normalise_cidr(raw)
    attrs = _facts(version=str(network.version), host_bits_cleared=str(network.host_bits_cleared).lower())
    return Indicator(IndicatorType.CIDR, network.value, network.value, attrs)


def _phone(raw: str) -> Indicator:
    phone = phones.normalise_phone(raw)
    attrs = _facts(region=phone.region, number_type=phone.number_type)
    return Indicator(IndicatorType.PHONE, phone.value, phone.display, attrs)


def _bank_account(raw: str) -> Indicator:
    account = banks.normalise_bank_account(raw)
    attrs = _facts(
        bank_code=account.bank.code,
        bank_name=account.bank.short_name,
        bin=account.bank.bin,
        account=account.account,
    )
    return Indicator(IndicatorType.BANK_ACCOUNT, account.value, account.display, attrs)


def _email(raw: str) -> Indicator:
    value = emails.normalise_email(raw)
    local, _, domain = value.rpartition("@")
    attrs = _facts(domain=domain, registrable_domain=domains.registrable_domain(domain))
    display = f"{local}@{domains.host_to_unicode(domain)}"
    return Indicator(IndicatorType.EMAIL, value, display, attrs)


def _social(raw: str) -> Indicator:
    account = accounts.normalise_social_account(raw)
    attrs = _facts(platform=account.platform, handle=account.handle, url=account.url)
    return Indicator(IndicatorType.SOCIAL_ACCOUNT, account.value, account.url, attrs)


def _sms_sender(raw: str) -> Indicator:
    value = accounts.normalise_sms_sender(raw)
    attrs = _facts(kind="short_code" if value.isdigit() else "brandname")
    return Indicator(IndicatorType.SMS_SENDER, value, value, attrs)


def _app_id(raw: str) -> Indicator:
    value = accounts.normalise_app_id(raw)
    platform, _, app = value.partition(":")
    store = (
        f"https://play.google.com/store/apps/details?id={app}"
        if platform == "android"
        else f"https://apps.apple.com/app/id{app}"
    )
    attrs = _facts(platform=platform, app_id=app, store_url=store)
    return Indicator(IndicatorType.APP_ID, value, value, attrs)


def _wallet(raw: str) -> Indicator:
    wallet = crypto.parse_wallet(raw)
    attrs = _facts(chain=wallet.chain, kind=wallet.kind, address=wallet.address)
    display = f"{wallet.chain.upper()} {wallet.address}"
    return Indicator(IndicatorType.CRYPTO_WALLET, wallet.value, display, attrs)


_NORMALISERS: dict[IndicatorType, Callable[[str], Indicator]] = {
    IndicatorType.URL: _url,
    IndicatorType.DOMAIN: _domain,
    IndicatorType.IP: _ip,
    IndicatorType.CIDR: _cidr,
    IndicatorType.PHONE: _phone,
    IndicatorType.BANK_ACCOUNT: _bank_account,
    IndicatorType.EMAIL: _email,
    IndicatorType.SOCIAL_ACCOUNT: _social,
    IndicatorType.SMS_SENDER: _sms_sender,
    IndicatorType.APP_ID: _app_id,
    IndicatorType.CRYPTO_WALLET: _wallet,
}


def normalise(kind: IndicatorType | str, raw: str) -> Indicator:
    """Normalise ``raw`` as an indicator of the given kind.

    >>> normalise("phone", "0912 345 678").value
    '+84912345678'
    >>> normalise(IndicatorType.DOMAIN, "WWW.Ví-Dụ.vn").display
    'www.ví-dụ.vn'
    >>> normalise("colour", "red")
    Traceback (most recent call last):
    ...
    vigil.lib.errors.IndicatorError: not a known indicator type: 'colour'
    """
    try:
        indicator_type = IndicatorType(kind)
    except ValueError:
        raise IndicatorError("a known indicator type", repr(str(kind))) from None
    indicator = _NORMALISERS[indicator_type](raw)
    if len(indicator.value) > MAX_VALUE_LENGTH:
        raise IndicatorError(
            _NAMES[indicator_type], f"longer than {MAX_VALUE_LENGTH} characters once normalised"
        )
    return indicator


def _accepts(kind: IndicatorType, text: str) -> bool:
    try:
        _NORMALISERS[kind](text)
    except IndicatorError:
        return False
    return True


_PREFIXES = {
    IndicatorType.APP_ID: re.compile(r"(?:android|ios):", re.IGNORECASE),
    IndicatorType.CRYPTO_WALLET: re.compile(r"(?:btc|eth|trx|bitcoin|ethereum|tron):", re.I),
    IndicatorType.EMAIL: re.compile(r"mailto:", re.IGNORECASE),
    IndicatorType.SOCIAL_ACCOUNT: re.compile(
        r"(?:facebook|fb|zalo|telegram|tg|tiktok|youtube|yt|x|twitter|instagram|ig|threads"
        r"|shopee):(?!//)",
        re.IGNORECASE,
    ),
    IndicatorType.URL: re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE),
}
_NUMBERISH = re.compile(r"[\d\s()+./-]+")
_CIDR_LIKE = re.compile(r"[0-9a-fA-F:.\[\]]+/\d{1,3}")


def _guess_shape(text: str) -> IndicatorType | None:
    if _CIDR_LIKE.fullmatch(text) and _accepts(IndicatorType.CIDR, text):
        return IndicatorType.CIDR
    if re.search(r"[@<]", text) and _accepts(IndicatorType.EMAIL, text):
        return IndicatorType.EMAIL
    if (":" in text or "." in text) and _accepts(IndicatorType.IP, text):
        return IndicatorType.IP
    if re.fullmatch(r"[A-Za-z0-9]{26,90}", text) and _accepts(IndicatorType.CRYPTO_WALLET, text):
        return IndicatorType.CRYPTO_WALLET
    if re.fullmatch(r"id\d{6,12}", text, re.IGNORECASE):
        return IndicatorType.APP_ID
    if _NUMBERISH.fullmatch(text):
        if _accepts(IndicatorType.PHONE, text):
            return IndicatorType.PHONE
        if re.fullmatch(r"\d{3,6}", text):
            return IndicatorType.SMS_SENDER
    if re.search(r"\d{6}", re.sub(r"[\s.-]", "", text)) and _accepts(IndicatorType.BANK_ACCOUNT, text):
        return IndicatorType.BANK_ACCOUNT
    return None


def _refanged(raw: str) -> str:
    # Imported here because the extractor builds on this module.
    from vigil.lib.extract import refang

    return refang(raw).strip()


def guess_type(raw: str) -> IndicatorType | None:
    """Best guess at what a lone value typed into a search box is.

    Defanged values (``hxxp://``, ``example[.]com``) are read as their real form.

    >>> guess_type("vcb-xacminh[.]com/login"), guess_type("0912.345.678")
    (<IndicatorType.URL: 'url'>, <IndicatorType.PHONE: 'phone'>)
    >>> guess_type("Vietcombank 0123456789"), guess_type("hello world")
    (<IndicatorType.BANK_ACCOUNT: 'bank_account'>, None)
    """
    text = _refanged(raw)
    if not text:
        return None
    for kind, prefix in _PREFIXES.items():
        if prefix.match(text):
            return kind
    shaped = _guess_shape(text)
    if shaped is not None:
        return shaped
    if " " not in text:
        if ("/" in text or "?" in text) and _accepts(IndicatorType.URL, text):
            return IndicatorType.URL
        if _accepts(IndicatorType.DOMAIN, text):
            return IndicatorType.DOMAIN
        if _accepts(IndicatorType.APP_ID, text):
            # "com.vn" fits a package name too, but it is someone typing a suffix.
            known_tld = domains.public_suffix(text) if text.isascii() else ""
            return IndicatorType.DOMAIN if known_tld else IndicatorType.APP_ID
    if text == text.upper() and _accepts(IndicatorType.SMS_SENDER, text):
        return IndicatorType.SMS_SENDER
    return None


def normalise_any(raw: str) -> Indicator:
    """Guess the kind of ``raw`` and normalise it.

    >>> normalise_any("hxxps://vcb-xacminh[.]com/login").value
    'https://vcb-xacminh.com/login'
    >>> normalise_any("STK 0123456789 Techcombank").value
    'TCB:0123456789'
    """
    kind = guess_type(raw)
    if kind is None:
        raise IndicatorError("a recognised indicator", f"cannot tell what {raw.strip()!r} is")
    return normalise(kind, _refanged(raw))
