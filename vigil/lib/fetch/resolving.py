"""Resolve a host once, vet every answer, and let the HTTP client connect only there.

The SSRF guard works in two halves. :class:`Vetter` resolves a name (through a
configured DNS server with dnspython, or the system's resolver), checks every address
with :func:`~vigil.lib.fetch.addresses.refusal`, and *pins* the addresses it accepted.
:class:`PinnedResolver` is the only resolver the HTTP client's connector has: it answers
with the pinned addresses and refuses any host that was not vetted. A DNS answer that
changes between the check and the connection therefore cannot redirect the connection:
there is no second lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.resolver
from aiohttp.abc import AbstractResolver, ResolveResult

from vigil.lib.fetch.addresses import AddressRefused, parse_ip, refusal
from vigil.lib.ips import ipv4_from_labels, looks_numeric

__all__ = [
    "DnsServerResolver",
    "HostResolver",
    "PinnedResolver",
    "ResolveFailed",
    "SystemResolver",
    "Vetted",
    "Vetter",
    "numeric_host",
]


class ResolveFailed(Exception):
    """A name could not be resolved (``code``: nxdomain, no_address, dns_timeout, dns_error)."""

    def __init__(self, host: str, code: str, message: str) -> None:
        super().__init__(message)
        self.host = host
        self.code = code
        self.message = message


class HostResolver(Protocol):
    """Turns a host name into IP address strings (both families)."""

    async def addresses(self, host: str) -> list[str]:
        """Every A and AAAA answer, or :class:`ResolveFailed`."""
        ...


@dataclass(frozen=True, slots=True)
class DnsServerResolver:
    """Ask one DNS server (``host``, ``port``) with dnspython; the configured capture resolver."""

    server: str
    port: int = 53
    timeout: float = 5.0

    def resolver(self) -> dns.asyncresolver.Resolver:
        """A dnspython resolver bound to the server (no /etc/resolv.conf)."""
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [self.server]
        resolver.port = self.port
        resolver.lifetime = self.timeout
        resolver.timeout = self.timeout
        return resolver

    async def addresses(self, host: str) -> list[str]:
        resolver = self.resolver()
        found: list[str] = []
        failures: list[Exception] = []
        answers = await asyncio.gather(
            resolver.resolve(host, "A", raise_on_no_answer=False),
            resolver.resolve(host, "AAAA", raise_on_no_answer=False),
            return_exceptions=True,
        )
        for answer in answers:
            if isinstance(answer, BaseException):
                if not isinstance(answer, Exception):
                    raise answer
                failures.append(answer)
                continue
            found.extend(rdata.to_text() for rdata in answer.rrset or ())
        if found:
            return found
        raise _as_failure(host, failures)


def _as_failure(host: str, failures: Sequence[Exception]) -> ResolveFailed:
    for failure in failures:
        if isinstance(failure, dns.resolver.NXDOMAIN):
            return ResolveFailed(host, "nxdomain", f"{host}: the name does not exist (NXDOMAIN)")
    for failure in failures:
        if isinstance(failure, dns.exception.Timeout | dns.resolver.LifetimeTimeout):
            return ResolveFailed(host, "dns_timeout", f"{host}: the DNS server did not answer in time")
    if failures:
        return ResolveFailed(host, "dns_error", f"{host}: DNS lookup failed ({failures[0]})")
    return ResolveFailed(host, "no_address", f"{host}: the name has no A or AAAA record")


@dataclass(frozen=True, slots=True)
class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), used when no DNS server is configured."""

    async def addresses(self, host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                raise ResolveFailed(host, "nxdomain", f"{host}: the name does not exist") from exc
            raise ResolveFailed(host, "dns_error", f"{host}: DNS lookup failed ({exc})") from exc
        found: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in found:
                found.append(address)
        if not found:
            raise ResolveFailed(host, "no_address", f"{host}: the name has no address")
        return found


def numeric_host(host: str) -> str | None:
    """The dotted-quad a numeric host spells (``2130706433``, ``0x7f.1``), or None for a name.

    >>> numeric_host("2130706433"), numeric_host("0x7f.1"), numeric_host("example.com")
    ('127.0.0.1', '127.0.0.1', None)
    """
    labels = host.rstrip(".").split(".")
    if not labels or not labels[-1] or not looks_numeric(labels[-1]):
        return None
    try:
        return ipv4_from_labels(labels)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Vetted:
    """A host and the addresses a fetch may connect to, with those it refused."""

    host: str
    addresses: tuple[str, ...]
    refused: tuple[str, ...] = ()
    literal: bool = False


@dataclass
class Vetter:
    """Resolves and vets hosts for one capture; the pins it keeps feed :class:`PinnedResolver`."""

    resolver: HostResolver
    allow_loopback: bool = False
    pins: dict[str, Vetted] = field(default_factory=dict)
    lookups: int = 0

    def vet_literal(self, host: str) -> Vetted | None:
        """Vet a host that is an IP address (in any spelling); None for a name."""
        ip = parse_ip(host)
        if ip is None:
            numeric = numeric_host(host)
            if numeric is None:
                return None
            ip = ipaddress.ip_address(numeric)
        reason = refusal(ip, allow_loopback=self.allow_loopback)
        if reason is not None:
            raise AddressRefused(host, (reason,))
        vetted = Vetted(host, (str(ip),), literal=True)
        self.pins[host] = vetted
        return vetted

    async def vet(self, host: str, *, answers: Sequence[str] | None = None) -> Vetted:
        """Vet ``host`` (resolving it once per capture); raises on refusal or DNS failure."""
        host = host.lower().rstrip(".")
        if host in self.pins:
            return self.pins[host]
        literal = self.vet_literal(host)
        if literal is not None:
            return literal
        if answers is None:
            self.lookups += 1
            answers = await self.resolver.addresses(host)
        allowed: list[str] = []
        refused: list[str] = []
        for address in answers:
            reason = refusal(address, allow_loopback=self.allow_loopback)
            if reason is None:
                if address not in allowed:
                    allowed.append(address)
            else:
                refused.append(reason)
        if not allowed:
            raise AddressRefused(host, tuple(refused) or ("no address",))
        vetted = Vetted(host, tuple(allowed), tuple(refused))
        self.pins[host] = vetted
        return vetted

    def is_pinned_address(self, host: str, address: str) -> bool:
        """True when ``address`` is one the vetter accepted for ``host``."""
        vetted = self.pins.get(host.lower().rstrip("."))
        if vetted is None:
            return False
        ip = parse_ip(address)
        return ip is not None and any(parse_ip(pinned) == ip for pinned in vetted.addresses)


class PinnedResolver(AbstractResolver):
    """The HTTP connector's resolver: vetted pins only, never a new lookup."""

    def __init__(self, vetter: Vetter) -> None:
        self.vetter = vetter

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        vetted = self.vetter.pins.get(host.lower().rstrip("."))
        if vetted is None:
            raise OSError(f"{host} was not vetted before connecting")
        results: list[ResolveResult] = []
        for address in vetted.addresses:
            ip = ipaddress.ip_address(address)
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": port,
                    "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        return results

    async def close(self) -> None:
        return None
