"""Who may do what: roles are Django groups, capabilities are derived from them.

Scoping (which rows a user sees) lives in the querysets' ``visible_to``; this module
answers only "may this user perform this kind of action at all".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from vigil.core.choices import Role
from vigil.errors import NotAllowed

if TYPE_CHECKING:
    from vigil.core.models import User

# Department-wide roles see every organisation's cases; the others only their own.
DEPARTMENT_WIDE = frozenset({Role.ADMIN, Role.ANALYST, Role.APPRAISER, Role.APPROVER, Role.AUDITOR})

CAPABILITIES: dict[str, frozenset[str]] = {
    "case.create": frozenset({Role.ANALYST, Role.UNIT_REPORTER}),
    "case.edit": frozenset({Role.ANALYST}),
    "case.transition": frozenset({Role.ANALYST}),
    "case.merge": frozenset({Role.ANALYST}),
    "indicator.add": frozenset({Role.ANALYST, Role.UNIT_REPORTER}),
    "evidence.add": frozenset({Role.ANALYST, Role.UNIT_REPORTER, Role.APPRAISER}),
    "appraisal.add": frozenset({Role.APPRAISER}),
    "decision.draft": frozenset({Role.ANALYST, Role.APPRAISER}),
    "decision.approve": frozenset({Role.APPROVER}),
    "decision.activate": frozenset({Role.ANALYST, Role.APPROVER}),
    "decision.revoke": frozenset({Role.APPROVER}),
    "appeal.record": frozenset({Role.ANALYST, Role.APPROVER}),
    "appeal.review": frozenset({Role.APPROVER}),
    "audit.view": frozenset({Role.AUDITOR, Role.ADMIN}),
    "taxonomy.edit": frozenset({Role.ADMIN}),
    "legal_basis.verify": frozenset({Role.ADMIN}),
    "token.manage_own": frozenset(Role.values),
    "intake.triage": frozenset({Role.ANALYST}),
    "intake.warnings": frozenset({Role.ANALYST, Role.APPROVER}),
    "intake.submit": frozenset({Role.PARTNER}),
    "capture.run": frozenset({Role.ANALYST, Role.APPRAISER}),
}


def roles_of(user: User | None) -> frozenset[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_vigil_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._vigil_roles = cached  # type: ignore[attr-defined]
    return cached


def can(user: User | None, capability: str) -> bool:
    """True when one of the user's roles grants ``capability``."""
    allowed = CAPABILITIES.get(capability)
    if allowed is None:
        raise KeyError(f"unknown capability {capability!r}")
    return bool(roles_of(user) & allowed)


def require(user: User | None, capability: str) -> None:
    """Raise :class:`NotAllowed` unless the user holds ``capability``."""
    if not can(user, capability):
        raise NotAllowed(
            _("Your roles do not allow this action (%(capability)s).") % {"capability": capability}
        )


def is_department_wide(user: User | None) -> bool:
    """True for users who see every organisation's rows."""
    return bool(roles_of(user) & DEPARTMENT_WIDE)
