"""``vigil serve``: the web server (gunicorn) and a background worker, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Vigil with gunicorn and run a background worker; Ctrl-C stops both."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("VIGIL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("VIGIL_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("VIGIL_WEB_WORKERS", "2")),
            help="gunicorn worker processes",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
        parser.add_argument("--no-worker", action="store_true", help="serve web requests only")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        bind = f"{options['host']}:{options['port']}"
        commands = [
            [
                python,
                "-m",
                "gunicorn",
                "vigil.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--worker-class",
                "gthread",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ]
        ]
        if not options["no_worker"]:
            commands.append([python, "-m", "vigil.cli", "worker", "--verbosity", "1"])
        children = [subprocess.Popen(command) for command in commands]  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Vigil is running on http://{bind}/  (Ctrl-C stops it)"))
        if settings.DEBUG:
            self.stdout.write("development mode: DEBUG is on; set VIGIL_ENV=production for a real deployment")
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(f"{child.args[2]} exited with code {child.returncode}; stopping")
                    exit_code, stopping = child.returncode or 1, True
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("stopped")
        if exit_code:
            sys.exit(exit_code)
