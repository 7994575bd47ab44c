"""Read-only views of captures and leads for administrators (changes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vigil.collection.models import Capture, HostObservation, Lead


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Capture)
class CaptureAdmin(ReadOnly):
    list_display = ("id", "url", "state", "failure_step", "requested_by", "requested_at")
    list_filter = ("state",)
    search_fields = ("url", "final_url", "content_sha256")


@admin.register(Lead)
class LeadAdmin(ReadOnly):
    list_display = ("id", "kind", "host", "case", "state", "created_at")
    list_filter = ("kind", "state")


@admin.register(HostObservation)
class HostObservationAdmin(ReadOnly):
    list_display = ("host", "rdtype", "value", "first_seen", "last_seen", "times_seen")
    search_fields = ("host", "value")
