"""One exception hierarchy for every refusal a service can make.

Each error carries a stable machine ``code`` (used by the API) and a message written for
the person who caused it. Views and API handlers translate them; services only raise.
"""

from __future__ import annotations

from collections.abc import Mapping


class VigilError(Exception):
    """Base class: a refusal with a stable code, an HTTP status and a clear message."""

    code = "error"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = dict(details or {})


class InvalidInput(VigilError):
    """The input is malformed or incomplete."""

    code = "invalid_input"
    status = 400


class NotAllowed(VigilError):
    """The actor lacks the role or the scope for this action."""

    code = "forbidden"
    status = 403


class FourEyesViolation(NotAllowed):
    """The same person would hold two roles that must be held by different people."""

    code = "four_eyes"


class NotFound(VigilError):
    """The object does not exist or is not visible to the actor."""

    code = "not_found"
    status = 404


class Conflict(VigilError):
    """The object's current state does not allow the action."""

    code = "conflict"
    status = 409


class InvalidTransition(Conflict):
    """A workflow transition that the workflow forbids."""

    code = "invalid_transition"


class TooLarge(VigilError):
    """An upload over the configured size limit."""

    code = "too_large"
    status = 413


class ContentRefused(VigilError):
    """Content Vigil must never store (child sexual abuse material is referral-only)."""

    code = "content_refused"
    status = 422
