"""Django admin for administrators: organisations, users, the taxonomy. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vigil.core import audit, services
from vigil.core.models import ApiToken, AuditEvent, Category, LegalBasis, Organisation, User
from vigil.errors import VigilError


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records every add, change and delete made through the admin in the audit trail."""

    def _fields(self, obj: Model) -> list[str]:
        return [field.name for field in obj._meta.concrete_fields if field.name not in {"id", "password"}]

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        before = (
            audit.snapshot(type(obj).objects.get(pk=obj.pk), self._fields(obj)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{'changed' if change else 'added'}",  # type: ignore[arg-type]
            obj=obj,
            changes=audit.diff(before, audit.snapshot(obj, self._fields(obj))),
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit.record(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.deleted",
            obj=obj,  # type: ignore[arg-type]
            changes=audit.diff(audit.snapshot(obj, self._fields(obj)), None),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(User)
class VigilUserAdmin(UserAdmin, AuditedAdmin):  # type: ignore[misc]
    fieldsets = (*UserAdmin.fieldsets, (_("Vigil"), {"fields": ("organisation",)}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "groups", "is_active")


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name_vi",
        "name_en",
        "severity",
        "default_action",
        "default_expiry_days",
        "referral_only",
        "is_active",
    )
    list_filter = ("severity", "referral_only", "is_active")


@admin.register(LegalBasis)
class LegalBasisAdmin(AuditedAdmin):
    list_display = ("code", "article", "instrument", "verified", "is_active")
    list_filter = ("verified", "instrument", "is_active")
    search_fields = ("code", "article", "instrument", "summary_vi")
    readonly_fields = ("verified", "verified_by", "verified_at")
    filter_horizontal = ("categories",)
    actions = ["confirm"]

    @admin.action(description=_("Confirm as verified by the legal officer"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[LegalBasis]) -> None:
        done = 0
        for basis in queryset.filter(verified=False):
            try:
                services.verify_legal_basis(actor=request.user, basis=basis)  # type: ignore[arg-type]
                done += 1
            except VigilError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, _("%(n)d legal bases confirmed.") % {"n": done})


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("seq", "at", "actor_label", "action", "object_repr", "source_ip")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
