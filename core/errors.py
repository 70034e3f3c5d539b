"""The small hierarchy of domain errors; the API maps each to one HTTP status (problem+json).

Messages are written for the clerk who must act on them: say what is wrong and what is expected.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class Invalid(DomainError):
    """The input breaks a rule (a value out of range, an NIP that cannot be real...)."""

    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The command contradicts what is already recorded (duplicate NIP, stale version, signed twice)."""

    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    """The caller's role or agency does not allow this."""

    status = 403
    title = "Forbidden"


class Unauthenticated(DomainError):
    status = 401
    title = "Authentication required"
