"""IP addresses and networks.

IPv4 is read the way browsers and ``inet_aton`` read it (decimal, hex, octal, and
fewer than four parts), because phishing links use those spellings to hide an
address: ``http://3279880203/`` is ``http://195.127.0.11/``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from vigil.lib.errors import IndicatorError

__all__ = [
    "IpNetwork",
    "format_ipv6",
    "ipv4_from_labels",
    "looks_numeric",
    "normalise_cidr",
    "normalise_ip",
]

_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
_IP = "an IP address"


@dataclass(frozen=True, slots=True)
class IpNetwork:
    """A normalised CIDR block."""

    value: str
    version: int
    host_bits_cleared: bool


def looks_numeric(label: str) -> bool:
    """Whether a host label is a number, which makes the whole host an IPv4 address.

    No top-level domain is numeric, so a host ending in one is an address or nothing
    (the WHATWG URL standard's "ends in a number" rule).

    >>> looks_numeric("0x7f"), looks_numeric("123"), looks_numeric("com")
    (True, True, False)
    """
    return _NUMERIC_LABEL.fullmatch(label) is not None


def _ipv4_part(label: str) -> int:
    lowered = label.lower()
    if len(lowered) > 40:
        # Far beyond 2**32 in any base; refuse before int() does big-number work.
        raise IndicatorError(_IP, f"number too large in {label!r}")
    if lowered.startswith("0x"):
        return int(lowered[2:] or "0", 16)
    if len(lowered) > 1 and lowered.startswith("0"):
        if not lowered.isdigit() or set(lowered) & {"8", "9"}:
            raise IndicatorError(_IP, f"bad octal number {label!r}")
        return int(lowered, 8)
    if not lowered.isdigit():
        raise IndicatorError(_IP, f"{label!r} is not a number")
    return int(lowered)


def ipv4_from_labels(labels: list[str]) -> str:
    """Dotted-quad form of an IPv4 address written in any legal spelling.

    >>> ipv4_from_labels(["3279880203"])
    '195.127.0.11'
    >>> ipv4_from_labels(["0x7f", "1"])
    '127.0.0.1'
    >>> ipv4_from_labels(["0300", "0250", "1", "1"])
    '192.168.1.1'
    """
    if not 1 <= len(labels) <= 4:
        raise IndicatorError(_IP, f"{len(labels)} parts")
    parts = [_ipv4_part(label) for label in labels]
    *head, last = parts
    if any(part > 255 for part in head) or last >= 256 ** (5 - len(parts)):
        raise IndicatorError(_IP, "a part is out of range")
    value = last
    for index, part in enumerate(head):
        value += part << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))


def format_ipv6(address: ipaddress.IPv6Address) -> str:
    """Compressed lower-case text of an IPv6 address, stable across Python versions.

    IPv4-mapped addresses are written with a dotted tail (RFC 5952 section 5);
    Python changed how it prints them in 3.13, and stored keys must not change.

    >>> format_ipv6(ipaddress.IPv6Address("2001:DB8:0:0::1"))
    '2001:db8::1'
    >>> format_ipv6(ipaddress.IPv6Address("::ffff:c000:0280"))
    '::ffff:192.0.2.128'
    """
    mapped = address.ipv4_mapped
    if mapped is not None:
        return f"::ffff:{mapped}"
    return address.compressed


def _parse_ipv6(text: str) -> ipaddress.IPv6Address:
    if "%" in text:
        raise IndicatorError(_IP, "IPv6 zone identifiers are local to one machine")
    try:
        return ipaddress.IPv6Address(text)
    except ValueError as exc:
        raise IndicatorError(_IP, f"bad IPv6 address {text!r}") from exc


def normalise_ip(raw: str) -> str:
    """Canonical text of an IPv4 or IPv6 address.

    >>> normalise_ip(" 0xC3.0x7F.0.013 ")
    '195.127.0.11'
    >>> normalise_ip("[2001:DB8::0001]")
    '2001:db8::1'
    """
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        return format_ipv6(_parse_ipv6(text))
    labels = text.rstrip(".").split(".")
    if not text or not all(looks_numeric(label) for label in labels):
        raise IndicatorError(_IP, f"{raw.strip()!r}")
    return ipv4_from_labels(labels)


def normalise_cidr(raw: str) -> IpNetwork:
    """Canonical CIDR block; host bits are cleared, and the result says so.

    >>> normalise_cidr("10.1.2.3/8")
    IpNetwork(value='10.0.0.0/8', version=4, host_bits_cleared=True)
    >>> normalise_cidr("2001:DB8::/32").value
    '2001:db8::/32'
    """
    address, slash, prefix = raw.strip().partition("/")
    if not slash or not prefix.isdigit():
        raise IndicatorError("a CIDR block", "expected address/prefix-length")
    try:
        base = normalise_ip(address)
    except IndicatorError as exc:
        raise exc.restated("a CIDR block") from None
    try:
        network = ipaddress.ip_network(f"{base}/{int(prefix)}", strict=False)
    except ValueError as exc:
        raise IndicatorError("a CIDR block", f"bad prefix length /{prefix}") from exc
    address_text = (
        format_ipv6(network.network_address)
        if isinstance(network, ipaddress.IPv6Network)
        else str(network.network_address)
    )
    return IpNetwork(
        value=f"{address_text}/{network.prefixlen}",
        version=network.version,
        host_bits_cleared=str(network.network_address) != str(ipaddress.ip_address(base)),
    )
