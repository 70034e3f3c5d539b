"""One projection mechanism for both stores: follow the notification log, apply events to the read
models and advance each projection's tracking position in the same transaction.

The library's own projection runner needs subscriptions, which its SQLite store lacks; this runner
only pulls (``select_notifications``), so it works the same on SQLite and PostgreSQL. It resumes
from the tracking rows after a restart. Commands call :meth:`Projector.catch_up` before they
respond, so a query that follows a command's response sees its effect (read-your-writes).

Rebuilds: :meth:`Projector.reset` drops a projection's tables and marks its tracking row
``rebuilding``; the rebuild then advances batch by batch like any catch-up, so an interrupted
``pengkom replay`` resumes where it stopped. While the flag is set, the API's own catch-ups leave
that projection to the rebuilding process and its reads answer 503 (:meth:`Projector.require_current`),
never half-built rows.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, Invalid
from projections.base import Projection
from projections.store import Tx, ViewStore

TRACKING = "projection_tracking"
#: Statements buffered per projection and batch before they are sent (bounds memory, not order).
_FLUSH_AT = 5000
#: A read model at position 0 that is not marked ``rebuilding`` (a new read model, a verify scratch
#: store) is built through the staging database when at least this many events wait for it; one
#: marked ``rebuilding`` (reset, changed version) always is.
STAGE_MIN = 5000
#: Notifications read per query by a staged rebuild.
FETCH = 5000


class Rebuilding(DomainError):
    """A read model is being rebuilt from the log; its rows are incomplete until it finishes."""

    status = 503
    title = "Read model rebuilding"


@dataclass
class Progress:
    position: int
    last: int
    events: int
    seconds: float


@dataclass(frozen=True)
class Tracking:
    name: str
    version: int
    position: int
    rebuilding: bool


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
        for row in rows:
            self.execute(sql, row)

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

    def flush(self) -> None:
        if self._groups:
            groups, self._groups, self._n = self._groups, [], 0
            self.tx.run_batch(groups)


class Projector:
    def __init__(self, app: Any, store: ViewStore, projections: Sequence[Projection], *, batch: int = 1000,
                 staged: bool = True, stage_min: int = STAGE_MIN, fetch: int = FETCH) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch = batch
        #: Full rebuilds go through a local staging database (:mod:`projections.staging`).
        self.staged = staged
        self.stage_min = stage_min
        self.fetch = fetch
        self._lock = threading.Lock()
        self._setup()

    # -- set-up and versions ------------------------------------------------------------------------

    def _setup(self) -> None:
        with self.store.transaction() as tx:
            tx.execute(f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                       "position BIGINT NOT NULL, rebuilding INTEGER NOT NULL DEFAULT 0)")
            self._add_rebuilding_column(tx)
            rows = {r["name"]: r for r in tx.fetchall(f"SELECT name, version, position FROM {TRACKING}")}
            for p in self.projections.values():
                row = rows.get(p.name)
                if row is None:
                    p.create(tx)
                    tx.execute(f"INSERT INTO {TRACKING} (name, version, position, rebuilding) VALUES (?, ?, 0, 0)", (p.name, p.version))
                elif row["version"] != p.version:
                    # A changed projection never serves rows built by its old code: rebuild.
                    self._reset(tx, p)

    @staticmethod
    def _add_rebuilding_column(tx: Tx) -> None:
        # Stores created before rebuilds were resumable lack the flag.
        if tx.dialect == "postgres":
            cols = {r["column_name"] for r in tx.fetchall(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?", (TRACKING,))}
        else:
            cols = {r["name"] for r in tx.fetchall(f"PRAGMA table_info({TRACKING})")}
        if "rebuilding" not in cols:
            tx.execute(f"ALTER TABLE {TRACKING} ADD COLUMN rebuilding INTEGER NOT NULL DEFAULT 0")

    def _reset(self, tx: Tx, p: Projection) -> None:
        p.drop(tx)
        p.create(tx)
        tx.execute(f"UPDATE {TRACKING} SET version = ?, position = 0, rebuilding = 1 WHERE name = ?", (p.version, p.name))

    def resolve(self, names: Iterable[str] | None) -> list[Projection]:
        if not names:
            return list(self.projections.values())
        names = list(dict.fromkeys(names))
        unknown = [n for n in names if n not in self.projections]
        if unknown:
            raise Invalid(f"Unknown projection {', '.join(unknown)}; known: {', '.join(sorted(self.projections))}.", field="projection")
        return [self.projections[n] for n in names]

    def tracking(self) -> dict[str, Tracking]:
        rows = self.store.fetchall(f"SELECT name, version, position, rebuilding FROM {TRACKING}")
        return {r["name"]: Tracking(r["name"], int(r["version"]), int(r["position"]), bool(r["rebuilding"]))
                for r in rows if r["name"] in self.projections}

    def positions(self) -> dict[str, int]:
        return {name: t.position for name, t in self.tracking().items()}

    def require_current(self, *names: str, store: ViewStore | None = None) -> int:
        """The position the named read models are built to; :class:`Rebuilding` (503) while any is rebuilt.

        Read endpoints call this before they query, so a half-built read model is never served as
        if it were complete. Pass the request's snapshot as ``store`` to read it in the same view.
        """
        marks = ",".join("?" * len(names))
        rows = (store or self.store).fetchall(f"SELECT name, position, rebuilding FROM {TRACKING} WHERE name IN ({marks})", names)
        busy = sorted(r["name"] for r in rows if r["rebuilding"])
        if busy:
            head = self.app.recorder.max_notification_id() or 0
            done = {r["name"]: int(r["position"]) for r in rows}
            detail = ", ".join(f"{n} ({done[n] * 100 // max(head, 1)}% of the log)" for n in busy)
            raise Rebuilding(f"The read model {detail} is being rebuilt from the event log; nothing is lost, "
                             "but its rows are incomplete until the rebuild ends. Retry in a moment.", rebuilding=busy)
        return min((int(r["position"]) for r in rows), default=0)

    def reset(self, names: Iterable[str] | None = None) -> list[str]:
        """Drop the named read models (all by default) and mark them for rebuilding from position 0."""
        chosen = self.resolve(names)
        with self._lock, self.store.transaction() as tx:
            for p in chosen:
                self._reset(tx, p)
        return [p.name for p in chosen]

    # -- following the log --------------------------------------------------------------------------

    def catch_up(self, *, only: Iterable[str] | None = None, on_progress: Callable[[Progress], None] | None = None,
                 stop: int | None = None, rebuilding: bool = False) -> int:
        """Apply every recorded event not yet applied; return how many notifications were read.

        Read models being rebuilt are left to the process rebuilding them unless they are named
        in ``only`` or ``rebuilding`` is true (start-up, ``pengkom replay``). With ``stop``, stop at
        that position; otherwise keep following the events recorded meanwhile.
        """
        chosen = self.resolve(only)
        take_rebuilding = rebuilding or bool(only)
        total = 0
        started = time.perf_counter()
        with self._lock:
            last = self._head(stop)
            if self.staged:
                total += self._staged(chosen, take_rebuilding, last, on_progress, started)
            while True:
                top = None
                with self.store.transaction() as tx:
                    state = self._lock_tracking(tx, chosen, take_rebuilding)
                    if not state:
                        break
                    wanted = [p for p in chosen if p.name in state]
                    start = min((t.position for t in state.values()), default=last) + 1
                    notes = self.app.recorder.select_notifications(start=start, limit=self.batch, stop=last) if start <= last else []
                    if notes:
                        self._apply(tx, wanted, state, notes)
                        top = notes[-1].id
                        for p in wanted:
                            if state[p.name].position < top:
                                tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (top, p.name))
                        total += len(notes)
                    if (top is None or top >= last) and (stop is None or stop >= self._head(None)):
                        # Caught up with the whole log as it stood: a rebuild is complete and may be served.
                        done = [t.name for t in state.values() if t.rebuilding]
                        for name in done:
                            tx.execute(f"UPDATE {TRACKING} SET rebuilding = 0 WHERE name = ?", (name,))
                if on_progress and top is not None:
                    on_progress(Progress(top, last, total, time.perf_counter() - started))
                if top is None or top >= last:
                    head = self._head(stop)
                    if head <= last:
                        break
                    last = head  # follow what was recorded meanwhile
        return total

    def _staged(self, chosen: list[Projection], take_rebuilding: bool, last: int,
                on_progress: Callable[[Progress], None] | None, started: float) -> int:
        """Build the read models that start from scratch (or are being rebuilt) up to ``last`` through a
        local staging database, then load them into the store in one transaction with their tracking
        positions (:mod:`projections.staging`). Returns the notifications read (0 when none qualify).

        Nothing is written to the store before that final transaction, and it only commits if the
        tracking rows are still as they were when the staging began (another process may have advanced
        them meanwhile: then the staged rows are dropped and the ordinary catch-up carries on).
        """
        from projections.staging import Staging, load, read_log

        with self.store.transaction() as tx:
            state = self._lock_tracking(tx, chosen, take_rebuilding)

        def qualifies(t: Tracking) -> bool:
            gap = last - t.position
            return gap > 0 and (t.rebuilding or (t.position == 0 and gap >= self.stage_min))

        group = [p for p in chosen if p.name in state and qualifies(state[p.name])]
        if not group:
            return 0
        before = {p.name: state[p.name] for p in group}
        after = {n: t.position for n, t in before.items()}
        start = min(after.values()) + 1
        to_domain_event = self.app.mapper.to_domain_event
        staging = Staging()
        try:
            staging.begin()
            for p in group:
                p.create(staging.tx, indexes=p.indexes if p.handler_indexes is None else p.handler_indexes)
            seeded = [p for p in group if before[p.name].position]
            if seeded:
                with self.store.read() as rtx:
                    for p in seeded:
                        staging.seed(rtx, p)
            total, top = 0, None
            for notes in read_log(self.app, start, last, self.fetch):
                apply_batch(staging.tx, group, notes, to_domain_event, after=after)
                total += len(notes)
                top = notes[-1].id
                if on_progress:
                    on_progress(Progress(top, last, total, time.perf_counter() - started))
            staging.commit()
            if top is None:
                return 0
            with self.store.transaction() as tx:
                now = self._lock_tracking(tx, group, True)
                if any(now.get(n) != t for n, t in before.items()):
                    return 0
                for p in group:
                    load(tx, staging, p)
                    tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (top, p.name))
            return total
        finally:
            staging.close()

    def _head(self, stop: int | None) -> int:
        head = self.app.recorder.max_notification_id() or 0
        return head if stop is None else min(head, stop)

    def _apply(self, tx: Tx, wanted: list[Projection], state: dict[str, Tracking], notes: Sequence[Any]) -> None:
        apply_batch(tx, wanted, notes, self.app.mapper.to_domain_event, after={n: t.position for n, t in state.items()})

    def _lock_tracking(self, tx: Tx, chosen: list[Projection], take_rebuilding: bool) -> dict[str, Tracking]:
        names = [p.name for p in chosen]
        marks = ",".join("?" * len(names))
        rows = tx.fetchall(f"SELECT name, version, position, rebuilding FROM {TRACKING} WHERE name IN ({marks})", names)
        if not take_rebuilding:
            names = [r["name"] for r in rows if not r["rebuilding"]]
            if not names:
                return {}
            marks = ",".join("?" * len(names))
        if tx.dialect == "postgres":
            rows = tx.fetchall(f"SELECT name, version, position, rebuilding FROM {TRACKING} WHERE name IN ({marks}) "
                               "ORDER BY name FOR UPDATE", names)
        return {r["name"]: Tracking(r["name"], int(r["version"]), int(r["position"]), bool(r["rebuilding"]))
                for r in rows if r["name"] in names}


def apply_batch(tx: Tx, projections: Sequence[Projection], notes: Sequence[Any], to_domain_event: Callable[[Any], Any],
                *, after: dict[str, int] | None = None) -> None:
    """Apply a batch of notifications to each projection (skipping what it already applied).

    One projection at a time over the batch: each owns its tables, so this order is as good as
    the log's, and each projection's statements come in long runs that are sent together. Each
    event is decoded (and upcast) once, however many projections want it.
    """
    decoded: dict[int, Any] = {}
    for p in projections:
        skip = after.get(p.name, 0) if after else 0
        btx = _Batched(tx)
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
        btx.flush()
