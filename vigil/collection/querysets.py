"""Reusable reads for captures and leads, scoped through their case."""

from __future__ import annotations

from vigil.cases.querysets import CaseScopedQuerySet


class CaptureQuerySet(CaseScopedQuerySet):
    """Captures, visible exactly when their case is."""

    def active(self) -> CaptureQuerySet:
        """Captures still queued or running."""
        return self.filter(state__in=("queued", "running"))


class FindingQuerySet(CaseScopedQuerySet):
    """Detector findings reach their case through the capture."""

    case_path = "capture__case"


class LeadQuerySet(CaseScopedQuerySet):
    """Leads, visible when the case they are raised on is."""

    def open(self) -> LeadQuerySet:
        return self.filter(state="open")
