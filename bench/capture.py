"""Capture throughput: captures per second with 2 workers, without and with the browser.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/capture.py [--captures 200] [--browser-captures 40] [--workers 2]

It starts the local fixture web server (``tests/webfixtures``) on 127.0.0.1, builds a
throw-away Vigil (its own data directory and SQLite database, migrated), and for each
mode starts ``--workers`` real ``vigil worker`` processes. After a warm-up (two captures
per worker: imports, and in browser mode Chromium's launch), it queues ``--captures``
captures of a mix of fixture pages in one go and times from queueing until every one
has finished; every capture must succeed (and, with the browser, carry a screenshot).
Each capture is the full job: DNS step, three fetches (browser, crawler and mobile user
agents), TLS and DNS facts, extraction, detectors, WARC, signed manifest, and every
artefact stored as evidence with its audit events. Figures go to stdout as
``name: value unit`` lines; progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import exit_on_sigterm, log, print_figures, scratch_directory  # noqa: E402
from tests.collection.standalone import Standalone  # noqa: E402
from tests.webfixtures import WebFixtures  # noqa: E402

PAGES = ["/bank/login", "/gambling", "/cloak", "/harmless", "/redirect/start"]


def run_mode(env: Standalone, web: WebFixtures, *, count: int, workers: int, browser: str) -> float:
    """Captures per second for ``count`` captures on ``workers`` workers."""
    env.env["VIGIL_CAPTURE_BROWSER"] = browser
    urls = [web.url(PAGES[i % len(PAGES)]) for i in range(count)]
    warmup = json.loads(env.run("--", "setup", *urls[: 2 * workers]).strip().splitlines()[-1])["captures"]
    for _ in range(workers):
        env.start_worker("bench-browser" if browser != "off" else "bench-nobrowser")
    try:
        wait_done(env, warmup, timeout=180)
        timed = json.loads(env.run("--", "setup", *urls).strip().splitlines()[-1])["captures"]
        states = wait_done(env, timed, timeout=max(120, count * 5))
    finally:
        env.stop_workers()
    # From the first capture's request to the last one's end, as the database recorded them:
    # the workers start on the first captures while the set-up is still queueing the rest.
    first, last = env.query(
        "SELECT MIN(requested_at), MAX(finished_at) FROM collection_capture "
        f"WHERE id BETWEEN {min(timed)} AND {max(timed)}"
    )[0]
    elapsed = (_moment(last) - _moment(first)).total_seconds()
    failed = {pk: state for pk, state in states.items() if state != "succeeded"}
    if failed:
        raise SystemExit(f"{len(failed)} captures did not succeed: {failed}\n{env.logs()}")
    manifests = env.query(
        "SELECT COUNT(DISTINCT capture_id) FROM collection_captureartefact WHERE name = 'manifest.json' "
        f"AND capture_id >= {min(timed)}"
    )[0][0]
    if manifests != count:  # a capture counts only with its signed manifest stored as evidence
        raise SystemExit(f"only {manifests} of {count} captures have their manifest")
    if browser != "off":
        shots = env.query(
            "SELECT COUNT(*) FROM collection_captureartefact WHERE name = 'screenshot.png' "
            f"AND capture_id >= {min(timed)}"
        )[0][0]
        if shots != count:
            raise SystemExit(f"only {shots} of {count} captures have a screenshot")
    log(f"{count} captures in {elapsed:.1f} s with {workers} workers (browser: {browser})")
    return count / elapsed


def _moment(value: object) -> dt.datetime:
    """A timestamp as PostgreSQL (a datetime) or SQLite (ISO text) returns it."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def wait_done(env: Standalone, ids: list[int], *, timeout: float) -> dict[int, str]:
    low, high = min(ids), max(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = env.query(f"SELECT id, state FROM collection_capture WHERE id BETWEEN {low} AND {high}")
        states = {pk: state for pk, state in rows if pk in set(ids)}
        if len(states) == len(ids) and all(state in {"succeeded", "failed"} for state in states.values()):
            return states
        time.sleep(0.05)
    raise SystemExit(f"captures not finished within {timeout} s\n{env.logs()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captures", type=int, default=200, help="timed captures without the browser")
    parser.add_argument("--browser-captures", type=int, default=40, help="timed captures with the browser")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--browser", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (worker logs)")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    figures: list[tuple[str, float, str]] = []
    with (
        scratch_directory("vigil-bench-capture-", keep=args.keep) as directory,
        contextlib.closing(Standalone(directory)) as env,
        WebFixtures() as web,
    ):
        started = time.perf_counter()
        env.migrate()
        log(f"migrated a fresh database in {time.perf_counter() - started:.1f} s")
        rate = run_mode(env, web, count=args.captures, workers=args.workers, browser="off")
        figures.append(("captures_per_s_nobrowser", round(rate, 1), "captures/s"))
        if Path(args.browser).exists():
            rate = run_mode(env, web, count=args.browser_captures, workers=args.workers, browser=args.browser)
            figures.append(("captures_per_s_browser", round(rate, 2), "captures/s"))
        else:
            log(f"skipped the browser run: no Chromium at {args.browser}")
    print_figures(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
