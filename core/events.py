"""Provenance and the base aggregate every pengkom aggregate derives from.

Every event carries a :class:`Provenance`: who recorded it, in which role, for which agency and
unit, on whose behalf, under which request, when it was recorded and — separately — when the fact
happened. Event topics are pinned explicitly (``TOPIC``) so a module move never makes old events
unreadable.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

#: Namespace for ids derived from natural keys (an officer's NIP, an agency's plan for a year).
PENGKOM_NS = uuid5(NAMESPACE_URL, "https://pengkom.kemnaker.go.id/ids")


def derived_id(kind: str, *key: object) -> UUID:
    """A stable aggregate id from a natural key, e.g. ``derived_id("officer", nip)``."""
    return _derived(":".join([kind, *map(str, key)]))


@lru_cache(maxsize=1 << 16)
def _derived(name: str) -> UUID:
    # A bulk import asks for the same officer's id once per row it appears on: remembered, not rehashed.
    return uuid5(PENGKOM_NS, name)


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as the bearer token states it."""

    subject: str
    name: str
    roles: frozenset[str]
    agency: str | None = None
    unit: str | None = None
    nip: str | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Provenance:
    """Who recorded an event, for whom, under which request, when — and when the fact happened."""

    subject: str
    subject_name: str
    role: str
    agency: str | None
    unit: str | None
    on_behalf_of: str | None
    request_id: str
    recorded_at: datetime
    effective_date: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "subject_name": self.subject_name,
            "role": self.role,
            "agency": self.agency,
            "unit": self.unit,
            "on_behalf_of": self.on_behalf_of,
            "request_id": self.request_id,
            "recorded_at": self.recorded_at.isoformat(),
            "effective_date": self.effective_date.isoformat(),
        }


@dataclass(frozen=True)
class Context:
    """What a command needs besides its own data: the actor and the request's particulars.

    ``role`` is the role the actor acts in for this command (a token may carry several).
    """

    actor: Actor
    request_id: str
    role: str = ""
    effective_date: date | None = None
    on_behalf_of: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def acting_as(self, role: str) -> Context:
        """The same context, acting in ``role`` (the role a guard granted for this command)."""
        return replace(self, role=role)

    def provenance(self, *, on_behalf_of: str | None = None, effective_date: date | None = None) -> Provenance:
        if not self.role:
            raise RuntimeError("a command must pass its guard (Context.acting_as) before it records anything")
        eff = effective_date or self.effective_date or self.now.date()
        return Provenance(
            subject=self.actor.subject,
            subject_name=self.actor.name,
            role=self.role,
            agency=self.actor.agency,
            unit=self.actor.unit,
            on_behalf_of=on_behalf_of if on_behalf_of is not None else self.on_behalf_of,
            request_id=self.request_id,
            recorded_at=self.now,
            effective_date=eff,
        )


class PengkomAggregate(Aggregate):
    """Base aggregate: every event carries ``meta`` (its provenance)."""

    class Event(Aggregate.Event):
        meta: Provenance

    def record(self, event_class: type[Aggregate.Event], meta: Provenance, **kwargs: Any) -> None:
        """Trigger ``event_class`` with provenance; the timestamp is the recorded-at moment."""
        self.trigger_event(event_class, meta=meta, timestamp=meta.recorded_at, **kwargs)


# The library's metaclass gives every aggregate class a ``Created`` event copied from its base
# unless the class defines one. Such a copy would inherit the area's ``Event`` TOPIC and shadow it
# in the topic registry. Creation events here are explicit and named (``Registered``, ``Opened``…,
# deriving ``(Event, PengkomAggregate.Created)``, which resolves to the library's ``Created``), so
# the copy is removed from the base and never made for subclasses.
del PengkomAggregate.Created
