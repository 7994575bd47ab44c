"""Real worker processes: captures in parallel, and a worker killed mid-capture leaves no half evidence."""

from __future__ import annotations

import signal

import pytest

from tests.collection.standalone import Standalone


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    env = Standalone(tmp_path_factory.mktemp("standalone"))
    try:
        env.migrate()
        yield env
    finally:
        env.close()


def test_a_worker_killed_mid_capture_leaves_no_half_written_evidence(standalone, web):
    web.stall_release.clear()
    before = len(web.requests)
    setup = standalone.json("setup", web.url("/stall"))
    (capture_id,) = setup["captures"]
    worker = standalone.start_worker("killed")
    # The worker is reading the stalled page: its capture is running, mid-fetch.
    standalone.wait_for(
        lambda: any(s.path == "/stall" for s in web.requests[before:]), what="the fetch to start"
    )
    standalone.wait_for(
        lambda: standalone.state()["captures"][-1]["current_step"] == "fetch", what="the fetch step to show"
    )
    assert standalone.state()["captures"][-1]["state"] == "running"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    state = standalone.state()
    assert state["captures"][-1]["state"] == "running"
    assert state["evidence"] == 0 and state["artefacts"] == 0 and state["stored_files"] == []

    # The reaper (periodic) fails it with a reason; a retry captures it whole.
    reaped = standalone.json("reap", "30")
    assert reaped["reaped"] == 1 and len(reaped["retried"]) == 1
    web.stall_release.set()
    standalone.start_worker("retry")
    standalone.wait_for(
        lambda: standalone.state()["captures"][-1]["state"] in {"succeeded", "failed"}, what="the retry"
    )
    standalone.stop_workers()
    state = standalone.state()
    first, retry = state["captures"][-2:]
    assert (first["pk"], first["state"], first["failure_code"]) == (capture_id, "failed", "interrupted")
    assert retry["state"] == "succeeded"
    assert state["evidence"] == state["artefacts"] == 4
    assert len(set(state["stored_files"])) == len(state["stored_files"]) == 4
    web.stall_release.clear()


def test_many_captures_run_in_parallel_on_two_workers(standalone, web):
    pages = ["/bank/login", "/gambling", "/cloak", "/harmless", "/redirect/start", "/slow?s=1"] * 2
    setup = standalone.json("setup", *(web.url(page) for page in pages))
    for _ in range(2):
        standalone.start_worker("parallel")

    def finished():
        captures = {c["pk"]: c for c in standalone.state()["captures"]}
        mine = [captures[pk] for pk in setup["captures"]]
        return mine if all(c["state"] in {"succeeded", "failed"} for c in mine) else None

    mine = standalone.wait_for(finished, timeout=120, what="all captures")
    standalone.stop_workers()
    assert [c["state"] for c in mine] == ["succeeded"] * len(pages)
    assert len({c["worker"] for c in mine}) == 2, "both workers took captures"
