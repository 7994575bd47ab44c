"""Turns at SQLite's one write lock for the desk's hot writers, shared by every web process.

SQLite lets one connection write at a time. A connection that finds the lock taken polls it
from its busy handler, sleeping up to 100 ms between tries, and the writer that just
committed usually takes it again before the sleeper wakes: with two web processes a public
report waited up to 2.4 s (p99) and a partner batch 6.8 s. Writers that pass through
:func:`writer_turn` queue instead on an exclusive ``flock`` of a file beside the database
and are woken as soon as it is free. Other writers (staff actions, tasks) still meet only
SQLite's own lock, which stays the guarantee; on other databases this does nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

logger = logging.getLogger(__name__)
SUFFIX = ".intake-writer"

# flock() excludes open files, not threads: threads of one process take turns on this first.
_guard = threading.Lock()
_file: tuple[int, int] | None = None  # (process id, descriptor): a forked child opens its own


def _lock_file() -> int | None:
    global _file
    if _file is not None and _file[0] == os.getpid():
        return _file[1]
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"] or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None  # in-memory test databases: one process only
    try:
        descriptor = os.open(f"{Path(name).resolve()}{SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        logger.warning("no writer lock file beside %s; relying on SQLite's lock alone", name, exc_info=True)
        return None
    _file = (os.getpid(), descriptor)
    return descriptor


@contextlib.contextmanager
def writer_turn() -> Iterator[None]:
    """On SQLite, wait for this process's and then every process's turn; hold it for one transaction."""
    descriptor = _lock_file()
    if descriptor is None:
        yield
        return
    with _guard:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits without holding the GIL
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
