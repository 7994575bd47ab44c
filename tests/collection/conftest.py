"""Fixtures for capture tests: the local web server, capture settings, a BIND with test names."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.webfixtures import SelfSignedCert, WebFixtures

# Names the test BIND serves: where they point decides what the SSRF guard must do.
EXAMPLE_ZONE = """\
$TTL 60
@            SOA ns1.example.test. admin.example.test. 1 3600 600 86400 60
@            NS  ns1.example.test.
@            NS  ns2.example.test.
@            MX  10 mail.example.test.
ns1          A   127.0.0.1
ns2          A   127.0.0.1
bank         A   127.0.0.1
www.bank     CNAME bank
private      A   10.0.0.1
metadata     A   169.254.169.254
loop6        AAAA ::1
mapped       AAAA ::ffff:127.0.0.1
mixed        A   127.0.0.1
mixed        A   10.9.8.7
"""
OTHER_ZONE = """\
$TTL 60
@            SOA ns1.other.test. admin.other.test. 1 3600 600 86400 60
@            NS  ns1.other.test.
ns1          A   127.0.0.1
clone        A   127.0.0.1
"""


@pytest.fixture(scope="session")
def web() -> Iterator[WebFixtures]:
    """The fixture web server on http://127.0.0.1:<port>."""
    with WebFixtures() as server:
        yield server


@pytest.fixture(scope="session")
def canary() -> Iterator[WebFixtures]:
    """A second server that nothing may ever reach (the browser's isolation is checked against it)."""
    with WebFixtures() as server:
        yield server


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return SelfSignedCert.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def tls_web(tls_cert: SelfSignedCert) -> Iterator[WebFixtures]:
    """The fixture web server over HTTPS with a self-signed certificate."""
    with WebFixtures(tls=tls_cert) as server:
        yield server


@pytest.fixture(autouse=True)
def capture_settings(settings: Any, tmp_path: Any) -> Any:
    """Captures may reach 127.0.0.1 (and nothing else), run without a browser, sign with a test key."""
    from vigil.collection.services import config

    settings.VIGIL_FETCH_ALLOW_LOOPBACK = True
    settings.VIGIL_CAPTURE_BROWSER = "off"
    settings.VIGIL_CAPTURE_RESOLVER = ""
    settings.VIGIL_CAPTURE_TIMEOUT = 10
    settings.VIGIL_CAPTURE_MAX_BYTES = 2 * 1024 * 1024
    settings.VIGIL_CAPTURE_SIGNING_KEY_FILE = tmp_path / "capture-signing-key.pem"
    settings.VIGIL_CAPTURE_COLLECTOR = "vigil-test-collector"
    config._key_at.cache_clear()
    yield settings
    config._key_at.cache_clear()


@pytest.fixture(autouse=True)
def _services_in_english(english: None) -> None:
    """Every collection test reads English messages (see the ``english`` fixture)."""


@pytest.fixture
def no_outside_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A tripwire: any socket connection to an address other than 127.0.0.1 fails the test.

    The guard must refuse before connecting; this makes sure a bug cannot send a packet
    to a private or public address even while the test fails.
    """
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        attempts.append(host)
        if host not in {"127.0.0.1"} and self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"tried to connect to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture(scope="session")
def bind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """BIND on 127.0.0.1 serving example.test and other.test (the capture resolver in DNS tests)."""
    from tests.dnsservers import BindServer

    with BindServer(
        tmp_path_factory.mktemp("bind"),
        authoritative={"example.test": EXAMPLE_ZONE, "other.test": OTHER_ZONE},
        rpz_log=False,
    ) as server:
        yield server


@pytest.fixture
def resolver_settings(settings: Any, bind: Any) -> Any:
    """Point captures at the test BIND."""
    settings.VIGIL_CAPTURE_RESOLVER = f"127.0.0.1:{bind.port}"
    return bind
