"""Registrable domains, public suffixes and domain normalisation."""

from __future__ import annotations

import pytest

from vigil.lib.domains import (
    host_to_unicode,
    is_public_suffix,
    normalise_domain,
    public_suffix,
    registrable_domain,
)
from vigil.lib.errors import IndicatorError


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.vietcombank.com.vn", "vietcombank.com.vn"),
        ("a.b.vcb-xacminh.com", "vcb-xacminh.com"),
        ("dichvucong.gov.vn", "dichvucong.gov.vn"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("x.y.github.io", "y.github.io"),
        ("sites.google.com", "google.com"),
        ("xn--v-d-rma6749a.vn", "xn--v-d-rma6749a.vn"),
        ("WWW.Example.COM.", "example.com"),
        ("com", None),
        ("com.vn", None),
        ("blogspot.com", None),
        ("1.2.3.4", None),
        ("[2001:db8::1]", None),
        ("intranet.invalidtld", None),
    ],
)
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("a.b.com.vn", "com.vn"),
        ("abc.gov.vn", "gov.vn"),
        ("x.blogspot.com", "blogspot.com"),
        ("example.com", "com"),
        ("1.2.3.4", ""),
        ("a.invalidtld", ""),
    ],
)
def test_public_suffix(host: str, expected: str) -> None:
    assert public_suffix(host) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("com", True),
        ("vn", True),
        ("com.vn", True),
        ("gov.vn", True),
        ("edu.vn", True),
        ("blogspot.com", True),
        ("github.io", True),
        ("COM.VN.", True),
        ("vietcombank.com.vn", False),
        ("example.com", False),
        ("1.2.3.4", False),
        ("invalidtld", False),
    ],
)
def test_is_public_suffix(name: str, expected: bool) -> None:
    assert is_public_suffix(name) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "example.com"),
        (" WWW.Example.COM. ", "www.example.com"),
        ("ví-dụ.vn", "xn--v-d-rma6749a.vn"),
        ("xn--v-d-rma6749a.vn", "xn--v-d-rma6749a.vn"),
        ("shọpmobaviet.vn", "xn--shpmobaviet-v89e.vn"),
        ("a..b.com", "a.b.com"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("sub_domain.example.com", "sub_domain.example.com"),
        ("a" * 63 + ".com", "a" * 63 + ".com"),
    ],
)
def test_normalise_domain(raw: str, expected: str) -> None:
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "not a domain: empty"),
        ("com.vn", "not a domain: 'com.vn' is a public suffix"),
        ("COM", "not a domain: 'com' is a public suffix"),
        ("github.io", "not a domain: 'github.io' is a public suffix"),
        ("1.2.3.4", "not a domain: '1.2.3.4' is an IP address"),
        ("0x7f.1", "not a domain: '127.0.0.1' is an IP address"),
        ("[2001:db8::1]", "not a domain: '[2001:db8::1]' is an IP address"),
        ("http://example.com/", "not a domain: 'http://example.com/' is a URL"),
        ("a@example.com", "not a domain: 'a@example.com' is a URL or address"),
        ("*.example.com", "not a domain: wildcards are not domains"),
        ("localhost", "not a domain: 'localhost' has no top-level domain"),
        ("example.invalidtld", "not a domain: unknown top-level domain 'invalidtld'"),
        ("-abc.example.com", "not a domain: label '-abc' starts or ends with a hyphen"),
        ("abc-.example.com", "not a domain: label 'abc-' starts or ends with a hyphen"),
        ("exa mple.com", "not a domain: invalid character ' '"),
        ("a" * 64 + ".com", "not a domain: label longer than 63 characters"),
        (".".join(["abcdefghi"] * 26) + ".com", "not a domain: longer than 253 characters"),
        ("xn--zz.com", "not a domain: invalid punycode label 'xn--zz'"),
    ],
)
def test_normalise_domain_refuses(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise_domain(raw)
    assert str(caught.value).startswith(message)


def test_host_to_unicode() -> None:
    assert host_to_unicode("www.xn--v-d-rma6749a.vn") == "www.ví-dụ.vn"
    assert host_to_unicode("example.com") == "example.com"
    assert host_to_unicode("xn--zz.com") == "xn--zz.com"
