"""Writer turns on SQLite: one holder at a time, across threads and across open files (processes)."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from vigil.intake.services import writelock


@pytest.fixture
def file_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Make the connection look like a file database; the lock file goes beside it."""
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "settings_dict", {**wrapper.settings_dict, "NAME": str(tmp_path / "v.db")})
    monkeypatch.setattr(writelock, "_file", None)
    return tmp_path / f"v.db{writelock.SUFFIX}"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_turn_excludes_another_open_file_of_the_lock(file_database: Path) -> None:
    with writelock.writer_turn():
        assert file_database.exists()
        other = os.open(file_database, os.O_RDWR)  # as another web process would hold it
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    other = os.open(file_database, os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the turn is over
    finally:
        os.close(other)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_threads_of_one_process_take_turns(file_database: Path) -> None:
    with writelock.writer_turn():  # opens the lock file; the other threads' connections are in-memory
        pass
    inside: list[int] = []
    overlaps: list[Any] = []

    def work() -> None:
        for _ in range(20):
            with writelock.writer_turn():
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                time.sleep(0.0005)
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not overlaps


def test_no_turns_on_an_in_memory_or_other_database(monkeypatch: pytest.MonkeyPatch) -> None:
    wrapper = connections["default"]
    monkeypatch.setattr(writelock, "_file", None)
    monkeypatch.setattr(wrapper, "settings_dict", {**wrapper.settings_dict, "NAME": ":memory:"})
    with writelock.writer_turn():
        assert writelock._file is None
