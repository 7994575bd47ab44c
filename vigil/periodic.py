"""Periodic jobs, declared in one place with their interval, and the loop that enqueues them.

Every worker runs the loop; a conditional UPDATE on :class:`PeriodicRun` makes sure only
one of them enqueues a job per interval, even across machines.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A task to enqueue every ``interval``."""

    name: str
    interval: dt.timedelta
    task: Any  # a django.tasks Task


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable[[Any], Any]:
    """Declare a task as periodic (decorate the task object)."""

    def register(task: Any) -> Any:
        if name in JOBS:
            raise ValueError(f"periodic job {name!r} is declared twice")
        JOBS[name] = PeriodicJob(name, every, task)
        return task

    return register


def _claim(job: PeriodicJob, now: dt.datetime) -> bool:
    from vigil.core.models import PeriodicRun

    due_before = now - job.interval
    claimed = PeriodicRun.objects.filter(name=job.name, last_enqueued_at__lte=due_before).update(
        last_enqueued_at=now
    )
    if claimed:
        return True
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=job.name, last_enqueued_at=now)
    except IntegrityError:
        return False
    return True


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in JOBS.values():
        with transaction.atomic():
            if _claim(job, now):
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued


def run_scheduler(stop: threading.Event, *, tick_seconds: float = 15.0) -> None:
    """Loop until ``stop`` is set, enqueueing due jobs every tick."""
    while not stop.is_set():
        try:
            names = enqueue_due()
            if names:
                logger.info("enqueued periodic jobs: %s", ", ".join(names))
        except Exception:
            logger.exception("periodic scheduler tick failed; retrying next tick")
        finally:
            close_old_connections()
        stop.wait(tick_seconds)
