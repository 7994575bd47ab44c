"""Wiring the blocking engine to decision changes."""

from __future__ import annotations

from vigil.cases.hooks import on_decision_change


def _enqueue(decision_id: int) -> None:
    from vigil.blocking.tasks import decision_changed

    decision_changed.enqueue(decision_id=decision_id)


def register() -> None:
    """Called once from BlockingConfig.ready()."""
    on_decision_change(_enqueue)
