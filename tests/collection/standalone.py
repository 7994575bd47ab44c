"""A throw-away Vigil (own data directory and database) for tests and benches that run real workers.

The pytest database lives inside the test process; ``vigil worker`` processes need one
they can open themselves. :class:`Standalone` makes a data directory, points
``VIGIL_DATABASE_URL`` at a fresh SQLite file there (or at a scratch database next to
the PostgreSQL server the suite runs on), migrates it, and runs commands of this module
in subprocesses against it::

    python -m tests.collection.standalone setup URL...   # analyst, a case, queued captures
    python -m tests.collection.standalone state           # captures, evidence, stored files
    python -m tests.collection.standalone reap MINUTES    # reap as if MINUTES later, retry
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VIGIL = [sys.executable, "-m", "vigil.cli"]


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


class Standalone:
    """A data directory, a database and helpers to run Vigil commands and workers against them."""

    def __init__(self, directory: Path, **settings: str) -> None:
        self.directory = directory
        self.scratch: tuple[str, str] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        env = {key: value for key, value in os.environ.items() if not key.startswith("VIGIL_")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "vigil.settings",
                "VIGIL_ENV": "development",
                "VIGIL_DEBUG": "false",
                "VIGIL_LOG_LEVEL": "WARNING",
                "VIGIL_DATA_DIR": str(directory),
                "VIGIL_FETCH_ALLOW_LOOPBACK": "true",
                "VIGIL_CAPTURE_BROWSER": "off",
                "VIGIL_CAPTURE_AUTO": "false",
                "VIGIL_CAPTURE_COLLECTOR": "vigil-standalone",
                "PYTHONPATH": str(ROOT),
            }
        )
        parent_db = os.environ.get("VIGIL_DATABASE_URL", "")
        if parent_db.startswith(("postgres://", "postgresql://")):
            name = f"vigil_standalone_{os.getpid()}_{secrets.token_hex(4)}"
            _pg_admin(parent_db, f'CREATE DATABASE "{name}"')
            self.scratch = (parent_db, name)
            env["VIGIL_DATABASE_URL"] = urlunsplit(urlsplit(parent_db)._replace(path="/" + name))
        env.update(settings)
        self.env = env

    def run(self, *args: str, timeout: float = 120) -> str:
        """Run ``vigil ARGS`` (or ``-m tests.collection.standalone`` with ``--``) and return stdout."""
        command = [*VIGIL, *args]
        if args and args[0] == "--":
            command = [sys.executable, "-m", "tests.collection.standalone", *args[1:]]
        result = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run("--", *args).strip().splitlines()[-1])

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a read-only SQL query on the environment's database from this process (fast polling)."""
        url = self.env.get("VIGIL_DATABASE_URL", "")
        if url:
            import psycopg

            with psycopg.connect(url) as conn:
                return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]
        import sqlite3

        conn = sqlite3.connect(self.directory / "vigil.sqlite3", timeout=30)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        """Captures, evidence rows and the files in the evidence store, read directly."""
        captures = [
            {"pk": pk, "state": state, "failure_code": code, "worker": worker, "current_step": step}
            for pk, state, code, worker, step in self.query(
                "SELECT id, state, failure_code, worker, current_step FROM collection_capture ORDER BY id"
            )
        ]
        stored, incoming = [], 0
        root = self.directory / "evidence"
        if root.exists():
            for path in root.rglob("*"):
                if path.is_file():
                    if ".incoming" in path.parts:
                        incoming += 1
                    else:
                        stored.append(path.name)
        return {
            "captures": captures,
            "evidence": self.query("SELECT COUNT(*) FROM cases_evidenceitem")[0][0],
            "artefacts": self.query("SELECT COUNT(*) FROM collection_captureartefact")[0][0],
            "stored_files": sorted(stored),
            "incoming_files": incoming,
        }

    def migrate(self) -> None:
        self.run("migrate", "--noinput", "-v0", timeout=300)

    def start_worker(self, log_name: str = "worker") -> subprocess.Popen[bytes]:
        log = (self.directory / f"{log_name}-{len(self.workers)}.log").open("wb")
        worker = subprocess.Popen(
            [*VIGIL, "worker", "--no-scheduler", "--interval", "0.05"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
        self.workers.clear()

    def wait_for(self, predicate: Any, timeout: float = 60, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            for worker in self.workers:
                if worker.poll() is not None and worker.returncode not in (0, -signal.SIGKILL):
                    raise RuntimeError(f"a worker exited with {worker.returncode}: {self.logs()}")
            time.sleep(0.1)
        raise TimeoutError(f"{what} not reached in {timeout} s\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:] for path in sorted(self.directory.glob("*.log"))
        )

    def close(self) -> None:
        self.stop_workers()
        if self.scratch is not None:
            url, name = self.scratch
            _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.scratch = None


# --- commands run inside the standalone environment ---------------------------------


def _setup(urls: list[str]) -> dict[str, Any]:
    from tests import factories
    from vigil.collection import services

    analyst = factories.user("analyst", username=f"analyst-{secrets.token_hex(3)}")
    case = factories.case(analyst, title="Trang giả mạo (thử nghiệm worker)", indicators=[])
    ids = [services.request_capture(actor=analyst, case=case, url=url).pk for url in urls]
    return {"case": case.code, "captures": ids, "actor": analyst.pk}


def _state() -> dict[str, Any]:
    from django.conf import settings

    from vigil.cases.models import EvidenceItem
    from vigil.collection.models import Capture, CaptureArtefact

    root = Path(settings.EVIDENCE_ROOT)
    stored, incoming = [], []
    if root.exists():
        for path in root.rglob("*"):
            if path.is_file():
                (incoming if ".incoming" in path.parts else stored).append(path.name)
    return {
        "captures": list(
            Capture.objects.order_by("pk").values("pk", "state", "failure_code", "worker", "current_step")
        ),
        "evidence": EvidenceItem.objects.count(),
        "artefacts": CaptureArtefact.objects.count(),
        "stored_files": sorted(stored),
        "incoming_files": len(incoming),
    }


def _reap(minutes: int) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    from vigil.collection import services
    from vigil.collection.models import Capture

    reaped = services.reap_stale_captures(now=timezone.now() + dt.timedelta(minutes=minutes))
    retried = [
        services.retry_capture(actor=capture.requested_by, capture=capture).pk
        for capture in Capture.objects.filter(
            state="failed", failure_code="interrupted", retries__isnull=True
        )
    ]
    return {"reaped": reaped, "retried": retried}


def main() -> None:
    import django

    django.setup()
    command, args = sys.argv[1], sys.argv[2:]
    if command == "setup":
        result = _setup(args)
    elif command == "state":
        result = _state()
    elif command == "reap":
        result = _reap(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
