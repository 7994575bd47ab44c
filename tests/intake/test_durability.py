"""A real server on a real SQLite file: acknowledged codes survive SIGKILL; concurrent retries store once.

These tests start gunicorn exactly as ``vigil serve --no-worker`` does, on a free 127.0.0.1
port with a temporary database, and talk HTTP to it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMS = "VCB: tai khoan cua quy khach bi khoa. Truy cap vcb-mo-khoa.com hoac goi 09{n:08d} de mo khoa"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn in its own process group, so SIGKILL takes the master and every worker at once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.database = data_dir / "vigil.sqlite3"
        self.env = {
            **os.environ,
            "VIGIL_DATA_DIR": str(data_dir),
            "VIGIL_DATABASE_URL": f"sqlite:///{self.database}",
            "VIGIL_DEBUG": "false",
            "VIGIL_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "vigil.settings",
            "VIGIL_INTAKE_REPORTS_PER_IP_HOUR": "100000",
            "VIGIL_INTAKE_PAGES_PER_IP_MINUTE": "100000",
            "VIGIL_INTAKE_POW_LOAD_PER_MINUTE": "100000",
            "VIGIL_INTAKE_POW_AFTER_REPORTS_PER_IP": "100000",
        }
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{code!r} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return done.stdout.strip()

    def start(self) -> None:
        self.port = _free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "vigil.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    instance = Server(tmp_path)
    migrate = "import sys; from vigil.cli import main; main(['migrate', '--noinput', '-v', '0'])"
    instance.run(migrate)
    yield instance
    instance.stop()


def _form_session(server: Server) -> tuple[http.client.HTTPConnection, str, str]:
    conn = server.connection()
    conn.request("GET", "/report/")
    response = conn.getresponse()
    body = response.read()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert response.status == 200 and cookie and token
    return conn, cookie, token.group(1).decode()


def _burst(server: Server, acknowledged: list[str], stop: threading.Event, worker: int) -> None:
    try:
        conn, cookie, token = _form_session(server)
        n = 0
        while not stop.is_set():
            n += 1
            form = urlencode(
                {"csrfmiddlewaretoken": token, "kind": "sms", "text": SMS.format(n=worker * 10**5 + n)}
            )
            conn.request(
                "POST",
                "/report/",
                form,
                {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            if response.status == 303:
                code = re.search(r"/report/status/(PA-[A-Z0-9]+)/", response.getheader("Location") or "")
                assert code is not None
                acknowledged.append(code.group(1))
    except (OSError, http.client.HTTPException):
        return  # the server died under us: whatever was not acknowledged may be lost


def test_acknowledged_reports_survive_sigkill(server: Server) -> None:
    server.start()
    acknowledged: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_burst, args=(server, acknowledged, stop, i)) for i in range(16)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # mid-burst: requests are in flight in every worker
    stop.set()
    for thread in threads:
        thread.join(30)
    codes = list(acknowledged)
    assert len(codes) >= 60, "the burst did not get going"

    with sqlite3.connect(server.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT tracking_code FROM intake_report")}
    missing = [code for code in codes if code not in stored]
    assert not missing, f"{len(missing)} acknowledged reports lost: {missing[:5]}"

    server.start()
    for code in codes[:: max(1, len(codes) // 20)]:
        status, body = server.get(f"/report/status/{code}/")
        assert status == 200 and code.encode() in body
    verdict = server.run("from vigil.cli import main; main(['audit', 'verify'])")
    assert "intact" in verdict.lower() or "ok" in verdict.lower(), verdict


def test_concurrent_retries_of_one_batch_store_it_once(server: Server) -> None:
    token = server.run(
        "import django; django.setup()\n"
        "from vigil.core import services\nfrom vigil.core.models import Organisation\n"
        "org = Organisation.objects.create(code='vcb', name='VCB', kind='bank')\n"
        "user = services.create_user(actor=None, username='p', password=None, organisation=org,"
        " role_names=['partner'])\n"
        "print(services.issue_token(actor=user, user=user, name='t')[1])"
    ).splitlines()[-1]
    server.start()
    items = [{"kind": "phone_call", "value": f"09{i:08d}", "external_id": str(i)} for i in range(200)]
    body = json.dumps({"items": items})
    statuses: list[int] = []
    answers: list[Any] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        conn = server.connection()
        barrier.wait()
        conn.request(
            "POST",
            "/api/v1/intake/reports/batch",
            body,
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": "nightly-2026-11-29",
            },
        )
        response = conn.getresponse()
        statuses.append(response.status)
        answers.append(json.loads(response.read()))
        conn.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200] * 5 + [201], statuses
    assert all(answer == answers[0] for answer in answers)
    with sqlite3.connect(server.database) as db:
        assert db.execute("SELECT count(*) FROM intake_report").fetchone()[0] == 200
        assert db.execute("SELECT count(*) FROM intake_partnerbatch").fetchone()[0] == 1
