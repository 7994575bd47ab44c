"""Small builders for test data: each makes one thing, with sensible defaults."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from vigil.cases import services as case_services
from vigil.cases.models import Case, Decision, EvidenceItem
from vigil.core import services as core_services
from vigil.core.choices import OrganisationKind
from vigil.core.models import Category, LegalBasis, Organisation, User

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def organisation(code: str | None = None, kind: str = OrganisationKind.DEPARTMENT) -> Organisation:
    """An organisation (created if missing)."""
    code = code or f"org-{next(_counter)}"
    return Organisation.objects.get_or_create(code=code, defaults={"name": code.upper(), "kind": kind})[0]


def department() -> Organisation:
    """The department that owns most cases."""
    return organisation("so-tttt", OrganisationKind.DEPARTMENT)


def user(role: str | Iterable[str], org: Organisation | None = None, username: str | None = None) -> User:
    """A user with one or more roles in ``org`` (default: the department)."""
    roles = [role] if isinstance(role, str) else list(role)
    return core_services.create_user(
        actor=None,
        username=username or f"{'-'.join(roles)}-{next(_counter)}",
        password=PASSWORD,
        organisation=org or department(),
        role_names=roles,
    )


def category(code: str = "phishing") -> Category:
    """A seeded category."""
    return Category.objects.get(code=code)


def legal_basis(code: str = "blhs-290") -> LegalBasis:
    """A seeded legal basis."""
    return LegalBasis.objects.get(code=code)


def case(
    actor: User,
    *,
    title: str = "Trang giả mạo ngân hàng",
    category_code: str = "phishing",
    indicators: Iterable[tuple[str | None, str]] = (("url", "http://bad.example.com/login"),),
    organisation: Organisation | None = None,
) -> Case:
    """A new case opened by ``actor``."""
    return case_services.open_case(
        actor=actor,
        title=title,
        category=category(category_code),
        organisation=organisation,
        indicators=indicators,
    )


def evidence(
    actor: User,
    on: Case,
    content: bytes = b"<html><title>fake bank</title></html>",
    name: str = "capture.html",
) -> EvidenceItem:
    """An uploaded evidence item."""
    return case_services.add_evidence(
        actor=actor, case=on, chunks=[content], filename=name, source="http://bad.example.com/login"
    )


def case_ready_for_decision(analyst: User, appraiser: User) -> tuple[Case, EvidenceItem]:
    """A case in appraisal with evidence and a confirming appraisal."""
    c = case(analyst)
    for status in ("triage", "collecting"):
        case_services.transition_case(actor=analyst, case=c, target=status)
    item = evidence(analyst, c)
    case_services.transition_case(actor=analyst, case=c, target="appraisal")
    case_services.add_appraisal(
        actor=appraiser,
        case=c,
        verdict="violation_confirmed",
        reasoning="Giao diện giả mạo ngân hàng, thu thập OTP.",
    )
    c.refresh_from_db()
    return c, item


def draft(
    author: User, on: Case, item: EvidenceItem, *, action: str = "dns_block", scope: str = "host"
) -> Decision:
    """A draft decision on the case's first indicator."""
    link = on.indicator_links.select_related("indicator").first()
    assert link is not None
    return case_services.draft_decision(
        actor=author,
        case=on,
        action=action,
        scope=scope,
        indicator=link.indicator,
        legal_basis=legal_basis(),
        reasoning="Chặn phân giải tên miền giả mạo.",
        evidence=[item],
    )
