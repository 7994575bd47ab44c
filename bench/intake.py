"""Throughput of the public reporting desk, through a real gunicorn server on loopback.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/intake.py [--clients 20] [--seconds 10] [--indicators 1000000] [--no-postgres]

For SQLite, then for PostgreSQL (the script re-runs itself under ``scripts/with-postgres``,
which starts a throw-away server on 127.0.0.1), it builds a fresh database in a temporary
``VIGIL_DATA_DIR``, starts ``gunicorn vigil.wsgi`` exactly as ``vigil serve --no-worker``
does (gthread workers), and drives it with ``--clients`` concurrent keep-alive HTTP/1.1
connections from one asyncio process on the same machine:

* ``bare``: ``GET /healthz`` — Django's whole middleware stack and one query; the ceiling.
* ``intake``: the public form, ``POST /report/`` (CSRF token and cookie as a browser sends
  them), each with a different real Vietnamese smishing SMS (``shared/data/sms-vi``) carrying
  a fresh phone number, so every report is new work (extraction, grouping, audit event).
  A report counts when the server answers ``303`` with its tracking code.
* ``bulk``: ``POST /api/v1/intake/reports/batch`` with 1,000 items a batch (a partner token,
  a fresh Idempotency-Key per batch), ``--bulk-clients`` at a time.
* ``lookup`` (SQLite): ``GET /lookup/?q=…`` against ``--indicators`` reported values and as
  many indicators in the library, half known, half unknown.

The per-address rate limits and the proof-of-work threshold are raised for the run (all
clients come from 127.0.0.1); their counters still run on every request. Figures go to
stdout as ``name: value unit``; progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import log, percentile  # noqa: E402 - after the path set-up above
from bench.loadgen import (  # noqa: E402
    Maker,
    bare_prepare,
    describe,
    free_port,
    rate,
    read_response,
    request,
    run_phase,
    setup_django,
    start_server,
    stop_server,
)

SMS_FILE = ROOT.parent / "shared" / "data" / "sms-vi" / "ie403-vi-smishing.csv"
FALLBACK_SMS = [
    "[VCB] Tai khoan cua quy khach da bi tam khoa do dang nhap bat thuong. Vui long xac thuc tai "
    "https://vcb-xacthuc-online.com de tranh bi khoa vinh vien.",
    "Chuc mung so dien thoai cua ban da trung thuong xe SH 150i. Lien he tong dai de nhan giai.",
    "Cuc Thue thong bao: ho so hoan thue cua ban bi sai. Cai ung dung tai http://gdt-hoanthue.vn/app",
    "Ban co don hang Shopee bi huy, de nhan hoan tien vui long ket ban Zalo cham soc khach hang.",
]
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "035", "070"]
RELAXED_LIMITS = {
    "VIGIL_INTAKE_REPORTS_PER_IP_HOUR": "1000000000",
    "VIGIL_INTAKE_LOOKUPS_PER_IP_MINUTE": "1000000000",
    "VIGIL_INTAKE_PAGES_PER_IP_MINUTE": "1000000000",
    "VIGIL_INTAKE_POW_LOAD_PER_MINUTE": "1000000000",
    "VIGIL_INTAKE_POW_AFTER_REPORTS_PER_IP": "1000000000",
    "VIGIL_INTAKE_PARTNER_REQUESTS_PER_MINUTE": "1000000000",
    "VIGIL_INTAKE_PARTNER_DAILY_QUOTA": "1000000000",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent connections (default 20)")
    parser.add_argument("--bulk-clients", type=int, default=4, help="concurrent bulk batches (default 4)")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds before each phase")
    parser.add_argument("--indicators", type=int, default=1_000_000, help="values for the look-up phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (default 4, as vigil serve)"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--target", choices=["all", "sqlite", "postgres"], default="all", help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- data


def sms_texts() -> list[str]:
    if SMS_FILE.exists():
        with SMS_FILE.open(encoding="utf-8") as handle:
            rows = [row["content"] for row in csv.DictReader(handle) if row.get("label") == "1"]
        if rows:
            return [text[:1500] for text in rows]
    log(f"{SMS_FILE} not found; using built-in messages")
    return FALLBACK_SMS


def phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def unique_text(texts: list[str], rng: random.Random) -> str:
    """A real scam text with a fresh number and amount, as each victim's copy differs."""
    return f"{rng.choice(texts)} Goi ngay {phone(rng)} de duoc ho tro. Phi {rng.randrange(1, 99)}0.000d."


# --------------------------------------------------------------------------- database


def scratch_postgres(url: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    parts = urlsplit(url)
    name = f"vigil_bench_intake_{os.getpid()}_{secrets.token_hex(3)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def make_partner() -> str:
    from vigil.core import services as core_services
    from vigil.core.models import Organisation

    bank = Organisation.objects.create(code="bench-bank", name="Ngân hàng mẫu", kind="bank")
    user = core_services.create_user(
        actor=None, username="bench-partner", password=None, organisation=bank, role_names=["partner"]
    )
    _token, raw = core_services.issue_token(actor=user, user=user, name="bench")
    return raw


def lookup_values(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(type, value, what a person types) for ``count`` distinct values."""
    values = []
    seen: set[str] = set()
    while len(values) < count:
        roll = len(values) % 10
        if roll < 5:
            number = phone(rng)
            value, typed, kind = "+84" + number[1:], number, "phone"
        elif roll < 8:
            name = f"{rng.choice(['vcb', 'acb', 'mb', 'shopee', 'tiki', 'evn'])}-{secrets.token_hex(4)}.com"
            value, typed, kind = name, name, "domain"
        else:
            account = f"{rng.randrange(10**9, 10**10)}"
            value, typed, kind = f"VCB:{account}", f"Vietcombank {account}", "bank_account"
        if value not in seen:
            seen.add(value)
            values.append((kind, value, typed))
    return values


def load_lookup_data(values: list[tuple[str, str, str]]) -> None:
    """Bulk-insert the values as reported (triage groups) and as library indicators."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(values), 50_000):
            chunk = values[start : start + 50_000]
            cursor.executemany(
                "INSERT INTO intake_triagegroup (type, value, display, host, state, report_count, "
                "first_seen, last_seen, reason) VALUES (%s, %s, %s, %s, 'open', %s, %s, %s, '')",
                [
                    (k, v, v, v if k == "domain" else "", 1 + (i % 7), now, now)
                    for i, (k, v, _t) in enumerate(chunk)
                ],
            )
            cursor.executemany(
                "INSERT INTO indicators_indicator (type, value, display, attrs, registrable_domain, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [(k, v, v, "{}", v if k == "domain" else "", now) for k, v, _t in chunk],
            )
    log(
        f"  loaded {len(values):,} reported values and {len(values):,} indicators "
        f"in {time.perf_counter() - started:.1f} s"
    )


def audit_cost(texts: list[str], rng: random.Random, count: int = 300) -> tuple[float, float]:
    """In-process ms per report through submit_report, with the audit event and without it."""
    from unittest import mock

    from vigil.core import audit
    from vigil.intake import services

    drafts = [services.prepare_report(kind="sms", text=unique_text(texts, rng)) for _ in range(2 * count)]

    def run(batch: list[Any]) -> float:
        started = time.perf_counter()
        for draft in batch:
            services.submit_report(draft)
        return (time.perf_counter() - started) * 1000 / len(batch)

    with_audit = run(drafts[:count])
    with mock.patch.object(audit, "record", lambda **kwargs: None):
        without = run(drafts[count:])
    return with_audit, without


# --------------------------------------------------------------------------- client


def intake_prepare(texts: list[str], seed: int) -> Callable[[Any, Any], Any]:
    counter = [seed]

    async def prepare(reader: Any, writer: Any) -> Maker:
        writer.write(request("GET", "/report/", {}))
        status, headers, body = await read_response(reader)
        cookie = headers.get("set-cookie", "").split(";")[0]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not cookie or token is None:
            raise RuntimeError(f"could not read the report form: {status}")
        csrf = token.group(1).decode()
        counter[0] += 1
        rng = random.Random(counter[0])

        def make() -> tuple[bytes, Callable[[int, dict[str, str], bytes], int]]:
            form = urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "kind": "sms",
                    "value": "",
                    "text": unique_text(texts, rng),
                    "description": "Nhận tin nhắn lạ, chưa chuyển tiền.",
                    "money_lost": "",
                    "happened_on": "",
                    "pow_challenge": "",
                    "pow_nonce": "",
                }
            ).encode()
            raw = request(
                "POST",
                "/report/",
                {
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept-Language": "vi",
                },
                form,
            )
            return (
                raw,
                lambda status, h, _b: (
                    1 if status == 303 and "/report/status/PA-" in h.get("location", "") else 0
                ),
            )

        return make

    return prepare


def bulk_prepare(token: str, texts: list[str], seed: int, size: int = 1000) -> Callable[[Any, Any], Any]:
    counter = [seed]

    async def prepare(_reader: Any, _writer: Any) -> Maker:
        counter[0] += 1
        rng = random.Random(counter[0])

        def make() -> tuple[bytes, Callable[[int, dict[str, str], bytes], int]]:
            items = []
            for index in range(size):
                number = phone(rng)
                items.append(
                    {
                        "kind": "sms",
                        "text": f"{rng.choice(texts)} Goi {number}",
                        "indicators": [{"type": "phone", "value": number}],
                        "external_id": f"t-{index}",
                    }
                )
            body = json.dumps({"items": items}).encode()
            raw = request(
                "POST",
                "/api/v1/intake/reports/batch",
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": secrets.token_hex(12),
                },
                body,
            )

            def judge(status: int, _h: dict[str, str], reply: bytes) -> int:
                return int(json.loads(reply)["accepted"]) if status == 201 else 0

            return raw, judge

        return make

    return prepare


def lookup_prepare(values: list[tuple[str, str, str]], seed: int) -> Callable[[Any, Any], Any]:
    counter = [seed]

    async def prepare(_reader: Any, _writer: Any) -> Maker:
        counter[0] += 1
        rng = random.Random(counter[0])

        def make() -> tuple[bytes, Callable[[int, dict[str, str], bytes], int]]:
            typed = rng.choice(values)[2] if rng.random() < 0.5 else phone(rng)
            raw = request("GET", f"/lookup/?q={quote(typed)}", {"Accept-Language": "vi"})
            return raw, lambda status, _h, body: 1 if status == 200 and b'id="lookup-result"' in body else 0

        return make

    return prepare


# --------------------------------------------------------------------------- runs


def run_target(db: str, args: argparse.Namespace) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"vigil-bench-intake-{db}-"))
    cleanups: list[Callable[[], None]] = [lambda: shutil.rmtree(data_dir, ignore_errors=True)]
    figures: dict[str, float] = {}
    server = None
    try:
        env = {
            "VIGIL_DATA_DIR": str(data_dir),
            "VIGIL_DEBUG": "false",
            "VIGIL_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "vigil.settings",
            **RELAXED_LIMITS,
        }
        if db == "postgres":
            url, drop = scratch_postgres(os.environ["VIGIL_DATABASE_URL"])
            cleanups.append(drop)
            env["VIGIL_DATABASE_URL"] = url
        else:
            env["VIGIL_DATABASE_URL"] = f"sqlite:///{data_dir / 'vigil.sqlite3'}"
        log(f"== {db}: migrating {data_dir}")
        setup_django(env)
        rng = random.Random(20261129)
        texts = sms_texts()
        token = make_partner()
        values: list[tuple[str, str, str]] = []
        if db == "sqlite" and args.indicators:
            values = lookup_values(args.indicators, rng)
            load_lookup_data(values)
        with_audit, without_audit = audit_cost(texts, rng)
        figures[f"intake_audit_cost_ms_{db}"] = with_audit - without_audit
        log(
            f"  in-process submit_report: {with_audit:.2f} ms with the audit event, "
            f"{without_audit:.2f} ms without"
        )
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        log(
            f"  gunicorn on 127.0.0.1:{port}: {args.workers} workers × {args.threads} threads, "
            f"{args.clients} clients, {args.seconds:.0f} s a phase"
        )
        bare, seconds = run_phase(port, args.clients, bare_prepare(), args.seconds, args.warmup)
        describe("bare /healthz", bare, seconds)
        intake, seconds = run_phase(port, args.clients, intake_prepare(texts, 1), args.seconds, args.warmup)
        describe("intake POST /report/", intake, seconds)
        bulk, bulk_seconds = run_phase(
            port, args.bulk_clients, bulk_prepare(token, texts, 100), args.seconds, args.warmup
        )
        describe("bulk API (items)", bulk, bulk_seconds)
        figures.update(
            {
                f"bare_per_s_{db}": rate(bare, seconds),
                f"intake_reports_per_s_{db}": rate(intake, seconds),
                f"intake_p50_ms_{db}": percentile(intake.latencies, 50),
                f"intake_p99_ms_{db}": percentile(intake.latencies, 99),
                f"intake_vs_bare_ratio_{db}": rate(intake, seconds) / max(rate(bare, seconds), 1e-9),
                f"intake_failed_{db}": float(intake.failed),
                f"bulk_reports_per_s_{db}": rate(bulk, bulk_seconds),
            }
        )
        if values:
            lookup, seconds = run_phase(
                port, args.clients, lookup_prepare(values, 200), args.seconds, args.warmup
            )
            describe(f"lookup GET /lookup/ ({len(values):,} values)", lookup, seconds)
            figures["lookup_per_s"] = rate(lookup, seconds)
            figures["lookup_p99_ms"] = percentile(lookup.latencies, 99)
    finally:
        if server is not None:
            stop_server(server)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        for cleanup in reversed(cleanups):
            with contextlib.suppress(Exception):
                cleanup()
    return figures


def postgres_child(args: argparse.Namespace) -> dict[str, float]:
    """Run the PostgreSQL part in a child under scripts/with-postgres; read its figures back."""
    command = [
        "bash",
        str(ROOT / "scripts" / "with-postgres"),
        sys.executable,
        str(Path(__file__).resolve()),
        "--target",
        "postgres",
        "--clients",
        str(args.clients),
        "--bulk-clients",
        str(args.bulk_clients),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    env = {**os.environ, "VIGIL_PG_PORT": str(free_port())}
    env.pop("VIGIL_DATABASE_URL", None)
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
    figures = {}
    for line in done.stdout.splitlines():
        name, _sep, rest = line.partition(": ")
        with contextlib.suppress(ValueError, IndexError):
            figures[name] = float(rest.split()[0])
    return figures


UNITS = {"per_s": "1/s", "ms": "ms", "ratio": "", "failed": ""}


def unit_of(name: str) -> str:
    for suffix, unit in UNITS.items():
        if suffix in name:
            return unit
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    if args.target == "postgres":
        for name, value in run_target("postgres", args).items():
            print(f"{name}: {value:.3f}")
        return 0
    figures = run_target("sqlite", args)
    if not args.no_postgres and args.target == "all":
        figures.update(postgres_child(args))
    headline = {
        "intake_reports_per_s_sqlite": (figures.get("intake_reports_per_s_sqlite"), "reports/s"),
        "intake_reports_per_s_postgres": (figures.get("intake_reports_per_s_postgres"), "reports/s"),
        "intake_p99_ms": (max(v for k, v in figures.items() if k.startswith("intake_p99_ms_")), "ms"),
        "intake_vs_bare_ratio": (figures.get("intake_vs_bare_ratio_sqlite"), ""),
        "bulk_reports_per_s": (figures.get("bulk_reports_per_s_sqlite"), "reports/s"),
        "lookup_per_s": (figures.get("lookup_per_s"), "lookups/s"),
    }
    for name, (value, unit) in headline.items():
        if value is not None:
            print(f"{name}: {value:.2f} {unit}".rstrip())
    for name, value in sorted(figures.items()):
        if name not in headline:
            print(f"{name}: {value:.2f} {unit_of(name)}".rstrip())
    sys.stdout.flush()
    log(f"bench took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
