"""Host names and registrable domains.

:func:`canonicalise_host` is the one place host names are normalised, for URLs
(:mod:`vigil.lib.urls` re-exports it), domains and IP addresses alike; it lives
here so that the URL module can depend on this one without a cycle.
The public suffix list is tldextract's bundled snapshot: nothing here goes online.
"""

from __future__ import annotations

import functools
import ipaddress
import re

import idna
import tldextract

from vigil.lib.errors import IndicatorError
from vigil.lib.ips import format_ipv6, ipv4_from_labels, looks_numeric

__all__ = [
    "canonicalise_host",
    "host_to_unicode",
    "is_ip_host",
    "is_public_suffix",
    "normalise_domain",
    "public_suffix",
    "registrable_domain",
]

# Underscores are not LDH, but DNS carries them and browsers resolve them, and
# abuse hosts under wildcard DNS use them; refusing them would lose real indicators.
_ASCII_LABEL = re.compile(r"[a-z0-9_-]+")
_HOST = "a host name"
_DOMAIN = "a domain"


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # Empty suffix_list_urls + no cache_dir: the bundled snapshot, never the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _ascii_label(label: str) -> str:
    if not _ASCII_LABEL.fullmatch(label):
        bad = next(c for c in label if not _ASCII_LABEL.fullmatch(c))
        raise IndicatorError(_HOST, f"invalid character {bad!r} in {label!r}")
    if label.startswith("xn--"):
        try:
            idna.ulabel(label)
        except (idna.IDNAError, UnicodeError) as exc:
            raise IndicatorError(_HOST, f"invalid punycode label {label!r}") from exc
    return label


def _unicode_label(label: str) -> str:
    try:
        return idna.alabel(label).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise IndicatorError(_HOST, f"invalid internationalised label {label!r} ({exc})") from exc


def _remap(text: str) -> str:
    if text.isascii():
        return text.lower()
    try:
        # UTS-46 maps case, full-width letters and the ideographic full stops to
        # their plain forms, as browsers do before resolving a name.
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError) as exc:
        raise IndicatorError(_HOST, f"invalid character in {text!r} ({exc})") from exc


def canonicalise_host(raw_host: str) -> str:
    """Canonical form of a URL host: IDNA A-labels, lower case, tidy dots, plain IPs.

    IPv4 addresses in any spelling become a dotted quad; IPv6 addresses are bracketed.

    >>> canonicalise_host("..WWW.Ví-Dụ..VN.")
    'www.xn--v-d-rma6749a.vn'
    >>> canonicalise_host("0x7f.1"), canonicalise_host("[2001:DB8::1]")
    ('127.0.0.1', '[2001:db8::1]')
    """
    if (raw_host.startswith("[") and raw_host.endswith("]")) or raw_host.count(":") >= 2:
        text = raw_host.removeprefix("[").removesuffix("]")
        if "%" in text:
            raise IndicatorError(_HOST, "IPv6 zone identifiers are local to one machine")
        try:
            return f"[{format_ipv6(ipaddress.IPv6Address(text))}]"
        except ValueError as exc:
            raise IndicatorError(_HOST, f"bad IPv6 address {text!r}") from exc
    labels = [label for label in _remap(raw_host).split(".") if label]
    if not labels:
        raise IndicatorError(_HOST, "empty")
    if looks_numeric(labels[-1]):
        try:
            return ipv4_from_labels(labels)
        except IndicatorError as exc:
            detail = f"{'.'.join(labels)!r} ends in a number but is not an IPv4 address"
            raise IndicatorError(_HOST, f"{detail} ({exc.detail})") from None
    encoded = [_ascii_label(lb) if lb.isascii() else _unicode_label(lb) for lb in labels]
    for label in encoded:
        if len(label) > 63:
            raise IndicatorError(_HOST, f"label longer than 63 characters: {label[:20]}...")
    host = ".".join(encoded)
    if len(host) > 253:
        raise IndicatorError(_HOST, "longer than 253 characters")
    return host


def is_ip_host(host: str) -> bool:
    """Whether a canonical host is an IP address.

    >>> is_ip_host("195.127.0.11"), is_ip_host("[::1]"), is_ip_host("vcb.com.vn")
    (True, True, False)
    """
    if host.startswith("["):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_to_unicode(host: str) -> str:
    """Readable form of a canonical host, with punycode labels decoded.

    >>> host_to_unicode("www.xn--v-d-rma6749a.vn")
    'www.ví-dụ.vn'
    """
    labels = host.split(".")
    out = []
    for label in labels:
        try:
            out.append(idna.ulabel(label) if label.startswith("xn--") else label)
        except (idna.IDNAError, UnicodeError):
            out.append(label)
    return ".".join(out)


def _split(host: str) -> tldextract.tldextract.ExtractResult:
    return _extractor().extract_str(host.strip().rstrip(".").lower())


def registrable_domain(host: str) -> str | None:
    """The domain a registrant controls: one label above the public suffix.

    Private suffixes count, so each Blogger or GitHub Pages site is its own domain.
    None for IP addresses, bare public suffixes and unknown top-level domains.

    >>> registrable_domain("a.b.vcb-xacminh.com.vn")
    'vcb-xacminh.com.vn'
    >>> registrable_domain("foo.blogspot.com"), registrable_domain("com.vn")
    ('foo.blogspot.com', None)
    """
    if is_ip_host(host):
        return None
    return _split(host).top_domain_under_public_suffix or None


def public_suffix(host: str) -> str:
    """The public suffix (ICANN or private) of a host; empty when none is known.

    >>> public_suffix("abc.gov.vn"), public_suffix("x.github.io"), public_suffix("a.b")
    ('gov.vn', 'github.io', '')
    """
    if is_ip_host(host):
        return ""
    return _split(host).suffix


def is_public_suffix(name: str) -> bool:
    """Whether ``name`` is itself a public suffix, like ``com.vn`` or ``github.io``.

    >>> is_public_suffix("com.vn"), is_public_suffix("blogspot.com"), is_public_suffix("vcb.vn")
    (True, True, False)
    """
    if is_ip_host(name):
        return False
    parts = _split(name)
    return bool(parts.suffix) and not parts.domain and not parts.subdomain


def normalise_domain(raw: str) -> str:
    """Canonical domain name: punycode, lower case, no trailing dot, LDH labels.

    Refuses IP addresses, URLs, bare public suffixes and unknown top-level domains.

    >>> normalise_domain(" WWW.Ví-Dụ.VN. ")
    'www.xn--v-d-rma6749a.vn'
    >>> normalise_domain("com.vn")
    Traceback (most recent call last):
    ...
    vigil.lib.errors.IndicatorError: not a domain: 'com.vn' is a public suffix
    """
    text = raw.strip()
    if not text:
        raise IndicatorError(_DOMAIN, "empty")
    if "/" in text or "@" in text:
        raise IndicatorError(_DOMAIN, f"{text!r} is a URL or address, not a domain name")
    if text.startswith("*"):
        raise IndicatorError(_DOMAIN, "wildcards are not domains; give the domain itself")
    try:
        host = canonicalise_host(text)
    except IndicatorError as exc:
        raise exc.restated(_DOMAIN) from None
    if is_ip_host(host):
        raise IndicatorError(_DOMAIN, f"{host!r} is an IP address")
    for label in host.split("."):
        if label.startswith("-") or label.endswith("-"):
            raise IndicatorError(_DOMAIN, f"label {label!r} starts or ends with a hyphen")
    if is_public_suffix(host):
        raise IndicatorError(_DOMAIN, f"{host!r} is a public suffix")
    if "." not in host:
        raise IndicatorError(_DOMAIN, f"{host!r} has no top-level domain")
    if not public_suffix(host):
        raise IndicatorError(_DOMAIN, f"unknown top-level domain {host.rsplit('.', 1)[-1]!r}")
    return host
