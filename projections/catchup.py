"""Incremental catch-up: apply the events recorded since each read model's tracking position.

One transaction per batch (at most ``batch`` notifications): lock the tracking rows, read the next
notifications, apply them to every read model, advance the tracking rows, commit. The read models'
statements, the tracking update and the notification of waiting reads go out together (PostgreSQL: one
pipeline, one round trip for a small batch). If anything fails, the transaction is rolled back and the
same batch is applied again the careful way, each read model inside its own savepoint: a read model
whose code fails on an event keeps what it applied before that event and stops there (its tracking row
records why); the others carry on.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from projections import tracking
from projections.base import Projection
from projections.store import Tx, ViewStore
from projections.tracking import Progress, Tracking

log = logging.getLogger("projections.runner")

#: Statements buffered per projection and batch before they are sent (bounds memory, not order).
_FLUSH_AT = 5000


class _Batched:
    """A Tx that buffers writes and sends them in order, consecutive identical statements together.

    Handlers keep their one-statement-per-call style; a read (``fetch*``) first sends what is
    buffered, so a handler always reads its own writes. Order is never changed.
    """

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.dialect = tx.dialect
        self._groups: list[tuple[str, list[Sequence[Any]]]] = []
        self._n = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        groups = self._groups
        if groups and groups[-1][0] == sql:
            groups[-1][1].append(params)
        else:
            groups.append((sql, [params]))
        self._n += 1
        if self._n >= _FLUSH_AT:
            self.flush()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)  # (a copy: the buffer's lists grow, the caller's must not)
        if not rows:
            return
        groups = self._groups
        if groups and groups[-1][0] == sql:
            groups[-1][1].extend(rows)
        else:
            groups.append((sql, rows))
        self._n += len(rows)
        if self._n >= _FLUSH_AT:
            self.flush()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.flush()
        return self.tx.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        self.flush()
        return self.tx.fetchone(sql, params)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        self.flush()
        return self.tx.stream(sql, params, size)

    def run_batch(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None:
        self.flush()
        self.tx.run_batch(groups)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Any) -> int:
        self.flush()
        return self.tx.bulk_insert(table, columns, rows)

    def flush(self) -> None:
        if self._groups:
            groups, self._groups, self._n = self._groups, [], 0
            self.tx.run_batch(groups)


def apply_batch(tx: Tx, projections: Sequence[Projection], notes: Sequence[Any], to_domain_event: Callable[[Any], Any],
                *, after: dict[str, int] | None = None, batched: _Batched | None = None) -> None:
    """Apply a batch of notifications to each projection (skipping what it already applied).

    Each event is decoded (and upcast) once, however many projections want it. Without ``batched``
    (a staged rebuild, the careful way), each projection has its own statement buffer and the batch
    is applied event by event (:func:`_apply_event_by_event`). With ``batched`` (the live catch-up),
    one projection at a time over the batch, every projection's statements into that one buffer
    (sent when a projection reads, or by the caller): one round trip for the whole batch instead of
    one per projection. Projections own their tables, so either order is as good as the log's.
    """
    if batched is None:
        _apply_event_by_event(tx, projections, notes, to_domain_event, after)
        return
    decoded: dict[int, Any] = {}
    for p in projections:
        skip = after.get(p.name, 0) if after else 0
        btx = batched
        p.applied_to = skip if after else None
        p.begin(btx)
        topics = p.topics
        every = p.every_event
        raw = p.wants_raw
        for i, n in enumerate(notes):
            if n.id <= skip:
                continue
            if raw:
                p.apply_raw(btx, n)
            if every or n.topic in topics:
                event = decoded.get(i)
                if event is None:
                    event = decoded[i] = to_domain_event(n)
                p.apply(btx, event, n.id)
        p.end(btx)


def _apply_event_by_event(tx: Tx, projections: Sequence[Projection], notes: Sequence[Any], to_domain_event: Callable[[Any], Any],
                          after: dict[str, int] | None) -> None:
    """:func:`apply_batch` with a buffer per projection: each event decoded, given to every projection that
    wants it and dropped, so a batch never holds all its decoded events at once (the statements still come
    in each projection's own long runs; projections own their tables, so the order between them is free)."""
    states = []
    for p in projections:
        skip = after.get(p.name, 0) if after else 0
        btx = _Batched(tx)
        p.applied_to = skip if after else None
        p.begin(btx)
        states.append((p, btx, skip))
    # Per stored topic, the read models that take it (those over every event or the raw log take all).
    takers: dict[str, list[tuple[Projection, _Batched, int, bool]]] = {}
    for n in notes:
        position = n.id
        topic = n.topic
        mine = takers.get(topic)
        if mine is None:
            mine = takers[topic] = [(p, btx, skip, p.every_event or topic in p.topics) for p, btx, skip in states
                                    if p.wants_raw or p.every_event or topic in p.topics]
        event = None
        for p, btx, skip, takes_event in mine:
            if position <= skip:
                continue
            if p.wants_raw:
                p.apply_raw(btx, n)
            if takes_event:
                if event is None:
                    event = to_domain_event(n)
                p.apply(btx, event, position)
    for p, btx, *_ in states:
        p.end(btx)
        btx.flush()


def catch_up(app: Any, store: ViewStore, chosen: list[Projection], *, take_rebuilding: bool, stop: int | None,
             batch: int, on_progress: Callable[[Progress], None] | None = None,
             on_batch: Callable[[dict[str, Tracking]], None] | None = None, notify: str | None = None) -> int:
    """Apply every recorded event not yet applied (up to ``stop``); the notifications read.

    ``on_batch`` receives the tracking rows as each committed batch left them (the projector keeps
    them to answer reads without asking the store); ``notify`` (PostgreSQL) is a channel each batch
    that applied events notifies on commit, for the reads waiting in other processes.
    """
    names = [p.name for p in chosen]
    stopped_now: set[str] = set()
    total = 0
    started = time.perf_counter()
    last = (stop or app.recorder.max_notification_id() or 0) if on_progress else 0
    #: The batch is applied the careful way: each read model in its own savepoint (after a fast try failed).
    careful = False
    while True:
        top = None
        try:
            with store.transaction() as tx:
                state = tracking.lock(tx, [n for n in names if n not in stopped_now], take_rebuilding)
                if not state:
                    break
                wanted = [p for p in chosen if p.name in state]
                start = min(t.position for t in state.values()) + 1
                notes = app.recorder.select_notifications(start=start, limit=batch, stop=stop) if stop is None or start <= stop else []
                after_batch = dict(state)
                at_end, top = _batch(app, tx, wanted, state, notes, after_batch, stopped_now, careful=careful, batch=batch,
                                     stop=stop, notify=notify)
                total += len(notes)
        except _Careful:
            # The fast way failed (a read model's code or statement): its transaction is rolled back whole;
            # the same batch again, each read model in its own savepoint, finds which one and stops only it
            # (the careful way never raises _Careful).
            for p in chosen:
                p.forget()
            careful = True
            continue
        careful = False
        if on_batch is not None:
            on_batch(after_batch)
        if on_progress and top is not None:
            if top > last:
                last = stop or app.recorder.max_notification_id() or top
            on_progress(Progress(top, last, total, time.perf_counter() - started))
        if at_end or top is None:
            break
    return total


class _Careful(Exception):
    """The fast application of a batch failed: apply it again, each read model in its own savepoint."""


def _batch(app: Any, tx: Tx, wanted: list[Projection], state: dict[str, Tracking], notes: Sequence[Any],
           after_batch: dict[str, Tracking], stopped_now: set[str], *, careful: bool, batch: int, stop: int | None,
           notify: str | None) -> tuple[bool, int | None]:
    """Apply one batch of notifications in ``tx`` and advance the tracking rows; (at the log's end, last position).

    The fast way (``careful`` false): every read model's statements, the tracking update and the notification
    in one buffer — on PostgreSQL one pipeline, one round trip — with no savepoint; any failure raises
    :class:`_Careful` (the caller rolls the transaction back and calls again with ``careful``)."""
    top = None
    out: Any = tx
    if notes:
        if careful:
            failed = _apply(app, tx, wanted, state, notes)
        else:
            out = _Batched(tx)
            try:
                apply_batch(tx, wanted, notes, app.mapper.to_domain_event,
                            after={n: t.position for n, t in state.items()}, batched=out)
            except Exception as e:
                raise _Careful() from e
            failed = {}
        top = notes[-1].id
        moved: dict[str, int] = {}
        for p in wanted:
            t = state[p.name]
            if p.name in failed:
                stopped_now.add(p.name)
                position, error = failed[p.name]
                tracking.stop(out, p.name, max(position, t.position), error)
                after_batch[p.name] = Tracking(t.name, t.version, max(position, t.position), t.rebuilding, error)
            elif t.position < top:
                moved[p.name] = top
                after_batch[p.name] = Tracking(t.name, t.version, top, t.rebuilding, t.error)
        tracking.advance(out, moved)
        if notify and tx.dialect == "postgres":
            out.execute(f'NOTIFY "{notify}"')
        if out is not tx:
            try:
                out.flush()
            except Exception as e:
                raise _Careful() from e
    # Fewer than a batch: this is the log's end as it stood (a rebuild is complete and may be
    # served); with ``stop``, only when ``stop`` is the end of the log.
    at_end = len(notes) < batch and (stop is None or stop >= (app.recorder.max_notification_id() or 0))
    if at_end:
        done = [t.name for t in after_batch.values() if t.rebuilding and not t.error]
        tracking.finish_rebuild(tx, done)
        for name in done:
            t = after_batch[name]
            after_batch[name] = Tracking(t.name, t.version, t.position, False, t.error)
    return at_end, top


def _apply(app: Any, tx: Tx, wanted: list[Projection], state: dict[str, Tracking], notes: Sequence[Any]) -> dict[str, tuple[int, str]]:
    """Apply a batch to each read model inside its own savepoint.

    Returns {name: (last position applied, error)} for those that stopped.
    """
    after = {n: t.position for n, t in state.items()}
    failed: dict[str, tuple[int, str]] = {}
    for p in wanted:
        tx.execute("SAVEPOINT projection")
        try:
            apply_batch(tx, [p], notes, app.mapper.to_domain_event, after=after)
        except Exception as e:
            tx.execute("ROLLBACK TO SAVEPOINT projection")
            tx.execute("RELEASE SAVEPOINT projection")
            p.forget()
            failed[p.name] = _isolate(app, tx, p, notes, after.get(p.name, 0), e)
        else:
            tx.execute("RELEASE SAVEPOINT projection")
    return failed


def _isolate(app: Any, tx: Tx, p: Projection, notes: Sequence[Any], position: int, first: Exception) -> tuple[int, str]:
    """Re-apply a failed batch one event at a time to find the event that fails; keep what precedes it."""
    error: Exception = first
    for n in notes:
        if n.id <= position:
            continue
        tx.execute("SAVEPOINT projection_event")
        try:
            apply_batch(tx, [p], [n], app.mapper.to_domain_event, after={p.name: position})
        except Exception as e:
            tx.execute("ROLLBACK TO SAVEPOINT projection_event")
            tx.execute("RELEASE SAVEPOINT projection_event")
            p.forget()
            error = e
            message = f"stopped at event {n.id} ({n.topic}): {type(e).__name__}: {e}"[:1000]
            log.error("read model %s %s", p.name, message, exc_info=e)
            return position, message
        tx.execute("RELEASE SAVEPOINT projection_event")
        position = n.id
    message = f"stopped after event {position}: {type(error).__name__}: {error}"[:1000]
    log.error("read model %s %s", p.name, message, exc_info=error)
    return position, message
