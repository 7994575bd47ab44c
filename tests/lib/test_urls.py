"""URL canonicalisation and look-up expressions against Google Safe Browsing v4's tables."""

from __future__ import annotations

import pytest

from vigil.lib.errors import IndicatorError
from vigil.lib.urls import CanonicalUrl, canonicalise_host, canonicalise_url, lookup_expressions

# Every canonicalisation example published in
# https://developers.google.com/safe-browsing/v4/urls-hashing, in its order.
# Rows marked in GSB_DIFFERENCES below are the ones where Vigil deliberately differs.
GSB_EXAMPLES = [
    ("http://host/%25%32%35", "http://host/%25"),
    ("http://host/%25%32%35%25%32%35", "http://host/%25%25"),
    ("http://host/%2525252525252525", "http://host/%25"),
    ("http://host/asdf%25%32%35asd", "http://host/asdf%25asd"),
    ("http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"),
    ("http://www.google.com/", "http://www.google.com/"),
    (
        "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
        "http://168.188.99.26/.secure/www.ebay.com/",
    ),
    (
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
    ),
    (
        "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B",
        "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+",
    ),
    ("http://3279880203/blah", "http://195.127.0.11/blah"),
    ("http://www.google.com/blah/..", "http://www.google.com/"),
    ("www.google.com/", "http://www.google.com/"),
    ("www.google.com", "http://www.google.com/"),
    ("http://www.evil.com/blah#frag", "http://www.evil.com/blah"),
    ("http://www.GOOgle.com/", "http://www.google.com/"),
    ("http://www.google.com.../", "http://www.google.com/"),
    ("http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"),
    ("http://www.google.com/q?", "http://www.google.com/q?"),
    ("http://www.google.com/q?r?", "http://www.google.com/q?r?"),
    ("http://www.google.com/q?r?s", "http://www.google.com/q?r?s"),
    ("http://evil.com/foo#bar#baz", "http://evil.com/foo"),
    ("http://evil.com/foo;", "http://evil.com/foo;"),
    ("http://evil.com/foo?bar;", "http://evil.com/foo?bar;"),
    ("http://\x01\x80.com/", "http://%01%80.com/"),
    ("http://notrailingslash.com", "http://notrailingslash.com/"),
    ("http://www.gotaport.com:1234/", "http://www.gotaport.com/"),
    ("  http://www.google.com/  ", "http://www.google.com/"),
    ("http:// leadingspace.com/", "http://%20leadingspace.com/"),
    ("http://%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("https://www.securesite.com/", "https://www.securesite.com/"),
    ("http://host.com/ab%23cd", "http://host.com/ab%23cd"),
    ("http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"),
]

# Hosts that cannot exist in DNS: GSB escapes them, Vigil refuses them, because a
# stored indicator for a name no resolver will ever see would only mislead.
REFUSED_HOSTS = {
    "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B",
    "http://\x01\x80.com/",
    "http:// leadingspace.com/",
    "http://%20leadingspace.com/",
    "%20leadingspace.com/",
}
# GSB drops every port; Vigil keeps a non-default one in the stored URL.
KEPT_PORT = {"http://www.gotaport.com:1234/": "http://www.gotaport.com:1234/"}
GSB_DIFFERENCES = REFUSED_HOSTS | set(KEPT_PORT)


@pytest.mark.parametrize(("raw", "expected"), [row for row in GSB_EXAMPLES if row[0] not in GSB_DIFFERENCES])
def test_gsb_canonicalisation_examples(raw: str, expected: str) -> None:
    assert canonicalise_url(raw).url == expected


@pytest.mark.parametrize("raw", sorted(REFUSED_HOSTS))
def test_gsb_examples_with_impossible_hosts_are_refused(raw: str) -> None:
    with pytest.raises(IndicatorError, match=r"^not a URL: "):
        canonicalise_url(raw)


def test_gsb_example_path_escaping_with_a_real_host() -> None:
    raw = "http://host.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B"
    assert canonicalise_url(raw).path == "/~a!b@c%23d$e%25f^00&11*22(33)44_55+"


def test_gsb_example_with_a_port_keeps_it_but_looks_up_without_it() -> None:
    raw, expected = next(iter(KEPT_PORT.items()))
    url = canonicalise_url(raw)
    assert (url.url, url.port) == (expected, 1234)
    assert lookup_expressions(url) == ["www.gotaport.com/", "gotaport.com/"]


def test_every_gsb_example_is_covered() -> None:
    assert len(GSB_EXAMPLES) == 33
    assert {raw for raw, _ in GSB_EXAMPLES} >= GSB_DIFFERENCES


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # IDN, in Unicode, upper case and already encoded
        ("http://ví-dụ.vn/", "http://xn--v-d-rma6749a.vn/"),
        (
            "HTTP://VÍ-DỤ.VN/Đường-dẫn",
            "http://xn--v-d-rma6749a.vn/%C4%90%C6%B0%E1%BB%9Dng-d%E1%BA%ABn",
        ),
        ("http://xn--v-d-rma6749a.vn/", "http://xn--v-d-rma6749a.vn/"),
        ("http://ｅｘａｍｐｌｅ．ｃｏｍ/", "http://example.com/"),
        ("http://bücher。de/", "http://xn--bcher-kva.de/"),
        # UTS-46 drops zero-width spaces, as browsers do before resolving
        ("http://vietcom\u200bbank.com.vn/", "http://vietcombank.com.vn/"),
        # IPv6
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("https://[2001:0db8:0000:0000:0000:0000:0000:0001]:8443/", "https://[2001:db8::1]:8443/"),
        ("http://[::ffff:c000:0280]/", "http://[::ffff:192.0.2.128]/"),
        # default and other ports
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://example.com:443/", "http://example.com:443/"),
        ("https://example.com:80/", "https://example.com:80/"),
        ("example.com:8080/x", "http://example.com:8080/x"),
        ("http://example.com:/", "http://example.com/"),
        # userinfo never survives; the host is what follows the last @
        ("http://bank.com@evil.com/", "http://evil.com/"),
        ("http://user:pass@evil.com/login", "http://evil.com/login"),
        ("http://vietcombank.com.vn%40evil.com/", "http://evil.com/"),
        # trailing and repeated dots
        ("http://example.com./", "http://example.com/"),
        ("example.com.", "http://example.com/"),
        ("http://.a..b...c./", "http://a.b.c/"),
        # obfuscated IPv4
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://017700000001/", "http://127.0.0.1/"),
        ("http://0xC37F000B/", "http://195.127.0.11/"),
        ("http://0300.0250.0001.0001/", "http://192.168.1.1/"),
        ("http://192.168.257/", "http://192.168.1.1/"),
        ("http://10.1/", "http://10.0.0.1/"),
        # paths
        ("http://a.com/a/./b/../c", "http://a.com/a/c"),
        ("http://a.com/../../x", "http://a.com/x"),
        ("http://a.com/a/b/.", "http://a.com/a/b/"),
        ("http://a.com/%zz%", "http://a.com/%25zz%25"),
        ("http://a.com/a b", "http://a.com/a%20b"),
        ("http://a.com/?a#b", "http://a.com/?a"),
        # how people and browsers write schemes
        ("//example.com/x", "http://example.com/x"),
        ("http:\\\\evil.com\\a\\b?c\\d", "http://evil.com/a/b?c\\d"),
        ("http:/evil.com", "http://evil.com/"),
        ("HTTPS://Example.COM", "https://example.com/"),
        ("http://exa_mple.com/", "http://exa_mple.com/"),
    ],
)
def test_canonicalisation(raw: str, expected: str) -> None:
    assert canonicalise_url(raw).url == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "not a URL: empty"),
        ("   ", "not a URL: empty"),
        ("#frag", "not a URL: empty"),
        ("http://", "not a URL: no host"),
        ("http://user@/x", "not a URL: no host"),
        ("ftp://x", "not a URL: unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "not a URL: unsupported scheme 'javascript'"),
        ("mailto:a@b.vn", "not a URL: unsupported scheme 'mailto'"),
        ("http://exa mple.com", "not a URL: invalid character ' ' in 'exa mple'"),
        ("http://" + "a" * 64 + ".com/", "not a URL: label longer than 63 characters"),
        ("http://" + ".".join(["abcdefghij"] * 24) + ".com/", "not a URL: longer than 253"),
        ("http://xn--zz.vn/", "not a URL: invalid punycode label 'xn--zz'"),
        ("http://ab\u200dcd.com/", "not a URL: invalid internationalised label"),
        ("http://\u0301abc.com/", "not a URL: invalid internationalised label"),
        ("http://256.1.1.1/", "not a URL: '256.1.1.1' ends in a number but is not an IPv4"),
        ("http://example.123/", "not a URL: 'example.123' ends in a number"),
        ("http://1.2.3.4.5/", "not a URL: '1.2.3.4.5' ends in a number"),
        ("http://example.com:99999/", "not a URL: invalid port '99999'"),
        ("http://example.com:8o/", "not a URL: invalid port '8o'"),
        ("http://[2001:db8::1/", "not a URL: unclosed '[' in host"),
        ("http://[2001:db8::zz]/", "not a URL: bad IPv6 address"),
        ("http://[fe80::1%25eth0]/", "not a URL: IPv6 zone identifiers"),
        ("http://%C3%28.com/", "not a URL: host is not valid UTF-8"),
    ],
)
def test_bad_urls_are_refused_with_a_clear_message(raw: str, message: str) -> None:
    with pytest.raises(IndicatorError) as caught:
        canonicalise_url(raw)
    assert str(caught.value).startswith(message)


def test_parts() -> None:
    url = canonicalise_url("https://User@Sub.VCB-Xacminh.com.vn:8443/a/b?x=1&y=2#f")
    assert url == CanonicalUrl(
        url="https://sub.vcb-xacminh.com.vn:8443/a/b?x=1&y=2",
        scheme="https",
        host="sub.vcb-xacminh.com.vn",
        port=8443,
        path="/a/b",
        query="x=1&y=2",
    )
    assert url.registrable_domain == "vcb-xacminh.com.vn"
    assert canonicalise_url("http://foo.blogspot.com/").registrable_domain == "foo.blogspot.com"
    assert canonicalise_url("http://1.2.3.4/").registrable_domain is None
    assert canonicalise_url("http://[::1]/").registrable_domain is None
    assert canonicalise_url("http://a.com/").query is None
    assert canonicalise_url("http://a.com/?").query == ""


@pytest.mark.parametrize(
    "raw",
    [row[0] for row in GSB_EXAMPLES if row[0] not in REFUSED_HOSTS]
    + ["http://ví-dụ.vn/ä?ö=ü#x", "http://a.com/%2525%23%3F?q=%3F%23", "http://a.com/\\x"],
)
def test_canonicalisation_is_idempotent(raw: str) -> None:
    once = canonicalise_url(raw)
    assert canonicalise_url(once.url) == once


def test_deep_percent_encoding_is_linear() -> None:
    url = canonicalise_url("http://a.com/%" + "25" * 200_000)
    assert url.path == "/%25"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "http://a.b.c/1/2.html?param=1",
            [
                "a.b.c/1/2.html?param=1",
                "a.b.c/1/2.html",
                "a.b.c/",
                "a.b.c/1/",
                "b.c/1/2.html?param=1",
                "b.c/1/2.html",
                "b.c/",
                "b.c/1/",
            ],
        ),
        (
            "http://a.b.c.d.e.f.g/1.html",
            [
                "a.b.c.d.e.f.g/1.html",
                "a.b.c.d.e.f.g/",
                "c.d.e.f.g/1.html",
                "c.d.e.f.g/",
                "d.e.f.g/1.html",
                "d.e.f.g/",
                "e.f.g/1.html",
                "e.f.g/",
                "f.g/1.html",
                "f.g/",
            ],
        ),
        ("http://1.2.3.4/1/", ["1.2.3.4/1/", "1.2.3.4/"]),
        ("http://a.b/saw-cgi/", ["a.b/saw-cgi/", "a.b/"]),
        # more than four path components: root plus three directories
        (
            "http://x.y/a/b/c/d/e.html",
            ["x.y/a/b/c/d/e.html", "x.y/", "x.y/a/", "x.y/a/b/", "x.y/a/b/c/"],
        ),
        ("http://[2001:db8::1]/a", ["[2001:db8::1]/a", "[2001:db8::1]/"]),
        ("http://a.com/q?", ["a.com/q", "a.com/"]),
    ],
)
def test_lookup_expressions(raw: str, expected: list[str]) -> None:
    assert lookup_expressions(canonicalise_url(raw)) == expected


def test_lookup_expressions_are_bounded() -> None:
    url = canonicalise_url("http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?x=1")
    expressions = lookup_expressions(url)
    assert len(expressions) == 5 * 6
    assert len(set(expressions)) == len(expressions)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("..a..b..", "a.b"),
        ("3279880203", "195.127.0.11"),
        ("2001:DB8::1", "[2001:db8::1]"),
        ("Ví-Dụ.vn", "xn--v-d-rma6749a.vn"),
    ],
)
def test_canonicalise_host(raw: str, expected: str) -> None:
    assert canonicalise_host(raw) == expected
