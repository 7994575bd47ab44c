"""A background event loop per process, where captures run and the browser lives.

Workers are synchronous (one task at a time) and Django's ORM must not run inside an
event loop, so the asynchronous capture runs on this loop's thread while the worker's
own thread waits, draining progress events and writing them to the database. The
screenshot browser is bound to this loop and so survives from one capture to the next.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from vigil.lib.fetch.browser import ScreenshotBrowser

__all__ = ["browser_for", "shutdown", "submit"]

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_browsers: dict[tuple[str, str, float], ScreenshotBrowser] = {}


def _ensure_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is not None and _thread is not None and _thread.is_alive():
            return _loop
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="vigil-capture-loop", daemon=True)
        thread.start()
        _loop, _thread = loop, thread
        atexit.register(shutdown)
        return loop


def submit(coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Run ``coroutine`` on the capture loop; the caller waits on the returned future."""
    return asyncio.run_coroutine_threadsafe(coroutine, _ensure_loop())


def browser_for(executable: str, user_agent: str, timeout: float) -> ScreenshotBrowser:
    """This process's browser for these settings (created on first use, launched lazily)."""
    key = (executable, user_agent, timeout)
    with _lock:
        browser = _browsers.get(key)
        if browser is None:
            browser = _browsers[key] = ScreenshotBrowser(executable, user_agent, timeout=timeout)
        return browser


def shutdown() -> None:
    """Close the browsers and stop the loop (at process exit)."""
    global _loop, _thread
    with _lock:
        loop, thread, browsers = _loop, _thread, list(_browsers.values())
        _loop, _thread = None, None
        _browsers.clear()
    if loop is None or thread is None or not thread.is_alive():
        return
    for browser in browsers:
        with contextlib.suppress(Exception):  # best effort at exit
            asyncio.run_coroutine_threadsafe(browser.close(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
