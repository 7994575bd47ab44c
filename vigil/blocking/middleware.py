"""Serve the block page to visitors whose resolver sent a blocked name here."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from vigil.lib.domains import is_ip_host


def requested_host(request: HttpRequest) -> str:
    """The Host header without port or trailing dot, lower-cased (not validated on purpose)."""
    host = request.META.get("HTTP_HOST", "").strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


class BlockPageMiddleware:
    """First in the chain: a request for a name that is not Vigil's own gets the block page.

    It runs before Django validates the Host header (ALLOWED_HOSTS), because the whole
    point is to answer for names that are not Vigil's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.own_hosts = frozenset(settings.VIGIL_OWN_HOSTS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = requested_host(request)
        if not host or host in self.own_hosts or is_ip_host(host.strip("[]")):
            return self.get_response(request)
        from vigil.blocking.views import block_page

        return block_page(request, host)
