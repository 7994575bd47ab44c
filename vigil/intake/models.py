"""Public reports, their triage groups and clusters, warnings, partner quotas and imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.core.models import Category, Organisation
from vigil.indicators.choices import IndicatorKind
from vigil.intake.choices import Channel, GroupState, ImportState, ReportKind, ReportState
from vigil.intake.querysets import AdvisoryQuerySet, ReportQuerySet, TriageGroupQuerySet

USER = settings.AUTH_USER_MODEL


class TriageGroup(models.Model):
    """One queue item: every report that names the same normalised indicator."""

    type = models.CharField(_("type"), max_length=32, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=2048)
    display = models.CharField(_("display"), max_length=2048)
    # For URLs and domains: the host name, so a look-up of a domain finds reported URLs on it.
    host = models.CharField(max_length=253, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=GroupState.choices, default=GroupState.OPEN)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    first_seen = models.DateTimeField(_("first reported"))
    last_seen = models.DateTimeField(_("last reported"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = TriageGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("triage group")
        verbose_name_plural = _("triage groups")
        constraints = [models.UniqueConstraint(fields=["type", "value"], name="intake_group_unique_value")]
        indexes = [models.Index(fields=["state", "-last_seen"], name="intake_group_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.display}"


class TextCluster(models.Model):
    """Reports whose message texts are near-duplicates (MinHash / LSH), e.g. one SMS campaign."""

    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("message cluster")
        verbose_name_plural = _("message clusters")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.size})"


class Report(models.Model):
    """One report from a citizen, a partner or an import; acknowledged with a tracking code."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices, default=ReportState.NEW)
    text = models.TextField(_("message"), blank=True)
    description = models.TextField(_("what happened"), blank=True)
    money_lost = models.PositiveBigIntegerField(_("money lost (VND)"), null=True, blank=True)
    happened_on = models.DateField(_("when"), null=True, blank=True)
    # Personal data: kept only with the reporter's explicit consent, never shown publicly.
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    external_id = models.CharField(_("partner's reference"), max_length=100, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_reports",
        verbose_name=_("case"),
    )
    cluster = models.ForeignKey(
        TextCluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    needs_clustering = models.BooleanField(default=False, db_index=True)
    signature = models.BinaryField(null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    status_notified = models.CharField(max_length=16, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["state", "-received_at"], name="intake_report_state_idx")]

    def __str__(self) -> str:
        return self.tracking_code


class ReportIndicator(models.Model):
    """A normalised indicator named by a report (its own copy, until a case records it)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    group = models.ForeignKey(TriageGroup, on_delete=models.PROTECT, related_name="links")
    type = models.CharField(max_length=32, choices=IndicatorKind.choices)
    value = models.CharField(max_length=2048)
    display = models.CharField(max_length=2048)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type}: {self.display}"


class ReportBand(models.Model):
    """One LSH band key of a report's MinHash signature (finds near-duplicate texts by index)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.report_id}:{self.key}"


class Screenshot(models.Model):
    """A re-encoded image attached to a report, stored by content hash in the desk's own store."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="screenshots")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    media_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.original_name or self.sha256[:12]} ({self.width}×{self.height})"


class Advisory(models.Model):
    """A public warning written by staff: what the scam looks like and what to do."""

    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    # [{"type": ..., "value": ..., "display": ...}] normalised when saved.
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(blank=True, editable=False)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return self.title


class PartnerQuota(models.Model):
    """How many reports an organisation's partner tokens may submit per day."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="intake_quota", verbose_name=_("organisation")
    )
    reports_per_day = models.PositiveIntegerField(_("reports per day"), default=50_000)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute per token"), default=120)

    class Meta:
        verbose_name = _("partner quota")
        verbose_name_plural = _("partner quotas")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.reports_per_day}/day"


class PartnerUsage(models.Model):
    """Reports accepted from one organisation on one (local) day."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reports = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="intake_usage_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}: {self.reports}"


class PartnerBatch(models.Model):
    """A partner's batch, remembered by its idempotency key so a retry returns the same answer."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_sha256 = models.CharField(max_length=64)
    response = models.JSONField(default=dict)
    item_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="intake_batch_key_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.key}"


class ImportJob(models.Model):
    """A CSV or JSON file of reports imported through the staff UI, processed in the background."""

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(max_length=8)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def percent(self) -> int:
        """Progress for the bar."""
        if self.state == ImportState.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
