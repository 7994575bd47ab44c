"""One capture, step by step: DNS, fetch, TLS, variants, extraction, screenshot, WARC.

:func:`capture` reports each step's progress through a callback (the worker shows it
in the UI as it runs) and returns a :class:`CaptureOutcome` holding every artefact as
bytes. It writes nothing anywhere: storing the artefacts as evidence, all at once, is
the caller's job. A step that makes the capture impossible raises
:class:`CaptureFailed` naming the step, a code and a reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from vigil.lib.fetch import dnsrecords
from vigil.lib.fetch.addresses import AddressRefused, parse_ip
from vigil.lib.fetch.browser import BrowserShot, Fulfilment, ScreenshotBrowser
from vigil.lib.fetch.cloaking import Comparison, Variant, compare
from vigil.lib.fetch.http import (
    Exchange,
    FetchFailed,
    FetchPolicy,
    FetchResult,
    Limit,
    fetch,
    open_connector,
    open_session,
)
from vigil.lib.fetch.page import ExtractedPage, extract_page
from vigil.lib.fetch.resolving import (
    DnsServerResolver,
    HostResolver,
    ResolveFailed,
    SystemResolver,
    Vetter,
    numeric_host,
)
from vigil.lib.fetch.tls import TlsFacts
from vigil.lib.fetch.warc import TaggedExchange, write_warc

__all__ = [
    "STEPS",
    "CaptureConfig",
    "CaptureFailed",
    "CaptureOutcome",
    "Event",
    "capture",
]

STEPS = ("dns", "fetch", "tls", "variants", "extract", "screenshot", "warc")
HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})
RESOURCE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CaptureConfig:
    """Everything a capture needs to know, read once from the deployment's settings."""

    policy: FetchPolicy
    crawler_user_agent: str
    mobile_user_agent: str
    resolver: tuple[str, int] | None = None  # None: the system's resolver
    allow_loopback: bool = False
    dns_timeout: float = 5.0
    browser_executable: str | None = None
    browser_timeout: float = 20.0
    max_resources: int = 30
    software: str = "vigil"
    collector: str = "vigil"


@dataclass(frozen=True, slots=True)
class Event:
    """Progress: a step changed state (``kind="step"``) or a log line (``kind="log"``)."""

    kind: str
    step: str
    state: str = ""  # running, done, skipped, warning, failed (steps); info, warning, error (logs)
    message: str = ""


class CaptureFailed(Exception):
    """The capture cannot go on: which step, a stable code, and why."""

    def __init__(self, step: str, code: str, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CaptureOutcome:
    """Every artefact of a finished capture, and the facts drawn from them."""

    requested_url: str
    final_url: str
    status: int
    media_type: str
    started_at: str
    finished_at: str
    content: bytes
    page: ExtractedPage | None
    dns: dnsrecords.DnsSnapshot | None
    tls: TlsFacts | None
    limits: tuple[Limit, ...]
    variants: tuple[Comparison, ...]
    cloaking_suspected: bool
    screenshot: BrowserShot | None
    warc: bytes
    facts: dict[str, Any]
    text: bytes
    exchanges: tuple[TaggedExchange, ...] = field(default=())


Emit = Callable[[Event], None]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


class _Steps:
    def __init__(self, emit: Emit) -> None:
        self.emit = emit
        self.current = ""
        self.started = 0.0

    def start(self, step: str) -> None:
        self.current, self.started = step, time.monotonic()
        self.emit(Event("step", step, "running"))

    def end(self, state: str = "done", message: str = "") -> None:
        took = f"{(time.monotonic() - self.started) * 1000:.0f} ms"
        self.emit(Event("step", self.current, state, f"{message} ({took})" if message else took))

    def log(self, message: str, level: str = "info") -> None:
        self.emit(Event("log", self.current, level, message))

    def skip(self, step: str, why: str) -> None:
        self.emit(Event("step", step, "skipped", why))


def host_resolver(config: CaptureConfig) -> HostResolver:
    if config.resolver is None:
        return SystemResolver()
    return DnsServerResolver(config.resolver[0], config.resolver[1], config.dns_timeout)


def dns_resolver(config: CaptureConfig) -> tuple[Any, str]:
    if config.resolver is None:
        return dnsrecords.system_resolver(config.dns_timeout), "system resolver"
    server, port = config.resolver
    return dnsrecords.server_resolver(server, port, config.dns_timeout), f"{server}:{port}"


async def _dns_step(
    url: str, config: CaptureConfig, vetter: Vetter, steps: _Steps
) -> dnsrecords.DnsSnapshot | None:
    steps.start("dns")
    host = (urlsplit(url).hostname or "").lower()
    try:
        if parse_ip(host) is not None or numeric_host(host) is not None:
            vetter.vet_literal(host)
            steps.end("done", f"{host} is an IP address: no DNS lookup")
            return None
        resolver, label = dns_resolver(config)
        snapshot = await dnsrecords.lookup(host, resolver, label=label)
        for answer in snapshot.answers:
            shown = ", ".join(answer.values) if answer.values else answer.status
            steps.log(f"{answer.rdtype} {answer.name}: {shown}")
        # With the system's resolver, getaddrinfo (hosts file included) decides; the
        # snapshot is only the record of what DNS said.
        answers = snapshot.addresses if config.resolver is not None else None
        if snapshot.nxdomain and answers is not None:
            raise CaptureFailed("dns", "nxdomain", f"{host}: the name does not exist (NXDOMAIN at {label})")
        if answers is not None and not answers:
            statuses = {a.status for a in snapshot.answers if a.rdtype in {"A", "AAAA"}}
            code = "dns_timeout" if "TIMEOUT" in statuses else "no_address"
            raise CaptureFailed("dns", code, f"{host}: no address ({', '.join(sorted(statuses))} at {label})")
        vetted = await vetter.vet(host, answers=answers)
        for reason in vetted.refused:
            steps.log(f"not used: {reason}", "warning")
        steps.end("done", f"{host} → {', '.join(vetted.addresses)}")
        return snapshot
    except AddressRefused as exc:
        raise CaptureFailed(
            "dns", "refused_address", f"{exc}. Vigil never connects to such addresses (SSRF guard)."
        ) from exc
    except ResolveFailed as exc:
        raise CaptureFailed("dns", exc.code, exc.message) from exc


def _log_chain(result: FetchResult, steps: _Steps, label: str = "") -> None:
    for exchange in result.exchanges:
        where = f"{exchange.remote_address}:{exchange.remote_port}" if exchange.remote_address else "?"
        steps.log(
            f"{label}{exchange.status} {exchange.reason} {exchange.url} ({exchange.elapsed_ms} ms, {where})"
        )
    for limit in result.limits:
        steps.log(f"{label}limit: {limit.message}", "warning")


def _variant(
    name: str, result: FetchResult | FetchFailed, user_agent: str
) -> tuple[Variant, ExtractedPage | None]:
    if isinstance(result, FetchFailed):
        return Variant(name, user_agent, "", None, "", "", error=result.message), None
    page = extract_page(
        result.content, url=result.final_url, content_type=result.final.header("content-type")
    )
    variant = Variant(
        name,
        user_agent,
        result.final_url,
        result.status,
        page.facts.title,
        page.facts.text,
        hashlib.sha256(result.content).hexdigest(),
    )
    return variant, page


async def _fetch_or_failure(
    url: str, session: Any, vetter: Vetter, policy: FetchPolicy
) -> FetchResult | FetchFailed:
    try:
        return await fetch(url, session=session, vetter=vetter, policy=policy)
    except FetchFailed as exc:
        return exc


def _exchange_json(exchange: Exchange) -> dict[str, Any]:
    return {
        "url": exchange.url,
        "method": exchange.method,
        "started_at": exchange.started_at,
        "elapsed_ms": exchange.elapsed_ms,
        "status": exchange.status,
        "reason": exchange.reason,
        "http_version": exchange.http_version,
        "remote_address": exchange.remote_address,
        "remote_port": exchange.remote_port,
        "request_headers": [list(pair) for pair in exchange.request_headers],
        "headers": [list(pair) for pair in exchange.headers],
        "body_bytes": len(exchange.raw_body),
        "body_sha256": hashlib.sha256(exchange.raw_body).hexdigest(),
        "body_complete": exchange.body_complete,
        "tls": exchange.tls.as_json() if exchange.tls is not None else None,
    }


async def _resources(
    urls: Sequence[str], session: Any, vetter: Vetter, policy: FetchPolicy, limit: int
) -> list[FetchResult]:
    small = dataclasses.replace(
        policy,
        timeout=min(policy.timeout, 10.0),
        max_redirects=0,
        max_bytes=RESOURCE_BYTES,
        content_types=("text/css", "image/*", "text/javascript", "application/javascript", "font/*"),
    )
    fetched = await asyncio.gather(*(_fetch_or_failure(url, session, vetter, small) for url in urls[:limit]))
    return [result for result in fetched if isinstance(result, FetchResult) and result.status == 200]


def _fulfilment(result: FetchResult) -> Fulfilment:
    final = result.final
    return Fulfilment(final.status, final.headers, result.content)


async def _screenshot_step(
    default: FetchResult,
    page: ExtractedPage | None,
    browser: ScreenshotBrowser | None,
    config: CaptureConfig,
    session: Any,
    vetter: Vetter,
    steps: _Steps,
) -> tuple[BrowserShot | None, list[FetchResult]]:
    if browser is None:
        steps.skip("screenshot", "no browser configured for captures (VIGIL_CAPTURE_BROWSER)")
        return None, []
    if page is None or default.media_type not in HTML_TYPES or not default.content or default.status >= 300:
        steps.skip("screenshot", "nothing to render (not an HTML page)")
        return None, []
    steps.start("screenshot")
    resources = await _resources(page.resources, session, vetter, config.policy, config.max_resources)
    responses = {default.final_url: _fulfilment(default)}
    responses.update({result.requested_url: _fulfilment(result) for result in resources})
    try:
        shot = await asyncio.wait_for(
            browser.screenshot(default.final_url, responses), timeout=config.browser_timeout + 10
        )
    except Exception as exc:
        steps.log(f"the screenshot failed: {type(exc).__name__}: {str(exc)[:300]}", "warning")
        steps.end("warning", "no screenshot")
        return None, resources
    steps.log(f"{len(responses)} responses served from the capture, {len(shot.blocked)} requests blocked")
    for blocked in shot.blocked[:20]:
        steps.log(f"blocked: {blocked}")
    steps.end("done", f"{len(shot.png):,} bytes PNG")
    return shot, resources


def _facts(
    default: FetchResult,
    page: ExtractedPage | None,
    dns_snapshot: dnsrecords.DnsSnapshot | None,
    vetter: Vetter,
    comparisons: Sequence[Comparison],
    shot: BrowserShot | None,
    resources: Sequence[FetchResult],
) -> dict[str, Any]:
    return {
        "url": default.requested_url,
        "final_url": default.final_url,
        "status": default.status,
        "media_type": default.media_type,
        "redirect_chain": [_exchange_json(exchange) for exchange in default.exchanges],
        "limits": [{"kind": limit.kind, "message": limit.message} for limit in default.limits],
        "dns": dns_snapshot.as_json() if dns_snapshot is not None else None,
        "vetted": {
            host: {"addresses": list(v.addresses), "refused": list(v.refused), "literal": v.literal}
            for host, v in vetter.pins.items()
        },
        "variants": [comparison.as_json() for comparison in comparisons],
        "cloaking_suspected": any(comparison.differs for comparison in comparisons),
        "page": None
        if page is None
        else {
            "title": page.facts.title,
            "text": page.facts.text,
            "language": page.facts.language,
            "charset": page.charset,
            "content_sha256": page.content_sha256,
            "text_fingerprint": page.text_fingerprint,
            "dom_fingerprint": page.dom_fingerprint,
            "meta_refresh": page.meta_refresh,
            "forms": [
                {
                    "action": form.action,
                    "method": form.method,
                    "input_names": list(form.input_names),
                    "input_types": list(form.input_types),
                    "labels": list(form.labels),
                }
                for form in page.facts.forms
            ],
            "links": len(page.facts.links),
            "downloads": list(page.facts.downloads),
        },
        "screenshot": None
        if shot is None
        else {
            "browser": f"Chromium {shot.browser_version}",
            "blocked": list(shot.blocked),
            "served": list(shot.served),
        },
        "resources": [
            {"url": r.requested_url, "status": r.status, "sha256": hashlib.sha256(r.content).hexdigest()}
            for r in resources
        ],
    }


async def capture(
    url: str, config: CaptureConfig, emit: Emit, browser: ScreenshotBrowser | None = None
) -> CaptureOutcome:
    """Capture ``url``; progress goes to ``emit``; raises :class:`CaptureFailed`."""
    started_at = _now()
    steps = _Steps(emit)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CaptureFailed("dns", "bad_url", f"{url}: only http and https URLs with a host can be captured")
    vetter = Vetter(host_resolver(config), allow_loopback=config.allow_loopback)
    dns_snapshot = await _dns_step(url, config, vetter, steps)
    connector = open_connector(vetter)
    try:
        steps.start("fetch")
        default_session = open_session(connector, config.policy)
        try:
            default = await fetch(url, session=default_session, vetter=vetter, policy=config.policy)
        except FetchFailed as exc:
            partial = (
                FetchResult(url, config.policy.user_agent, exc.exchanges, b"") if exc.exchanges else None
            )
            if partial is not None:
                _log_chain(partial, steps)
            step = "tls" if exc.code == "tls_error" else "fetch"
            raise CaptureFailed(step, exc.code, exc.message) from exc
        _log_chain(default, steps)
        steps.end("warning" if default.limits else "done", f"{default.status} {default.final_url}")

        tls = next((e.tls for e in reversed(default.exchanges) if e.tls is not None), None)
        if tls is None:
            steps.skip("tls", "not HTTPS")
        else:
            steps.start("tls")
            leaf = tls.chain[0] if tls.chain else None
            if leaf is not None:
                steps.log(f"{tls.protocol} {tls.cipher}; {leaf.subject} issued by {leaf.issuer}")
                steps.log(f"valid {leaf.not_before} – {leaf.not_after}; SHA-256 {leaf.sha256_fingerprint}")
            if tls.trusted:
                steps.end("done", "trusted certificate")
            else:
                steps.log(f"a browser would refuse this certificate: {tls.problem}", "warning")
                steps.end("warning", "untrusted certificate (recorded)")

        steps.start("variants")
        default_variant, page = _variant("default", default, config.policy.user_agent)
        others = []
        sessions = [open_session(connector, config.policy) for _ in range(2)]
        try:
            agents = (("crawler", config.crawler_user_agent), ("mobile", config.mobile_user_agent))
            results = await asyncio.gather(
                *(
                    _fetch_or_failure(url, session, vetter, _with_agent(config.policy, agent))
                    for session, (_, agent) in zip(sessions, agents, strict=True)
                )
            )
        finally:
            for session in sessions:
                await session.close()
        variant_exchanges: list[TaggedExchange] = []
        for (name, agent), result in zip(agents, results, strict=True):
            others.append(_variant(name, result, agent)[0])
            if isinstance(result, FetchResult):
                variant_exchanges += [(name, exchange) for exchange in result.exchanges]
        comparisons = compare(default_variant, others)
        for comparison in comparisons:
            if comparison.differs:
                why = "; ".join(comparison.reasons)
                steps.log(f"{comparison.name} user agent was served something else: {why}", "warning")
            else:
                steps.log(
                    f"{comparison.name} user agent: same page (text overlap {comparison.similarity:.0%})"
                )
        cloaking = any(comparison.differs for comparison in comparisons)
        steps.end(
            "warning" if cloaking else "done", "variants differ (cloaking?)" if cloaking else "variants agree"
        )

        steps.start("extract")
        if page is not None:
            seen = page.facts
            steps.log(f"title: {seen.title[:200]!r}")
            steps.log(
                f"{len(seen.text):,} characters of text, {len(seen.forms)} forms, {len(seen.links)} links"
            )
        steps.end()

        shot, resources = await _screenshot_step(
            default, page, browser, config, default_session, vetter, steps
        )
        await default_session.close()
    finally:
        await connector.close()

    steps.start("warc")
    facts = _facts(default, page, dns_snapshot, vetter, comparisons, shot, resources)
    tagged: list[TaggedExchange] = [("default", exchange) for exchange in default.exchanges]
    tagged += variant_exchanges
    tagged += [("resource", result.final) for result in resources]
    finished_at = _now()
    warc = write_warc(
        tagged,
        software=config.software,
        operator=config.collector,
        info={"description": f"Vigil capture of {url}", "isPartOf": "vigil-capture", "started": started_at},
        metadata=facts,
    )
    steps.end("done", f"{len(tagged) * 2} records, {len(warc):,} bytes")
    title = page.facts.title if page is not None else ""
    text = f"{title}\n\n{page.facts.text}\n" if page is not None else ""
    return CaptureOutcome(
        requested_url=url,
        final_url=default.final_url,
        status=default.status,
        media_type=default.media_type,
        started_at=started_at,
        finished_at=finished_at,
        content=default.content,
        page=page,
        dns=dns_snapshot,
        tls=tls,
        limits=default.limits,
        variants=tuple(comparisons),
        cloaking_suspected=cloaking,
        screenshot=shot,
        warc=warc,
        facts=facts,
        text=text.encode("utf-8"),
        exchanges=tuple(tagged),
    )


def _with_agent(policy: FetchPolicy, agent: str) -> FetchPolicy:
    return dataclasses.replace(policy, user_agent=agent)


def facts_json(outcome: CaptureOutcome) -> bytes:
    """The capture's facts as pretty JSON bytes (an artefact of its own)."""
    return json.dumps(outcome.facts, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"
