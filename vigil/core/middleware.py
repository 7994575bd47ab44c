"""Request-level plumbing: upload size limit, mandatory two-factor, audit context."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vigil.core import audit

Handler = Callable[[HttpRequest], HttpResponse]

# Multipart framing and form fields around the file itself.
_UPLOAD_OVERHEAD = 1024 * 1024


def wants_json(request: HttpRequest) -> bool:
    """API clients get JSON errors; people get pages."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    """A clear 413, as JSON for the API and as a page for people."""
    message = _("The upload is larger than the limit of %(mb).0f MB.") % {"mb": limit / 1024 / 1024}
    if wants_json(request):
        return JsonResponse({"code": "too_large", "message": message, "limit_bytes": limit}, status=413)
    return render(
        request, "core/error.html", {"title": _("Upload too large"), "message": message}, status=413
    )


class UploadLimitMiddleware:
    """Refuse bodies over the evidence limit before Django reads them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.EVIDENCE_MAX_BYTES)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + _UPLOAD_OVERHEAD:
            return too_large_response(request, limit)
        return self.get_response(request)


_OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/api/",
    "/appeal/",
    "/report/",
    "/lookup/",
    "/warnings/",
    "/account/login/",
    "/account/two-factor/",
    "/account/logout/",
    "/healthz",
)


class RequireTwoFactorMiddleware:
    """Logged-in staff must pass the TOTP step before reaching any page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect("core:two_factor")
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only behind a configured proxy."""
    if getattr(settings, "VIGIL_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client address available to :func:`vigil.core.audit.record`."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_context(audit.RequestContext(source_ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)
