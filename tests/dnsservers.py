"""Real BIND and Unbound servers in temporary directories, for tests and benches.

Every server binds 127.0.0.1 on a free port and never talks to the Internet: BIND
serves a fake root zone "." itself, and Unbound reads the same root zone (and the test
zones) as auth-zones with ``fallback-enabled: no``, so every name it does not host is
NXDOMAIN. Servers run in the foreground as child processes of the caller (stopped by
their PID on exit), with their configuration, zones and logs in one directory::

    with BindServer(tmp / "bind", zones=[BindZone("rpz.vigil", text=RPZ)],
                    authoritative={"example.test": WORLD}, response_policy=["rpz.vigil"]) as bind:
        assert bind.resolve("blocked.example.test").rcode == "NXDOMAIN"

The classes are plain context managers, so pytest fixtures and bench scripts use them
alike. A missing program raises :class:`MissingServerError`, whose message says which
Debian packages to install.
"""

from __future__ import annotations

import base64
import io
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from vigil.lib.exports.registry import ExportMeta
from vigil.lib.exports.rpz import RpzRecord
from vigil.lib.exports.zonefile import write_records

# Program -> Debian package that ships it.
PROGRAMS = {
    "named": "bind9",
    "named-checkzone": "bind9-utils",
    "rndc": "bind9-utils",
    "unbound": "unbound",
    "unbound-control": "unbound",
    "unbound-checkconf": "unbound",
}
INSTALL_HINT = "apt-get install --no-install-recommends bind9 bind9-utils unbound"

ROOT_ZONE = """\
$TTL 300
.           SOA localhost. root.localhost. 1 3600 600 86400 300
.           NS  localhost.
localhost.  A   127.0.0.1
"""

START_TIMEOUT = 30.0  # seconds; a 1M-record RPZ zone takes ~10 s to load


class MissingServerError(RuntimeError):
    """A DNS server program is not installed."""


def require(*programs: str) -> None:
    """Raise :class:`MissingServerError` naming the packages to install if a program is missing."""
    missing = [name for name in programs or PROGRAMS if shutil.which(name) is None]
    if missing:
        raise MissingServerError(
            f"the DNS tests run real servers; missing programs: {', '.join(missing)}. "
            f"Install them with: {INSTALL_HINT}"
        )


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (DNS needs both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


def wait_until(
    predicate: Callable[[], bool], *, timeout: float, interval: float = 0.02, what: str = "condition"
) -> float:
    """Poll ``predicate`` until it is true; return the seconds waited, or raise TimeoutError."""
    start = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        time.sleep(interval)


@dataclass(frozen=True, slots=True)
class TsigKey:
    """A TSIG key, written into named.conf and handed to the publisher."""

    name: str
    secret: str
    algorithm: str = "hmac-sha256"

    @classmethod
    def generate(cls, name: str) -> TsigKey:
        return cls(name, base64.b64encode(secrets.token_bytes(32)).decode())

    def conf(self) -> str:
        return f'key "{self.name}" {{ algorithm {self.algorithm}; secret "{self.secret}"; }};\n'


@dataclass(frozen=True, slots=True)
class Answer:
    """What a resolver said about a name: rcode, addresses and CNAME targets in the answer."""

    rcode: str
    addresses: tuple[str, ...]
    cnames: tuple[str, ...]

    @classmethod
    def of(cls, response: dns.message.Message) -> Answer:
        addresses, cnames = [], []
        for rrset in response.answer:
            for rdata in rrset:
                if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    addresses.append(rdata.to_text())
                elif rrset.rdtype == dns.rdatatype.CNAME:
                    cnames.append(rdata.to_text())
        return cls(dns.rcode.to_text(response.rcode()), tuple(addresses), tuple(cnames))


def query(port: int, name: str, rdtype: str = "A", *, timeout: float = 2.0, rd: bool = True) -> Answer:
    """Ask 127.0.0.1:``port`` about ``name`` over UDP (TCP if truncated); RD=1 by default."""
    message = dns.message.make_query(name, rdtype)
    if not rd:
        message.flags &= ~dns.flags.RD
    response, _ = dns.query.udp_with_fallback(message, "127.0.0.1", port=port, timeout=timeout)
    return Answer.of(response)


def soa_serial(port: int, zone: str, *, timeout: float = 1.0) -> int | None:
    """The SOA serial 127.0.0.1:``port`` serves for ``zone`` (RD=0), or None if it has none yet."""
    message = dns.message.make_query(zone, "SOA")
    message.flags &= ~dns.flags.RD
    try:
        response = dns.query.udp(message, "127.0.0.1", port=port, timeout=timeout)
    except (dns.exception.Timeout, OSError):
        return None
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return int(rrset[0].serial)
    return None


def zone_meta(origin: str, serial: int = 1, **settings: Any) -> ExportMeta:
    """Export settings for a test policy zone (60 s TTL, NXDOMAIN policy unless told)."""
    return ExportMeta(origin, serial, "2026-11-28T00:00:00+00:00", **{"ttl": 60, **settings})


def zone_text(origin: str, records: Iterable[RpzRecord], *, serial: int = 1) -> str:
    """An RPZ zone holding ``records`` (owners relative to ``origin``), as Vigil writes it."""
    out = io.StringIO()
    write_records(list(records), out, zone_meta(origin, serial))
    return out.getvalue()


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class _Server:
    """Start/stop and readiness shared by both servers."""

    program = ""
    directory: Path
    port: int
    log_path: Path

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def _argv(self) -> list[str]:
        raise NotImplementedError

    def _write_config(self) -> None:
        raise NotImplementedError

    def _ready(self) -> bool:
        try:
            query(self.port, ".", "SOA", timeout=0.2)
        except (dns.exception.Timeout, OSError):
            return False
        return True

    def start(self, *, timeout: float = START_TIMEOUT) -> None:
        """Write the configuration, start the server, and wait until it answers."""
        require(self.program)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._write_config()
        stderr = (self.directory / "stderr.log").open("wb")
        with stderr:
            self.process = subprocess.Popen(self._argv(), cwd=self.directory, stdout=stderr, stderr=stderr)
        try:
            wait_until(self._alive_and_ready, timeout=timeout, what=f"{self.program} answering")
        except BaseException:
            self.stop()
            raise

    def _alive_and_ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.program} exited with {self.process.returncode}:\n{self.diagnostics()}")
        return self._ready()

    def diagnostics(self) -> str:
        """The tail of the server's stderr and log, for failure messages."""
        parts = []
        for path in (self.directory / "stderr.log", self.log_path):
            if path.exists():
                parts.append(
                    f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:])
                )
        return "\n".join(parts)

    def stop(self) -> None:
        _kill(self.process)
        self.process = None

    def resolve(self, name: str, rdtype: str = "A", *, timeout: float = 2.0) -> Answer:
        """A recursive (RD=1) query to this server."""
        return query(self.port, name, rdtype, timeout=timeout)

    def serial(self, zone: str) -> int | None:
        return soa_serial(self.port, zone)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass(frozen=True, slots=True)
class BindZone:
    """A zone in named.conf: a primary loaded from ``text`` (or an existing ``file``) or a secondary."""

    name: str
    text: str | None = None
    file: Path | None = None
    update_key: TsigKey | None = None  # allow-update
    transfer_key: TsigKey | None = None  # allow-transfer (primary); key for the transfer (secondary)
    primary_port: int | None = None  # set => secondary of 127.0.0.1 on this port
    also_notify: tuple[int, ...] = ()  # NOTIFY 127.0.0.1 on these ports
    ixfr_from_differences: bool = False


@dataclass
class BindServer(_Server):
    """named on 127.0.0.1: fake root, authoritative test zones, RPZ primaries/secondaries."""

    directory: Path
    zones: Sequence[BindZone] = ()
    authoritative: Mapping[str, str] = field(default_factory=dict)  # origin -> zone text
    response_policy: Sequence[str] = ()  # policy zone names, first wins
    port: int = 0
    rpz_log: bool = True
    # BIND sends NOTIFYs and SOA queries through rate limiters that, at the default rate
    # of 20/s, tick every 500 ms: a change waits up to 0.5 s on each side. 1000/s ticks
    # every 10 ms. An empty string keeps BIND's defaults.
    rate_options: str = "notify-rate 1000; serial-query-rate 1000;"
    config: str | None = None  # a complete named.conf to use instead of the generated one
    program = "named"

    def __post_init__(self) -> None:
        _Server.__init__(self)
        self.port = self.port or free_port()
        self.control_port = free_port()
        self.rndc_key = TsigKey.generate("rndc-key")
        self.log_path = self.directory / "named.log"

    def _argv(self) -> list[str]:
        return ["named", "-f", "-c", str(self.directory / "named.conf")]

    def zone_path(self, name: str) -> Path:
        """The file named loads ``name`` from (and, for a secondary, saves transfers to)."""
        for zone in self.zones:
            if zone.name == name and zone.file is not None:
                return zone.file
        return self.directory / f"{name.rstrip('.') or 'root'}.db"

    @property
    def rndc_conf(self) -> Path:
        return self.directory / "rndc.conf"

    def rndc_argv(self, *args: str) -> list[str]:
        """An rndc command line for this server, e.g. ``rndc_argv("reload", "rpz.vigil")``."""
        return ["rndc", "-c", str(self.rndc_conf), *args]

    def rndc(self, *args: str) -> str:
        result = subprocess.run(
            self.rndc_argv(*args), capture_output=True, text=True, timeout=30, check=False
        )
        if result.returncode:
            raise RuntimeError(f"rndc {' '.join(args)} failed: {result.stderr or result.stdout}")
        return result.stdout

    def _write_config(self) -> None:
        d = self.directory
        if self.config is not None:
            (d / "named.conf").write_text(self.config)
            return
        keys: dict[str, TsigKey] = {}
        for zone in self.zones:
            for key in (zone.update_key, zone.transfer_key):
                if key is not None:
                    keys[key.name] = key
        (d / "root.db").write_text(ROOT_ZONE)
        zone_conf = [f'zone "." {{ type primary; file "{d / "root.db"}"; }};']
        for origin, text in self.authoritative.items():
            path = self.zone_path(origin)
            path.write_text(text)
            zone_conf.append(f'zone "{origin}" {{ type primary; file "{path}"; }};')
        for zone in self.zones:
            zone_conf.append(self._zone_conf(zone))
        policy = ""
        if self.response_policy:
            listed = " ".join(
                f'zone "{name}"{"" if self.rpz_log else " log no"};' for name in self.response_policy
            )
            # min-update-interval 0: the default (60 s) defers applying a changed policy zone.
            policy = f"response-policy {{ {listed} }} qname-wait-recurse no min-update-interval 0;"
        rpz_channel = (
            f'channel rpzlog {{ file "{d / "rpz.log"}"; print-time yes; severity info; }};'
            if self.rpz_log
            else ""
        )
        conf = f"""\
{"".join(key.conf() for key in keys.values())}{self.rndc_key.conf()}
controls {{
    inet 127.0.0.1 port {self.control_port} allow {{ 127.0.0.1; }} keys {{ "{self.rndc_key.name}"; }};
}};
options {{
    directory "{d}";
    pid-file "{d / "named.pid"}";
    session-keyfile "{d / "session.key"}";
    managed-keys-directory "{d}";
    listen-on port {self.port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion yes;
    allow-recursion {{ 127.0.0.1; }};
    allow-query {{ 127.0.0.1; }};
    dnssec-validation no;
    notify explicit;
    notify-delay 0;
    {self.rate_options}
    {policy}
}};
{chr(10).join(zone_conf)}
logging {{
    channel main {{ file "{self.log_path}"; print-time yes; severity info; }};
    {rpz_channel}
    category default {{ main; }};
    category rpz {{ {"rpzlog" if self.rpz_log else "main"}; }};
    category lame-servers {{ null; }};
}};
"""
        (d / "named.conf").write_text(conf)
        self.rndc_conf.write_text(
            self.rndc_key.conf()
            + f'options {{ default-key "{self.rndc_key.name}"; default-server 127.0.0.1; '
            f"default-port {self.control_port}; }};\n"
        )

    def _zone_conf(self, zone: BindZone) -> str:
        path = self.zone_path(zone.name)
        lines = [f'zone "{zone.name}" {{']
        if zone.primary_port is not None:
            key = f' key "{zone.transfer_key.name}"' if zone.transfer_key else ""
            lines += [
                "    type secondary;",
                f"    primaries {{ 127.0.0.1 port {zone.primary_port}{key}; }};",
                "    allow-notify { 127.0.0.1; };",
                "    request-ixfr yes;",
            ]
        else:
            if zone.text is not None:
                path.write_text(zone.text)
            lines.append("    type primary;")
            if zone.update_key is not None:
                lines.append(f'    allow-update {{ key "{zone.update_key.name}"; }};')
            # The update key may also transfer, so the publisher can read back what it published.
            readers = [key for key in (zone.transfer_key, zone.update_key) if key is not None]
            if readers:
                allowed = " ".join(f'key "{key.name}";' for key in readers)
                lines.append(f"    allow-transfer {{ {allowed} }};")
            if zone.ixfr_from_differences:
                lines.append("    ixfr-from-differences yes;")
        if zone.also_notify:
            ports = " ".join(f"127.0.0.1 port {port};" for port in zone.also_notify)
            lines.append(f"    also-notify {{ {ports} }};")
        lines += [f'    file "{path}";', "};"]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class UnboundRpz:
    """An ``rpz:`` block: loaded from ``file`` (written from ``text`` if given)."""

    name: str
    text: str | None = None
    file: Path | None = None


@dataclass
class UnboundServer(_Server):
    """unbound on 127.0.0.1 with ``rpz:`` zones, the fake root and the test zones as auth-zones."""

    directory: Path
    rpz: Sequence[UnboundRpz] = ()
    authoritative: Mapping[str, str] = field(default_factory=dict)
    port: int = 0
    module_config: str = "respip iterator"  # respip does RPZ (and rpz-ip); verified on 1.17.1
    config: str | None = None  # a complete unbound.conf to use instead of the generated one
    program = "unbound"

    def __post_init__(self) -> None:
        _Server.__init__(self)
        self.port = self.port or free_port()
        self.control_port = free_port()
        self.log_path = self.directory / "unbound.log"

    def _argv(self) -> list[str]:
        return ["unbound", "-d", "-c", str(self.conf_path)]

    @property
    def conf_path(self) -> Path:
        return self.directory / "unbound.conf"

    def zone_path(self, name: str) -> Path:
        for zone in self.rpz:
            if zone.name == name and zone.file is not None:
                return zone.file
        return self.directory / f"{name.rstrip('.') or 'root'}.db"

    def control_argv(self, *args: str) -> list[str]:
        """An unbound-control command line, e.g. ``control_argv("auth_zone_reload", "rpz.vigil")``."""
        return ["unbound-control", "-c", str(self.conf_path), *args]

    def control(self, *args: str) -> str:
        result = subprocess.run(
            self.control_argv(*args), capture_output=True, text=True, timeout=30, check=False
        )
        if result.returncode:
            raise RuntimeError(f"unbound-control {' '.join(args)} failed: {result.stderr or result.stdout}")
        return result.stdout

    def _write_config(self) -> None:
        d = self.directory
        if self.config is not None:
            self.conf_path.write_text(self.config)
            self._check_config()
            return
        blocks = []
        for origin, text in {".": ROOT_ZONE, **self.authoritative}.items():
            path = self.zone_path(origin)
            path.write_text(text)
            # Served to the iterator only, never straight to clients, and never fetched elsewhere.
            blocks.append(
                f'auth-zone:\n    name: "{origin}"\n    zonefile: "{path}"\n'
                "    for-downstream: no\n    for-upstream: yes\n    fallback-enabled: no\n"
            )
        for zone in self.rpz:
            path = self.zone_path(zone.name)
            if zone.text is not None:
                path.write_text(zone.text)
            blocks.append(
                f'rpz:\n    name: "{zone.name}"\n    zonefile: "{path}"\n'
                f'    rpz-log: yes\n    rpz-log-name: "{zone.name}"\n'
            )
        conf = f"""\
server:
    interface: 127.0.0.1@{self.port}
    port: {self.port}
    do-ip6: no
    username: ""
    chroot: ""
    directory: "{d}"
    pidfile: "{d / "unbound.pid"}"
    logfile: "{self.log_path}"
    use-syslog: no
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    module-config: "{self.module_config}"
    # .test is a built-in NXDOMAIN local zone (RFC 6761) unless this says otherwise.
    local-zone: "test." nodefault
    do-not-query-localhost: no
{"".join(blocks)}
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: {self.control_port}
    control-use-cert: no
"""
        self.conf_path.write_text(conf)
        self._check_config()

    def _check_config(self) -> None:
        result = subprocess.run(
            ["unbound-checkconf", str(self.conf_path)], capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise RuntimeError(f"unbound-checkconf: {result.stdout}{result.stderr}")
