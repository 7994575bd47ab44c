"""Wiring the desk to decision changes: reporters hear about a decision on their case."""

from __future__ import annotations

from vigil.cases.hooks import on_decision_change


def _enqueue(decision_id: int) -> None:
    from vigil.intake.tasks import decision_changed

    decision_changed.enqueue(decision_id=decision_id)


def register() -> None:
    """Called once from IntakeConfig.ready()."""
    on_decision_change(_enqueue)
