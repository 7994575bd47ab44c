"""Vigil drives real DNS servers: an approval blocks a name at a resolver, a revocation unblocks it.

Every test goes through the services and the real task queue (``db_worker``), then asks a
real BIND resolver on 127.0.0.1 (see ``tests/dnsservers.py``). The resolver is authoritative
for the test world (``example.com``, ``evil2.net``) and serves a fake root, so nothing leaves
the machine. The servers are shared by the module; each test uses names of its own.
"""

from __future__ import annotations

import datetime as dt
import shlex
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.dnsservers import (
    Answer,
    BindServer,
    BindZone,
    MissingServerError,
    TsigKey,
    free_port,
    require,
    wait_until,
    zone_text,
)
from vigil.blocking import services
from vigil.blocking.models import DnsTarget, Publication
from vigil.cases import services as case_services
from vigil.cases.models import Decision
from vigil.core.models import User
from vigil.lib.dnspublish import DynamicUpdatePublisher
from vigil.lib.exports.rpz import RpzRecord

pytestmark = [pytest.mark.dns, pytest.mark.django_db(transaction=True)]

POLICY_ZONE = "rpz.vigil"
RECENT_ZONE = "recent.rpz.vigil"
BLOCK_PAGE = "walled.example.com"
BLOCK_PAGE_ADDRESS = "192.0.2.250"
ENFORCED = 5.0  # seconds a change may take to show in answers; small zones take milliseconds

# Real TLDs: Vigil's indicator code refuses names under unknown ones such as .test.
WORLD = {
    "example.com": """\
$TTL 300
@        SOA ns.example.com. root.example.com. 1 3600 600 86400 300
@        NS  ns
ns       A   127.0.0.1
www      A   192.0.2.1
walled   A   192.0.2.250
evil     A   192.0.2.11
fold     A   192.0.2.12
drift1   A   192.0.2.13
extra1   A   192.0.2.14
drift2   A   192.0.2.15
extra2   A   192.0.2.16
filed    A   192.0.2.17
badkey   A   192.0.2.18
expiring A   192.0.2.19
""",
    # Its own registrable domain: a whole-domain block on a name under example.com would
    # block example.com itself, the block page's host included.
    "evil2.net": """\
$TTL 300
@        SOA ns.evil2.net. root.evil2.net. 1 3600 600 86400 300
@        NS  ns.example.com.
@        A   192.0.2.20
a.b      A   192.0.2.21
""",
}


class Servers:
    """A publishing primary (both policy zones, TSIG updates) and a resolver that is its secondary."""

    def __init__(self, directory: Path) -> None:
        self.update_key = TsigKey.generate("vigil-update")
        self.transfer_key = TsigKey.generate("vigil-transfer")
        primary_port, resolver_port = free_port(), free_port()
        self.primary = BindServer(
            directory / "primary",
            port=primary_port,
            zones=[
                BindZone(
                    zone,
                    text=zone_text(zone, []),
                    update_key=self.update_key,
                    transfer_key=self.transfer_key,
                    also_notify=(resolver_port,),
                )
                for zone in (POLICY_ZONE, RECENT_ZONE)
            ],
        )
        # The recent zone is listed first: its small summary is rebuilt in milliseconds.
        self.resolver = BindServer(
            directory / "resolver",
            port=resolver_port,
            zones=[
                BindZone(zone, transfer_key=self.transfer_key, primary_port=primary_port)
                for zone in (RECENT_ZONE, POLICY_ZONE)
            ],
            authoritative=WORLD,
            response_policy=[RECENT_ZONE, POLICY_ZONE],
        )

    def start(self) -> None:
        self.primary.start()
        self.resolver.start()
        for zone in (POLICY_ZONE, RECENT_ZONE):
            wait_until(
                lambda z=zone: self.resolver.serial(z) is not None, timeout=10, what=f"{zone} transferred"
            )

    def stop(self) -> None:
        self.resolver.stop()
        self.primary.stop()

    def publisher(self, zone: str) -> DynamicUpdatePublisher:
        """Vigil's own publisher, used here behind Vigil's back."""
        key = self.update_key
        return DynamicUpdatePublisher("127.0.0.1", self.primary.port, zone, key.name, key.secret)

    def owners(self, zone: str) -> set[str]:
        return {record.owner for record in self.publisher(zone).fetch_records()}

    def target(self, name: str, *, recent: bool = False, secret: str | None = None) -> DnsTarget:
        return DnsTarget.objects.create(
            name=name,
            mode="dynamic_update",
            zone=POLICY_ZONE,
            recent_zone=RECENT_ZONE if recent else "",
            server="127.0.0.1",
            port=self.primary.port,
            tsig_key_name=self.update_key.name,
            tsig_secret=secret or self.update_key.secret,
        )


def _require_servers() -> None:
    try:
        require("named", "rndc")
    except MissingServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: Any) -> Iterator[Servers]:
    _require_servers()
    pair = Servers(tmp_path_factory.mktemp("dynamic"))
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()


@pytest.fixture(scope="module")
def file_server(tmp_path_factory: Any) -> Iterator[BindServer]:
    """A resolver that loads the policy zone from a file Vigil writes (no dynamic updates)."""
    _require_servers()
    server = BindServer(
        tmp_path_factory.mktemp("zone-file"),
        zones=[BindZone(POLICY_ZONE, text=zone_text(POLICY_ZONE, []))],
        authoritative=WORLD,
        response_policy=[POLICY_ZONE],
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def block_page(settings: Any, blocklist_dir: Any) -> None:
    settings.VIGIL_RPZ_POLICY = "cname"
    settings.VIGIL_BLOCK_PAGE_HOST = BLOCK_PAGE


@pytest.fixture
def people(analyst: User, appraiser: User, approver: User) -> tuple[User, User, User]:
    return analyst, appraiser, approver


# -- helpers -----------------------------------------------------------------------------


def approve_block(people: tuple[User, User, User], url: str, scope: str = "host") -> Decision:
    """A DNS block on ``url`` drafted by the analyst and approved (put in force) by the approver."""
    analyst, appraiser, approver = people
    case, item = factories.case_ready_for_decision(analyst, appraiser)
    link = case_services.add_indicator(actor=analyst, case=case, kind="url", raw=url)
    draft = case_services.draft_decision(
        actor=analyst,
        case=case,
        action="dns_block",
        scope=scope,
        indicator=link.indicator,
        legal_basis=factories.legal_basis(),
        reasoning="Chặn phân giải tên miền giả mạo.",
        evidence=[item],
    )
    return case_services.approve_decision(actor=approver, decision=draft)


def revoke(people: tuple[User, User, User], decision: Decision) -> None:
    case_services.revoke_decision(actor=people[2], decision=decision, reason="Nội dung vi phạm đã gỡ.")


def run_worker() -> None:
    """Run every queued task with the real database worker; fail on a task that failed."""
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
    failed = DBTaskResult.objects.exclude(status="SUCCESSFUL")
    assert not failed.exists(), "\n".join(row.traceback or row.status for row in failed)


def walled(answer: Answer) -> bool:
    return (
        answer.rcode == "NOERROR"
        and answer.cnames == (f"{BLOCK_PAGE}.",)
        and answer.addresses == (BLOCK_PAGE_ADDRESS,)
    )


def resolves_to(address: str) -> Callable[[Answer], bool]:
    return lambda answer: answer.rcode == "NOERROR" and not answer.cnames and answer.addresses == (address,)


def wait_for(server: BindServer, name: str, expected: Callable[[Answer], bool], what: str) -> None:
    try:
        wait_until(lambda: expected(server.resolve(name)), timeout=ENFORCED, what=f"{name} {what}")
    except TimeoutError:
        pytest.fail(f"{name} is {server.resolve(name)} after {ENFORCED} s, expected it {what}")


# -- dynamic update: approval and revocation ------------------------------------------------


def test_approval_blocks_the_host_at_the_resolver_and_revocation_unblocks_it(
    servers: Servers, people: tuple[User, User, User]
) -> None:
    resolver = servers.resolver
    assert resolves_to("192.0.2.11")(resolver.resolve("evil.example.com"))
    target = servers.target("primary")

    decision = approve_block(people, "http://evil.example.com/login")
    run_worker()
    wait_for(resolver, "evil.example.com", walled, "sent to the block page")
    assert resolves_to("192.0.2.1")(resolver.resolve("www.example.com"))
    publications = list(Publication.objects.filter(target=target))
    assert publications and {p.status for p in publications} == {"ok"}
    assert any(p.added == 1 for p in publications)
    assert "evil.example.com" in servers.owners(POLICY_ZONE)

    revoke(people, decision)
    run_worker()
    wait_for(resolver, "evil.example.com", resolves_to("192.0.2.11"), "resolving normally")
    assert "evil.example.com" not in servers.owners(POLICY_ZONE)
    assert Publication.objects.filter(target=target, status="ok", removed=1).exists()


def test_expiry_unblocks_at_the_resolver_through_the_same_path(
    servers: Servers, people: tuple[User, User, User]
) -> None:
    resolver = servers.resolver
    assert resolves_to("192.0.2.19")(resolver.resolve("expiring.example.com"))
    servers.target("primary")
    decision = approve_block(people, "http://expiring.example.com/login")
    run_worker()
    wait_for(resolver, "expiring.example.com", walled, "sent to the block page")

    Decision.objects.filter(pk=decision.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert case_services.expire_decisions() == 1
    run_worker()
    wait_for(resolver, "expiring.example.com", resolves_to("192.0.2.19"), "resolving normally")
    assert "expiring.example.com" not in servers.owners(POLICY_ZONE)
    decision.refresh_from_db()
    assert decision.state == "expired"
    assert services.current_snapshot().check("expiring.example.com").status == "none"


def test_registrable_domain_scope_blocks_every_name_below_it(
    servers: Servers, people: tuple[User, User, User]
) -> None:
    resolver = servers.resolver
    assert resolves_to("192.0.2.21")(resolver.resolve("a.b.evil2.net"))
    servers.target("primary")

    decision = approve_block(people, "http://login.evil2.net/bank", scope="registrable_domain")
    assert decision.target == "evil2.net"
    run_worker()
    wait_for(resolver, "a.b.evil2.net", walled, "sent to the block page")
    assert walled(resolver.resolve("evil2.net"))
    assert walled(resolver.resolve("anything.evil2.net"))
    assert resolves_to("192.0.2.1")(resolver.resolve("www.example.com"))


# -- two zones: recent changes first, folded into the main zone -------------------------------


def test_two_zone_target_blocks_through_the_recent_zone_and_the_fold_keeps_it_blocked(
    servers: Servers, people: tuple[User, User, User]
) -> None:
    resolver = servers.resolver
    servers.target("primary", recent=True)
    approve_block(people, "http://fold.example.com/otp")
    run_worker()
    wait_for(resolver, "fold.example.com", walled, "sent to the block page")
    assert "fold.example.com" in servers.owners(RECENT_ZONE)
    assert "fold.example.com" not in servers.owners(POLICY_ZONE)

    # Ask the resolver all through the fold, until it has applied the recent zone's removal.
    answers: list[Answer] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            answers.append(resolver.resolve("fold.example.com"))
            stop.wait(0.01)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        folded = services.fold_recent_zones(settle=0.2)
        wait_until(
            lambda: resolver.serial(RECENT_ZONE) == servers.primary.serial(RECENT_ZONE),
            timeout=ENFORCED,
            what="the fold applied by the resolver",
        )
        stop.wait(0.1)
    finally:
        stop.set()
        poller.join(timeout=5)
    assert isinstance(folded["primary"], int) and folded["primary"] >= 1, folded
    assert "fold.example.com" in servers.owners(POLICY_ZONE)
    assert "fold.example.com" not in servers.owners(RECENT_ZONE)
    assert len(answers) >= 10
    assert [a for a in answers if not walled(a)] == []
    assert walled(resolver.resolve("fold.example.com"))


# -- reconcile: the periodic full pass repairs drift -------------------------------------------


@pytest.mark.parametrize("two_zone", [False, True], ids=["one-zone", "two-zone"])
def test_reconcile_restores_a_removed_record_and_removes_a_stray_one(
    servers: Servers, people: tuple[User, User, User], two_zone: bool
) -> None:
    resolver = servers.resolver
    n = 2 if two_zone else 1
    drift, extra = f"drift{n}.example.com", f"extra{n}.example.com"
    address = {1: ("192.0.2.13", "192.0.2.14"), 2: ("192.0.2.15", "192.0.2.16")}[n]
    servers.target("primary", recent=two_zone)
    approve_block(people, f"http://{drift}/login")
    run_worker()
    wait_for(resolver, drift, walled, "sent to the block page")

    zone = RECENT_ZONE if two_zone else POLICY_ZONE
    servers.publisher(zone).publish_changes(removed=[RpzRecord(drift, "CNAME", f"{BLOCK_PAGE}.")])
    servers.publisher(POLICY_ZONE).publish_changes(added=[RpzRecord(extra, "CNAME", ".")])
    wait_for(resolver, drift, resolves_to(address[0]), "unblocked behind Vigil's back")
    wait_for(resolver, extra, lambda a: a.rcode == "NXDOMAIN", "blocked behind Vigil's back")

    results = services.reconcile()
    assert results["primary"] == "ok", results
    wait_for(resolver, drift, walled, "blocked again")
    wait_for(resolver, extra, resolves_to(address[1]), "resolving again")
    assert extra not in servers.owners(POLICY_ZONE) | servers.owners(RECENT_ZONE)


# -- zone file and reload ----------------------------------------------------------------------


def test_zone_file_target_writes_the_zone_and_reloads_the_server(
    file_server: BindServer, people: tuple[User, User, User]
) -> None:
    assert resolves_to("192.0.2.17")(file_server.resolve("filed.example.com"))
    path = file_server.zone_path(POLICY_ZONE)
    target = DnsTarget.objects.create(
        name="file-resolver",
        mode="zone_file",
        zone=POLICY_ZONE,
        zone_path=str(path),
        reload_command=shlex.join(file_server.rndc_argv("reload", POLICY_ZONE)),
    )

    decision = approve_block(people, "http://filed.example.com/login")
    run_worker()
    assert f"filed.example.com CNAME {BLOCK_PAGE}. ; decision={decision.pk} " in path.read_text()
    wait_for(file_server, "filed.example.com", walled, "sent to the block page")
    assert resolves_to("192.0.2.1")(file_server.resolve("www.example.com"))
    assert {p.status for p in Publication.objects.filter(target=target)} == {"ok"}

    revoke(people, decision)
    run_worker()
    assert "filed.example.com" not in path.read_text()
    wait_for(file_server, "filed.example.com", resolves_to("192.0.2.17"), "resolving normally")


# -- a wrong key -------------------------------------------------------------------------------


def test_wrong_tsig_secret_records_a_failed_publication_without_the_secret(
    servers: Servers, people: tuple[User, User, User]
) -> None:
    wrong = TsigKey.generate(servers.update_key.name)  # the right name, another secret
    target = servers.target("primary", secret=wrong.secret)

    decision = approve_block(people, "http://badkey.example.com/login")
    run_worker()
    decision.refresh_from_db()
    assert decision.state == "active"
    failures = list(Publication.objects.filter(target=target))
    assert failures and {p.status for p in failures} == {"failed"}
    for publication in failures:
        assert f"refused TSIG key '{servers.update_key.name}'" in publication.error
        assert "BADSIG" in publication.error
        assert wrong.secret not in publication.error
        assert servers.update_key.secret not in publication.error
    assert "badkey.example.com" not in servers.owners(POLICY_ZONE)
    assert resolves_to("192.0.2.18")(servers.resolver.resolve("badkey.example.com"))
