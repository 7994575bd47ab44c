"""The SSRF guard: every refused range, names resolving inward, redirects inward, rebinding.

A tripwire (``no_outside_connections``) fails any test that opens a socket to anything
but 127.0.0.1, so a broken guard can never send a packet elsewhere.
"""

from __future__ import annotations

import ipaddress

import aiohttp
import pytest

from tests.collection.helpers import capture_now, run_async
from vigil.lib.fetch.addresses import REFUSED_RANGES, AddressRefused, display, refusal
from vigil.lib.fetch.http import FetchFailed, FetchPolicy, fetch, open_connector, open_session
from vigil.lib.fetch.pipeline import CaptureConfig, CaptureFailed, capture
from vigil.lib.fetch.resolving import PinnedResolver, SystemResolver, Vetter

POLICY = FetchPolicy(user_agent="test", timeout=5)


def _config(**changes: object) -> CaptureConfig:
    base = {
        "policy": POLICY,
        "crawler_user_agent": "Googlebot",
        "mobile_user_agent": "Mobile",
        "allow_loopback": True,
    }
    base.update(changes)
    return CaptureConfig(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("refused", REFUSED_RANGES, ids=lambda r: str(r.network))
def test_every_refused_range_is_refused_with_its_reason(refused):
    network = refused.network
    for address in (network.network_address, network[network.num_addresses // 2], network[-1]):
        reason = refusal(address)
        assert reason is not None, address
        assert display(address) in reason
    first = refusal(network[network.num_addresses // 2])
    assert refused.reason in first or "not a globally routable" in first


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("127.0.0.1", "loopback"),
        ("10.20.30.40", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.1.2.3", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:10.0.0.1", "hiding 10.0.0.1"),
        ("64:ff9b::a00:1", "NAT64"),
        ("2002:a00:1::1", "6to4"),
        ("2001:db8::1", "documentation"),
        ("fe80::1%eth0", "zone"),
    ],
)
def test_refusal_names_the_kind_of_address(address, words):
    assert words in refusal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"])
def test_public_addresses_are_allowed(address):
    assert refusal(address) is None


def test_loopback_allowance_is_127_0_0_1_and_nothing_else():
    assert refusal("127.0.0.1", allow_loopback=True) is None
    for other in ("127.0.0.2", "127.1.1.1", "::1", "::ffff:127.0.0.1", "10.0.0.1", "0.0.0.0"):
        assert refusal(other, allow_loopback=True) is not None, other
    assert refusal("127.0.0.1") is not None


URL_LITERALS = [
    "http://10.0.0.1/",
    "http://192.168.0.1/admin",
    "http://172.31.255.255/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.1.1/",
    "http://0.0.0.0:{port}/",
    "http://127.0.0.2:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:a00:1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://224.0.0.1/",
    "http://0x7f000002:{port}/",
    "http://2130706434:{port}/",
    "http://0177.0.0.2:{port}/",
]


@pytest.mark.parametrize("template", URL_LITERALS)
def test_address_literals_in_urls_are_refused_before_connecting(template, web, no_outside_connections):
    url = template.format(port=web.port)
    with pytest.raises(CaptureFailed) as caught:
        run_async(capture(url, _config(), lambda event: None))
    assert caught.value.code == "refused_address", caught.value.message
    assert caught.value.step == "dns"
    assert no_outside_connections == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::1]:{port}/harmless",
        "http://127.0.0.2:{port}/harmless",
        "http://0x7f000002:{port}/harmless",
        "http://192.168.1.1:8080/",
    ],
)
def test_redirects_into_private_space_are_refused(target, web, no_outside_connections):
    url = web.url("/to?url=" + target.format(port=web.port))
    with pytest.raises(CaptureFailed) as caught:
        run_async(capture(url, _config(), lambda event: None))
    assert (caught.value.step, caught.value.code) == ("fetch", "refused_address")
    assert "redirect" not in caught.value.message or target.split("/")[2] in caught.value.message
    assert set(no_outside_connections) == {"127.0.0.1"}  # the first hop only


def test_name_resolving_to_loopback_is_refused_unless_allowed(no_outside_connections, web):
    # "localhost" goes through the system resolver (no capture resolver configured).
    with pytest.raises(CaptureFailed) as caught:
        run_async(capture(f"http://localhost:{web.port}/harmless", _config(allow_loopback=False), print))
    assert caught.value.code == "refused_address"
    assert "loopback" in caught.value.message
    outcome = run_async(capture(f"http://localhost:{web.port}/harmless", _config(), lambda e: None))
    assert outcome.status == 200  # allowed: 127.0.0.1; ::1 was refused and not used
    assert outcome.facts["vetted"]["localhost"]["addresses"] == ["127.0.0.1"]


class ChangingResolver:
    """Answers 127.0.0.1 the first time and a private address afterwards (DNS rebinding)."""

    def __init__(self) -> None:
        self.calls = 0

    async def addresses(self, host: str) -> list[str]:
        self.calls += 1
        return ["127.0.0.1"] if self.calls == 1 else ["10.0.0.1"]


def test_a_dns_answer_that_changes_after_the_check_cannot_redirect_the_connection(
    web, no_outside_connections
):
    async def run() -> list[int]:
        resolver = ChangingResolver()
        vetter = Vetter(resolver, allow_loopback=True)
        connector = open_connector(vetter)
        statuses = []
        try:
            for _ in range(3):
                session = open_session(connector, POLICY)
                result = await fetch(
                    f"http://rebind.example.test:{web.port}/harmless",
                    session=session,
                    vetter=vetter,
                    policy=POLICY,
                )
                await session.close()
                statuses.append(result.status)
                assert result.final.remote_address == "127.0.0.1"
        finally:
            await connector.close()
        assert resolver.calls == 1  # resolved once, then only the pinned, vetted address is used
        return statuses

    assert run_async(run()) == [200, 200, 200]
    assert set(no_outside_connections) == {"127.0.0.1"}


def test_the_connector_refuses_hosts_that_were_not_vetted(web, no_outside_connections):
    async def run() -> None:
        vetter = Vetter(SystemResolver(), allow_loopback=True)
        resolver = PinnedResolver(vetter)
        with pytest.raises(OSError, match="not vetted"):
            await resolver.resolve("unvetted.example.test", 80)
        # Even if vetting were skipped, the session cannot connect to an unvetted name.
        connector = open_connector(vetter)
        session = open_session(connector, POLICY)
        try:
            with pytest.raises(aiohttp.ClientConnectorError) as caught:
                await session.get(f"http://unvetted.example.test:{web.port}/")
            assert "not vetted" in str(caught.value.os_error)
        finally:
            await session.close()
            await connector.close()

    run_async(run())
    assert no_outside_connections == []


def test_the_connector_rechecks_the_peer_before_sending(web, no_outside_connections, monkeypatch):
    async def run() -> None:
        vetter = Vetter(SystemResolver(), allow_loopback=True)
        await vetter.vet("127.0.0.1")
        monkeypatch.setattr(vetter, "is_pinned_address", lambda host, address: False)
        connector = open_connector(vetter)
        session = open_session(connector, POLICY)
        try:
            with pytest.raises(FetchFailed) as caught:
                await fetch(web.url("/harmless"), session=session, vetter=vetter, policy=POLICY)
            assert caught.value.code == "refused_address"
        finally:
            await session.close()
            await connector.close()

    before = len(web.requests)
    run_async(run())
    assert len(web.requests) == before, "no request may be sent on a connection to an unvetted peer"


@pytest.mark.dns
@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("private.example.test", "10.0.0.1 is a private address"),
        ("metadata.example.test", "169.254.169.254 is a link-local address"),
        ("loop6.example.test", "::1 is a loopback address"),
        ("mapped.example.test", "IPv4-mapped"),
    ],
)
def test_names_resolving_to_refused_addresses_fail_at_the_dns_step(
    name, words, analyst, web, resolver_settings, no_outside_connections
):
    capture = capture_now(analyst, f"http://{name}:{web.port}/harmless")
    assert (capture.state, capture.failure_step, capture.failure_code) == ("failed", "dns", "refused_address")
    assert words in capture.failure_message
    assert not capture.artefacts.exists() and not capture.case.evidence.exists()
    assert no_outside_connections == []


@pytest.mark.dns
def test_name_resolving_to_127_0_0_1_is_refused_when_loopback_is_not_allowed(
    analyst, web, resolver_settings, settings, no_outside_connections
):
    settings.VIGIL_FETCH_ALLOW_LOOPBACK = False
    capture = capture_now(analyst, f"http://bank.example.test:{web.port}/bank/login")
    assert (capture.failure_step, capture.failure_code) == ("dns", "refused_address")
    assert "127.0.0.1 is a loopback address" in capture.failure_message
    assert no_outside_connections == []


@pytest.mark.dns
def test_a_name_with_public_and_private_answers_uses_only_the_allowed_one(
    analyst, web, resolver_settings, no_outside_connections
):
    capture = capture_now(analyst, f"http://mixed.example.test:{web.port}/harmless")
    assert capture.state == "succeeded"
    vetted = capture.summary["vetted"]["mixed.example.test"]
    assert vetted["addresses"] == ["127.0.0.1"]
    assert any("10.9.8.7 is a private address" in reason for reason in vetted["refused"])
    assert set(no_outside_connections) == {"127.0.0.1"}


def test_refusal_covers_every_ipv6_address_that_embeds_ipv4():
    for embedded in ("::ffff:8.8.8.8", "64:ff9b::808:808", "::8.8.8.8"):
        assert refusal(embedded) is not None, embedded
    assert isinstance(AddressRefused("h", ("r",)), Exception)
    assert ipaddress.ip_address("::ffff:8.8.8.8").ipv4_mapped is not None
