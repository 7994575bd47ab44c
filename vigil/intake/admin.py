"""Administration of partner quotas (changes are audited)."""

from __future__ import annotations

from django.contrib import admin

from vigil.core.admin import AuditedAdmin
from vigil.intake.models import PartnerQuota


@admin.register(PartnerQuota)
class PartnerQuotaAdmin(AuditedAdmin):
    list_display = ("organisation", "reports_per_day", "requests_per_minute")
    search_fields = ("organisation__code", "organisation__name")
