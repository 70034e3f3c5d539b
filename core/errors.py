"""The small hierarchy of domain errors, each with a stable machine ``code`` and a ``kind``.

Messages are written for the clerk who must act on them: say what is wrong and what is expected.
The domain knows nothing of HTTP: an error says *what kind* of refusal it is (``invalid``,
``not_found``, ``conflict``, ``forbidden``, ``unauthenticated``, ``unavailable``, ``too_large``,
``unsupported``); the API maps each kind to one HTTP status in one place (``api/problems.py``).

``code`` is a stable identifier a client may branch on (e.g. ``"officer.not_found"``); when a
raise gives none, it is derived from the class (``NotFound`` → ``"not_found"``, ``FileTooLarge`` →
``"file_too_large"``). ``Invalid("message", field=...)`` keeps working unchanged.
"""
from __future__ import annotations

import re
from typing import Any, ClassVar

#: The kinds of refusal; api/problems.py maps every one of them to an HTTP status.
KINDS = ("invalid", "bad_request", "not_found", "conflict", "forbidden", "unauthenticated", "unavailable",
         "too_large", "unsupported")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def code_of(cls: type) -> str:
    """The default code of an error class: its name in snake_case (``NotFound`` → ``not_found``)."""
    return _CAMEL.sub("_", cls.__name__).lower()


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    kind: str = "bad_request"
    title: ClassVar[str] = "Bad request"
    #: The class's code when a raise names none (default: the class name in snake_case).
    default_code: ClassVar[str | None] = None

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, kind: str | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"unknown error kind {kind!r}; kinds are {', '.join(KINDS)}")
            self.kind = kind
        self.message = message
        self.field = field
        self.code = code or type(self).default_code or code_of(type(self))
        self.details = details

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind not in KINDS:
            raise TypeError(f"{cls.__name__}.kind {cls.kind!r} is not one of {', '.join(KINDS)}")


class Invalid(DomainError):
    """The input breaks a rule (a value out of range, an NIP that cannot be real...)."""

    kind = "invalid"
    title = "Invalid input"


class NotFound(DomainError):
    kind = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The command contradicts what is already recorded (duplicate NIP, stale version, signed twice)."""

    kind = "conflict"
    title = "Conflict"


class Forbidden(DomainError):
    """The caller's role or agency does not allow this."""

    kind = "forbidden"
    title = "Forbidden"


class Unauthenticated(DomainError):
    kind = "unauthenticated"
    title = "Authentication required"


class Unavailable(DomainError):
    """Something the request needs is not available now (a read model being rebuilt or stopped); retry later."""

    kind = "unavailable"
    title = "Temporarily unavailable"
