"""Read models as they stood at a past log position: built from the log into a private in-memory
store, then read with the projection's own query functions.

The result depends only on the events at or before the position, so the same position always
gives the same answer. When a read concerns a few aggregates (one officer's profile, one plan),
pass their ids and only their events are replayed — fast at any log size — provided the
projection builds those rows from those aggregates' events alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from projections.catchup import apply_batch
from projections.log import EventLog
from projections.registry import all_projections
from projections.store import MemoryViewStore

_BATCH = 2000


def build_as_of(app: Any, names: Sequence[str], position: int, *, aggregate_ids: Iterable[UUID] | None = None) -> MemoryViewStore:
    """A fresh in-memory store holding the named read models built up to ``position`` (inclusive)."""
    registry = {p.name: type(p) for p in all_projections()}
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown projection {', '.join(unknown)}")
    projections = [registry[n]() for n in names]
    store = MemoryViewStore()
    with store.transaction() as tx:
        for p in projections:
            p.create(tx)
    log = EventLog(app)
    if aggregate_ids is not None:
        notes: Iterable[Any] = log.of_aggregates(aggregate_ids, position)
    else:
        raw = any(p.wants_raw or p.every_event for p in projections)
        topics = () if raw else sorted(set().union(*(p.topics for p in projections)))
        notes = log.scan(1, position, topics=topics) if raw or topics else []
    batch: list[Any] = []
    for n in notes:
        batch.append(n)
        if len(batch) >= _BATCH:
            _apply(app, store, projections, batch)
            batch = []
    if batch:
        _apply(app, store, projections, batch)
    return store


def _apply(app: Any, store: MemoryViewStore, projections: list[Any], notes: list[Any]) -> None:
    with store.transaction() as tx:
        apply_batch(tx, projections, notes, app.mapper.to_domain_event)
