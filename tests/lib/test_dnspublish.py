"""Publishing the blocklist to real DNS servers: BIND 9.18 and Unbound 1.17 on 127.0.0.1.

The servers are started by the fixtures (see ``tests/dnsservers.py``) and the proofs are
their answers to recursive queries. Nothing leaves loopback: both resolvers serve a fake
root zone. Missing programs fail the tests with the apt-get line to run.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dnsservers import (
    ROOT_ZONE,
    Answer,
    BindServer,
    BindZone,
    MissingServerError,
    TsigKey,
    UnboundRpz,
    UnboundServer,
    free_port,
    require,
    wait_until,
    zone_meta,
    zone_text,
)
from vigil.lib.blocklist import Rule, RuleAction, RuleKind, RuleRef
from vigil.lib.dnspublish import (
    Coalescer,
    DynamicUpdatePublisher,
    PublishError,
    PublishResult,
    TwoZonePublisher,
    ZoneFilePublisher,
    diff_records,
)
from vigil.lib.exports.rpz import Policy, RpzRecord
from vigil.lib.exports.zonefile import write_zone, zone_records

POLICY_ZONE = "rpz.vigil"
RECENT_ZONE = "recent.rpz.vigil"
BLOCK_PAGE = "walled.example.test"
ENFORCED = 5.0  # seconds a change may take to show in answers; small zones take milliseconds

WORLD = """\
$TTL 300
@               SOA ns.example.test. root.example.test. 1 3600 600 86400 300
@               NS  ns
ns              A   127.0.0.1
www             A   192.0.2.1
nx              A   192.0.2.10
garden          A   192.0.2.11
walled          A   192.0.2.250
evil            A   192.0.2.12
a.evil          A   192.0.2.13
x.y.evil        A   192.0.2.14
ok.evil         A   192.0.2.18
parent          A   192.0.2.16
host.parent     A   192.0.2.15
sub.host.parent A   192.0.2.17
badip           A   192.0.2.66
dyn1            A   192.0.2.21
dyn2            A   192.0.2.22
dyn3            A   192.0.2.23
"""
WORLDS = {"example.test": WORLD}


def _ref(decision_id: int | None, source: str = "decision") -> RuleRef:
    return RuleRef(decision_id, "phishing", "host", "blhs-290", source=source)


def _block(kind: RuleKind, value: str, decision_id: int = 1) -> Rule:
    return Rule(kind, value, RuleAction.BLOCK, _ref(decision_id))


def records_for(*rules: Rule, policy: Policy = Policy.NXDOMAIN) -> list[RpzRecord]:
    """The records Vigil's zone writer makes for ``rules`` (what the publisher diffs)."""
    return zone_records(rules, zone_meta(POLICY_ZONE, policy=policy, block_host=BLOCK_PAGE))[0]


PROOF_RECORDS = [
    *records_for(
        _block(RuleKind.HOST, "nx.example.test"),
        _block(RuleKind.DOMAIN, "evil.example.test", 2),
        _block(RuleKind.HOST, "host.parent.example.test", 3),
        _block(RuleKind.CIDR, "192.0.2.64/28", 4),
        Rule(RuleKind.HOST, "ok.evil.example.test", RuleAction.ALLOW, _ref(None, "allowlist")),
        # A URL rule has no DNS form and must not break the zone.
        Rule(RuleKind.EXACT_URL, "evil.example.test/login", RuleAction.BLOCK, _ref(5)),
    ),
    *records_for(_block(RuleKind.HOST, "garden.example.test", 6), policy=Policy.CNAME),
]


def plain(records: list[RpzRecord]) -> list[RpzRecord]:
    """Records as a zone transfer returns them: no comments, sorted."""
    return sorted(RpzRecord(r.owner, r.rtype, r.rdata) for r in records)


def policy_zone(records: list[RpzRecord], serial: int = 1, origin: str = POLICY_ZONE) -> str:
    return zone_text(origin, records, serial=serial)


def resolves_to(answer: Answer, address: str) -> bool:
    return answer.rcode == "NOERROR" and answer.addresses == (address,)


def wait_for(server: BindServer | UnboundServer, name: str, rcode: str, *, timeout: float = ENFORCED) -> None:
    try:
        wait_until(lambda: server.resolve(name).rcode == rcode, timeout=timeout, what=f"{name} {rcode}")
    except TimeoutError:
        pytest.fail(
            f"{name} is {server.resolve(name)} after {timeout} s, expected {rcode}\n{server.diagnostics()}"
        )


def _require_servers() -> None:
    try:
        require()
    except MissingServerError as error:
        pytest.fail(str(error), pytrace=False)


def _start(server: BindServer | UnboundServer) -> None:
    _require_servers()
    server.start()


def _reload_argv(server: BindServer | UnboundServer, zone: str) -> list[str]:
    if isinstance(server, BindServer):
        return server.rndc_argv("reload", zone)
    return server.control_argv("auth_zone_reload", zone)


def _policy_server(kind: str, directory: Path) -> BindServer | UnboundServer:
    empty = policy_zone([])
    if kind == "bind":
        return BindServer(
            directory,
            zones=[BindZone(POLICY_ZONE, text=empty)],
            authoritative=WORLDS,
            response_policy=[POLICY_ZONE],
        )
    return UnboundServer(directory, rpz=[UnboundRpz(POLICY_ZONE, text=empty)], authoritative=WORLDS)


# -- the five proofs, on BIND and on Unbound, from a zone written by ZoneFilePublisher ---


@pytest.fixture(scope="module", params=["bind", "unbound"])
def resolver(request: Any, tmp_path_factory: Any) -> Iterator[BindServer | UnboundServer]:
    server = _policy_server(request.param, tmp_path_factory.mktemp(request.param))
    _start(server)
    try:
        publisher = ZoneFilePublisher(server.zone_path(POLICY_ZONE), _reload_argv(server, POLICY_ZONE))
        publisher.publish(policy_zone(PROOF_RECORDS, serial=2))
        wait_for(server, "nx.example.test", "NXDOMAIN")
        yield server
    finally:
        server.stop()


@pytest.mark.dns
def test_qname_trigger_gives_nxdomain(resolver: BindServer | UnboundServer) -> None:
    assert resolver.resolve("nx.example.test").rcode == "NXDOMAIN"
    assert resolves_to(resolver.resolve("www.example.test"), "192.0.2.1")


@pytest.mark.dns
def test_cname_policy_leads_to_the_block_page(resolver: BindServer | UnboundServer) -> None:
    answer = resolver.resolve("garden.example.test")
    assert answer.rcode == "NOERROR"
    assert answer.cnames == ("walled.example.test.",)
    assert answer.addresses == ("192.0.2.250",)


@pytest.mark.dns
def test_domain_rule_blocks_every_subdomain_but_host_rule_only_its_name(
    resolver: BindServer | UnboundServer,
) -> None:
    for name in ("evil.example.test", "a.evil.example.test", "x.y.evil.example.test"):
        assert resolver.resolve(name).rcode == "NXDOMAIN", name
    assert resolver.resolve("host.parent.example.test").rcode == "NXDOMAIN"
    assert resolves_to(resolver.resolve("parent.example.test"), "192.0.2.16")
    assert resolves_to(resolver.resolve("sub.host.parent.example.test"), "192.0.2.17")


@pytest.mark.dns
def test_rpz_ip_blocks_names_answering_with_a_blocked_address(resolver: BindServer | UnboundServer) -> None:
    assert resolver.resolve("badip.example.test").rcode == "NXDOMAIN"  # 192.0.2.66 in 192.0.2.64/28
    assert resolves_to(resolver.resolve("dyn1.example.test"), "192.0.2.21")


@pytest.mark.dns
def test_passthru_lets_an_allowed_name_inside_a_blocked_domain_resolve(
    resolver: BindServer | UnboundServer,
) -> None:
    assert resolves_to(resolver.resolve("ok.evil.example.test"), "192.0.2.18")
    assert resolver.resolve("a.evil.example.test").rcode == "NXDOMAIN"


# -- zone file replaced and reloaded ----------------------------------------------------


@pytest.fixture(params=["bind", "unbound"])
def fresh_resolver(request: Any, tmp_path: Path) -> Iterator[BindServer | UnboundServer]:
    server = _policy_server(request.param, tmp_path / request.param)
    _start(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.dns
def test_replacing_the_zone_file_changes_the_answers(fresh_resolver: BindServer | UnboundServer) -> None:
    server = fresh_resolver
    path = server.zone_path(POLICY_ZONE)
    publisher = ZoneFilePublisher(
        path, _reload_argv(server, POLICY_ZONE), check_command=["named-checkzone", POLICY_ZONE, "{path}"]
    )
    result = publisher.publish(policy_zone(records_for(_block(RuleKind.HOST, "dyn1.example.test")), 2))
    assert result.bytes_written == path.stat().st_size
    wait_for(server, "dyn1.example.test", "NXDOMAIN")

    # A writer callback: the zone writer streams straight into the temporary file.
    rules = [_block(RuleKind.CIDR, "192.0.2.22/32")]
    publisher.publish(lambda out: write_zone(rules, out, zone_meta(POLICY_ZONE, 3)))
    wait_for(server, "dyn2.example.test", "NXDOMAIN")
    assert resolves_to(server.resolve("dyn1.example.test"), "192.0.2.21")
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.dns
def test_failed_reload_raises_and_the_server_keeps_the_old_zone(
    fresh_resolver: BindServer | UnboundServer,
) -> None:
    server = fresh_resolver
    path = server.zone_path(POLICY_ZONE)
    good = ZoneFilePublisher(path, _reload_argv(server, POLICY_ZONE))
    good.publish(policy_zone(records_for(_block(RuleKind.HOST, "dyn1.example.test")), 2))
    wait_for(server, "dyn1.example.test", "NXDOMAIN")

    failing = ZoneFilePublisher(path, _reload_argv(server, "no-such-zone.vigil"))
    newer = policy_zone(records_for(_block(RuleKind.HOST, "dyn3.example.test")), 3)
    with pytest.raises(PublishError, match="reload command failed") as caught:
        failing.publish(newer)
    assert "no-such-zone" in caught.value.detail or "not found" in caught.value.detail
    assert path.read_text() == newer  # complete, valid, and picked up by the next reload
    assert server.resolve("dyn1.example.test").rcode == "NXDOMAIN"
    assert resolves_to(server.resolve("dyn3.example.test"), "192.0.2.23")

    # A broken zone never replaces the file when a check command is configured; this
    # matters for Unbound, which drops the whole policy zone when a reload fails to parse.
    checked = ZoneFilePublisher(
        path, _reload_argv(server, POLICY_ZONE), check_command=["named-checkzone", POLICY_ZONE, "{path}"]
    )
    with pytest.raises(PublishError, match="zone check failed"):
        checked.publish("this is not a zone\n")
    assert path.read_text() == newer
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert server.resolve("dyn1.example.test").rcode == "NXDOMAIN"


# -- dynamic update (TSIG) to a primary, IXFR to a secondary resolver -------------------


class Pair:
    """A publishing primary and a resolver that is its secondary for the policy zones."""

    def __init__(self, directory: Path, zones: tuple[str, ...] = (POLICY_ZONE,)) -> None:
        self.update_key = TsigKey.generate("vigil-update")
        self.transfer_key = TsigKey.generate("vigil-transfer")
        primary_port, secondary_port = free_port(), free_port()
        self.primary = BindServer(
            directory / "primary",
            port=primary_port,
            zones=[
                BindZone(
                    zone,
                    text=policy_zone([], origin=zone),
                    update_key=self.update_key,
                    transfer_key=self.transfer_key,
                    also_notify=(secondary_port,),
                )
                for zone in zones
            ],
        )
        self.secondary = BindServer(
            directory / "secondary",
            port=secondary_port,
            zones=[
                BindZone(
                    zone,
                    transfer_key=self.transfer_key,
                    primary_port=primary_port,
                )
                for zone in zones
            ],
            authoritative=WORLDS,
            response_policy=list(zones),
        )
        self.zones = zones

    def start(self) -> None:
        _start(self.primary)
        _start(self.secondary)
        for zone in self.zones:
            wait_until(lambda z=zone: self.secondary.serial(z) == 1, timeout=10, what=f"{zone} transferred")

    def stop(self) -> None:
        self.secondary.stop()
        self.primary.stop()

    def publisher(self, zone: str = POLICY_ZONE, **kwargs: Any) -> DynamicUpdatePublisher:
        return DynamicUpdatePublisher(
            "127.0.0.1", self.primary.port, zone, self.update_key.name, self.update_key.secret, **kwargs
        )


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    servers = Pair(tmp_path)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.mark.dns
def test_dynamic_update_reaches_the_secondary_by_ixfr_and_revocation_unblocks(pair: Pair) -> None:
    resolver = pair.secondary
    assert resolves_to(resolver.resolve("dyn1.example.test"), "192.0.2.21")
    blocked = records_for(_block(RuleKind.HOST, "dyn1.example.test"))
    walled = records_for(_block(RuleKind.DOMAIN, "dyn2.example.test", 2), policy=Policy.CNAME)

    result = pair.publisher().publish_changes(added=[*blocked, *walled], removed=[])
    assert (result.added, result.removed, result.messages) == (3, 0, 1)
    wait_for(resolver, "dyn1.example.test", "NXDOMAIN")
    assert resolver.resolve("dyn2.example.test").cnames == ("walled.example.test.",)
    assert pair.secondary.serial(POLICY_ZONE) == 2
    assert "IXFR started" in pair.primary.log_path.read_text()

    pair.publisher().publish_changes(added=[], removed=blocked)
    wait_for(resolver, "dyn1.example.test", "NOERROR")
    assert resolves_to(resolver.resolve("dyn1.example.test"), "192.0.2.21")
    assert resolver.resolve("dyn2.example.test").cnames == ("walled.example.test.",)


@pytest.mark.dns
def test_wrong_tsig_key_is_refused_and_the_zone_is_unchanged(pair: Pair, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = TsigKey.generate("vigil-update")  # right name, wrong secret
    publisher = DynamicUpdatePublisher("127.0.0.1", pair.primary.port, POLICY_ZONE, wrong.name, wrong.secret)
    with pytest.raises(PublishError, match="refused TSIG key 'vigil-update'") as caught:
        publisher.publish_changes(added=records_for(_block(RuleKind.HOST, "dyn1.example.test")))
    assert "BADSIG" in str(caught.value)
    assert caught.value.applied == 0

    unknown = DynamicUpdatePublisher(
        "127.0.0.1", pair.primary.port, POLICY_ZONE, "no-such-key", pair.update_key.secret
    )
    with pytest.raises(PublishError, match="BADKEY"):
        unknown.publish_changes(added=records_for(_block(RuleKind.HOST, "dyn1.example.test")))

    assert pair.primary.serial(POLICY_ZONE) == 1
    assert pair.publisher().fetch_records() == []
    assert resolves_to(pair.secondary.resolve("dyn1.example.test"), "192.0.2.21")
    for secret in (wrong.secret, pair.update_key.secret):
        assert secret not in str(caught.value)
        assert secret not in repr(publisher)
        assert secret not in caplog.text


@pytest.mark.dns
def test_large_change_sets_are_batched_and_split_to_fit_a_message(pair: Pair) -> None:
    names = [f"bulk-{i:05d}-{'x' * 50}.{'y' * 20}.example.net" for i in range(2500)]
    added = [RpzRecord(name, "CNAME", ".") for name in names]
    # 1,000 records with 62 uncompressible bytes of name each exceed 64 KiB: each batch is split once more.
    result = pair.publisher(batch_size=1000).publish_changes(added=added)
    assert result.added == 2500
    assert 3 < result.messages <= 6
    assert pair.primary.serial(POLICY_ZONE) == 1 + result.messages
    assert len(pair.publisher().fetch_records()) == 2500
    wait_for(pair.secondary, names[-1], "NXDOMAIN")
    assert pair.secondary.resolve(names[0]).rcode == "NXDOMAIN"


@pytest.fixture
def two_zone_pair(tmp_path: Path) -> Iterator[Pair]:
    servers = Pair(tmp_path, zones=(RECENT_ZONE, POLICY_ZONE))
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.mark.dns
def test_two_zone_pattern_blocks_through_the_recent_zone_and_folds(two_zone_pair: Pair) -> None:
    pair = two_zone_pair
    publisher = TwoZonePublisher(pair.publisher(RECENT_ZONE), pair.publisher(POLICY_ZONE))
    blocked = records_for(_block(RuleKind.DOMAIN, "dyn1.example.test"))
    publisher.publish_changes(added=blocked)
    wait_for(pair.secondary, "a.dyn1.example.test", "NXDOMAIN")
    assert publisher.recent.fetch_records() == plain(blocked)
    assert publisher.main.fetch_records() == []

    def settle(_: float) -> None:  # the resolver has applied the main-zone copy before the drop
        wait_until(lambda: pair.secondary.serial(POLICY_ZONE) == 2, timeout=ENFORCED)

    result = publisher.fold(sleep=settle)
    assert result.added == 2
    assert publisher.recent.fetch_records() == []
    assert publisher.main.fetch_records() == plain(blocked)
    wait_until(lambda: pair.secondary.serial(RECENT_ZONE) == 3, timeout=ENFORCED)
    assert pair.secondary.resolve("dyn1.example.test").rcode == "NXDOMAIN"

    publisher.publish_changes(removed=blocked)
    wait_for(pair.secondary, "dyn1.example.test", "NOERROR")
    assert publisher.main.fetch_records() == []


# -- the example configurations in docs/dns, started as they are -----------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dns"


def documented(name: str, substitutions: list[tuple[str, str]], extra: str = "") -> str:
    """A documented config with its addresses and paths moved into the test's directory."""
    text = (DOCS / name).read_text()
    for pattern, replacement in substitutions:
        assert re.search(pattern, text), f"docs/dns/{name} no longer matches {pattern!r}"
        text = re.sub(pattern, lambda _, r=replacement: r, text)
    return text + extra


def _bind_local(directory: Path, port: int, listen: str, keys: Path) -> list[tuple[str, str]]:
    return [
        (r'include "/etc/bind/vigil-keys.conf";', f'include "{keys}"; controls {{ }};'),
        (
            r'directory "/var/cache/bind";',
            f'directory "{directory}"; pid-file "{directory / "named.pid"}"; '
            f'session-keyfile "{directory / "session.key"}"; managed-keys-directory "{directory}";',
        ),
        (rf"listen-on port 53 \{{ {re.escape(listen)}; \}};", f"listen-on port {port} {{ 127.0.0.1; }};"),
    ]


def _bind_logging(directory: Path) -> str:
    return (
        f'\nlogging {{ channel main {{ file "{directory / "named.log"}"; print-time yes; severity info; }};'
        " category default { main; }; };\n"
    )


@pytest.mark.dns
def test_documented_bind_configs(tmp_path: Path) -> None:
    _require_servers()
    update, transfer = TsigKey.generate("vigil-update"), TsigKey.generate("vigil-transfer")
    keys = tmp_path / "vigil-keys.conf"
    keys.write_text(update.conf() + transfer.conf())
    primary_dir, resolver_dir = tmp_path / "primary", tmp_path / "resolver"
    primary_dir.mkdir()
    resolver_dir.mkdir()
    primary_port, resolver_port = free_port(), free_port()
    (primary_dir / f"{RECENT_ZONE}.db").write_text(policy_zone([], origin=RECENT_ZONE))
    main_records = [RpzRecord("dyn2.example.test", "CNAME", "."), RpzRecord("nx.example.test", "CNAME", ".")]
    (primary_dir / f"{POLICY_ZONE}.db").write_text(policy_zone(main_records))
    primary_conf = documented(
        "bind-primary.conf",
        [
            *_bind_local(primary_dir, primary_port, "192.0.2.53", keys),
            (r"/var/lib/bind/", f"{primary_dir}/"),
            (r"also-notify \{ 198\.51\.100\.10; \};", f"also-notify {{ 127.0.0.1 port {resolver_port}; }};"),
        ],
        _bind_logging(primary_dir),
    )
    (resolver_dir / "example.test.db").write_text(WORLD)
    (resolver_dir / "root.db").write_text(ROOT_ZONE)
    resolver_conf = documented(
        "bind-resolver.conf",
        [
            *_bind_local(resolver_dir, resolver_port, "198.51.100.10", keys),
            (r"dnssec-validation auto;", "dnssec-validation no;"),  # the fake root is unsigned
            (r"primaries \{ 192\.0\.2\.53 key", f"primaries {{ 127.0.0.1 port {primary_port} key"),
        ],
        _bind_logging(resolver_dir)
        + f'zone "." {{ type primary; file "{resolver_dir / "root.db"}"; }};\n'
        + f'zone "example.test" {{ type primary; file "{resolver_dir / "example.test.db"}"; }};\n',
    )
    primary = BindServer(primary_dir, port=primary_port, config=primary_conf)
    resolver = BindServer(resolver_dir, port=resolver_port, config=resolver_conf)
    try:
        _start(primary)
        _start(resolver)
        wait_for(resolver, "nx.example.test", "NXDOMAIN")
        assert resolver.resolve("dyn2.example.test").rcode == "NXDOMAIN"

        def publisher(zone: str) -> DynamicUpdatePublisher:
            return DynamicUpdatePublisher("127.0.0.1", primary_port, zone, update.name, update.secret)

        # The recent zone is listed first, so its policy wins over the large zone's.
        publisher(RECENT_ZONE).publish_changes(
            added=[
                RpzRecord("dyn2.example.test", "CNAME", "rpz-passthru."),
                *records_for(_block(RuleKind.HOST, "dyn1.example.test")),
            ]
        )
        wait_for(resolver, "dyn1.example.test", "NXDOMAIN")
        wait_for(resolver, "dyn2.example.test", "NOERROR")
        assert resolver.resolve("nx.example.test").rcode == "NXDOMAIN"
        # The primary serves the policy zones only to queries signed with a Vigil key.
        assert primary.serial(POLICY_ZONE) is None
        assert publisher(POLICY_ZONE).fetch_records() == main_records
    finally:
        resolver.stop()
        primary.stop()


@pytest.mark.dns
def test_documented_unbound_config(tmp_path: Path) -> None:
    _require_servers()
    directory = tmp_path / "unbound"
    directory.mkdir()
    port = free_port()
    (directory / "root.db").write_text(ROOT_ZONE)
    (directory / "example.test.db").write_text(WORLD)
    (directory / f"{RECENT_ZONE}.db").write_text(
        policy_zone([RpzRecord("dyn2.example.test", "CNAME", "rpz-passthru.")], origin=RECENT_ZONE)
    )
    main_records = [*PROOF_RECORDS, RpzRecord("dyn2.example.test", "CNAME", ".")]
    (directory / f"{POLICY_ZONE}.db").write_text(policy_zone(main_records))
    local = (
        f'interface: 127.0.0.1@{port}\n    port: {port}\n    username: ""\n    chroot: ""\n'
        f'    directory: "{directory}"\n    pidfile: "{directory / "unbound.pid"}"\n'
        f'    logfile: "{directory / "unbound.log"}"\n    use-syslog: no\n    num-threads: 1\n'
        '    do-not-query-localhost: no\n    local-zone: "test." nodefault\n'
        "    access-control: 127.0.0.0/8 allow"
    )
    auth_zones = "".join(
        f'\nauth-zone:\n    name: "{origin}"\n    zonefile: "{directory / file}"\n'
        "    for-downstream: no\n    for-upstream: yes\n    fallback-enabled: no\n"
        for origin, file in ((".", "root.db"), ("example.test", "example.test.db"))
    )
    config = documented(
        "unbound.conf",
        [
            (r"interface: 198\.51\.100\.10", local),
            (r'    auto-trust-anchor-file: "[^"]*"\n', ""),  # the fake root is unsigned
            (r"/var/lib/unbound/", f"{directory}/"),
            (r"/run/unbound\.ctl", str(directory / "unbound.ctl")),
        ],
        auth_zones,
    )
    server = UnboundServer(directory, port=port, config=config)
    try:
        _start(server)
        wait_for(server, "nx.example.test", "NXDOMAIN")
        assert server.resolve("garden.example.test").cnames == ("walled.example.test.",)
        assert server.resolve("badip.example.test").rcode == "NXDOMAIN"
        assert resolves_to(server.resolve("dyn2.example.test"), "192.0.2.22")  # the first rpz: wins

        recent = ZoneFilePublisher(
            directory / f"{RECENT_ZONE}.db", server.control_argv("auth_zone_reload", RECENT_ZONE)
        )
        recent.publish(policy_zone(records_for(_block(RuleKind.HOST, "dyn1.example.test")), 2, RECENT_ZONE))
        wait_for(server, "dyn1.example.test", "NXDOMAIN")
        assert server.resolve("dyn2.example.test").rcode == "NXDOMAIN"  # passthru gone: rpz.vigil blocks
    finally:
        server.stop()


# -- pure logic: no servers --------------------------------------------------------------


def test_diff_ignores_comments_and_case_and_sees_changed_targets() -> None:
    old = [
        RpzRecord("A.example", "CNAME", ".", "decision=1"),
        RpzRecord("b.example", "CNAME", "walled.example."),
        RpzRecord("c.example", "CNAME", "."),
    ]
    new = [
        RpzRecord("a.example", "cname", ".", "decision=9"),
        RpzRecord("b.example", "CNAME", "."),
        RpzRecord("d.example", "CNAME", "."),
    ]
    added, removed = diff_records(old, new)
    assert added == [RpzRecord("b.example", "CNAME", "."), RpzRecord("d.example", "CNAME", ".")]
    assert removed == [
        RpzRecord("b.example", "CNAME", "walled.example."),
        RpzRecord("c.example", "CNAME", "."),
    ]
    assert diff_records(new, new) == ([], [])


def test_update_messages_group_owners_removals_first_and_make_names_absolute() -> None:
    publisher = DynamicUpdatePublisher("127.0.0.1", 53, "rpz.vigil", "k", "c2VjcmV0", batch_size=2)
    added = [RpzRecord("b.example", "CNAME", "."), RpzRecord("a.example", "CNAME", "walled.example.")]
    removed = [RpzRecord("a.example", "CNAME", "."), RpzRecord("*.c.example", "CNAME", ".")]
    messages = publisher.messages(added, removed)
    texts = [[rrset.to_text() for rrset in message.update] for message in messages]
    assert texts == [
        ["*.c.example.rpz.vigil. 0 NONE CNAME ."],
        ["a.example.rpz.vigil. 0 NONE CNAME .", "a.example.rpz.vigil. 60 IN CNAME walled.example."],
        ["b.example.rpz.vigil. 60 IN CNAME ."],
    ]
    assert all(message.keyname is not None and message.keyname.to_text() == "k." for message in messages)


def test_publisher_arguments_are_checked_without_revealing_the_secret() -> None:
    publisher = DynamicUpdatePublisher("127.0.0.1", 53, "rpz.vigil", "k", "c2VjcmV0")
    with pytest.raises(PublishError, match="not a valid record"):
        publisher.messages([RpzRecord("x" * 64 + ".example", "CNAME", ".")], [])
    with pytest.raises(ValueError, match="not valid base64") as caught:
        DynamicUpdatePublisher("127.0.0.1", 53, "rpz.vigil", "k", "not base64 !!")
    assert "not base64 !!" not in str(caught.value)
    with pytest.raises(ValueError):
        DynamicUpdatePublisher("127.0.0.1", 53, "rpz.vigil", "k", "c2VjcmV0", batch_size=0)


def test_unreachable_server_raises_publish_error() -> None:
    publisher = DynamicUpdatePublisher("127.0.0.1", free_port(), "rpz.vigil", "k", "c2VjcmV0", timeout=2)
    with pytest.raises(PublishError, match="cannot send the UPDATE"):
        publisher.publish_changes(added=[RpzRecord("a.example", "CNAME", ".")])
    nothing = publisher.publish_changes()  # nothing to send: no connection at all
    assert (nothing.added, nothing.removed, nothing.messages) == (0, 0, 0)


def test_zone_file_is_replaced_atomically_keeping_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "rpz.vigil.db"
    path.write_text("old\n")
    path.chmod(0o640)
    marker = tmp_path / "reloaded"
    publisher = ZoneFilePublisher(path, [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('yes')"])
    result = publisher.publish(lambda out: out.write("new zone\n"))
    assert path.read_text() == "new zone\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert marker.read_text() == "yes"
    assert result.bytes_written == len("new zone\n")
    assert sorted(os.listdir(tmp_path)) == ["reloaded", "rpz.vigil.db"]


def test_a_directory_that_cannot_be_synced_does_not_skip_the_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(22, "Invalid argument")  # as some network file systems answer
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "rpz.vigil.db"
    marker = tmp_path / "reloaded"
    publisher = ZoneFilePublisher(path, [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('yes')"])
    publisher.publish("new zone\n")
    assert path.read_text() == "new zone\n"
    assert marker.read_text() == "yes"


def test_failing_slow_or_missing_reload_command_raises(tmp_path: Path) -> None:
    path = tmp_path / "zone.db"
    failing = ZoneFilePublisher(
        path, [sys.executable, "-c", "import sys; sys.exit('rndc: connection refused')"]
    )
    with pytest.raises(PublishError, match=r"reload command failed \(exit 1\): rndc: connection refused"):
        failing.publish("zone\n")
    assert path.read_text() == "zone\n"

    slow = ZoneFilePublisher(path, [sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)
    with pytest.raises(PublishError, match=r"timed out after 0\.2 s"):
        slow.publish("zone\n")
    missing = ZoneFilePublisher(path, ["/nonexistent/rndc", "reload"])
    with pytest.raises(PublishError, match="could not be started"):
        missing.publish("zone\n")

    def broken_writer(out: Any) -> None:
        out.write("half a zone")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        ZoneFilePublisher(path, ["true"]).publish(broken_writer)
    assert sorted(os.listdir(tmp_path)) == ["zone.db"]
    assert path.read_text() == "zone\n"


def test_coalescer_waits_for_a_quiet_window_but_not_past_max_delay() -> None:
    now = [0.0]
    coalescer = Coalescer(window=0.2, max_delay=1.0, clock=lambda: now[0])
    assert coalescer.seconds_until_due() is None
    assert not coalescer.due()
    record = RpzRecord("a.example", "CNAME", ".")
    for step in range(8):  # a change every 150 ms keeps the window open...
        now[0] = step * 0.15
        coalescer.add(added=[record] if step % 2 == 0 else [], removed=[record] if step % 2 else [])
        if now[0] < 1.0:
            assert not coalescer.due()
    assert coalescer.due()  # ...until max_delay
    published: list[tuple[list[RpzRecord], list[RpzRecord]]] = []

    def publish(added: list[RpzRecord], removed: list[RpzRecord]) -> PublishResult:
        published.append((added, removed))
        return PublishResult(added=len(added), removed=len(removed), messages=1)

    assert coalescer.flush_if_due(publish) == PublishResult(removed=1, messages=1)
    assert published == [([], [record])]  # the last change to a record wins
    assert coalescer.flush_if_due(publish) is None


def test_coalescer_requeues_changes_when_publishing_fails() -> None:
    now = [0.0]
    coalescer = Coalescer(window=0.2, clock=lambda: now[0])
    coalescer.add(added=[RpzRecord("a.example", "CNAME", ".")])
    now[0] = 1.0

    def fail(added: list[RpzRecord], removed: list[RpzRecord]) -> PublishResult:
        raise PublishError("no answer")

    with pytest.raises(PublishError):
        coalescer.flush_if_due(fail)
    assert coalescer.pending == 1
