"""Administration of the allow-list, shared ranges and DNS targets (changes are audited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from vigil.blocking import services
from vigil.blocking.models import DnsTarget, ImportedList, ProtectedDomain, Publication, SharedAddressRange
from vigil.core.admin import AuditedAdmin


@admin.register(ProtectedDomain)
class ProtectedDomainAdmin(AuditedAdmin):
    list_display = ("domain", "kind", "note", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("domain", "note")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        services.allow_list_changed()

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        services.allow_list_changed()


@admin.register(SharedAddressRange)
class SharedAddressRangeAdmin(AuditedAdmin):
    list_display = ("cidr", "provider", "is_active")
    list_filter = ("provider", "is_active")


class DnsTargetForm(forms.ModelForm):  # type: ignore[type-arg]
    """The TSIG secret is write-only: never shown again, kept when left empty."""

    tsig_secret = forms.CharField(
        label=_("TSIG secret (base64)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret."),
    )

    class Meta:
        model = DnsTarget
        fields = [
            "name",
            "mode",
            "zone",
            "recent_zone",
            "server",
            "port",
            "tsig_key_name",
            "tsig_algorithm",
            "tsig_secret",
            "zone_path",
            "reload_command",
            "is_active",
        ]

    def clean_tsig_secret(self) -> str:
        value = self.cleaned_data.get("tsig_secret") or ""
        return value or (self.instance.tsig_secret if self.instance.pk else "")


@admin.register(DnsTarget)
class DnsTargetAdmin(AuditedAdmin):
    form = DnsTargetForm
    list_display = ("name", "mode", "zone", "server", "port", "is_active")

    def _fields(self, obj):  # type: ignore[no-untyped-def]
        # The TSIG secret never enters the audit trail.
        return [name for name in super()._fields(obj) if name != "tsig_secret"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("target", "serial", "status", "added", "removed", "started_at", "finished_at")
    list_filter = ("status", "target")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportedList)
class ImportedListAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("source", "case", "entries", "last_imported_at")
