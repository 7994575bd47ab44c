"""Re-resolution and liveness of a watched host: DNS answers now, and is the page still up?

Used by the periodic re-resolution job. A check asks the same questions as a capture's
DNS step, then fetches each watched URL once (no variants, no screenshot, nothing
stored but its status and content hash) through the same SSRF guard.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vigil.lib.fetch import dnsrecords
from vigil.lib.fetch.http import FetchFailed, fetch, open_connector, open_session
from vigil.lib.fetch.pipeline import CaptureConfig, dns_resolver, host_resolver
from vigil.lib.fetch.resolving import Vetter

__all__ = ["HostCheckResult", "UrlCheck", "check_hosts"]


@dataclass(frozen=True, slots=True)
class UrlCheck:
    """One URL's liveness."""

    url: str
    status: int | None
    content_sha256: str
    final_url: str
    error: str = ""


@dataclass(frozen=True, slots=True)
class HostCheckResult:
    """A host's DNS answers now, and its URLs' liveness."""

    host: str
    dns: dnsrecords.DnsSnapshot | None
    urls: tuple[UrlCheck, ...]


async def _check_url(url: str, config: CaptureConfig, vetter: Vetter) -> UrlCheck:
    connector = open_connector(vetter, limit=4)
    session = open_session(connector, config.policy)
    try:
        result = await fetch(url, session=session, vetter=vetter, policy=config.policy)
    except FetchFailed as exc:
        return UrlCheck(url, None, "", "", f"{exc.code}: {exc.message}"[:500])
    finally:
        await session.close()
        await connector.close()
    digest = hashlib.sha256(result.content).hexdigest() if result.content else ""
    return UrlCheck(url, result.status, digest, result.final_url)


async def _check_host(host: str, urls: Sequence[str], config: CaptureConfig) -> HostCheckResult:
    resolver, label = dns_resolver(config)
    snapshot = await dnsrecords.lookup(host, resolver, label=label)
    vetter = Vetter(host_resolver(config), allow_loopback=config.allow_loopback)
    checks = await asyncio.gather(*(_check_url(url, config, vetter) for url in urls))
    return HostCheckResult(host, snapshot, tuple(checks))


async def check_hosts(
    hosts: Mapping[str, Sequence[str]], config: CaptureConfig, *, concurrency: int = 10
) -> list[HostCheckResult]:
    """Check every host (and its URLs), ``concurrency`` hosts at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(host: str, urls: Sequence[str]) -> HostCheckResult:
        async with gate:
            return await _check_host(host, urls, config)

    return list(await asyncio.gather(*(one(host, urls) for host, urls in hosts.items())))
