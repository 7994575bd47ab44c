"""Case-list filters, shared by the web list and the API's query parameters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from ninja import FilterSchema
from pydantic import field_validator

from vigil.cases.choices import CaseStatus
from vigil.cases.querysets import CaseQuerySet


class CaseFilter(FilterSchema):
    """Status, category, priority, organisation, assignee and free text."""

    status: str | None = None
    category: str | None = None
    priority: int | None = None
    organisation: str | None = None
    assignee: str | None = None
    open: bool | None = None
    q: str | None = None

    @field_validator("status")
    @classmethod
    def known_status(cls, value: str | None) -> str | None:
        if value and value not in CaseStatus.values:
            raise ValueError(f"unknown status {value!r}; one of {', '.join(CaseStatus.values)}")
        return value or None

    def filter_status(self, value: str | None) -> Q:
        return Q(status=value) if value else Q()

    def filter_category(self, value: str | None) -> Q:
        return Q(category__code=value) if value else Q()

    def filter_priority(self, value: int | None) -> Q:
        return Q(priority=value) if value else Q()

    def filter_organisation(self, value: str | None) -> Q:
        return Q(organisation__code=value) if value else Q()

    def filter_assignee(self, value: str | None) -> Q:
        return Q(assignee__username=value) if value else Q()

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        done = ["closed", "rejected", "merged"]
        return ~Q(status__in=done) if value else Q(status__in=done)

    def filter_q(self, value: str | None) -> Q:
        return Q()  # applied by apply(), which needs the queryset's accent-folded search

    def apply(self, queryset: CaseQuerySet) -> Any:
        """Filter ``queryset`` by every field that is set."""
        result = self.filter(queryset)
        if self.q:
            result = result.search(self.q)
        return result
