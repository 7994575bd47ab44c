"""The local test web server: scam, gambling, cloaking and hostile pages on 127.0.0.1.

An aiohttp web application running on its own thread and event loop, so tests (and the
capture bench) use it as a context manager::

    with WebFixtures() as web:                       # http://127.0.0.1:<free port>
        web.url("/bank/login")
    with WebFixtures(tls=SelfSignedCert.make(tmp)) as web:   # https, self-signed

Pages (see ``pages/``):

=====================  ==========================================================
``/bank/login``        a cloned bank log-in page (password, OTP, card number), with
                       its stylesheet and logo on the same host, a tracking pixel and
                       a beacon on other hosts (which a capture must never reach)
``/gambling``          a Vietnamese gambling page with a link farm and an APK lure
``/cloak``             gambling for browsers, a harmless news page for crawlers
``/redirect/start``    302 → 301 → 307 → ``/harmless``
``/redirect/loop``     redirects forever
``/to?url=U``          302 to any URL (redirects into private space)
``/gzip-bomb``         ~200 KB of gzip that inflates to 200 MB
``/big``               a 50 MB HTML body
``/harmless``          a recipe
``/app/nhacai.apk``    an Android package (a content type captures do not download)
``/slow?s=N``          answers after N seconds
``/lure?to=URL``       the bank page plus preconnect, stylesheet, image, frame, script,
                       fetch, WebSocket and beacon to URL (the browser must reach none)
``/changing``          a page that changes on every request (liveness: content changed)
``/stall``             sends the start of a page, then waits until ``stall_release`` is set
                       (for killing a worker mid-capture)
=====================  ==========================================================

Every request is logged in :attr:`WebFixtures.requests` (path, host header, user agent).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

PAGES = Path(__file__).resolve().parent / "pages"
CRAWLER_MARKERS = ("googlebot", "bingbot", "coccoc", "baiduspider", "yandex")
BIG_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SelfSignedCert:
    """A self-signed certificate for 127.0.0.1 and a few test names, made with ``cryptography``."""

    cert_path: Path
    key_path: Path
    sha256: str

    @classmethod
    def make(cls, directory: Path, names: tuple[str, ...] = ("bank.example.test",), days: int = 30) -> Self:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ngan hang gia mao"),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        sans = [x509.DNSName(name) for name in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = directory / "cert.pem", directory / "key.pem"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cls(cert_path, key_path, certificate.fingerprint(hashes.SHA256()).hex())

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the server answered."""

    path: str
    host: str
    user_agent: str


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _html(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="text/html", charset="utf-8")


_bomb: bytes | None = None
_bomb_lock = threading.Lock()


def gzip_bomb() -> bytes:
    """200 MB of zeros as gzip (about 200 KB): one 1 MB member, repeated (RFC 1952 allows many)."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            member = compressor.compress(b"\0" * (1024 * 1024)) + compressor.flush()
            _bomb = member * (BOMB_BYTES // (1024 * 1024))
        return _bomb


class WebFixtures:
    """The fixture server on 127.0.0.1 (HTTP, or HTTPS with ``tls``)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, tls: SelfSignedCert | None = None) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.requests: list[Seen] = []
        self.changes = 0
        self.stall_release = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    def url(self, path: str = "/", host: str | None = None) -> str:
        """An absolute URL on this server (``host`` replaces 127.0.0.1, for DNS tests)."""
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    # --- handlers ---------------------------------------------------------------------

    @web.middleware
    async def _log(self, request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        self.requests.append(
            Seen(request.path_qs, request.headers.get("Host", ""), request.headers.get("User-Agent", ""))
        )
        return await handler(request)

    async def bank_login(self, request: web.Request) -> web.Response:
        return _html(_page("bank_login.html"))

    async def bank_style(self, request: web.Request) -> web.Response:
        return web.Response(body=_page("bank_style.css"), content_type="text/css")

    async def bank_logo(self, request: web.Request) -> web.Response:
        return web.Response(body=_page("bank_logo.svg"), content_type="image/svg+xml")

    async def gambling(self, request: web.Request) -> web.Response:
        return _html(_page("gambling.html"))

    async def cloak(self, request: web.Request) -> web.Response:
        agent = request.headers.get("User-Agent", "").lower()
        if any(marker in agent for marker in CRAWLER_MARKERS):
            return _html(_page("news.html"))
        return _html(_page("gambling.html"))

    async def harmless(self, request: web.Request) -> web.Response:
        return _html(_page("harmless.html"))

    async def redirect(self, request: web.Request) -> web.Response:
        step = request.match_info["step"]
        chain = {"start": (302, "/redirect/2"), "2": (301, "/redirect/3"), "3": (307, "/harmless")}
        if step == "loop":
            raise web.HTTPFound(f"/redirect/loop?n={int(request.query.get('n', '0')) + 1}")
        status, target = chain[step]
        return web.Response(status=status, headers={"Location": target}, text=f"moved to {target}")

    async def to(self, request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": request.query["url"]})

    async def bomb(self, request: web.Request) -> web.Response:
        return web.Response(
            body=gzip_bomb(),
            headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
        )

    async def big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        response.content_length = BIG_BYTES
        await response.prepare(request)
        line = b"<p>" + b"x" * 1017 + b"</p>\n"  # 1 KiB
        block = line * 1024
        with contextlib.suppress(ConnectionError, RuntimeError):  # the client stopped at its limit
            for _ in range(BIG_BYTES // len(block)):
                await response.write(block)
        return response

    async def apk(self, request: web.Request) -> web.Response:
        return web.Response(
            body=b"PK\x03\x04" + b"\0" * 2048, content_type="application/vnd.android.package-archive"
        )

    async def lure(self, request: web.Request) -> web.Response:
        """The bank page, plus every way a page may try to reach another server (``?to=URL``)."""
        to = request.query.get("to", "http://127.0.0.1:9")
        extra = (
            f'<link rel="preconnect" href="{to}/"><link rel="dns-prefetch" href="{to}/">'
            f'<link rel="stylesheet" href="{to}/style.css"><img src="{to}/pixel.gif" alt="">'
            f'<iframe src="{to}/frame"></iframe>'
            f'<script src="{to}/script.js"></script>'
            f'<script>fetch("{to}/fetch").catch(function(){{}});'
            f'try {{ new WebSocket("{to.replace("http", "ws")}/ws"); }} catch (e) {{}}'
            f'navigator.sendBeacon && navigator.sendBeacon("{to}/beacon", "x");</script>'
        )
        page = _page("bank_login.html").replace(b"</body>", extra.encode() + b"</body>")
        return _html(page)

    async def changing(self, request: web.Request) -> web.Response:
        self.changes += 1
        return _html(
            f"<html><title>Tin mới</title><body><p>Bản tin số {self.changes}</p></body></html>".encode()
        )

    async def slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "5")))
        return _html(_page("harmless.html"))

    async def stall(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        response.content_length = 100_000
        await response.prepare(request)
        head = b"<html><head><title>stall</title></head><body>"
        await response.write(head + b"a" * 1000)
        for _ in range(600):
            if self.stall_release.is_set():
                break
            await asyncio.sleep(0.1)
        with contextlib.suppress(ConnectionError, RuntimeError):  # the client is gone (a killed worker)
            await response.write(b"a" * (100_000 - len(head) - 1000))
        return response

    def app(self) -> web.Application:
        application = web.Application(middlewares=[self._log])
        application.add_routes(
            [
                web.get("/bank/login", self.bank_login),
                web.get("/bank/style.css", self.bank_style),
                web.get("/bank/logo.svg", self.bank_logo),
                web.get("/gambling", self.gambling),
                web.get("/cloak", self.cloak),
                web.get("/harmless", self.harmless),
                web.get("/redirect/{step}", self.redirect),
                web.get("/to", self.to),
                web.get("/gzip-bomb", self.bomb),
                web.get("/big", self.big),
                web.get("/app/nhacai.apk", self.apk),
                web.get("/slow", self.slow),
                web.get("/changing", self.changing),
                web.get("/lure", self.lure),
                web.get("/stall", self.stall),
            ]
        )
        return application

    # --- lifecycle --------------------------------------------------------------------

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        context = self.tls.server_context() if self.tls is not None else None
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=context, backlog=512)
        await site.start()
        sockets = site._server.sockets if site._server is not None else ()  # type: ignore[union-attr]
        self.port = int(sockets[0].getsockname()[1])

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._start())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        if self._runner is not None:
            loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="webfixtures", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self.stall_release.set()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
