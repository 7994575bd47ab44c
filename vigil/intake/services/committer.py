"""Group commit for the public form: one writer thread per web process stores waiting reports together.

Every request still gets its tracking code only after the transaction holding its report
has committed, so an acknowledged code is never lost. What changes is that reports
arriving while a commit is in progress are stored by the next commit together, with one
transaction and one audit event for all of them (the event names every code). Under low
load a batch holds one report and nothing waits; under a flood the commits grow instead
of queueing on the database lock.

On SQLite the writer threads of the web processes also take turns through
:func:`~vigil.intake.services.writelock.writer_turn` before they begin, instead of polling
SQLite's lock; the reports that arrive while a thread waits for its turn join its batch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from dataclasses import dataclass, field

from django.db import DatabaseError, connection

from vigil.errors import VigilError
from vigil.intake import conf
from vigil.intake.services.drafts import ReportDraft
from vigil.intake.services.submission import StoredReport, submit_reports
from vigil.intake.services.writelock import writer_turn

logger = logging.getLogger(__name__)
MAX_BATCH = 200
WAIT_SECONDS = 60.0
IDLE_SECONDS = 5.0


class StoreUnavailable(VigilError):
    """The report could not be stored in time; nothing was acknowledged."""

    code = "unavailable"
    status = 503


@dataclass(eq=False, slots=True)
class _Waiter:
    draft: ReportDraft
    done: threading.Event = field(default_factory=threading.Event)
    report: StoredReport | None = None
    error: BaseException | None = None


class GroupCommitter:
    """A queue of reports and the thread that commits them in batches."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiter] = queue.SimpleQueue()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._guard:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._run, name="vigil-intake-commit", daemon=True)
                self._thread.start()

    def submit(self, draft: ReportDraft) -> StoredReport:
        """Block until the report is committed; return it with its tracking code."""
        self._ensure_thread()
        waiter = _Waiter(draft)
        self._queue.put(waiter)
        if not waiter.done.wait(WAIT_SECONDS):
            raise StoreUnavailable("The report could not be saved in time; please send it again.")
        if waiter.error is not None:
            raise waiter.error
        assert waiter.report is not None
        return waiter.report

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                # Quiet for a while: give the database connection back.
                self._reset_connection()
                continue
            with writer_turn():
                # Reports that arrived while this thread waited for its turn join the batch.
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                self._commit(batch)

    def _commit(self, batch: list[_Waiter]) -> None:
        try:
            for waiter, report in zip(batch, submit_reports([w.draft for w in batch]), strict=True):
                waiter.report = report
        except Exception:
            logger.warning(
                "group commit of %s reports failed; storing them one by one", len(batch), exc_info=True
            )
            self._reset_connection()
            for waiter in batch:
                try:
                    waiter.report = submit_reports([waiter.draft])[0]
                except Exception as exc:  # handed to the request, which answers with an error
                    waiter.error = exc
                    self._reset_connection()
        finally:
            for waiter in batch:
                waiter.done.set()

    @staticmethod
    def _reset_connection() -> None:
        with contextlib.suppress(DatabaseError):
            connection.close()


_committer = GroupCommitter()


def store(draft: ReportDraft) -> StoredReport:
    """Store a public report: through the group committer, or directly inside an open transaction.

    Tests that wrap each test in a transaction (and callers already in one) store directly:
    another thread's connection could not see their uncommitted rows.
    """
    if connection.in_atomic_block or not conf.get("GROUP_COMMIT"):
        return submit_reports([draft])[0]
    return _committer.submit(draft)
