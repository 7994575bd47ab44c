"""The case workflow as data: which status may follow which (pure Python).

>>> allowed_next("new")
('triage', 'rejected')
>>> check_transition("new", "triage")
>>> check_transition("new", "closed")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
vigil.lib.case_workflow.WorkflowError: a case in status 'new' cannot move to 'closed'; allowed: ...
"""

from __future__ import annotations

STATUSES = (
    "new",
    "triage",
    "collecting",
    "appraisal",
    "decided",
    "actioned",
    "monitoring",
    "closed",
    "rejected",
    "merged",
)

# "merged" is reached only through the merge service, never as a plain transition.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triage", "rejected"),
    "triage": ("collecting", "appraisal", "rejected"),
    "collecting": ("appraisal", "triage", "rejected"),
    "appraisal": ("decided", "collecting", "rejected"),
    "decided": ("actioned", "appraisal", "closed"),
    "actioned": ("monitoring", "closed"),
    "monitoring": ("actioned", "closed"),
    "closed": ("triage",),
    "rejected": ("triage",),
    "merged": (),
}

MERGEABLE = frozenset({"new", "triage", "collecting", "appraisal"})
OPEN = frozenset(STATUSES) - {"closed", "rejected", "merged"}


class WorkflowError(ValueError):
    """A transition the workflow forbids."""


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a case may move to from ``status``."""
    if status not in TRANSITIONS:
        raise WorkflowError(f"unknown case status {status!r}")
    return TRANSITIONS[status]


def check_transition(current: str, target: str) -> None:
    """Raise :class:`WorkflowError` with a readable reason if ``current → target`` is forbidden.

    >>> check_transition("merged", "triage")
    Traceback (most recent call last):
    ...
    vigil.lib.case_workflow.WorkflowError: a merged case is final and cannot change status
    """
    if target not in TRANSITIONS:
        raise WorkflowError(f"unknown case status {target!r}")
    if current == "merged":
        raise WorkflowError("a merged case is final and cannot change status")
    if target == "merged":
        raise WorkflowError("use merge to merge a case into another")
    allowed = allowed_next(current)
    if target not in allowed:
        raise WorkflowError(
            f"a case in status {current!r} cannot move to {target!r}; allowed: {', '.join(allowed)}"
        )
