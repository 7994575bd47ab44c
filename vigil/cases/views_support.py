"""HTTP responses for evidence content, shared by pages and the API."""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse

from vigil.cases.models import EvidenceItem

# Captured pages may carry scripts and phishing forms: they are never rendered with
# Vigil's origin. ``sandbox`` without allow-* flags gives the document an opaque origin,
# no scripts, no forms, no top navigation.
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def evidence_response(item: EvidenceItem, handle: BinaryIO, *, inline: bool = False) -> FileResponse:
    """Stream evidence as a download, or inline under a sandboxing CSP."""
    filename = item.original_name or f"{item.sha256}"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=item.media_type if not inline else _inline_type(item),
    )
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Evidence-SHA256"] = item.sha256
    if inline:
        # Only Vigil's own case page may frame the sandboxed preview.
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _inline_type(item: EvidenceItem) -> str:
    if item.is_html:
        return "text/html; charset=utf-8"
    if item.media_type.startswith("image/") and item.media_type != "image/svg+xml":
        return item.media_type
    return "text/plain; charset=utf-8"
