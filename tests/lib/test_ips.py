"""IP addresses and CIDR blocks."""

from __future__ import annotations

import pytest

from vigil.lib.errors import IndicatorError
from vigil.lib.ips import IpNetwork, normalise_cidr, normalise_ip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("195.127.0.11", "195.127.0.11"),
        (" 8.8.8.8 ", "8.8.8.8"),
        ("3279880203", "195.127.0.11"),
        ("0xC37F000B", "195.127.0.11"),
        ("0x7f.1", "127.0.0.1"),
        ("0300.0250.1.1", "192.168.1.1"),
        ("10.1", "10.0.0.1"),
        ("1.2.3.4.", "1.2.3.4"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::1", "::1"),
    ],
)
def test_normalise_ip(raw: str, expected: str) -> None:
    assert normalise_ip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "not an IP address: ''"),
        ("example.com", "not an IP address: 'example.com'"),
        ("256.1.1.1", "not an IP address: a part is out of range"),
        ("1.2.3.4.5", "not an IP address: 5 parts"),
        ("08.1.1.1", "not an IP address: bad octal number '08'"),
        ("2001:db8::zz", "not an IP address: bad IPv6 address"),
        ("fe80::1%eth0", "not an IP address: IPv6 zone identifiers"),
        ("9" * 50, "not an IP address: number too large"),
    ],
)
def test_normalise_ip_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_ip(raw)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.0.0.0/8", IpNetwork("10.0.0.0/8", 4, host_bits_cleared=False)),
        ("10.1.2.3/8", IpNetwork("10.0.0.0/8", 4, host_bits_cleared=True)),
        ("1.2.3.4/32", IpNetwork("1.2.3.4/32", 4, host_bits_cleared=False)),
        ("2001:DB8::1/32", IpNetwork("2001:db8::/32", 6, host_bits_cleared=True)),
        ("0x7f.1/8", IpNetwork("127.0.0.0/8", 4, host_bits_cleared=True)),
    ],
)
def test_normalise_cidr(raw: str, expected: IpNetwork) -> None:
    assert normalise_cidr(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("10.0.0.0", "not a CIDR block: expected address/prefix-length"),
        ("10.0.0.0/x", "not a CIDR block: expected address/prefix-length"),
        ("10.0.0.0/33", "not a CIDR block: bad prefix length /33"),
        ("example.com/8", "not a CIDR block: 'example.com'"),
    ],
)
def test_normalise_cidr_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_cidr(raw)
    assert str(caught.value).startswith(message)
