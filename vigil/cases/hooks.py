"""Explicit listeners for decision changes (registered by other apps at start-up).

The blocking engine must learn, after commit, that a decision started or stopped being
in force. Listeners are registered in an ``AppConfig.ready()`` so an import error fails
loudly at start, and they run only once the change is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

DecisionListener = Callable[[int], None]
_listeners: list[DecisionListener] = []


def on_decision_change(listener: DecisionListener) -> DecisionListener:
    """Register ``listener(decision_id)``, called after commit whenever a decision's state changes."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def decision_changed(decision_id: int) -> None:
    """Tell every listener, once the current transaction commits."""
    for listener in _listeners:
        transaction.on_commit(partial(listener, decision_id))


# Providers of initial values for the appraisal form (e.g. detector findings), by app.
AppraisalPrefill = Callable[[object], dict[str, object]]
_appraisal_prefills: list[AppraisalPrefill] = []


def on_appraisal_prefill(provider: AppraisalPrefill) -> AppraisalPrefill:
    """Register ``provider(case) -> initial values`` for the appraisal form; it only suggests."""
    if provider not in _appraisal_prefills:
        _appraisal_prefills.append(provider)
    return provider


def appraisal_initial(case: object) -> dict[str, object]:
    """Initial values for a case's appraisal form from every provider (later ones win)."""
    initial: dict[str, object] = {}
    for provider in _appraisal_prefills:
        initial.update(provider(case))
    return initial
