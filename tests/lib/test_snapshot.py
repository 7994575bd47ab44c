"""Snapshot files: round trip, atomic replacement, and the holder that reloads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vigil.lib import snapshot as snapshot_module
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.matcher import Snapshot, compile_snapshot, rule_order
from vigil.lib.snapshot import MAGIC, SnapshotFormatError, SnapshotHolder, load_snapshot, save_snapshot

K = RuleKind


def ref(decision: int | None) -> RuleRef:
    return RuleRef(decision, "phishing", "test", "blhs-290", "2027-01-01T00:00:00+00:00")


RULES = [
    Rule(K.DOMAIN, "evil.example", RuleAction.BLOCK, ref(1)),
    Rule(
        K.DOMAIN,
        "ok.evil.example",
        RuleAction.ALLOW,
        RuleRef(None, "allowlist", "domain", source="allowlist"),
    ),
    Rule(K.DOMAIN, "parent.example", RuleAction.BLOCK, ref(2)),
    Rule(K.HOST, "a.b.parent.example", RuleAction.BLOCK, ref(2)),
    Rule(K.HOST, "[2001:db8::1]", RuleAction.BLOCK, ref(3)),
    Rule(K.IP, "192.0.2.1", RuleAction.BLOCK, ref(3)),
    Rule(K.IP, "2001:db8::2", RuleAction.BLOCK, ref(3)),
    Rule(K.CIDR, "198.51.100.0/24", RuleAction.BLOCK, ref(4)),
    Rule(K.CIDR, "2001:db8:1::/48", RuleAction.BLOCK, ref(4)),
    Rule(K.EXACT_URL, "shared.example/kit/login.php?id=1", RuleAction.BLOCK, ref(5)),
    Rule(K.EXACT_URL, "shared.example/kit/", RuleAction.BLOCK, ref(5)),  # an exact URL shaped like a prefix
    Rule(K.URL_PREFIX, "shared.example/kit/", RuleAction.BLOCK, ref(6)),
    Rule(K.URL_PREFIX, "evil.example/x/", RuleAction.BLOCK, ref(6)),
    Rule(K.EXACT_URL, "shared.example/kit/readme.html", RuleAction.ALLOW, RuleRef(None, "allowlist", "url")),
    Rule(K.DOMAIN, "zip", RuleAction.BLOCK, ref(7)),
]
QUERIES = [
    "http://evil.example/",
    "https://a.ok.evil.example/x",
    "http://evil.example/x/y",
    "http://c.a.b.parent.example/",
    "http://a.b.parent.example/",
    "http://[2001:db8::1]/",
    "http://[2001:db8::2]/",
    "http://[2001:db8:1::7]/",
    "http://192.0.2.1/",
    "http://198.51.100.77/",
    "http://www.shared.example/kit/login.php?id=1",
    "http://shared.example/kit/readme.html",
    "http://shared.example/kit/",
    "http://shop.zip/",
    "http://good.example/",
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "blocklist.snapshot"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def write(path: Path, rules: list[Rule]) -> Snapshot:
    snapshot = compile_snapshot(rules, generated_at="2026-05-01T00:00:00+00:00")
    save_snapshot(snapshot, path)
    return snapshot


# --- the file --------------------------------------------------------------------------


def test_round_trip_keeps_version_rules_and_verdicts(path: Path) -> None:
    original = write(path, RULES)
    loaded = load_snapshot(path)
    assert (loaded.version, len(loaded), loaded.generated_at) == (
        original.version,
        15,
        "2026-05-01T00:00:00+00:00",
    )
    assert loaded.stats == original.stats
    assert loaded.rules() == original.rules() == sorted(RULES, key=rule_order)
    assert [loaded.match_url(q) for q in QUERIES] == [original.match_url(q) for q in QUERIES]
    assert [original.match_url(q).status for q in QUERIES] == [
        "blocked", "allowed", "blocked", "blocked", "blocked", "blocked", "blocked", "blocked",
        "blocked", "blocked", "blocked", "allowed", "blocked", "blocked", "none",
    ]  # fmt: skip


def test_empty_snapshot_round_trip(path: Path) -> None:
    write(path, [])
    loaded = load_snapshot(path)
    assert len(loaded) == 0 and loaded.check("evil.example").status == "none"
    assert loaded.version == compile_snapshot([]).version


def test_the_file_says_what_it_is(path: Path) -> None:
    write(path, RULES)
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    header = json.loads(data[len(MAGIC) : data.index(b"\n", len(MAGIC))])
    assert header["entries"] == 15 and header["format"] == 1
    assert "action" in header["ref_fields"]
    assert oct(path.stat().st_mode & 0o777) == oct(snapshot_module.FILE_MODE)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"NOT A SNAPSHOT\n" + data, "bad magic"),
        (lambda data: data[:-100], "truncated or corrupt"),
        (lambda data: data[:-10] + bytes(b ^ 0xFF for b in data[-10:]), "truncated or corrupt"),
        (lambda data: data.replace(b'"marshal": ', b'"marshal": 9', 1), "marshal version"),
        (lambda data: data.replace(b'"format": 1', b'"format": 2', 1), "is not format 1"),
        (lambda data: MAGIC + b"{not json\n", "unreadable snapshot header"),
    ],
)
def test_damaged_files_are_refused(path: Path, damage: object, message: str) -> None:
    write(path, RULES)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(SnapshotFormatError, match=message):
        load_snapshot(path)


def test_a_file_from_before_a_ref_field_was_added_still_loads(path: Path) -> None:
    write(path, RULES)
    data = path.read_bytes()
    end = data.index(b"\n", len(MAGIC))
    header = json.loads(data[len(MAGIC) : end])
    # Pretend the file was written when RuleRef had no "action" field: same values, one name fewer.
    header["ref_fields"] = [name for name in header["ref_fields"] if name != "action"] + ["retired"]
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + data[end + 1 :])
    loaded = load_snapshot(path)
    assert loaded.check("evil.example").refs[0].decision_id == 1


# --- atomic replacement ------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write(path, RULES[:3])

    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(snapshot_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        write(path, RULES)
    assert load_snapshot(path).version == old.version
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_crash_mid_write_leaves_the_old_file(path: Path) -> None:
    """A process killed between writing the temporary file and renaming it."""
    old = write(path, RULES[:3])
    script = f"""
import os, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from vigil.lib import snapshot
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.matcher import compile_snapshot
real_fsync = os.fsync
def crash(fd):
    real_fsync(fd)
    os._exit(3)  # as if killed: no cleanup, no rename
snapshot.os.fsync = crash
rules = [Rule(RuleKind.DOMAIN, "new.example", RuleAction.BLOCK, RuleRef(9, "x", "domain"))]
snapshot.save_snapshot(compile_snapshot(rules), {str(path)!r})
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 3, result.stderr
    assert load_snapshot(path).version == old.version
    leftovers = [p for p in path.parent.iterdir() if p != path]
    assert all(p.name.startswith(f".{path.name}.") and p.name.endswith(".tmp") for p in leftovers)
    write(path, RULES)  # the next write still works
    assert len(load_snapshot(path)) == len(RULES)


# --- the holder ---------------------------------------------------------------------------


def test_missing_file_serves_the_empty_snapshot(path: Path) -> None:
    holder = SnapshotHolder(path)
    assert holder.status.state == "unchecked"
    snapshot = holder.get()
    assert len(snapshot) == 0 and snapshot.check("evil.example").status == "none"
    assert holder.status.state == "missing" and holder.status.entries == 0


def test_holder_reloads_when_the_file_changes(path: Path) -> None:
    clock = Clock()
    write(path, RULES[:1])
    holder = SnapshotHolder(path, check_interval=1.0, clock=clock)
    first = holder.get()
    assert len(first) == 1 and holder.status.state == "loaded" and holder.status.loaded_at is not None
    write(path, RULES)
    assert holder.get() is first  # within the interval: no stat at all
    clock.now += 1.0
    second = holder.get()
    assert len(second) == len(RULES) and second.version == holder.status.version
    clock.now += 5.0
    assert holder.get() is second  # unchanged file: kept, not re-read
    assert holder.status.state == "loaded"


def slow_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """From now on a snapshot read sets the first event, then waits for the second."""
    loading, release = threading.Event(), threading.Event()
    real_read = snapshot_module._read

    def slow_read(target: Path) -> object:
        loading.set()
        release.wait(5)
        return real_read(target)

    monkeypatch.setattr(snapshot_module, "_read", slow_read)
    return loading, release


def test_threads_wait_for_the_first_load_instead_of_answering_from_an_empty_blocklist(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(path, RULES)
    loading, release = slow_reads(monkeypatch)
    holder = SnapshotHolder(path)
    sizes: list[int] = []
    first = threading.Thread(target=lambda: sizes.append(len(holder.get())))
    first.start()
    assert loading.wait(5)
    second = threading.Thread(target=lambda: sizes.append(len(holder.get())))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waiting for the load, not answering "none"
    release.set()
    first.join(5)
    second.join(5)
    assert sizes == [len(RULES), len(RULES)]


def test_later_reloads_keep_serving_the_previous_snapshot_meanwhile(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    write(path, RULES[:1])
    holder = SnapshotHolder(path, clock=clock)
    assert len(holder.get()) == 1
    write(path, RULES)
    clock.now += 2
    loading, release = slow_reads(monkeypatch)
    reloading = threading.Thread(target=holder.get)
    reloading.start()
    assert loading.wait(5)
    assert len(holder.get()) == 1  # answered at once from the previous snapshot
    release.set()
    reloading.join(5)
    assert len(holder.get()) == len(RULES)


def test_holder_keeps_the_previous_snapshot_when_the_file_is_corrupt(path: Path) -> None:
    clock = Clock()
    good = write(path, RULES)
    holder = SnapshotHolder(path, clock=clock)
    assert holder.get().version == good.version
    path.write_bytes(path.read_bytes()[:-50])
    clock.now += 2
    assert holder.get().version == good.version
    status = holder.status
    assert status.state == "error" and "truncated or corrupt" in (status.error or "")
    assert status.version == good.version
    clock.now += 2
    assert holder.get().version == good.version and holder.status.state == "error"  # not re-read
    newer = write(path, RULES[:2])
    clock.now += 2
    assert holder.get().version == newer.version and holder.status.state == "loaded"
    assert holder.status.error is None


def test_a_corrupt_file_at_start_serves_the_empty_snapshot(path: Path) -> None:
    path.write_bytes(b"garbage")
    holder = SnapshotHolder(path)
    assert len(holder.get()) == 0
    assert holder.status.state == "error" and "bad magic" in (holder.status.error or "")


def test_a_deleted_file_serves_the_empty_snapshot(path: Path) -> None:
    clock = Clock()
    write(path, RULES)
    holder = SnapshotHolder(path, clock=clock)
    assert len(holder.get()) == len(RULES)
    path.unlink()
    clock.now += 2
    assert len(holder.get()) == 0 and holder.status.state == "missing"
    write(path, RULES[:2])
    clock.now += 2
    assert len(holder.get()) == 2


def test_reload_checks_now(path: Path) -> None:
    clock = Clock()
    write(path, RULES[:1])
    holder = SnapshotHolder(path, check_interval=3600, clock=clock)
    assert len(holder.get()) == 1
    write(path, RULES)
    assert len(holder.get()) == 1
    assert len(holder.reload()) == len(RULES)


def test_holder_is_safe_under_concurrent_gets_and_replacements(path: Path) -> None:
    versions = {write(path, RULES[:n]).version for n in (1, 2)}
    holder = SnapshotHolder(path, check_interval=0.0)
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                snapshot = holder.get()
                seen.add(snapshot.version)
                snapshot.check("evil.example")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in (1, 2, 1, 2, 1, 2):
        write(path, RULES[:n])
        os.utime(path)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert seen <= versions and holder.status.state == "loaded"
