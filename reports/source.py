"""Reading the read models at one log position — live, or rebuilt as of a past position — with the
chain head there and the *reference date* (the day the last event at that position was recorded).

Everything a national recap or an export computes is a function of the read models and this reference
date: the same position always gives the same answer, which is what lets ``pengkom verify --export``
re-derive a file from the log. (Deadline statuses are judged at the reference date, not the wall clock.)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from projections.asof import build_as_of
from projections.chain import ChainHead, chain_head
from projections.store import ViewStore
from projections.tracking import Behind

#: The reference date of an empty log (nothing recorded: nothing is due either).
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class At:
    """The moment a read is made at: the log position, its chain head and its reference date."""

    position: int
    head: ChainHead
    reference: date
    recorded_at: datetime | None

    def stamp(self) -> str:
        return f"{self.head.position}:{self.head.digest}"


def moment_of(app: Any, position: int) -> datetime | None:
    """When the last event at or before ``position`` was recorded (UTC); None for an empty log."""
    if position <= 0:
        return None
    recorder = app.recorder
    start = position
    window = 64
    while start > 0:
        lo = max(1, start - window + 1)
        notes = [n for n in recorder.select_notifications(start=lo, limit=window) if n.id <= position]
        if notes:
            event = app.mapper.to_domain_event(notes[-1])
            moment: datetime = event.meta.recorded_at
            return moment.astimezone(UTC)
        if lo == 1:
            return None
        start = lo - 1
        window *= 4
    return None


def at(app: Any, position: int, head: ChainHead | None) -> At:
    if head is None:
        raise Behind("The hash chain has not yet reached the position of this read, so it cannot be stamped; retry in a moment.",
                     position=position)
    moment = moment_of(app, head.position)
    return At(position, head, moment.date() if moment else EPOCH, moment)


@contextmanager
def reading(services: Any, names: Sequence[str], *, as_of: str | None = None,
            aggregate_ids: Iterable[UUID] | None = None) -> Iterator[tuple[ViewStore, At, Any]]:
    """``with reading(services, NAMES, as_of=...) as (store, at, point):`` — the named read models live (one
    consistent snapshot, held open while the block runs, so a streamed export reads one moment) or as of a
    past position (rebuilt in memory), the moment read, and the resolved as-of point (None when live)."""
    from api import asof as api_asof

    if as_of is None:
        with services.views.snapshot() as snap:
            position = services.projector.require_current(*names, store=snap)
            yield snap, at(services.app, position, chain_head(snap, upto=position)), None
        return
    with services.views.snapshot() as snap:
        point = api_asof.resolve(services, as_of, snap)
        head = chain_head(snap, upto=point.position)
    past = build_as_of(services.app, names, point.position, aggregate_ids=aggregate_ids)
    try:
        yield past, at(services.app, point.position, head), point
    finally:
        past.close()


def rebuilt(app: Any, names: Sequence[str], position: int, *, aggregate_ids: Iterable[UUID] | None = None) -> ViewStore:
    """The named read models rebuilt from the log up to ``position`` (for verification)."""
    return build_as_of(app, names, position, aggregate_ids=aggregate_ids)


Builder = Callable[[ViewStore, At], Any]
