"""``vigil worker``: the database task worker plus the periodic-job scheduler."""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from vigil.periodic import JOBS, run_scheduler


class Command(BaseCommand):
    help = "Run background tasks (all queues) and enqueue periodic jobs when they are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queues", default="*", help="comma-separated queues to process (default: all)")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not enqueue periodic jobs from this worker",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_scheduler"]:
            names = ", ".join(f"{job.name} every {job.interval}" for job in JOBS.values())
            self.stdout.write(f"periodic jobs: {names or 'none'}")
            threading.Thread(target=run_scheduler, args=(stop,), name="vigil-scheduler", daemon=True).start()
        try:
            call_command(
                "db_worker",
                queue_name=options["queues"],
                interval=options["interval"],
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
