"""Throughput of the blocklist check API, through a real gunicorn server on loopback.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/check_api.py [--clients 20] [--seconds 10] [--domains 1000000] [--urls 200000]

It builds a fresh SQLite database in a temporary ``VIGIL_DATA_DIR``, compiles the rules of
``matcher.py`` (real lists from ``/work/shared/data``, 1,000,000 name and address rules and
200,000 URL rules by default) into the shared snapshot file the web processes read, starts
``gunicorn vigil.wsgi`` exactly as ``vigil serve --no-worker`` does (gthread workers), and
drives it with concurrent keep-alive HTTP/1.1 connections from one asyncio process on the
same machine (opened 30 ms apart, so they spread over the workers), with a partner's API
token:

* ``bare``: ``GET /healthz`` — Django's whole middleware stack and one query; the peer.
* ``check``: ``GET /api/v1/check?url=…`` from ``--clients`` connections, cycling through
  ``matcher.py``'s query URLs (about 30 % blocked or allowed, the rest unknown). A request
  counts when the server answers 200 with a JSON ``status``.
* ``batch``: ``POST /api/v1/check`` with ``--batch-size`` (10,000) values a request, from
  ``--batch-clients`` connections; counted in values per second.

Every timed answer (and the first answer for each distinct batch) is then compared with
what the same snapshot file answers in-process (status and decision ids); the bench exits
1 if any differs or any request failed. Figures go to stdout as ``name: value unit``;
progress to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import log, percentile  # noqa: E402 - after the path set-up above
from bench.loadgen import (  # noqa: E402
    STAGGER_S,
    Maker,
    bare_prepare,
    describe,
    free_port,
    rate,
    request,
    run_phase,
    setup_django,
    start_server,
    stop_server,
)
from bench.matcher import DATA, GLOBAL, SEED, UT1_DOMAINS, _raw_queries, build_corpus, read_sources  # noqa: E402

if TYPE_CHECKING:
    from vigil.lib.matcher import Snapshot

Answer = tuple[str, tuple[int | None, ...]]  # status and decision ids, as the API gives them
PRIME_LIMIT_S = 120.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent connections (default 20)")
    parser.add_argument("--batch-clients", type=int, default=2, help="concurrent batches (default 2)")
    parser.add_argument("--batch-size", type=int, default=10_000, help="values a batch (default 10,000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds before each phase")
    parser.add_argument("--domains", type=int, default=1_000_000, help="name and address rules")
    parser.add_argument("--urls", type=int, default=200_000, help="URL rules")
    parser.add_argument("--queries", type=int, default=200_000, help="distinct query URLs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (default 4, as vigil serve)"
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- data


def build_snapshot(args: argparse.Namespace) -> tuple[Snapshot, list[str]]:
    """Compile matcher.py's rules into the shared snapshot file; return it as loaded back, and the queries."""
    from vigil.blocking import services
    from vigil.lib.matcher import compile_snapshot
    from vigil.lib.snapshot import load_snapshot, save_snapshot

    started = time.perf_counter()
    rng = random.Random(SEED)
    corpus = build_corpus(read_sources(), args.domains, args.urls, rng)
    queries = _raw_queries(corpus, args.queries, rng)
    elapsed = time.perf_counter() - started
    log(f"  {len(corpus.rules):,} rules and {len(queries):,} queries made in {elapsed:.1f} s")
    started = time.perf_counter()
    compiled = compile_snapshot(corpus.rules, generated_at="2026-05-15T00:00:00+00:00")
    del corpus
    path = services.snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_snapshot(compiled, path)
    del compiled
    gc.collect()
    snapshot = load_snapshot(path)  # the very file the web processes load
    log(
        f"  snapshot {snapshot.version[:12]} ({len(snapshot):,} rules, {path.stat().st_size / 1e6:.0f} MB) "
        f"compiled, saved and loaded in {time.perf_counter() - started:.1f} s"
    )
    return snapshot, queries


def make_api_client() -> str:
    """A partner at an ISP and its API token (the check API takes any authenticated user)."""
    from vigil.core import services as core_services
    from vigil.core.models import Organisation

    isp = Organisation.objects.create(code="bench-isp", name="Nhà mạng mẫu", kind="isp")
    user = core_services.create_user(
        actor=None, username="bench-checker", password=None, organisation=isp, role_names=["partner"]
    )
    _token, raw = core_services.issue_token(actor=user, user=user, name="bench")
    return raw


def in_process(snapshot: Snapshot, value: str) -> Answer:
    """What ``check_value`` answers for ``value`` from ``snapshot``, reduced to an Answer."""
    try:
        verdict = snapshot.check(value.strip())
    except ValueError:
        return "none", ()
    return verdict.status, tuple(ref.decision_id for ref in verdict.refs)


def answer_of(result: dict[str, Any]) -> Answer:
    return result["status"], tuple(item["decision_id"] for item in result["decisions"])


# --------------------------------------------------------------------------- client


def check_prepare(
    token: str, queries: list[str], seen: dict[int, set[Answer]] | None, want: str = ""
) -> Callable[[Any, Any], Any]:
    """GET /api/v1/check?url=…, each connection from its own place in the queries.

    With ``seen``, every judged answer is recorded under its query's index; with ``want``,
    an answer of another status counts as a failure.
    """
    connections = [0]
    auth = {"Authorization": f"Bearer {token}"}

    async def prepare(_reader: Any, _writer: Any) -> Maker:
        connections[0] += 1
        position = [connections[0] * 7919 % len(queries)]

        def make() -> tuple[bytes, Callable[[int, dict[str, str], bytes], int]]:
            index = position[0]
            position[0] = (index + 1) % len(queries)
            raw = request("GET", f"/api/v1/check?url={quote(queries[index], safe='')}", auth)

            def judge(status: int, _h: dict[str, str], body: bytes) -> int:
                if status != 200:
                    return 0
                reply = json.loads(body)
                if "status" not in reply or (want and reply["status"] != want):
                    return 0
                if seen is not None:
                    seen.setdefault(index, set()).add(answer_of(reply))
                return 1

            return raw, judge

        return make

    return prepare


def batch_prepare(
    token: str, queries: list[str], size: int, seen: dict[int, list[Answer]]
) -> Callable[[Any, Any], Any]:
    """POST /api/v1/check with ``size`` values, cycling through batches made up front."""
    batches = [queries[start : start + size] for start in range(0, len(queries) - size + 1, size)]
    if not batches:
        raise SystemExit(f"--queries ({len(queries)}) must be at least --batch-size ({size})")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [request("POST", "/api/v1/check", headers, json.dumps({"values": b}).encode()) for b in batches]
    connections = [0]

    async def prepare(_reader: Any, _writer: Any) -> Maker:
        connections[0] += 1
        position = [connections[0] * len(bodies) // 3]

        def make() -> tuple[bytes, Callable[[int, dict[str, str], bytes], int]]:
            index = position[0] % len(bodies)
            position[0] += 1

            def judge(status: int, _h: dict[str, str], body: bytes) -> int:
                if status != 200:
                    return 0
                results = json.loads(body)["results"]
                if len(results) != size:
                    return 0
                if index not in seen:
                    seen[index] = [answer_of(result) for result in results]
                return size

            return bodies[index], judge

        return make

    return prepare


def prime(port: int, clients: int, token: str, blocked: list[str]) -> None:
    """Until every worker answers from the loaded snapshot (each loads it on its first check).

    So that no load falls in a timed phase, and no worker answers from an empty blocklist:
    ask for blocked values until two rounds of fresh connections get only ``blocked``.
    """
    started = time.perf_counter()
    clean = 0
    while clean < 2:
        if time.perf_counter() - started > PRIME_LIMIT_S:
            raise RuntimeError(f"the workers did not all serve the snapshot within {PRIME_LIMIT_S:.0f} s")
        phase, _seconds = run_phase(
            port, clients, check_prepare(token, blocked, None, "blocked"), 1.0, 0.0, STAGGER_S
        )
        ok = phase.ok > 0 and phase.failed == 0
        clean = clean + 1 if ok else 0
    log(f"  every worker serves the snapshot after {time.perf_counter() - started:.1f} s")


# --------------------------------------------------------------------------- runs


def mismatches(
    snapshot: Snapshot,
    queries: list[str],
    singles: dict[int, set[Answer]],
    batches: dict[int, list[Answer]],
    size: int,
) -> int:
    """Server answers that differ from the in-process snapshot's, with a few examples on stderr."""
    found: list[tuple[str, Answer, Answer]] = []
    for index, distinct in singles.items():
        expected = in_process(snapshot, queries[index])
        found += [(queries[index], answer, expected) for answer in distinct if answer != expected]
    for batch, answers in batches.items():
        for offset, answer in enumerate(answers):
            value = queries[batch * size + offset]
            expected = in_process(snapshot, value)
            if answer != expected:
                found.append((value, answer, expected))
    checked = len(singles) + sum(len(answers) for answers in batches.values())
    log(f"  compared {checked:,} server answers with the in-process snapshot: {len(found)} differ")
    for value, answer, expected in found[:5]:
        log(f"    {value}: server {answer}, in-process {expected}")
    return len(found)


def run(args: argparse.Namespace, data_dir: Path) -> tuple[dict[str, tuple[float, str]], bool]:
    """Build, serve and measure; the figures with their units, and whether every answer was right."""
    env = {
        "VIGIL_DATA_DIR": str(data_dir),
        "VIGIL_DATABASE_URL": f"sqlite:///{data_dir / 'vigil.sqlite3'}",
        "VIGIL_DEBUG": "false",
        "VIGIL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "vigil.settings",
    }
    if args.clients * STAGGER_S > args.warmup:
        log(
            f"warning: the {args.clients} connections take {args.clients * STAGGER_S:.1f} s to open, "
            f"longer than --warmup; the first timed seconds run with fewer clients"
        )
    log(f"migrating {data_dir}")
    setup_django(env)
    token = make_api_client()
    snapshot, queries = build_snapshot(args)
    blocked = [query for query in queries[:5000] if in_process(snapshot, query)[0] == "blocked"]
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(env, port, args.workers, args.threads)
    try:
        log(
            f"gunicorn on 127.0.0.1:{port}: {args.workers} workers × {args.threads} threads; "
            f"{args.clients} clients ({args.batch_clients} for batches), {args.seconds:.0f} s a phase"
        )
        prime(port, args.clients, token, blocked)
        bare, bare_seconds = run_phase(
            port, args.clients, bare_prepare(), args.seconds, args.warmup, STAGGER_S
        )
        describe("bare GET /healthz", bare, bare_seconds)
        singles: dict[int, set[Answer]] = {}
        check, seconds = run_phase(
            port, args.clients, check_prepare(token, queries, singles), args.seconds, args.warmup, STAGGER_S
        )
        describe("GET /api/v1/check", check, seconds)
        batches: dict[int, list[Answer]] = {}
        batch, batch_seconds = run_phase(
            port,
            args.batch_clients,
            batch_prepare(token, queries, args.batch_size, batches),
            args.seconds,
            args.warmup,
            STAGGER_S,
        )
        describe(f"POST /api/v1/check ({args.batch_size:,} values, counted in values)", batch, batch_seconds)
    finally:
        stop_server(server)
    wrong = mismatches(snapshot, queries, singles, batches, args.batch_size)
    figures = {
        "check_api_rps": (rate(check, seconds), "req/s"),
        "check_api_p50_ms": (percentile(check.latencies, 50), "ms"),
        "check_api_p99_ms": (percentile(check.latencies, 99), "ms"),
        "bare_rps": (rate(bare, bare_seconds), "req/s"),
        "check_vs_bare_ratio": (rate(check, seconds) / max(rate(bare, bare_seconds), 1e-9), ""),
        "check_batch_values_per_s": (rate(batch, batch_seconds), "values/s"),
        "check_batch_p50_ms": (percentile(batch.latencies, 50), "ms"),
        "check_api_mismatches": (wrong, ""),
    }
    failed = bare.failed + check.failed + batch.failed
    if failed:
        log(f"FAILED: {failed} requests were not answered as expected (see the phases above)")
    if wrong:
        log(f"FAILED: {wrong} answers of the server differ from the snapshot's in-process answers")
    return figures, not failed and not wrong


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not UT1_DOMAINS.exists() or not GLOBAL.is_dir():
        log(f"skipped: the shared lists are not in {DATA} (set VIGIL_SHARED_DATA to their folder)")
        return 0
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-bench-check-"))
    try:
        figures, passed = run(args, data_dir)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    for name, (value, unit) in figures.items():
        text = str(value) if isinstance(value, int) else f"{value:.2f}"
        print(f"{name}: {text} {unit}".rstrip())
    sys.stdout.flush()
    log(f"bench took {time.perf_counter() - started:.1f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
