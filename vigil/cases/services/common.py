"""Checks shared by the case services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vigil.cases.models import Case
from vigil.core import roles
from vigil.core.models import User
from vigil.errors import NotAllowed, NotFound


def require_visible(actor: User, case: Case) -> None:
    """Refuse to act on a case the actor may not see (as if it did not exist)."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound(_("No such case."))


def require_on_case(actor: User, case: Case, capability: str) -> None:
    """The actor holds ``capability`` and sees ``case``; merged cases are read-only."""
    roles.require(actor, capability)
    require_visible(actor, case)
    if case.status == "merged":
        raise NotAllowed(
            _("Case %(code)s was merged into another case; work on that case instead.") % {"code": case.code}
        )
