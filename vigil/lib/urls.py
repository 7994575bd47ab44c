"""URL canonicalisation and look-up expressions, as Google Safe Browsing v4 defines them.

Reference: https://developers.google.com/safe-browsing/v4/urls-hashing. Two
deliberate differences, both because a canonical URL here is also a stored
indicator: a non-default port is kept in :attr:`CanonicalUrl.url` (the look-up
expressions drop it, as GSB does), and a host that cannot exist in DNS (spaces,
control characters, ``#``) is refused instead of being percent-escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigil.lib.domains import canonicalise_host, is_ip_host, registrable_domain
from vigil.lib.errors import IndicatorError

__all__ = ["CanonicalUrl", "canonicalise_host", "canonicalise_url", "lookup_expressions"]

_URL = "a URL"
_SCHEME = re.compile(rb"([A-Za-z][A-Za-z0-9+.-]*):")
_PORT_AFTER_COLON = re.compile(rb"[0-9]+(?:[/?\\]|$)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEX = frozenset(b"0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class CanonicalUrl:
    """A URL in Safe Browsing canonical form, with its parts."""

    url: str
    scheme: str
    host: str
    port: int | None
    path: str
    query: str | None

    @property
    def registrable_domain(self) -> str | None:
        """Registrable domain of the host; None for IP hosts.

        >>> canonicalise_url("https://a.b.vcb-xacminh.com/x").registrable_domain
        'vcb-xacminh.com'
        """
        return registrable_domain(self.host)


def _unescape_fully(data: bytes) -> bytes:
    """Percent-unescape until no escape is left, in one pass.

    An escape never overlaps another (its two hex digits are not '%'), so the
    order of decoding does not matter and a stack gives the same fixed point as
    GSB's repeated passes, without their quadratic cost on ``%252525...``.
    """
    out = bytearray()
    for byte in data:
        out.append(byte)
        while len(out) >= 3 and out[-3] == 0x25 and out[-2] in _HEX and out[-1] in _HEX:
            decoded = int(out[-2:].decode("ascii"), 16)
            del out[-3:]
            out.append(decoded)
    return bytes(out)


def _escape(data: bytes) -> str:
    return "".join(f"%{b:02X}" if b <= 0x20 or b >= 0x7F or b in (0x23, 0x25) else chr(b) for b in data)


def _split_scheme(data: bytes) -> tuple[str, bytes]:
    match = _SCHEME.match(data)
    if match is None or _PORT_AFTER_COLON.match(data, match.end()):
        # A scheme-relative "//host/path" is read as http, like a bare host.
        return "http", data[2:] if data.startswith(b"//") else data
    scheme = match.group(1).decode("ascii").lower()
    if scheme not in _DEFAULT_PORTS:
        raise IndicatorError(_URL, f"unsupported scheme {scheme!r}")
    # Browsers take any run of slashes or backslashes after http: as the "//".
    return scheme, data[match.end() :].lstrip(b"/\\")


def _split_port(hostport: bytes) -> tuple[bytes, int | None]:
    if hostport.startswith(b"["):
        end = hostport.find(b"]")
        if end < 0:
            raise IndicatorError(_URL, "unclosed '[' in host")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(b":"):
            raise IndicatorError(_URL, "junk after IPv6 address")
        port_text = rest[1:]
    else:
        host, colon, port_text = hostport.rpartition(b":")
        if not colon:
            return hostport, None
    if not port_text:
        return host, None
    if not port_text.isdigit() or len(port_text) > 5 or int(port_text) > 65535:
        raise IndicatorError(_URL, f"invalid port {port_text.decode('utf-8', 'replace')!r}")
    return host, int(port_text)


def _normalise_path(path: bytes) -> bytes:
    segments: list[bytes] = []
    parts = path.split(b"/")
    for part in parts:
        if part == b"..":
            if segments:
                segments.pop()
        elif part not in (b"", b"."):
            segments.append(part)
    trailing = parts[-1] in (b"", b".", b"..")
    if not segments:
        return b"/"
    return b"/" + b"/".join(segments) + (b"/" if trailing else b"")


def _parse_host(host_bytes: bytes) -> str:
    if not host_bytes:
        raise IndicatorError(_URL, "no host")
    try:
        host_text = host_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise IndicatorError(_URL, "host is not valid UTF-8") from None
    try:
        return canonicalise_host(host_text)
    except IndicatorError as exc:
        raise exc.restated(_URL) from None


def canonicalise_url(raw: str) -> CanonicalUrl:
    """Canonicalise a URL the Safe Browsing way; ``http://`` is assumed when no scheme.

    >>> canonicalise_url("HTTP://user:pw@WWW.Example.COM.:80/a/./b/../c//d?x=1#top").url
    'http://www.example.com/a/c/d?x=1'
    >>> canonicalise_url("3279880203/blah").url
    'http://195.127.0.11/blah'
    >>> canonicalise_url("ftp://example.com/")
    Traceback (most recent call last):
    ...
    vigil.lib.errors.IndicatorError: not a URL: unsupported scheme 'ftp'
    """
    text = raw.replace("\t", "").replace("\r", "").replace("\n", "").strip()
    text = text.split("#", 1)[0]
    if not text:
        raise IndicatorError(_URL, "empty")
    scheme, rest = _split_scheme(_unescape_fully(text.encode("utf-8")))
    before_query, question, query_bytes = rest.partition(b"?")
    # Browsers read a backslash before the query as a slash in http(s) URLs.
    before_query = before_query.replace(b"\\", b"/")
    authority, slash, path_bytes = before_query.partition(b"/")
    hostport = authority.rpartition(b"@")[2]
    host_bytes, port = _split_port(hostport)
    host = _parse_host(host_bytes)
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    path = _escape(_normalise_path(slash + path_bytes))
    query = _escape(query_bytes) if question else None
    netloc = host if port is None else f"{host}:{port}"
    url = f"{scheme}://{netloc}{path}" + ("" if query is None else f"?{query}")
    return CanonicalUrl(url=url, scheme=scheme, host=host, port=port, path=path, query=query)


def _lookup_hosts(host: str) -> list[str]:
    if is_ip_host(host):
        return [host]
    labels = host.split(".")
    hosts = [host]
    for start in range(max(0, len(labels) - 5), len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate not in hosts:
            hosts.append(candidate)
    return hosts[:5]


def _lookup_paths(path: str, query: str | None) -> list[str]:
    paths = [f"{path}?{query}"] if query else []
    paths.append(path)
    components = [part for part in path.split("/") if part]
    for count in range(min(len(components), 4)):
        paths.append("/" + "".join(f"{part}/" for part in components[:count]))
    return list(dict.fromkeys(paths))


def lookup_expressions(url: CanonicalUrl) -> list[str]:
    """Safe Browsing host-suffix x path-prefix expressions, most specific first.

    >>> lookup_expressions(canonicalise_url("http://a.b.c/1/2.html?param=1"))[:4]
    ['a.b.c/1/2.html?param=1', 'a.b.c/1/2.html', 'a.b.c/', 'a.b.c/1/']
    >>> lookup_expressions(canonicalise_url("http://1.2.3.4/1/"))
    ['1.2.3.4/1/', '1.2.3.4/']
    """
    paths = _lookup_paths(url.path, url.query)
    return [host + path for host in _lookup_hosts(url.host) for path in paths]
