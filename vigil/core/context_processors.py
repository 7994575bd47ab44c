"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from vigil.core import roles


def vigil(request: HttpRequest) -> dict[str, Any]:
    """Site name and the current user's roles for navigation."""
    user = getattr(request, "user", None)
    user_roles = roles.roles_of(user) if user is not None and user.is_authenticated else frozenset()
    return {
        "vigil_name": settings.VIGIL_SITE_NAME,
        "user_roles": user_roles,
        "can_view_audit": bool(user_roles & roles.CAPABILITIES["audit.view"]),
        "is_admin": "admin" in user_roles,
    }
