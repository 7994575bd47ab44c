"""Requesting, running, retrying and reaping captures; storing their artefacts as evidence."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import logging
import os
import queue
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.models import Case, CaseIndicator
from vigil.cases.services import record_evidence, store_content
from vigil.cases.services.common import require_on_case
from vigil.collection.choices import CaptureState, StepState
from vigil.collection.models import STALE_AFTER, Capture, CaptureArtefact, CaptureLog, DetectorFinding
from vigil.collection.services import config
from vigil.core import audit, roles
from vigil.core.models import User
from vigil.errors import Conflict, ContentRefused, InvalidInput, VigilError
from vigil.indicators.messages import describe as describe_indicator_error
from vigil.indicators.models import Indicator
from vigil.lib.detectors.base import DetectorResult, PageFacts
from vigil.lib.domains import registrable_domain
from vigil.lib.errors import IndicatorError
from vigil.lib.fetch import manifest, pipeline, runner
from vigil.lib.fetch.pipeline import CaptureFailed, CaptureOutcome, Event
from vigil.lib.indicators import normalise

logger = logging.getLogger(__name__)

SERVICE_STEPS = ("detect", "sign", "store", "leads")
STEPS = (*pipeline.STEPS, *SERVICE_STEPS)
CAPTURABLE = ("url", "domain")
HEARTBEAT_EVERY = dt.timedelta(seconds=5)


def capture_url_for(indicator: Indicator) -> str:
    """The URL to capture for a URL or domain indicator."""
    if indicator.type == "url":
        return indicator.value
    if indicator.type == "domain":
        return f"http://{indicator.value}/"
    raise InvalidInput(_("Only URLs and domains can be captured."))


def _clean_url(raw: str) -> str:
    try:
        parsed = normalise("url", raw.strip())
    except IndicatorError as exc:
        raise InvalidInput(
            _("%(value)s is not a URL that can be captured: %(error)s")
            % {"value": raw[:200], "error": describe_indicator_error(exc)},
            details={"field": "url"},
        ) from exc
    if parsed.attrs.get("scheme") not in {"http", "https"}:
        raise InvalidInput(_("Only http and https pages can be captured."), details={"field": "url"})
    return parsed.value


def _initial_steps() -> list[dict[str, str]]:
    return [{"name": name, "state": StepState.PENDING, "detail": ""} for name in STEPS]


def request_capture(
    *,
    actor: User,
    case: Case,
    url: str = "",
    indicator: Indicator | None = None,
    retry_of: Capture | None = None,
) -> Capture:
    """Queue a capture of ``url`` (or of ``indicator``) for ``case``; its artefacts become evidence."""
    require_on_case(actor, case, "capture.run")
    roles.require(actor, "evidence.add")
    if case.category.referral_only:
        raise ContentRefused(
            _("Cases in the category %(category)s are referral-only: Vigil never captures such content.")
            % {"category": case.category}
        )
    if indicator is not None:
        if not CaseIndicator.objects.filter(case=case, indicator=indicator).exists():
            raise InvalidInput(_("That indicator is not on this case."), details={"field": "indicator"})
        url = capture_url_for(indicator)
    if not url.strip():
        raise InvalidInput(_("Give the URL to capture."), details={"field": "url"})
    clean = _clean_url(url)
    with transaction.atomic():
        capture = Capture.objects.create(
            case=case,
            indicator=indicator,
            url=clean,
            requested_by=actor,
            retry_of=retry_of,
            steps=_initial_steps(),
        )
        audit.record(
            actor=actor,
            action="capture.requested",
            obj=capture,
            case_id=case.pk,
            summary=clean,
            changes={"url": [None, clean], "retry_of": [None, retry_of.pk if retry_of else None]},
        )
        transaction.on_commit(lambda: _enqueue(capture.pk, actor.pk))
    return capture


def _enqueue(capture_id: int, actor_id: int) -> None:
    from vigil.collection.tasks import capture_url

    capture_url.enqueue(capture_id, actor_id)


def retry_capture(*, actor: User, capture: Capture) -> Capture:
    """Queue the same capture again (a failed one, or one whose worker was lost)."""
    if capture.state != CaptureState.FAILED and not capture.is_stale:
        raise Conflict(_("Only a failed capture can be retried."))
    if capture.is_stale:
        _fail(capture, None, capture.current_step or "fetch", "interrupted", _worker_lost_message())
    return request_capture(
        actor=actor, case=capture.case, url=capture.url, indicator=capture.indicator, retry_of=capture
    )


def _worker_lost_message() -> str:
    return _("The worker running this capture stopped (killed or crashed); no evidence was stored. Retry it.")


class _Progress:
    """Collects the pipeline's events (from the capture loop's thread) and writes them here."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self.events = queue.SimpleQueue()
        self.last_beat = timezone.now()

    def emit(self, event: Event) -> None:
        self.events.put(event)

    def step(self, name: str, state: str, detail: str = "", *, write: bool = False) -> None:
        self.emit(Event("step", name, state, detail))
        if write:
            self.drain()

    def log(self, step: str, message: str, level: str = "info") -> None:
        self.emit(Event("log", step, level, message))

    def drain(self, *, force_beat: bool = False) -> None:
        lines: list[CaptureLog] = []
        steps_changed = False
        steps = self.capture.step_list()
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            if event.kind == "log":
                lines.append(
                    CaptureLog(
                        capture=self.capture, step=event.step, level=event.state, message=event.message[:4000]
                    )
                )
                continue
            for step in steps:
                if step["name"] == event.step:
                    step["state"], step["detail"] = event.state, event.message[:500]
            if event.state == "running":
                self.capture.current_step = event.step
            steps_changed = True
        now = timezone.now()
        if lines:
            CaptureLog.objects.bulk_create(lines)
        if steps_changed or lines or force_beat or now - self.last_beat > HEARTBEAT_EVERY:
            self.capture.steps = steps
            self.capture.heartbeat_at = self.last_beat = now
            Capture.objects.filter(pk=self.capture.pk).update(
                steps=steps, current_step=self.capture.current_step, heartbeat_at=now
            )


def _fail(capture: Capture, actor: User | None, step: str, code: str, message: str) -> None:
    steps = capture.step_list()
    for entry in steps:
        if entry["name"] == step:
            entry["state"], entry["detail"] = StepState.FAILED, message[:500]
    with transaction.atomic():
        Capture.objects.filter(pk=capture.pk).update(
            state=CaptureState.FAILED,
            steps=steps,
            failure_step=step,
            failure_code=code,
            failure_message=message,
            finished_at=timezone.now(),
        )
        CaptureLog.objects.create(capture=capture, step=step, level="error", message=message[:4000])
        audit.record(
            actor=actor,
            action="capture.failed",
            obj=capture,
            case_id=capture.case_id,
            summary=f"{step}: {code}",
            changes={"state": [capture.state, CaptureState.FAILED], "reason": [None, message[:500]]},
        )
    capture.state, capture.failure_step, capture.failure_code = CaptureState.FAILED, step, code
    capture.failure_message, capture.steps = message, steps


def _claim(capture_id: int) -> bool:
    now = timezone.now()
    return bool(
        Capture.objects.filter(pk=capture_id, state=CaptureState.QUEUED).update(
            state=CaptureState.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=f"{socket.gethostname()}:{os.getpid()}",
        )
    )


def run_capture(capture_id: int, actor_id: int) -> str:
    """Run a queued capture to the end (called by the task); returns its final state."""
    if not _claim(capture_id):
        return "not queued"
    capture = Capture.objects.select_related("case__category", "requested_by").get(pk=capture_id)
    actor = User.objects.get(pk=actor_id)
    progress = _Progress(capture)
    try:
        settings_now = config.capture_config()  # a bad setting fails this capture, not the worker
        browser = (
            runner.browser_for(
                settings_now.browser_executable, settings_now.policy.user_agent, settings_now.browser_timeout
            )
            if settings_now.browser_executable
            else None
        )
        future = runner.submit(pipeline.capture(capture.url, settings_now, progress.emit, browser))
        while True:
            try:
                outcome = future.result(timeout=0.2)
                break
            except concurrent.futures.TimeoutError:
                progress.drain()
    except CaptureFailed as exc:
        progress.drain()
        _fail(capture, actor, exc.step, exc.code, exc.message)
        return CaptureState.FAILED
    except Exception as exc:
        logger.exception("capture %s failed unexpectedly", capture_id)
        progress.drain()
        _fail(
            capture, actor, capture.current_step or "fetch", "internal_error", f"{type(exc).__name__}: {exc}"
        )
        return CaptureState.FAILED
    progress.drain()
    return _finish(capture, actor, outcome, progress)


def _detect(facts: PageFacts | None) -> list[DetectorResult]:
    if facts is None:
        return []
    from vigil.lib.detectors import run_all  # importing the package registers every detector

    return list(run_all(facts))


@dataclass(frozen=True, slots=True)
class _Artefact:
    name: str
    media_type: str
    data: bytes
    description: str


def _artefacts(outcome: CaptureOutcome) -> list[_Artefact]:
    found = []
    if outcome.content:
        found.append(
            _Artefact("page.html", outcome.media_type or "text/html", outcome.content, _("final page"))
        )
    found.append(
        _Artefact(
            "facts.json",
            "application/json",
            pipeline.facts_json(outcome),
            _(
                "redirect chain with headers, TLS certificates, DNS answers, user-agent variants, limits, "
                "title and extracted text"
            ),
        )
    )
    found.append(
        _Artefact("exchange.warc.gz", "application/warc", outcome.warc, _("WARC of every HTTP exchange"))
    )
    if outcome.screenshot is not None:
        found.append(
            _Artefact("screenshot.png", "image/png", outcome.screenshot.png, _("full-page screenshot"))
        )
    return found


def _manifest(capture: Capture, actor: User, outcome: CaptureOutcome, artefacts: list[_Artefact]) -> bytes:
    body: dict[str, Any] = {
        "format": manifest.FORMAT,
        "capture": {
            "id": capture.pk,
            "case": capture.case.code,
            "url": capture.url,
            "final_url": outcome.final_url,
            "http_status": outcome.status,
            "requested_by": capture.requested_by.get_username(),
            "run_for": actor.get_username(),
            "started_at": outcome.started_at,
            "finished_at": outcome.finished_at,
        },
        "collector": config.collector_name(),
        "software": {
            "name": "vigil",
            "version": config.software_version(),
            "chromium": outcome.screenshot.browser_version if outcome.screenshot else None,
        },
        "artefacts": [
            {
                "name": artefact.name,
                "media_type": artefact.media_type,
                "sha256": hashlib.sha256(artefact.data).hexdigest(),
                "size": len(artefact.data),
            }
            for artefact in artefacts
        ],
        "signed_at": timezone.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    return manifest.sign(body, config.signing_key())


def _finish(capture: Capture, actor: User, outcome: CaptureOutcome, progress: _Progress) -> str:
    step = "detect"
    try:
        progress.step("detect", "running")
        results = _detect(outcome.page.facts if outcome.page is not None else None)
        for result in results:
            progress.log(
                "detect", f"{result.detector}: {result.label} ({result.score:.2f}) — {result.explanation}"
            )
        progress.step("detect", "done", _("%(n)d findings") % {"n": len(results)})

        step = "sign"
        progress.step("sign", "running")
        artefacts = _artefacts(outcome)
        signed = _manifest(capture, actor, outcome, artefacts)
        artefacts.append(_Artefact("manifest.json", "application/json", signed, _("signed manifest")))
        progress.step("sign", "done", _("Ed25519 key %(id)s") % {"id": config.public_key()[2]})

        step = "store"
        progress.step("store", "running", write=True)
        _store(capture, actor, outcome, artefacts, results)
        progress.step("store", "done", _("%(n)d evidence items") % {"n": len(artefacts)})
    except VigilError as exc:
        progress.drain()
        _fail(capture, actor, step, exc.code, exc.message)
        return CaptureState.FAILED
    except Exception as exc:
        logger.exception("capture %s failed while storing", capture.pk)
        progress.drain()
        _fail(capture, actor, step, "internal_error", f"{type(exc).__name__}: {exc}")
        return CaptureState.FAILED

    progress.step("leads", "running")
    try:
        from vigil.collection.services import tracking

        raised = tracking.after_capture(capture, outcome)
        progress.step("leads", "done", _("%(n)d leads raised") % {"n": raised})
    except Exception as exc:  # a lead search must never undo a stored capture
        logger.exception("lead search after capture %s failed", capture.pk)
        progress.log("leads", f"lead search failed: {exc}", "warning")
        progress.step("leads", "warning", str(exc)[:200])
    progress.drain(force_beat=True)
    return CaptureState.SUCCEEDED


def _store(
    capture: Capture,
    actor: User,
    outcome: CaptureOutcome,
    artefacts: list[_Artefact],
    results: list[DetectorResult],
) -> None:
    """Every artefact, finding and the outcome, in one transaction: all or nothing."""
    finished = timezone.now()
    page = outcome.page
    final_host = (urlsplit(outcome.final_url).hostname or urlsplit(capture.url).hostname or "").lower()
    # Files are written and fsynced first, outside the transaction, so two workers do not
    # queue behind each other's disk writes while holding the database's write lock.
    blobs = [store_content(actor=actor, case=capture.case, chunks=[artefact.data]) for artefact in artefacts]
    with transaction.atomic():
        items: dict[str, Any] = {}
        for artefact, blob in zip(artefacts, blobs, strict=True):
            item = record_evidence(
                actor=actor,
                case=capture.case,
                blob=blob,
                filename=f"capture-{capture.pk}-{artefact.name}",
                declared_media_type=artefact.media_type,
                source=capture.url,
                note=_("Capture #%(id)d: %(what)s") % {"id": capture.pk, "what": artefact.description},
                captured_at=finished,
                collector=config.collector_name(),
                audited=False,  # capture.completed below names every artefact's hash
            )
            CaptureArtefact.objects.create(capture=capture, name=artefact.name, evidence=item)
            items[artefact.name] = item
        DetectorFinding.objects.bulk_create(
            [
                DetectorFinding(
                    capture=capture,
                    detector=result.detector[:64],
                    label=result.label[:64],
                    score=float(result.score),
                    explanation=result.explanation,
                    evidence=list(result.evidence)[:50],
                )
                for result in results
            ]
        )
        Capture.objects.filter(pk=capture.pk).update(
            state=CaptureState.SUCCEEDED,
            finished_at=finished,
            heartbeat_at=finished,
            final_url=outcome.final_url[:2048],
            http_status=outcome.status,
            title=(page.facts.title if page is not None else "")[:1000],
            host=final_host[:253],
            registrable_domain=(registrable_domain(final_host) or final_host)[:253],
            content_sha256=page.content_sha256 if page is not None and outcome.content else "",
            text_fingerprint=page.text_fingerprint if page is not None else "",
            dom_fingerprint=page.dom_fingerprint if page is not None else "",
            cloaking_suspected=outcome.cloaking_suspected,
            tls_trusted=outcome.tls.trusted if outcome.tls is not None else None,
            limits=[{"kind": limit.kind, "message": limit.message} for limit in outcome.limits],
            summary=outcome.facts,
            manifest=items["manifest.json"],
        )
        audit.record(
            actor=actor,
            action="capture.completed",
            obj=capture,
            case_id=capture.case_id,
            summary=f"{outcome.status} {outcome.final_url}"[:300],
            changes={
                "state": [CaptureState.RUNNING, CaptureState.SUCCEEDED],
                "manifest_sha256": [None, items["manifest.json"].sha256],
                "artefacts": [None, {name: item.sha256 for name, item in items.items()}],
                "findings": [None, [f"{r.detector}:{r.label}:{r.score:.2f}" for r in results]],
            },
        )
    capture.refresh_from_db()


def reap_stale_captures(now: dt.datetime | None = None) -> int:
    """Fail captures whose worker stopped reporting (killed mid-capture), so they can be retried."""
    now = now or timezone.now()
    reaped = 0
    for capture in Capture.objects.filter(state=CaptureState.RUNNING, heartbeat_at__lt=now - STALE_AFTER):
        _fail(capture, None, capture.current_step or "fetch", "interrupted", _worker_lost_message())
        reaped += 1
    return reaped


def auto_capture_sweep(*, limit: int = 50) -> int:
    """Queue a capture of every URL or domain on an open case that has none yet.

    The capture runs on behalf of whoever attached the indicator, if their roles allow
    captures; otherwise an analyst starts it from the case page.
    """
    from vigil.collection.services.tracking import AUTO_CAPTURE_STATUSES

    links = (
        CaseIndicator.objects.filter(
            case__status__in=AUTO_CAPTURE_STATUSES,
            indicator__type__in=CAPTURABLE,
            case__category__referral_only=False,
            added_by__isnull=False,
        )
        .filter(
            ~Exists(
                Capture.objects.filter(case_id=OuterRef("case_id"), indicator_id=OuterRef("indicator_id"))
            )
        )
        .select_related("case", "case__category", "indicator", "added_by")
        .order_by("added_at")[:limit]
    )
    queued = 0
    for link in links:
        user = link.added_by
        if user is None or not roles.can(user, "capture.run"):
            continue
        try:
            request_capture(actor=user, case=link.case, indicator=link.indicator)
        except VigilError as exc:
            logger.info("auto-capture of %s skipped: %s", link.indicator.value, exc.message)
            continue
        queued += 1
    return queued
