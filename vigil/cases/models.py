"""Cases, their evidence, appraisals, decisions and appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.choices import (
    AppealState,
    AppraisalVerdict,
    CaseStatus,
    DecisionScope,
    DecisionState,
    Priority,
)
from vigil.cases.querysets import AppealQuerySet, CaseQuerySet, CaseScopedQuerySet
from vigil.core.choices import ActionKind
from vigil.core.models import Category, LegalBasis, Organisation
from vigil.indicators.models import Indicator

USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    """One matter under investigation, from first report to closure."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.NEW,
        db_index=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    concerned_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="concerned_cases",
        verbose_name=_("concerned organisations"),
    )
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )
    indicators = models.ManyToManyField(Indicator, through="CaseIndicator", related_name="cases")
    # Accent-folded code, title, description and indicator values for search.
    search_text = models.TextField(blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["status", "-created_at"], name="case_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CaseCodeCounter(models.Model):
    """The last case number issued in a year (codes look like VL-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseIndicator(models.Model):
    """An indicator attached to a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="case_links")
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "indicator"], name="case_indicator_once")]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.indicator_id}"


class EvidenceItem(models.Model):
    """A write-once piece of evidence, stored by content hash (or hash only, for CSAM)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    media_type = models.CharField(_("media type"), max_length=127)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    captured_at = models.DateTimeField(_("captured at"))
    collector = models.CharField(_("collected by"), max_length=200)
    source = models.CharField(_("source"), max_length=2048, blank=True)
    note = models.TextField(_("note"), blank=True)
    content_stored = models.BooleanField(_("content stored"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return f"{self.original_name or self.media_type} ({self.sha256[:12]})"

    @property
    def is_html(self) -> bool:
        return self.media_type in {"text/html", "application/xhtml+xml"}


class Appraisal(models.Model):
    """One appraiser's written assessment of a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appraisals")
    appraiser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="appraisals")
    verdict = models.CharField(_("verdict"), max_length=32, choices=AppraisalVerdict.choices)
    reasoning = models.TextField(_("reasoning"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed category"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} — {self.appraiser}"


class Decision(models.Model):
    """An order to act (block, take down, refer, warn) with its legal basis, scope and expiry."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("action"), max_length=32, choices=ActionKind.choices)
    scope = models.CharField(_("scope"), max_length=32, choices=DecisionScope.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("indicator")
    )
    # What is enforced exactly: a URL, host, domain, IP, CIDR or indicator value.
    target = models.CharField(_("target"), max_length=2048, db_index=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("category")
    )
    legal_basis = models.ForeignKey(
        LegalBasis,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("legal basis"),
    )
    reasoning = models.TextField(_("reasoning"))
    evidence = models.ManyToManyField(
        EvidenceItem, related_name="decisions", blank=True, verbose_name=_("evidence")
    )
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DecisionState.choices,
        default=DecisionState.DRAFT,
        db_index=True,
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="authored_decisions")
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="approved_decisions"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # An IP block on a shared (CDN, hosting) address needs an approver's explicit confirmation.
    shared_ip_confirmed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_ip_confirmed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.target}"


class Appeal(models.Model):
    """A request to reconsider a decision, reviewed by someone who did not make it."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.CharField(_("appellant"), max_length=200)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    grounds = models.TextField(_("grounds"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AppealState.choices,
        default=AppealState.RECEIVED,
        db_index=True,
    )
    # Empty for appeals filed by the public through the block page's appeal form.
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome_reason = models.TextField(_("outcome reason"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"#{self.pk} {self.appellant} → {self.decision_id}"
