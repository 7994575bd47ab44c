"""Fetch one URL safely: vetted addresses only, redirects by hand, every limit recorded.

Each hop of a redirect chain is vetted (:mod:`vigil.lib.fetch.resolving`) before the
client may connect, and the address it did connect to is checked again against the
pins. The body is read raw (still compressed, as the WARC needs it) and decompressed
here with a hard limit on the *decompressed* size, so a gzip bomb stops at the limit.
A limit that is hit (time, redirects, size, content type, encoding) is not an error:
the capture keeps what it has and records a :class:`Limit` with a readable reason.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import ssl
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace

from vigil.lib.fetch.addresses import AddressRefused
from vigil.lib.fetch.resolving import PinnedResolver, ResolveFailed, Vetter
from vigil.lib.fetch.tls import TlsFacts, peer_chain_der, tls_facts

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "Exchange",
    "FetchFailed",
    "FetchPolicy",
    "FetchResult",
    "GuardedConnector",
    "Limit",
    "fetch",
    "open_connector",
    "open_session",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_CONTENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/xml",
    "application/xml",
    "application/json",
)
REDIRECT_BODY_BYTES = 64 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How one fetch behaves; the same policy serves every user-agent variant."""

    user_agent: str
    timeout: float = 20.0  # seconds for the whole fetch, redirects and body included
    connect_timeout: float = 10.0
    max_redirects: int = 10
    max_bytes: int = 10 * 1024 * 1024  # decompressed body; the raw body is capped alike
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    accept_language: str = "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7"
    ca_bundle: Path | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """A limit the fetch hit, and what it means for the evidence."""

    kind: str  # time, redirects, size, content_type, encoding, scheme
    message: str


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as the WARC and the redirect chain record them."""

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    started_at: str
    elapsed_ms: int
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    remote_address: str
    remote_port: int
    raw_body: bytes
    body_complete: bool
    tls: TlsFacts | None = None

    def header(self, name: str) -> str:
        """The first value of a response header ('' if absent)."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything one fetch (one user agent) saw."""

    requested_url: str
    user_agent: str
    exchanges: tuple[Exchange, ...]
    content: bytes  # the final body, decompressed (possibly cut at a limit)
    limits: tuple[Limit, ...] = ()

    @property
    def final(self) -> Exchange:
        """The last exchange of the chain."""
        return self.exchanges[-1]

    @property
    def final_url(self) -> str:
        return self.final.url

    @property
    def status(self) -> int:
        return self.final.status

    @property
    def media_type(self) -> str:
        return self.final.header("content-type").split(";")[0].strip().lower()


class FetchFailed(Exception):
    """The fetch produced no page; ``code`` says why, ``exchanges`` what it saw before."""

    def __init__(self, code: str, message: str, exchanges: Sequence[Exchange] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exchanges = tuple(exchanges)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@functools.cache
def insecure_tls_context() -> ssl.SSLContext:
    """Connect whatever the certificate: its problems are recorded (tls.py), not obeyed.

    Made once: loading the system's CA store (``create_default_context``) costs about
    0.1 s, and a context that verifies nothing does not need it.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["http/1.1"])
    return context


@dataclass
class _Probe:
    """What the connector saw for the current request (set per fetch task)."""

    address: str = ""
    port: int = 0
    chain: list[bytes] = field(default_factory=list)
    protocol: str = ""
    cipher: str = ""


_probe: contextvars.ContextVar[_Probe | None] = contextvars.ContextVar("vigil_fetch_probe", default=None)


class GuardedConnector(aiohttp.TCPConnector):
    """A connector that re-checks, before any byte is sent, that the peer is a vetted address."""

    def __init__(self, vetter: Vetter, **kwargs: Any) -> None:
        super().__init__(resolver=PinnedResolver(vetter), use_dns_cache=False, **kwargs)
        self.vetter = vetter

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        host = req.url.host or ""
        if not peer or not self.vetter.is_pinned_address(host, str(peer[0])):
            connection.close()
            raise AddressRefused(
                host, (f"connected to {peer[0] if peer else 'an unknown peer'}, not vetted",)
            )
        probe = _probe.get()
        if probe is not None and transport is not None:
            probe.address, probe.port = str(peer[0]), int(peer[1])
            ssl_object = transport.get_extra_info("ssl_object")
            if ssl_object is not None:
                cipher = ssl_object.cipher()
                probe.chain = peer_chain_der(ssl_object)
                probe.protocol = ssl_object.version() or ""
                probe.cipher = cipher[0] if cipher else ""
        return connection


def open_connector(vetter: Vetter, *, limit: int = 20) -> aiohttp.TCPConnector:
    """A connector that can only reach addresses the vetter pinned."""
    return GuardedConnector(vetter, ssl=insecure_tls_context(), limit=limit)


def open_session(connector: aiohttp.BaseConnector, policy: FetchPolicy) -> aiohttp.ClientSession:
    """A session (own cookie jar) over a shared connector; raw bodies, no proxies from the environment."""
    return aiohttp.ClientSession(
        connector=connector,
        connector_owner=False,
        auto_decompress=False,
        trust_env=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=policy.connect_timeout),
    )


class _Decoder:
    """Incremental Content-Encoding decoder that never produces more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.out = bytearray()
        self.exceeded = False
        self.error = ""
        self._raw_deflate_tried = False
        self._z = self._new()

    def _new(self) -> zlib._Decompress | None:
        if self.encoding in {"gzip", "x-gzip"}:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj()
        return None

    def feed(self, chunk: bytes) -> bool:
        """Add raw bytes; False once the limit is exceeded or the stream is corrupt."""
        if self.exceeded or self.error:
            return False
        z = self._z
        if z is None:
            room = self.limit - len(self.out)
            self.out += chunk[: max(room, 0)]
            if len(chunk) > room:
                self.exceeded = True
                return False
            return True
        data = chunk
        while data:
            room = self.limit - len(self.out) + 1
            try:
                piece = z.decompress(data, room)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._raw_deflate_tried and not self.out:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._z = z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                self.error = f"corrupt {self.encoding} data ({exc})"
                return False
            self.out += piece
            if len(self.out) > self.limit:
                del self.out[self.limit :]
                self.exceeded = True
                return False
            if z.eof:
                rest = z.unused_data
                fresh = self._new() if rest else None
                if fresh is None:
                    return True
                self._z = z = fresh  # concatenated gzip members
                data = rest
                continue
            data = z.unconsumed_tail
        return True


def _content_type_allowed(media_type: str, allowed: Sequence[str]) -> bool:
    if not media_type:
        return True  # unlabelled bodies are read and sniffed later
    major = media_type.split("/")[0]
    return any(rule in {media_type, f"{major}/*", "*/*"} for rule in allowed)


def _pairs(raw_headers: Sequence[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((key.decode("latin-1"), value.decode("latin-1")) for key, value in raw_headers)


@dataclass
class _Hop:
    url: str
    started_at: str
    started: float
    body: bytearray = field(default_factory=bytearray)
    complete: bool = False


async def _read_body(
    response: aiohttp.ClientResponse, hop: _Hop, cap: int, decoder: _Decoder | None, deadline: float
) -> Limit | None:
    """Read the raw body into ``hop.body`` (and the decoder), stopping at a limit."""
    try:
        async with asyncio.timeout_at(deadline):
            async for chunk in response.content.iter_chunked(CHUNK):
                room = cap - len(hop.body)
                hop.body += chunk[: max(room, 0)]
                if decoder is not None and not decoder.feed(chunk[: max(room, 0)]):
                    break
                if len(chunk) > room:
                    return Limit(
                        "size", f"the body is larger than {cap:,} bytes; the first {cap:,} were kept"
                    )
            else:
                hop.complete = True
    except TimeoutError:
        return Limit(
            "time", f"the body was not complete when the time limit ran out ({len(hop.body):,} bytes kept)"
        )
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, ConnectionError) as exc:
        return Limit("size", f"the server broke off the body after {len(hop.body):,} bytes ({exc})")
    if decoder is not None and decoder.exceeded:
        return Limit(
            "size",
            f"the decompressed body is larger than {decoder.limit:,} bytes "
            f"(a compression bomb?); the first {decoder.limit:,} decompressed bytes were kept",
        )
    if decoder is not None and decoder.error:
        return Limit("encoding", f"the body could not be decompressed: {decoder.error}")
    return None


def _exchange(response: aiohttp.ClientResponse, hop: _Hop, probe: _Probe, tls: TlsFacts | None) -> Exchange:
    version = response.version
    return Exchange(
        url=hop.url,
        method=response.method,
        request_headers=tuple((k, v) for k, v in response.request_info.headers.items()),
        started_at=hop.started_at,
        elapsed_ms=int((time.monotonic() - hop.started) * 1000),
        status=response.status,
        reason=response.reason or "",
        http_version=f"HTTP/{version.major}.{version.minor}" if version else "HTTP/1.1",
        headers=_pairs(response.raw_headers),
        remote_address=probe.address,
        remote_port=probe.port,
        raw_body=bytes(hop.body),
        body_complete=hop.complete,
        tls=tls,
    )


def _check_url(url: str, exchanges: Sequence[Exchange]) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchFailed("bad_url", f"{url}: only http and https URLs can be captured", exchanges)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchFailed("bad_url", f"{url}: bad port ({exc})", exchanges) from exc
    if not parts.hostname:
        raise FetchFailed("bad_url", f"{url}: no host name", exchanges)
    return parts.hostname, port


async def fetch(
    url: str,
    *,
    session: aiohttp.ClientSession,
    vetter: Vetter,
    policy: FetchPolicy,
) -> FetchResult:
    """GET ``url`` as ``policy.user_agent``, following redirects by hand within the limits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + policy.timeout
    exchanges: list[Exchange] = []
    limits: list[Limit] = []
    current = url
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": policy.accept_language,
        "Accept-Encoding": "gzip, deflate",
    }
    while True:
        host, _port = _check_url(current, exchanges)
        try:
            async with asyncio.timeout_at(deadline):
                await vetter.vet(host)
        except AddressRefused as exc:
            raise FetchFailed("refused_address", f"{current}: {exc}", exchanges) from exc
        except ResolveFailed as exc:
            raise FetchFailed(exc.code, exc.message, exchanges) from exc
        except TimeoutError as exc:
            raise FetchFailed(
                "timeout", f"{current}: no answer within {policy.timeout:g} s", exchanges
            ) from exc
        hop = _Hop(current, _now_iso(), time.monotonic())
        content = b""
        probe = _Probe()
        _probe.set(probe)
        try:
            async with asyncio.timeout_at(deadline):
                response = await session.get(current, headers=headers, allow_redirects=False)
        except TimeoutError as exc:
            raise FetchFailed(
                "timeout", f"{current}: no response within {policy.timeout:g} s", exchanges
            ) from exc
        except AddressRefused as exc:
            raise FetchFailed("refused_address", f"{current}: {exc}", exchanges) from exc
        except aiohttp.ClientSSLError as exc:
            raise FetchFailed("tls_error", f"{current}: TLS handshake failed ({exc})", exchanges) from exc
        except aiohttp.ClientConnectorError as exc:
            raise FetchFailed(
                "connect_error", f"{current}: cannot connect ({exc.os_error})", exchanges
            ) from exc
        except (aiohttp.ClientResponseError, aiohttp.ServerDisconnectedError) as exc:
            raise FetchFailed("http_error", f"{current}: bad or no HTTP response ({exc})", exchanges) from exc
        except aiohttp.InvalidURL as exc:
            raise FetchFailed("bad_url", f"{current}: invalid URL ({exc})", exchanges) from exc
        except aiohttp.ClientError as exc:
            raise FetchFailed("http_error", f"{current}: {exc}", exchanges) from exc
        try:
            tls = None
            if probe.chain or current.startswith("https:"):
                tls = tls_facts(
                    probe.chain,
                    server_name=host,
                    protocol=probe.protocol,
                    cipher=probe.cipher,
                    ca_bundle=policy.ca_bundle,
                )
            location = response.headers.get("Location", "")
            redirect = response.status in REDIRECT_STATUSES and bool(location)
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if redirect:
                limit = await _read_body(response, hop, REDIRECT_BODY_BYTES, None, deadline)
            elif not _content_type_allowed(media_type, policy.content_types):
                limit = Limit("content_type", f"{media_type} is not captured; only the headers were recorded")
            else:
                encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
                decoder: _Decoder | None = _Decoder(encoding, policy.max_bytes)
                if encoding not in {"", "identity", "gzip", "x-gzip", "deflate"}:
                    decoder = None
                limit = await _read_body(response, hop, policy.max_bytes, decoder, deadline)
                if decoder is None:
                    limits.append(
                        Limit("encoding", f"content encoding {encoding!r} is not supported; raw body kept")
                    )
                else:
                    content = bytes(decoder.out)
            exchanges.append(_exchange(response, hop, probe, tls))
        finally:
            response.close()
        if limit is not None:
            limits.append(limit)
        if not redirect:
            return FetchResult(url, policy.user_agent, tuple(exchanges), content, tuple(limits))
        target = urljoin(current, location.strip())
        if urlsplit(target).scheme not in {"http", "https"}:
            limits.append(Limit("scheme", f"redirect to {target[:200]} was not followed (not http or https)"))
            return FetchResult(url, policy.user_agent, tuple(exchanges), content, tuple(limits))
        if len(exchanges) > policy.max_redirects:
            limits.append(
                Limit(
                    "redirects", f"more than {policy.max_redirects} redirects; {target[:200]} was not fetched"
                )
            )
            return FetchResult(url, policy.user_agent, tuple(exchanges), content, tuple(limits))
        current = target.split("#")[0]
