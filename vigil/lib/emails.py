"""E-mail addresses (syntax only, via email-validator; never a DNS query)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import email_validator

from vigil.lib.errors import IndicatorError

__all__ = ["normalise_email"]

_WHAT = "an e-mail address"
# email-validator refuses unquoted display names with Vietnamese letters in them,
# and the name is not part of the indicator anyway, so it is cut off here.
_NAME_ADDR = re.compile(r"[^<>]*<([^<>]+)>\s*")


def normalise_email(raw: str) -> str:
    """Canonical e-mail address: the domain lower-cased and IDNA-encoded.

    The local part is kept as typed: whether it is case-sensitive is up to the
    receiving server, so folding it could merge two different mailboxes.

    >>> normalise_email("mailto:Hotro.VCB@VÍ-DỤ.VN?subject=OTP")
    'Hotro.VCB@xn--v-d-rma6749a.vn'
    >>> normalise_email("Nguyễn Văn A <cskh@Example.COM>")
    'cskh@example.com'
    """
    text = raw.strip()
    name_addr = _NAME_ADDR.fullmatch(text)
    if name_addr:
        text = name_addr.group(1).strip()
    if text.lower().startswith("mailto:"):
        text = unquote(text[len("mailto:") :].split("?", 1)[0]).strip()
    if not text:
        raise IndicatorError(_WHAT, "empty")
    try:
        checked = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise IndicatorError(_WHAT, str(exc)) from None
    return f"{checked.local_part}@{checked.ascii_domain}"
