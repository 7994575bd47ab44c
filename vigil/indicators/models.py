"""Indicators: one row per normalised value (a URL, a phone number, a bank account…)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.indicators.choices import IndicatorKind
from vigil.indicators.querysets import IndicatorQuerySet


class Indicator(models.Model):
    """A normalised observable; ``(type, value)`` is unique."""

    type = models.CharField(_("type"), max_length=32, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=2048)
    display = models.CharField(_("display"), max_length=2048)
    attrs = models.JSONField(_("attributes"), default=dict, blank=True)
    registrable_domain = models.CharField(max_length=253, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["type", "value"], name="indicator_unique_value")]
        indexes = [models.Index(fields=["value"], name="indicator_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.display}"
