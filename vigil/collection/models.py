"""Captures of web pages, their artefacts and detector findings; DNS history and leads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import Case, EvidenceItem
from vigil.collection.choices import CaptureState, LeadKind, LeadState
from vigil.collection.querysets import CaptureQuerySet, FindingQuerySet, LeadQuerySet
from vigil.indicators.models import Indicator

USER = settings.AUTH_USER_MODEL
# A running capture that has not reported for this long lost its worker.
STALE_AFTER = dt.timedelta(minutes=5)


class Capture(models.Model):
    """One capture job of one URL for a case: its progress, outcome and artefacts."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="captures")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="captures"
    )
    url = models.CharField(_("URL"), max_length=2048)
    state = models.CharField(
        _("state"), max_length=16, choices=CaptureState.choices, default=CaptureState.QUEUED, db_index=True
    )
    # [{"name": "dns", "state": "done", "detail": "…"}…] in the order they run.
    steps = models.JSONField(default=list)
    current_step = models.CharField(max_length=32, blank=True)
    failure_step = models.CharField(_("failed at step"), max_length=32, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    retry_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retries"
    )
    # Outcome
    final_url = models.CharField(_("final URL"), max_length=2048, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    title = models.CharField(_("page title"), max_length=1000, blank=True)
    host = models.CharField(max_length=253, blank=True, db_index=True)
    registrable_domain = models.CharField(max_length=253, blank=True, db_index=True)
    content_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    text_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    dom_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    cloaking_suspected = models.BooleanField(_("cloaking suspected"), null=True)
    tls_trusted = models.BooleanField(null=True)
    limits = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # the capture's facts (also stored as evidence)
    manifest = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaptureQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("capture")
        verbose_name_plural = _("captures")

    def __str__(self) -> str:
        return f"#{self.pk} {self.url[:80]}"

    @property
    def is_active(self) -> bool:
        return self.state in {CaptureState.QUEUED, CaptureState.RUNNING}

    @property
    def is_stale(self) -> bool:
        """Running, but its worker has not reported for a while (it was probably killed)."""
        seen = self.heartbeat_at or self.started_at
        return self.state == CaptureState.RUNNING and seen is not None and timezone.now() - seen > STALE_AFTER

    def step_list(self) -> list[dict[str, Any]]:
        return list(self.steps or [])


class CaptureLog(models.Model):
    """A line of a capture's log, shown as the capture runs."""

    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="log_lines")
    at = models.DateTimeField(default=timezone.now)
    step = models.CharField(max_length=32, blank=True)
    level = models.CharField(max_length=8, default="info")
    message = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.step}: {self.message[:60]}"


class CaptureArtefact(models.Model):
    """One artefact of a capture, stored as write-once evidence on the case."""

    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="artefacts")
    name = models.CharField(_("artefact"), max_length=64)
    evidence = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="capture_artefacts")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["capture", "name"], name="capture_artefact_once")]

    def __str__(self) -> str:
        return f"{self.capture_id}/{self.name}"


class DetectorFinding(models.Model):
    """A detector's result on a capture: a score, a label and why. It never decides anything."""

    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="findings")
    detector = models.CharField(_("detector"), max_length=64)
    label = models.CharField(_("label"), max_length=64)
    score = models.FloatField(_("score"))
    explanation = models.TextField(_("explanation"))
    evidence = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "detector"]
        verbose_name = _("detector finding")
        verbose_name_plural = _("detector findings")

    def __str__(self) -> str:
        return f"{self.detector}: {self.label} {self.score:.2f}"


class HostObservation(models.Model):
    """One DNS answer for a watched host, with when it was first and last seen."""

    host = models.CharField(max_length=253, db_index=True)
    rdtype = models.CharField(max_length=8)
    value = models.CharField(max_length=300)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    times_seen = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["host", "rdtype", "-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["host", "rdtype", "value"], name="host_observation_once")
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.rdtype} {self.value}"


class HostCheck(models.Model):
    """One re-resolution and liveness check of a watched URL or host."""

    host = models.CharField(max_length=253, db_index=True)
    url = models.CharField(max_length=2048, blank=True)
    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolver = models.CharField(max_length=100, blank=True)
    dns_status = models.CharField(max_length=16, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    nameservers = models.JSONField(default=list, blank=True)
    new_addresses = models.JSONField(default=list, blank=True)
    new_nameservers = models.JSONField(default=list, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    content_changed = models.BooleanField(default=False)
    live = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.host} @ {self.checked_at:%Y-%m-%d %H:%M}"


class Lead(models.Model):
    """Something re-resolution or a capture noticed that an analyst should look at."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="leads")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=LeadKind.choices)
    host = models.CharField(_("host"), max_length=253, blank=True)
    # For same_content: the new page, and the capture of the earlier page it matched.
    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    matched_capture = models.ForeignKey(
        Capture, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_value = models.CharField(_("new value"), max_length=2048, blank=True)
    summary = models.TextField(_("summary"))
    detail = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=LeadState.choices, default=LeadState.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.host or self.new_value}"
