"""DNS answers at capture time (A, AAAA, CNAME, NS, MX), asked with dnspython.

The answers are evidence of where a name pointed when the page was captured, and the
history that re-resolution keeps. NS is asked of the zone the name lives in (found by
walking up the name), since a host name rarely has NS records of its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.name
import dns.resolver

__all__ = ["RECORD_TYPES", "DnsAnswer", "DnsSnapshot", "lookup", "system_resolver"]

RECORD_TYPES = ("A", "AAAA", "CNAME", "NS", "MX")


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """One question and what the server said."""

    name: str
    rdtype: str
    status: str  # NOERROR, NODATA, NXDOMAIN, TIMEOUT, SERVFAIL, ERROR
    ttl: int | None
    values: tuple[str, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DnsSnapshot:
    """Every answer for one host, with the server asked and when."""

    host: str
    resolver: str
    asked_at: str
    answers: tuple[DnsAnswer, ...]
    zone: str = ""

    def values(self, rdtype: str) -> tuple[str, ...]:
        """All values of one type (in answer order)."""
        return tuple(v for answer in self.answers if answer.rdtype == rdtype for v in answer.values)

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.values("A") + self.values("AAAA")

    @property
    def nxdomain(self) -> bool:
        return any(answer.status == "NXDOMAIN" for answer in self.answers if answer.rdtype in {"A", "AAAA"})

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return asdict(self)


def system_resolver(timeout: float = 5.0) -> dns.asyncresolver.Resolver:
    """dnspython with the machine's /etc/resolv.conf."""
    resolver = dns.asyncresolver.Resolver(configure=True)
    resolver.lifetime = timeout
    return resolver


def server_resolver(server: str, port: int, timeout: float = 5.0) -> dns.asyncresolver.Resolver:
    """dnspython asking exactly one server."""
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [server]
    resolver.port = port
    resolver.lifetime = timeout
    resolver.timeout = timeout
    return resolver


async def _ask(resolver: dns.asyncresolver.Resolver, name: str, rdtype: str) -> DnsAnswer:
    try:
        answer = await resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return DnsAnswer(name, rdtype, "NXDOMAIN", None, ())
    except (dns.resolver.LifetimeTimeout, dns.exception.Timeout):
        return DnsAnswer(name, rdtype, "TIMEOUT", None, (), "no answer in time")
    except dns.resolver.NoNameservers as exc:
        return DnsAnswer(name, rdtype, "SERVFAIL", None, (), str(exc)[:300])
    except dns.exception.DNSException as exc:
        return DnsAnswer(name, rdtype, "ERROR", None, (), str(exc)[:300])
    rrset = answer.rrset
    if rrset is None:
        return DnsAnswer(name, rdtype, "NODATA", None, ())
    values = tuple(sorted(rdata.to_text() for rdata in rrset))
    return DnsAnswer(name, rdtype, "NOERROR", int(rrset.ttl), values)


async def _zone_of(resolver: dns.asyncresolver.Resolver, host: str) -> str:
    try:
        zone = await dns.asyncresolver.zone_for_name(host, resolver=resolver)
    except dns.exception.DNSException:
        return ""
    return zone.to_text().rstrip(".") or "."


async def lookup(host: str, resolver: dns.asyncresolver.Resolver, *, label: str = "") -> DnsSnapshot:
    """Ask every record type for ``host`` at once; failures become answers, never exceptions."""
    asked_at = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    name = host.rstrip(".")
    answers = list(
        await asyncio.gather(*(_ask(resolver, name, rdtype) for rdtype in ("A", "AAAA", "CNAME", "MX")))
    )
    zone = ""
    ns = await _ask(resolver, name, "NS")
    if ns.status == "NODATA" or (ns.status == "NOERROR" and not ns.values):
        zone = await _zone_of(resolver, name)
        if zone and zone != name and dns.name.from_text(zone) != dns.name.root:
            ns = await _ask(resolver, zone, "NS")
    elif ns.status == "NOERROR":
        zone = name
    answers.insert(3, ns)
    where = label or ",".join(f"{server}" for server in resolver.nameservers)
    if not label and getattr(resolver, "port", 53) != 53:
        where = f"{where}:{resolver.port}"
    return DnsSnapshot(name, where, asked_at, tuple(answers), zone)
