"""The versioned HTTP API (django-ninja), mounted at ``/api/v1/``.

Machines authenticate with ``Authorization: Bearer vgl_…`` tokens; people's browsers may
use their session once they have passed two-factor log-in. Every error is JSON with a
stable ``code`` and a ``message``; bad input is a 4xx, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from vigil.core.services import authenticate_token
from vigil.errors import VigilError


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a hashed, revocable personal token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    """A browser session, accepted only after the TOTP step."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(request.user, "is_verified", lambda: False)():
            return user
        return None


api = NinjaAPI(
    title="Vigil API",
    version="1",
    urls_namespace="api-1",
    auth=[BearerToken(), VerifiedSession()],
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(VigilError)
def vigil_error(request: HttpRequest, exc: VigilError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())[1:]),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return _error(request, 422, "invalid_input", _("Some fields are missing or malformed."), details)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        _("Send a valid API token (Authorization: Bearer …) or log in with two-factor."),
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def register_routers() -> None:
    """Mount each app's router (called once from the URLconf)."""
    from vigil.blocking.api import router as blocking_router
    from vigil.cases.api import router as cases_router
    from vigil.collection.api import router as collection_router
    from vigil.core.api import router as core_router
    from vigil.indicators.api import router as indicators_router
    from vigil.intake.api import router as intake_router

    api.add_router("/", core_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/", cases_router)
    api.add_router("/", blocking_router)
    api.add_router("/", intake_router)
    api.add_router("/", collection_router)
