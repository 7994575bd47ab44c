"""A full-page screenshot with Playwright and Debian's Chromium, with no network of its own.

The browser never fetches anything itself. Every request the page makes is
intercepted: the page and the same-host resources Vigil already fetched through its
guarded client are *fulfilled* from those bytes, and everything else is aborted and
listed. As a second wall, Chromium starts with a dead proxy for all traffic (loopback
included), every host name mapped to "not found", and WebRTC limited to the proxy, so
a request that somehow escaped interception (a preconnect, WebRTC) goes nowhere.
The screenshot therefore shows exactly the HTML that was hashed and stored.

One browser is launched per worker process (launching takes about a second) and reused;
every capture gets a fresh context (no cookies, no storage) that is closed afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CHROMIUM_ARGS", "ISOLATION_ARGS", "BrowserShot", "Fulfilment", "ScreenshotBrowser"]

# The same start-up flags as the browser tests (tests/e2e/conftest.py).
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-gpu",
)
# Anything not intercepted goes to a closed port on loopback, resolves nowhere, and
# WebRTC may not send UDP around the proxy.
ISOLATION_ARGS = (
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=NetworkPrediction,PreconnectToSearch,DnsOverHttps",
)
DROP_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
)
MAX_HEIGHT = 16_000


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """A response the browser gets instead of going to the network."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class BrowserShot:
    """The PNG, and what the page tried to load that was refused."""

    png: bytes
    blocked: tuple[str, ...]
    served: tuple[str, ...]
    browser_version: str


@dataclass
class _Tab:
    """A fresh context and page, with the responses its route handler serves."""

    context: Any
    page: Any
    responses: dict[str, Fulfilment] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)


@dataclass
class ScreenshotBrowser:
    """A Chromium kept open on the current event loop for many screenshots.

    Opening a page costs a renderer process (0.3-0.6 s), so the next capture's fresh
    context and page are prepared in the background as soon as one is used.
    """

    executable: str
    user_agent: str
    viewport: tuple[int, int] = (1280, 900)
    timeout: float = 20.0
    extra_args: tuple[str, ...] = ()
    _playwright: Any = None
    _browser: Any = None
    _spare: asyncio.Task[_Tab] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _ensure(self) -> Any:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable,
                args=[*CHROMIUM_ARGS, *ISOLATION_ARGS, *self.extra_args],
            )
            return self._browser

    async def _open_tab(self) -> _Tab:
        browser = await self._ensure()
        context = await browser.new_context(
            user_agent=self.user_agent,
            viewport={"width": self.viewport[0], "height": self.viewport[1]},
            locale="vi-VN",
            service_workers="block",
            accept_downloads=False,
            ignore_https_errors=True,
        )
        context.set_default_timeout(self.timeout * 1000)
        tab = _Tab(context, None)

        async def route(intercepted: Any) -> None:
            request_url = str(intercepted.request.url).split("#")[0]
            answer = tab.responses.get(request_url)
            if answer is None:
                tab.blocked.append(request_url[:500])
                await intercepted.abort("blockedbyclient")
                return
            tab.served.append(request_url)
            headers = {k: v for k, v in answer.headers if k.lower() not in DROP_HEADERS}
            await intercepted.fulfill(status=answer.status, headers=headers, body=answer.body)

        async def websocket(ws: Any) -> None:
            tab.blocked.append(str(ws.url)[:500])
            await ws.close()

        try:
            await context.route("**/*", route)
            tab.page = await context.new_page()
            await tab.page.route_web_socket("**/*", websocket)
        except BaseException:
            await context.close()
            raise
        return tab

    async def _take_tab(self) -> _Tab:
        spare, self._spare = self._spare, None
        if spare is not None:
            try:
                return await spare
            except Exception:  # noqa: S110 - the browser may have died since; open a new tab below
                pass
        return await self._open_tab()

    async def close(self) -> None:
        """Close the browser and Playwright's driver."""
        if self._spare is not None:
            self._spare.cancel()
            self._spare = None
        if self._browser is not None:
            with contextlib.suppress(Exception):  # closing a crashed browser may fail; nothing to keep
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def screenshot(
        self, url: str, responses: Mapping[str, Fulfilment], *, settle_ms: int = 150
    ) -> BrowserShot:
        """Render ``url`` from ``responses`` only and take a full-page PNG."""
        tab = await self._take_tab()
        tab.responses.update(responses)
        try:
            try:
                await tab.page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            except Exception as exc:
                # A page whose sub-resources hang still renders what it has.
                if "Timeout" not in type(exc).__name__:
                    raise
            if settle_ms:
                await tab.page.wait_for_timeout(settle_ms)
            height = await tab.page.evaluate("() => document.documentElement.scrollHeight")
            if isinstance(height, int | float) and height > MAX_HEIGHT:
                clip = {"x": 0, "y": 0, "width": self.viewport[0], "height": MAX_HEIGHT}
                png = await tab.page.screenshot(type="png", full_page=True, clip=clip)
            else:
                png = await tab.page.screenshot(type="png", full_page=True)
        finally:
            await tab.context.close()
            # Prepared while the next capture fetches, not while this one renders.
            self._spare = asyncio.ensure_future(self._open_tab())
        version = str(self._browser.version) if self._browser is not None else ""
        return BrowserShot(bytes(png), tuple(tab.blocked), tuple(tab.served), version)
