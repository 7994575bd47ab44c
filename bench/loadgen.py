"""HTTP load generation for the benches that drive a real gunicorn server on loopback.

Shared by ``intake.py`` and ``check_api.py``: start ``gunicorn vigil.wsgi`` exactly as
``vigil serve --no-worker`` does, then drive it from one asyncio process with concurrent
keep-alive HTTP/1.1 connections, one phase at a time (an untimed warm-up, then the timed
part). A phase is described by a *prepare* coroutine run once per connection, which
returns a maker of requests; each request comes with a judge that says how many items
its answer counts for (0: a failure). Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import log, percentile

ROOT = Path(__file__).resolve().parent.parent


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "vigil.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if b" 200 " in sock.recv(200):
                return server
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not answer /healthz")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- client


@dataclass
class Phase:
    """Counts and latencies of one phase's timed part."""

    ok: int = 0
    items: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sample_failure: str = ""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    else:
        body = b""
    return status, headers, body


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


Maker = Callable[[], tuple[bytes, Callable[[int, dict[str, str], bytes], int]]]


async def connection_loop(
    port: int, prepare: Callable[[Any, Any], Any], phase: Phase, timed_from: float, stop_at: float
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        make: Maker = await prepare(reader, writer)
        while time.perf_counter() < stop_at:
            raw, judge = make()
            started = time.perf_counter()
            writer.write(raw)
            status, headers, body = await read_response(reader)
            elapsed = (time.perf_counter() - started) * 1000
            if started < timed_from:
                continue
            phase.statuses[status] = phase.statuses.get(status, 0) + 1
            items = judge(status, headers, body)
            if items:
                phase.ok += 1
                phase.items += items
                phase.latencies.append(elapsed)
            else:
                phase.failed += 1
                if not phase.sample_failure:
                    phase.sample_failure = f"{status} {body[:300]!r}"
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


STAGGER_S = 0.03  # between opening connections, so they spread over the workers (run_phase)


def run_phase(
    port: int,
    clients: int,
    prepare: Callable[[Any, Any], Any],
    seconds: float,
    warmup: float,
    stagger: float = STAGGER_S,
) -> tuple[Phase, float]:
    """One phase; ``stagger``: seconds between opening one connection and the next.

    Opened all at once, the connections all tend to go to the gunicorn worker that wakes
    first, which then serves the whole phase on one core while the other idles (bare
    requests/s fall to about 40 %). Opened a few tens of milliseconds apart, each goes to a
    worker waiting in its poll, so they spread; keep ``clients * stagger`` inside ``warmup``.
    """
    phase = Phase()

    async def main() -> None:
        now = time.perf_counter()
        timed_from, stop_at = now + warmup, now + warmup + seconds

        async def client(number: int) -> None:
            if stagger:
                await asyncio.sleep(number * stagger)
            await connection_loop(port, prepare, phase, timed_from, stop_at)

        await asyncio.gather(*(client(number) for number in range(clients)))

    asyncio.run(main())
    return phase, seconds


def bare_prepare() -> Callable[[Any, Any], Any]:
    raw = request("GET", "/healthz", {})

    async def prepare(_reader: Any, _writer: Any) -> Maker:
        return lambda: (raw, lambda status, _h, body: 1 if status == 200 and body == b"ok" else 0)

    return prepare


# --------------------------------------------------------------------------- figures


def rate(phase: Phase, seconds: float) -> float:
    return phase.items / seconds


def describe(name: str, phase: Phase, seconds: float) -> None:
    log(
        f"  {name}: {rate(phase, seconds):,.0f}/s ok={phase.ok} failed={phase.failed} "
        f"p50={percentile(phase.latencies, 50):.1f} ms p99={percentile(phase.latencies, 99):.1f} ms "
        f"statuses={phase.statuses}"
        + (f" first failure: {phase.sample_failure}" if phase.sample_failure else "")
    )
