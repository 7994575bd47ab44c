"""Organisations, users, the taxonomy, API tokens and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigil.core.choices import ActionKind, OrganisationKind, Severity
from vigil.core.querysets import AuditEventQuerySet


class Organisation(models.Model):
    """A body that owns cases or receives requests: the department, police, ISPs, banks…"""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class User(AbstractUser):
    """A person who logs in; roles are Django groups, scope is the organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Category(models.Model):
    """A kind of unlawful activity Vigil handles, with its default action and expiry."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    default_action = models.CharField(
        _("default action"), max_length=32, choices=ActionKind.choices, default=ActionKind.NO_ACTION
    )
    default_expiry_days = models.PositiveIntegerField(_("default expiry (days)"), default=180)
    referral_only = models.BooleanField(
        _("referral only"),
        default=False,
        help_text=_("Content is never stored: evidence keeps only its hash and metadata."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_vi


class LegalBasis(models.Model):
    """An article of a law or decree a decision can rest on."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    instrument = models.CharField(_("instrument"), max_length=200)
    article = models.CharField(_("article"), max_length=120)
    summary_vi = models.TextField(_("summary (Vietnamese)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    url = models.URLField(_("link"), blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="legal_bases", verbose_name=_("categories")
    )
    verified = models.BooleanField(
        _("verified by the legal officer"),
        default=False,
        help_text=_("Seeded rows stay unverified until an administrator confirms them."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["instrument", "article"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return f"{self.article}, {self.instrument}"

    @property
    def summary(self) -> str:
        """The summary in the active language, falling back to Vietnamese."""
        return self.summary_en if get_language() == "en" and self.summary_en else self.summary_vi


class AuditEvent(models.Model):
    """One append-only, hash-chained record of something that happened.

    UPDATE and DELETE are refused by a database trigger (see ``vigil.core.guards``).
    """

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @property
    def actor_display(self) -> str:
        """The actor's user name, or "system" (translated) for scheduled and automatic actions."""
        return self.actor_label if self.actor_id is not None else str(_("system"))


class AuditChainHead(models.Model):
    """The newest event's sequence number and hash; the row writers lock to append."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class PeriodicRun(models.Model):
    """When each periodic job was last enqueued, shared by every worker."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
