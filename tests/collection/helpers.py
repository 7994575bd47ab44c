"""Small helpers shared by the capture tests."""

from __future__ import annotations

from typing import Any

from tests import factories
from vigil.collection import services
from vigil.collection.models import Capture
from vigil.core.models import User


def capture_now(actor: User, url: str, *, case: Any = None, title: str = "Trang giả mạo") -> Capture:
    """Request a capture and run it in this process, as a worker would; returns it refreshed."""
    case = case or factories.case(actor, title=title, indicators=[("url", url)])
    capture = services.request_capture(actor=actor, case=case, url=url)
    services.run_capture(capture.pk, actor.pk)
    capture.refresh_from_db()
    return capture


def run_async(coroutine: Any) -> Any:
    """Run a coroutine on the capture loop's thread, as the worker does.

    Not ``asyncio.run``: Playwright's sync API (the browser tests) leaves an event loop
    running in the test thread.
    """
    from vigil.lib.fetch import runner

    return runner.submit(coroutine).result(timeout=120)
