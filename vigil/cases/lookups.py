"""Fetching one visible row or failing with NotFound (shared by views and the API)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from vigil.cases.models import Appeal, Case, CaseIndicator, Decision, EvidenceItem
from vigil.core.models import Category, LegalBasis, Organisation, User
from vigil.errors import InvalidInput, NotFound


def visible_case(user: User, code: str, *, detail: bool = False) -> Case:
    """The case with ``code`` if the user may see it."""
    cases = Case.objects.visible_to(user).select_related(
        "category", "organisation", "assignee", "merged_into", "created_by"
    )
    if detail:
        cases = cases.prefetch_related(
            Prefetch("indicator_links", queryset=CaseIndicator.objects.select_related("indicator")),
            Prefetch("evidence", queryset=EvidenceItem.objects.select_related("case")),
            "appraisals__appraiser",
            "appraisals__category",
            "concerned_organisations",
            Prefetch("decisions", queryset=decisions_with_relations()),
        )
    case = cases.filter(code=code.strip().upper()).first()
    if case is None:
        raise NotFound(_("No case %(code)s (or you may not see it).") % {"code": code})
    return case


def decisions_with_relations() -> object:
    """Decisions with everything their list rows and API output touch."""
    return Decision.objects.select_related(
        "case", "indicator", "category", "legal_basis", "author", "approved_by"
    ).prefetch_related("evidence")


def visible_decision(user: User, pk: int) -> Decision:
    """The decision ``pk`` if the user may see its case."""
    decision = decisions_with_relations().visible_to(user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if decision is None:
        raise NotFound(_("No decision #%(id)s (or you may not see it).") % {"id": pk})
    return decision


def visible_evidence(user: User, pk: int) -> EvidenceItem:
    """The evidence item ``pk`` if the user may see its case."""
    item = (
        EvidenceItem.objects.visible_to(user).select_related("case", "case__category").filter(pk=pk).first()
    )
    if item is None:
        raise NotFound(_("No evidence item #%(id)s (or you may not see it).") % {"id": pk})
    return item


def visible_appeal(user: User, pk: int) -> Appeal:
    """The appeal ``pk`` if the user may see its case."""
    appeal = (
        Appeal.objects.visible_to(user)
        .select_related("decision", "decision__case", "reviewer")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise NotFound(_("No appeal #%(id)s (or you may not see it).") % {"id": pk})
    return appeal


def _active(model: type[Any], field: str, value: str, message: str, form_field: str) -> Any:
    row = model.objects.filter(**{field: value, "is_active": True}).first()
    if row is None:
        raise InvalidInput(message % {"value": value}, details={"field": form_field})
    return row


def category_by_code(code: str) -> Category:
    """An active category, or a field error naming the bad code."""
    return _active(Category, "code", code, _("Unknown category %(value)s."), "category")


def legal_basis_by_code(code: str) -> LegalBasis:
    """An active legal basis, or a field error."""
    return _active(LegalBasis, "code", code, _("Unknown legal basis %(value)s."), "legal_basis")


def organisation_by_code(code: str) -> Organisation:
    """An active organisation, or a field error."""
    return _active(Organisation, "code", code, _("Unknown organisation %(value)s."), "organisation")


def user_by_username(username: str) -> User:
    """An active user, or a field error."""
    return _active(User, "username", username, _("Unknown user %(value)s."), "assignee")
