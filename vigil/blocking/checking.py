"""Answering "is this blocked?" from the shared snapshot (API, CLI and pages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from vigil.blocking import services


def check_value(value: str, snapshot: Any = None) -> dict[str, Any]:
    """The verdict for one URL, domain or IP, in the API's shape."""
    snapshot = services.current_snapshot() if snapshot is None else snapshot
    value = (value or "").strip()
    try:
        verdict = snapshot.check(value)
    except ValueError as exc:
        return {"value": value, "status": "none", "decisions": [], "error": str(exc)}
    decision_ids = [ref.decision_id for ref in verdict.refs if ref.decision_id is not None]
    block_page = (
        f"{settings.VIGIL_PUBLIC_URL}/appeal/{decision_ids[0]}/"
        if verdict.status == "blocked" and decision_ids
        else None
    )
    return {
        "value": value,
        "status": verdict.status,
        "decisions": [
            {
                "decision_id": ref.decision_id,
                "category": ref.category,
                "scope": ref.scope,
                "action": ref.action,
                "legal_basis": ref.legal_basis,
                "expires_at": ref.expires_at,
                "source": ref.source,
            }
            for ref in verdict.refs
        ],
        "block_page": block_page,
    }
