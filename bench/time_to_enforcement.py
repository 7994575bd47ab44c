"""Time to enforcement, end to end: from an approval in Vigil until a BIND resolver blocks the name.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/time_to_enforcement.py [--records 1000000] [--names 20]

It sets ``VIGIL_DATA_DIR`` to a fresh temporary directory before Django is imported,
migrates a new SQLite database there, and creates three users (analyst, appraiser,
approver), a case with evidence and a confirming appraisal through Vigil's services. On
127.0.0.1 it starts (see ``tests/dnsservers.py``):

* a BIND *publishing primary* whose main policy zone ``rpz.vigil`` holds ``--records``
  records written by :func:`vigil.lib.exports.zonefile.write_zone` (the rules of
  ``bench/time_to_enforcement_dns.py``), plus a small, empty ``recent.rpz.vigil``; both
  take TSIG-signed updates;
* a BIND *resolver*, secondary of both zones (recent zone first in ``response-policy``),
  authoritative for ``example.com``, where every name resolves;
* Vigil's real background worker, ``vigil worker --interval 0.1 --no-scheduler``, with
  the same environment (no scheduler: the periodic reconcile would empty the large zone,
  whose records are not decisions in this database).

A ``DnsTarget`` points at the primary, first with ``recent_zone`` (the two-zone pattern),
then without it (every change goes to the large zone). For each configuration, after one
untimed warm-up, ``--names`` fresh names are blocked one after the other: a dns_block
decision (scope host) is drafted, then approved with ``vigil.cases.services.approve_decision``
as the UI does, and the time runs from just before that call until the resolver answers
the block page's CNAME (polled with dnspython every ``--poll`` seconds). Then
``--revocations`` of those decisions are revoked and timed until the name resolves
normally again. Figures go to stdout as ``name: value unit`` lines; progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dns.exception

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import exit_on_sigterm, log, percentile, print_figures, scratch_directory  # noqa: E402
from bench.time_to_enforcement_dns import MAIN_ZONE, RECENT_ZONE, write_big_zone  # noqa: E402
from tests.dnsservers import (  # noqa: E402
    Answer,
    BindServer,
    BindZone,
    TsigKey,
    free_port,
    query,
    require,
    wait_until,
    zone_text,
)

if TYPE_CHECKING:
    from vigil.blocking.models import DnsTarget
    from vigil.cases.models import Case, Decision, EvidenceItem
    from vigil.core.models import User

BLOCK_PAGE = "walled.example.com"
NAME_ADDRESS = "192.0.2.80"  # what every other name under example.com resolves to
WORLD = f"""\
$TTL 300
@       SOA ns.example.com. root.example.com. 1 3600 600 86400 300
@       NS  ns
ns      A   127.0.0.1
walled  A   192.0.2.250
*       A   {NAME_ADDRESS}
"""
WORKER_INTERVAL = "0.1"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the main policy zone")
    parser.add_argument("--names", type=int, default=20, help="approvals timed per configuration")
    parser.add_argument("--revocations", type=int, default=1, help="revocations timed per configuration")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between resolver queries")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up on a name after this")
    parser.add_argument("--no-single-zone", action="store_true", help="skip the single-zone configuration")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    args = parser.parse_args(argv)
    if args.records < 2 or args.names < 2:
        parser.error("--records and --names must be at least 2")
    if not 0 <= args.revocations <= args.names:
        parser.error("--revocations must be between 0 and --names")
    return args


def prepare_environment(data_dir: Path) -> None:
    """Point Vigil (this process and the worker) at the scratch data before Django is imported."""
    data_dir.mkdir(parents=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
    os.environ["VIGIL_ENV"] = "development"
    os.environ["VIGIL_DEBUG"] = "false"
    os.environ["VIGIL_LOG_LEVEL"] = "WARNING"
    os.environ["VIGIL_DATA_DIR"] = str(data_dir)
    os.environ["VIGIL_EVIDENCE_ROOT"] = str(data_dir / "evidence")
    os.environ["VIGIL_RPZ_POLICY"] = "cname"
    os.environ["VIGIL_BLOCK_PAGE_HOST"] = BLOCK_PAGE
    os.environ.pop("VIGIL_DATABASE_URL", None)  # SQLite under VIGIL_DATA_DIR, shared with the worker
    os.environ.pop("VIGIL_BLOCKLIST_DIR", None)


# --- DNS servers ---------------------------------------------------------------------------


@dataclass
class Servers:
    primary: BindServer
    resolver: BindServer
    update_key: TsigKey
    records: int
    ready_s: float


def start_servers(directory: Path, records: int, stack: contextlib.ExitStack) -> Servers:
    """The primary with the large and the recent zone, and a resolver that has applied both."""
    require("named", "rndc")
    update_key, transfer_key = TsigKey.generate("vigil-update"), TsigKey.generate("vigil-transfer")
    primary_port, resolver_port = free_port(), free_port()
    (directory / "primary").mkdir(parents=True)

    started = time.perf_counter()
    main_path = directory / "primary" / f"{MAIN_ZONE}.db"
    written, blocked_name = write_big_zone(main_path, records, BLOCK_PAGE)
    size_mb = main_path.stat().st_size / 1e6
    log(f"wrote {written:,} records ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")

    def primary_zone(name: str, **kwargs: Any) -> BindZone:
        return BindZone(
            name, update_key=update_key, transfer_key=transfer_key, also_notify=(resolver_port,), **kwargs
        )

    primary = BindServer(
        directory / "primary",
        port=primary_port,
        zones=[
            primary_zone(MAIN_ZONE, file=main_path),
            primary_zone(RECENT_ZONE, text=zone_text(RECENT_ZONE, [], serial=1)),
        ],
        rpz_log=False,
    )
    resolver = BindServer(
        directory / "resolver",
        port=resolver_port,
        zones=[
            BindZone(zone, transfer_key=transfer_key, primary_port=primary_port)
            for zone in (RECENT_ZONE, MAIN_ZONE)
        ],
        authoritative={"example.com": WORLD},
        response_policy=[RECENT_ZONE, MAIN_ZONE],
        rpz_log=False,
    )
    for server in (primary, resolver):  # the stack stops them in reverse: resolver first
        stack.callback(server.stop)
    try:
        started = time.perf_counter()
        primary.start(timeout=120)
        wait_until(lambda: primary.serial(MAIN_ZONE) == 1, timeout=120, interval=0.1, what="primary loaded")
        log(f"primary loaded the zone in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        resolver.start(timeout=120)
        # Only the policy can answer this name with a CNAME to the block page.
        wait_until(
            lambda: is_walled(query(resolver.port, "x." + blocked_name)),
            timeout=240,
            interval=0.1,
            what="resolver enforcing the large zone",
        )
        wait_until(lambda: resolver.serial(RECENT_ZONE) == 1, timeout=30, what="recent zone transferred")
    except BaseException:
        for server in (primary, resolver):
            log(server.diagnostics())
        raise
    ready = time.perf_counter() - started
    log(f"resolver transferred the zones and built its policy in {ready:.1f} s")
    return Servers(primary, resolver, update_key, written, ready)


def is_walled(answer: Answer) -> bool:
    return answer.cnames == (f"{BLOCK_PAGE}.",)


def resolves_normally(answer: Answer) -> bool:
    return answer.rcode == "NOERROR" and not answer.cnames and answer.addresses == (NAME_ADDRESS,)


# --- Vigil -------------------------------------------------------------------------------------


@dataclass
class People:
    analyst: User
    appraiser: User
    approver: User


def set_up_vigil() -> tuple[People, Case, EvidenceItem]:
    """Migrate the scratch database; users, and a case ready for decisions, through the services."""
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.perf_counter() - started:.1f} s")

    from vigil.cases import services as case_services
    from vigil.core import services as core_services
    from vigil.core.models import Category, Organisation

    department = Organisation.objects.create(code="so-tttt", name="Sở TT&TT (bench)", kind="department")

    def user(role: str) -> User:
        return core_services.create_user(
            actor=None, username=f"bench-{role}", password=None, organisation=department, role_names=[role]
        )

    people = People(user("analyst"), user("appraiser"), user("approver"))
    case = case_services.open_case(
        actor=people.analyst,
        title="Trang giả mạo ngân hàng (bench)",
        category=Category.objects.get(code="phishing"),
    )
    for status in ("triage", "collecting"):
        case = case_services.transition_case(actor=people.analyst, case=case, target=status)
    item = case_services.add_evidence(
        actor=people.analyst, case=case, chunks=[b"<html><title>fake bank</title></html>"], filename="a.html"
    )
    case = case_services.transition_case(actor=people.analyst, case=case, target="appraisal")
    case_services.add_appraisal(
        actor=people.appraiser,
        case=case,
        verdict="violation_confirmed",
        reasoning="Giao diện giả mạo ngân hàng, thu thập OTP.",
    )
    return people, case, item


def draft_blocks(people: People, case: Case, item: EvidenceItem, names: Sequence[str]) -> list[Decision]:
    """A dns_block draft (scope host) on ``http://NAME/login`` for each name (untimed)."""
    from vigil.cases import services as case_services
    from vigil.core.models import LegalBasis

    basis = LegalBasis.objects.get(code="blhs-290")
    drafts = []
    for name in names:
        link = case_services.add_indicator(
            actor=people.analyst, case=case, kind="url", raw=f"http://{name}/login"
        )
        drafts.append(
            case_services.draft_decision(
                actor=people.analyst,
                case=case,
                action="dns_block",
                scope="host",
                indicator=link.indicator,
                legal_basis=basis,
                reasoning="Chặn phân giải tên miền giả mạo.",
                evidence=[item],
            )
        )
    return drafts


def create_target(servers: Servers) -> DnsTarget:
    from vigil.blocking.models import DnsTarget

    return DnsTarget.objects.create(
        name="bench-primary",
        mode="dynamic_update",
        zone=MAIN_ZONE,
        recent_zone=RECENT_ZONE,
        server="127.0.0.1",
        port=servers.primary.port,
        tsig_key_name=servers.update_key.name,
        tsig_secret=servers.update_key.secret,
    )


def check_publications() -> None:
    """Stop if the worker recorded a failed publication or task (the timings would be meaningless)."""
    from django_tasks_db.models import DBTaskResult

    from vigil.blocking.models import Publication

    failed = Publication.objects.filter(status="failed").first()
    if failed is not None:
        raise RuntimeError(f"publication to {failed.target.name} failed: {failed.error}")
    task = DBTaskResult.objects.filter(status="FAILED").first()
    if task is not None:
        raise RuntimeError(f"task {task.task_path} failed:\n{task.traceback}")


# --- the worker --------------------------------------------------------------------------------


def start_worker(directory: Path, stack: contextlib.ExitStack) -> tuple[subprocess.Popen[bytes], Path]:
    """``vigil worker`` as a child process with this process's (scratch) environment."""
    program = Path(sys.executable).parent / "vigil"
    if not program.exists():
        program = ROOT / ".venv" / "bin" / "vigil"
    log_path = directory / "worker.log"
    with log_path.open("wb") as out:
        worker = subprocess.Popen(
            [str(program), "worker", "--interval", WORKER_INTERVAL, "--no-scheduler"],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stack.callback(stop_process, worker)
    return worker, log_path


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Probe:
    """Asks the resolver about a name, and notices a dead worker instead of waiting for nothing."""

    resolver: BindServer
    worker: subprocess.Popen[bytes]
    worker_log: Path
    args: argparse.Namespace

    def answer(self, name: str) -> Answer | None:
        if self.worker.poll() is not None:
            tail = self.worker_log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the worker exited with {self.worker.returncode}:\n{tail}")
        try:
            return query(self.resolver.port, name, timeout=1.0)
        except dns.exception.Timeout:
            return None

    def wait(self, name: str, expected: Callable[[Answer], bool], what: str) -> float:
        """Seconds until the resolver's answer for ``name`` is as ``expected``."""

        def reached() -> bool:
            answer = self.answer(name)
            return answer is not None and expected(answer)

        return wait_until(reached, timeout=self.args.timeout, interval=self.args.poll, what=f"{name} {what}")


def time_approvals(people: People, drafts: Sequence[Decision], probe: Probe) -> list[float]:
    """Approve each draft; the seconds from the call until the resolver sends its name to the block page."""
    from vigil.cases.services import approve_decision

    times = []
    for draft in drafts:
        name = draft.target
        before = probe.answer(name)
        if before is None or not resolves_normally(before):
            raise RuntimeError(f"{name} does not resolve normally before its approval: {before}")
        started = time.perf_counter()
        approve_decision(actor=people.approver, decision=draft)
        probe.wait(name, is_walled, "sent to the block page")
        times.append(time.perf_counter() - started)
        log(f"  {name}: {times[-1]:.3f} s")
    check_publications()
    return times


def time_revocations(people: People, decisions: Sequence[Decision], probe: Probe) -> list[float]:
    """Revoke each decision; the seconds until its name resolves normally again."""
    from vigil.cases.services import revoke_decision

    times = []
    for decision in decisions:
        started = time.perf_counter()
        revoke_decision(actor=people.approver, decision=decision, reason="Nội dung vi phạm đã gỡ.")
        probe.wait(decision.target, resolves_normally, "resolving normally")
        times.append(time.perf_counter() - started)
        log(f"  revoked {decision.target}: {times[-1]:.3f} s")
    check_publications()
    return times


def run_configuration(
    label: str, people: People, case: Case, item: EvidenceItem, probe: Probe, args: argparse.Namespace
) -> list[tuple[str, float, str]]:
    """Warm up, time ``--names`` approvals and ``--revocations`` revocations; figures suffixed ``label``."""
    names = [f"tte{label.replace('_', '-')}-{k}.example.com" for k in range(args.names + 1)]
    drafts = draft_blocks(people, case, item, names)
    time_approvals(people, drafts[:1], probe)  # warm-up: the worker's start, first queries
    log(f"timing {args.names} approvals ({label.strip('_').replace('_', ' ') or 'two zones'})")
    enforce = time_approvals(people, drafts[1:], probe)
    log(f"timing {args.revocations} revocation(s)")
    unblock = time_revocations(people, drafts[1 : 1 + args.revocations], probe)
    figures = [
        (f"time_to_enforcement{label}_p50_s", round(percentile(enforce, 50), 3), "s"),
        (f"time_to_enforcement{label}_p95_s", round(percentile(enforce, 95), 3), "s"),
    ]
    if unblock:
        figures.append((f"time_to_unblock{label}_p50_s", round(percentile(unblock, 50), 3), "s"))
    return figures


def measure(args: argparse.Namespace, directory: Path) -> list[tuple[str, float, str]]:
    prepare_environment(directory / "data")
    with contextlib.ExitStack() as stack:
        servers = start_servers(directory / "dns", args.records, stack)
        figures: list[tuple[str, float, str]] = [
            ("rpz_zone_records", servers.records, ""),
            ("rpz_secondary_ready_s", round(servers.ready_s, 1), "s"),
        ]
        people, case, item = set_up_vigil()
        target = create_target(servers)
        worker, worker_log = start_worker(directory, stack)
        probe = Probe(servers.resolver, worker, worker_log, args)

        log(f"two zones: new blocks go to {RECENT_ZONE}, listed first by the resolver")
        figures += run_configuration("", people, case, item, probe, args)
        if not args.no_single_zone:
            target.recent_zone = ""
            target.save(update_fields=["recent_zone"])
            log(f"single zone: every change goes to the {servers.records:,}-record {MAIN_ZONE}")
            figures += run_configuration("_single_zone", people, case, item, probe, args)

        from django.db import connections

        connections.close_all()
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    started = time.perf_counter()
    with scratch_directory("vigil-bench-tte-", keep=args.keep) as directory:
        figures = measure(args, directory)
    print_figures(figures)
    log(f"bench took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
