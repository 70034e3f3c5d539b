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

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, Invalid
from projections.base import Projection
from projections.store import Tx, ViewStore

log = logging.getLogger(__name__)

TRACKING = "projection_tracking"
#: Statements buffered per projection and batch before they are sent (bounds memory, not order).
_FLUSH_AT = 5000
#: A read model at position 0 that is not marked ``rebuilding`` (a new read model, a verify scratch
#: store) is built through the staging database when at least this many events wait for it; one
#: marked ``rebuilding`` (reset, changed version) always is.
STAGE_MIN = 5000
#: Notifications read per query by a staged rebuild.
FETCH = 5000
#: A staged rebuild from position 0 of at least this many events uses a second process (2+ cores).
PARALLEL_MIN = 100_000


class Rebuilding(DomainError):
    """A read model is being rebuilt from the log; its rows are incomplete until it finishes."""

    status = 503
    title = "Read model rebuilding"


class Stalled(DomainError):
    """A read model stopped at an event its code could not apply; the others carry on."""

    status = 503
    title = "Read model stopped"


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
    #: Why the read model stopped (the event it could not apply), or None while it follows the log.
    error: str | None = None


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
                 staged: bool = True, stage_min: int | None = None, fetch: int = FETCH, workers: int | None = None) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch = batch
        #: Full rebuilds go through a local staging database (:mod:`projections.staging`).
        self.staged = staged
        self.stage_min = STAGE_MIN if stage_min is None else stage_min
        #: Processes a long staged rebuild may use (see :meth:`_staged`).
        # Two by default (where there are two cores): the second process (audit trail staged beside the
        # rest) saves about a quarter of a long rebuild's time; with the staging caches bounded and the
        # load streamed row by row both together stay under the memory target (bench/rebuild.py).
        # PENGKOM_REBUILD_WORKERS=1 keeps a rebuild in one process.
        if workers is None:
            workers = int(os.environ.get("PENGKOM_REBUILD_WORKERS", "2"))
        self.workers = max(1, min(os.cpu_count() or 1, 2, workers))
        #: Peak RSS (MB) of the last staged rebuild's second process, if one ran (for the benchmark).
        self.side_peak_rss_mb: float | None = None
        self.fetch = fetch
        self._lock = threading.Lock()
        self._setup()

    # -- set-up and versions ------------------------------------------------------------------------

    def _setup(self) -> None:
        with self.store.transaction() as tx:
            tx.execute(f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                       "position BIGINT NOT NULL, rebuilding INTEGER NOT NULL DEFAULT 0, error TEXT)")
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
        if "error" not in cols:
            tx.execute(f"ALTER TABLE {TRACKING} ADD COLUMN error TEXT")

    def _reset(self, tx: Tx, p: Projection) -> None:
        p.drop(tx)
        p.create(tx)
        tx.execute(f"UPDATE {TRACKING} SET version = ?, position = 0, rebuilding = 1, error = NULL WHERE name = ?", (p.version, p.name))

    def resolve(self, names: Iterable[str] | None) -> list[Projection]:
        if not names:
            return list(self.projections.values())
        names = list(dict.fromkeys(names))
        unknown = [n for n in names if n not in self.projections]
        if unknown:
            raise Invalid(f"Unknown projection {', '.join(unknown)}; known: {', '.join(sorted(self.projections))}.", field="projection")
        return [self.projections[n] for n in names]

    def tracking(self) -> dict[str, Tracking]:
        rows = self.store.fetchall(f"SELECT name, version, position, rebuilding, error FROM {TRACKING}")
        return {r["name"]: Tracking(r["name"], int(r["version"]), int(r["position"]), bool(r["rebuilding"]), r["error"])
                for r in rows if r["name"] in self.projections}

    def stopped(self) -> list[str]:
        """The read models stopped at an event their code could not apply."""
        return sorted(name for name, t in self.tracking().items() if t.error)

    def positions(self) -> dict[str, int]:
        return {name: t.position for name, t in self.tracking().items()}

    def require_current(self, *names: str, store: ViewStore | None = None) -> int:
        """The position the named read models are built to; :class:`Rebuilding` (503) while any is rebuilt.

        Read endpoints call this before they query, so a half-built read model is never served as
        if it were complete. Pass the request's snapshot as ``store`` to read it in the same view.
        """
        marks = ",".join("?" * len(names))
        rows = (store or self.store).fetchall(f"SELECT name, position, rebuilding, error FROM {TRACKING} WHERE name IN ({marks})", names)
        stopped = sorted((r["name"], r["error"]) for r in rows if r["error"])
        if stopped:
            detail = "; ".join(f"{n}: {err}" for n, err in stopped)
            raise Stalled(f"The read model {detail}. Nothing recorded is lost; operators fix the cause and run "
                          f"`pengkom replay {' '.join(n for n, _ in stopped)}`.", stopped=[n for n, _ in stopped])
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
        stopped_now: set[str] = set()
        with self._lock:
            try:
                return self._catch_up(chosen, take_rebuilding, stop, on_progress, stopped_now)
            except BaseException:
                # The failed transaction took the projections' writes with it; so must their caches.
                for p in chosen:
                    p.forget()
                raise

    def _catch_up(self, chosen: list[Projection], take_rebuilding: bool, stop: int | None,
                  on_progress: Callable[[Progress], None] | None, stopped_now: set[str]) -> int:
        total = 0
        started = time.perf_counter()
        last = self._head(stop)
        if self.staged:
            total += self._staged(chosen, take_rebuilding, last, on_progress, started)
        while True:
            top = None
            with self.store.transaction() as tx:
                state = self._lock_tracking(tx, chosen, take_rebuilding)
                for name in stopped_now:  # stopped during this call: not retried until the next one
                    state.pop(name, None)
                if not state:
                    break
                wanted = [p for p in chosen if p.name in state]
                start = min((t.position for t in state.values()), default=last) + 1
                notes = self.app.recorder.select_notifications(start=start, limit=self.batch, stop=last) if start <= last else []
                if notes:
                    failed = self._apply(tx, wanted, state, notes)
                    top = notes[-1].id
                    for p in wanted:
                        if p.name in failed:
                            stopped_now.add(p.name)
                            position, error = failed[p.name]
                            tx.execute(f"UPDATE {TRACKING} SET error = ? WHERE name = ?", (error, p.name))
                            if position > state[p.name].position:
                                tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (position, p.name))
                        elif state[p.name].position < top:
                            tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (top, p.name))
                    total += len(notes)
                if (top is None or top >= last) and (stop is None or stop >= self._head(None)):
                    # Caught up with the whole log as it stood: a rebuild is complete and may be served.
                    done = [t.name for t in state.values() if t.rebuilding and t.name not in stopped_now]
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

        A long rebuild from position 0 of both the read models that take every event (the audit
        trail) and others is split over two processes, each reading the log and staging its share.
        """
        from projections import staging as staging_mod

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
        # The second process's share: the read models over every event, when the rest is not empty.
        side = [p for p in group if p.every_event] if self.workers > 1 and last - start + 1 >= PARALLEL_MIN \
            and not any(after.values()) else []
        if len(side) == len(group):
            side = []
        own = [p for p in group if p not in side]
        staging = staging_mod.Staging()
        stores = {p.name: staging for p in own}
        side_process = None
        try:
            if side:
                side_path = staging.path.with_name("staging-side.sqlite")
                side_process = staging_mod.SideProcess(self.app, [type(p) for p in side], start, last, self.fetch, side_path)
            staging.begin()
            staging.create(own)
            seeded = [p for p in own if before[p.name].position]
            if seeded:
                with self.store.read() as rtx:
                    for p in seeded:
                        staging.seed(rtx, p)

            def progress(top: int, total: int) -> None:
                if on_progress:
                    on_progress(Progress(top, last, total, time.perf_counter() - started))

            total, top = staging.apply(self.app, own, after, start, last, self.fetch, progress)
            staging.commit()
            staging.release()
            if side_process is not None:
                try:
                    _, side_top = side_process.result()
                    ok = side_top == top
                    self.side_peak_rss_mb = side_process.peak_rss_mb
                except RuntimeError as e:
                    log.warning("%s; staging its read models here instead", e)
                    ok = False
                if ok:
                    side_staging = staging_mod.Staging(side_path, cache_kib=staging_mod._LOAD_CACHE_KIB)
                else:
                    # The second process failed (or read a different log): stage its share here.
                    side_staging = staging_mod.Staging(staging.path.with_name("staging-retry.sqlite"))
                    side_staging.begin()
                    side_staging.create(side)
                    side_staging.apply(self.app, side, after, start, top or last, self.fetch)
                    side_staging.commit()
                stores.update({p.name: side_staging for p in side})
            if top is None:
                return 0
            with self.store.transaction() as tx:
                now = self._lock_tracking(tx, group, True)
                if any(now.get(n) != t for n, t in before.items()):
                    return 0
                if tx.dialect == "postgres":
                    tx.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds after the bulk load
                for p in group:
                    staging_mod.load(tx, stores[p.name], p)
                    tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (top, p.name))
            return total
        finally:
            if side_process is not None:
                side_process.stop()
            for st in {id(s): s for s in stores.values()}.values():
                if st is not staging:
                    st.close()
            staging.close()

    def _head(self, stop: int | None) -> int:
        head = self.app.recorder.max_notification_id() or 0
        return head if stop is None else min(head, stop)

    def _apply(self, tx: Tx, wanted: list[Projection], state: dict[str, Tracking], notes: Sequence[Any]) -> dict[str, tuple[int, str]]:
        """Apply a batch to each read model inside its own savepoint.

        A read model whose code fails on an event keeps what it applied before that event and stops
        there (its tracking row records why); the others carry on, and the command that recorded the
        event is not affected. Returns {name: (last position applied, error)} for those that stopped.
        """
        after = {n: t.position for n, t in state.items()}
        failed: dict[str, tuple[int, str]] = {}
        for p in wanted:
            tx.execute("SAVEPOINT projection")
            try:
                apply_batch(tx, [p], notes, self.app.mapper.to_domain_event, after=after)
            except Exception as e:
                tx.execute("ROLLBACK TO SAVEPOINT projection")
                tx.execute("RELEASE SAVEPOINT projection")
                p.forget()
                failed[p.name] = self._isolate(tx, p, notes, after.get(p.name, 0), e)
            else:
                tx.execute("RELEASE SAVEPOINT projection")
        return failed

    def _isolate(self, tx: Tx, p: Projection, notes: Sequence[Any], position: int, first: Exception) -> tuple[int, str]:
        """Re-apply a failed batch one event at a time to find the event that fails; keep what precedes it."""
        error: Exception = first
        for n in notes:
            if n.id <= position:
                continue
            tx.execute("SAVEPOINT projection_event")
            try:
                apply_batch(tx, [p], [n], self.app.mapper.to_domain_event, after={p.name: position})
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

    def _lock_tracking(self, tx: Tx, chosen: list[Projection], take_rebuilding: bool) -> dict[str, Tracking]:
        names = [p.name for p in chosen]
        marks = ",".join("?" * len(names))
        rows = tx.fetchall(f"SELECT name, version, position, rebuilding, error FROM {TRACKING} WHERE name IN ({marks})", names)
        # A stopped read model is left alone until an operator replays it (or names it explicitly).
        names = [r["name"] for r in rows if (take_rebuilding or not r["rebuilding"]) and (take_rebuilding or not r["error"])]
        if not names:
            return {}
        marks = ",".join("?" * len(names))
        if tx.dialect == "postgres":
            rows = tx.fetchall(f"SELECT name, version, position, rebuilding, error FROM {TRACKING} WHERE name IN ({marks}) "
                               "ORDER BY name FOR UPDATE", names)
        return {r["name"]: Tracking(r["name"], int(r["version"]), int(r["position"]), bool(r["rebuilding"]), r["error"])
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
