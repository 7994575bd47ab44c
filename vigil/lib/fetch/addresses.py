"""Which addresses a capture may connect to: public unicast only.

Every address a fetch would connect to, whether it came from DNS or stood in the URL,
goes through :func:`refusal`. Loopback, private, link-local, multicast, reserved,
unspecified, documentation and translation ranges are refused with a reason a person
can read; IPv4 addresses hidden in IPv6 (mapped, compatible, NAT64, 6to4, Teredo) are
refused as such. ``allow_loopback`` (tests only) lets ``127.0.0.1`` through, and nothing
else.

>>> refusal("93.184.216.34") is None
True
>>> refusal("10.1.2.3")
'10.1.2.3 is a private address (10.0.0.0/8)'
>>> refusal("::ffff:127.0.0.1")
'::ffff:127.0.0.1 is an IPv4-mapped IPv6 address (::ffff:0:0/96) hiding 127.0.0.1'
>>> refusal("127.0.0.1", allow_loopback=True) is None, refusal("127.0.0.2", allow_loopback=True) is None
(True, False)
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from vigil.lib.ips import format_ipv6

__all__ = ["REFUSED_RANGES", "AddressRefused", "display", "parse_ip", "refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOOPBACK_ALLOWED = ipaddress.IPv4Address("127.0.0.1")


@dataclass(frozen=True, slots=True)
class RefusedRange:
    """A block of addresses a capture never connects to, and why."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    reason: str
    embeds_ipv4: bool = False


def _r(cidr: str, reason: str, embeds_ipv4: bool = False) -> RefusedRange:
    return RefusedRange(ipaddress.ip_network(cidr), reason, embeds_ipv4)


# Most specific first: the first match names the reason.
REFUSED_RANGES: tuple[RefusedRange, ...] = (
    _r("0.0.0.0/8", "an unspecified ('this network') address"),
    _r("10.0.0.0/8", "a private address"),
    _r("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    _r("127.0.0.0/8", "a loopback address"),
    _r("169.254.0.0/16", "a link-local address"),
    _r("172.16.0.0/12", "a private address"),
    _r("192.0.0.0/24", "an IETF protocol assignment"),
    _r("192.0.2.0/24", "a documentation address"),
    _r("192.88.99.0/24", "a 6to4 relay anycast address"),
    _r("192.168.0.0/16", "a private address"),
    _r("198.18.0.0/15", "a benchmarking address"),
    _r("198.51.100.0/24", "a documentation address"),
    _r("203.0.113.0/24", "a documentation address"),
    _r("224.0.0.0/4", "a multicast address"),
    _r("255.255.255.255/32", "the broadcast address"),
    _r("240.0.0.0/4", "a reserved address"),
    _r("::/128", "the unspecified address"),
    _r("::1/128", "a loopback address"),
    _r("::ffff:0:0/96", "an IPv4-mapped IPv6 address", embeds_ipv4=True),
    _r("::ffff:0:0:0/96", "an IPv4-translated IPv6 address", embeds_ipv4=True),
    _r("::/96", "an IPv4-compatible IPv6 address (deprecated)", embeds_ipv4=True),
    _r("64:ff9b::/96", "a NAT64 address", embeds_ipv4=True),
    _r("64:ff9b:1::/48", "a local-use NAT64 address"),
    _r("100::/64", "a discard-only address"),
    _r("2001::/32", "a Teredo address"),
    _r("2001:2::/48", "a benchmarking address"),
    _r("2001:10::/28", "an ORCHID address"),
    _r("2001:20::/28", "an ORCHIDv2 address"),
    _r("2001:db8::/32", "a documentation address"),
    _r("2002::/16", "a 6to4 address"),
    _r("3fff::/20", "a documentation address"),
    _r("5f00::/16", "a segment-routing (SRv6) SID"),
    _r("fc00::/7", "a unique-local (private) address"),
    _r("fe80::/10", "a link-local address"),
    _r("fec0::/10", "a site-local address (deprecated)"),
    _r("ff00::/8", "a multicast address"),
)


class AddressRefused(Exception):
    """A capture would have connected to an address it must not reach."""

    def __init__(self, host: str, reasons: tuple[str, ...]) -> None:
        self.host = host
        self.reasons = reasons
        shown = "; ".join(reasons)
        super().__init__(f"{host}: refused, {shown}" if host and reasons else shown or host)


def parse_ip(text: str) -> IPAddress | None:
    """The address ``text`` spells (brackets and an IPv6 zone allowed), or None for a name.

    >>> parse_ip("[::1]"), parse_ip("example.com")
    (IPv6Address('::1'), None)
    """
    value = text.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def display(ip: IPAddress) -> str:
    """An address as people write it; IPv4-mapped ones as ``::ffff:a.b.c.d`` on every Python.

    >>> display(ipaddress.ip_address("::ffff:7f00:1")), display(ipaddress.ip_address("10.0.0.1"))
    ('::ffff:127.0.0.1', '10.0.0.1')
    """
    if isinstance(ip, ipaddress.IPv6Address) and not ip.scope_id:
        return format_ipv6(ip)
    return str(ip)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def refusal(address: str | IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why a capture must not connect to ``address``, or None when it may."""
    ip = parse_ip(address) if isinstance(address, str) else address
    if ip is None:
        return f"{address!s} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return f"{display(ip)} carries a zone index"
    if allow_loopback and ip == LOOPBACK_ALLOWED:
        return None
    for refused in REFUSED_RANGES:
        if ip.version == refused.network.version and ip in refused.network:
            text = f"{display(ip)} is {refused.reason} ({refused.network})"
            if refused.embeds_ipv4 and isinstance(ip, ipaddress.IPv6Address):
                text += f" hiding {_embedded_ipv4(ip)}"
            return text
    if not ip.is_global:
        return f"{display(ip)} is not a globally routable address"
    return None
