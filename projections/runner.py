"""One projection mechanism for both stores: follow the notification log, apply events to the read
models and advance each projection's tracking position in the same transaction.

The library's own projection runner needs subscriptions, which its SQLite store lacks; this runner
only pulls (``select_notifications``), so it works the same on SQLite and PostgreSQL. It resumes
from the tracking rows after a restart. The parts:

- :mod:`projections.tracking` — the tracking table, versions, resets, the read guard;
- :mod:`projections.catchup` — incremental catch-up, each read model in its own savepoint;
- :mod:`projections.rebuild` — staged rebuilds from scratch (:mod:`projections.staging`);
- :mod:`projections.follower` — the background projector (one leader per deployment);
- this module — :class:`Projector`, which joins them, and the **read barrier**.

Read-your-writes: commands do not wait for the read models. A read waits instead: before its first
query it takes the log head (one query) and waits until every read model that follows the log has
applied up to it (:meth:`Projector.barrier`). Whatever was acknowledged before the read began is
therefore visible to it, for any client and in any process. A read model being rebuilt or stopped is
not waited for: its own reads answer 503 (:meth:`Projector.require_current`).
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from core.i18n import msg
from projections import catchup, rebuild, tracking
from projections.base import Projection
from projections.catchup import _Batched, apply_batch
from projections.rebuild import FETCH, PARALLEL_MIN, STAGE_MIN
from projections.store import Tx, ViewStore
from projections.tracking import TRACKING, Behind, Progress, Rebuilding, Stalled, Tracking

__all__ = ["FETCH", "PARALLEL_MIN", "STAGE_MIN", "TRACKING", "Behind", "Progress", "Projector", "Rebuilding",
           "Stalled", "Tracking", "ViewsAfterBarrier", "_Batched", "apply_batch"]

log = logging.getLogger(__name__)

#: True while the current request has not yet passed the read barrier (set per request by the API).
_ARMED: ContextVar[bool] = ContextVar("pengkom_read_barrier", default=False)
#: Seconds the cached list of stopped read models may be old before a command asks the store again.
_STOPPED_TTL = 2.0


class Projector:
    def __init__(self, app: Any, store: ViewStore, projections: Sequence[Projection], *, batch: int = 1000,
                 staged: bool = True, stage_min: int | None = None, fetch: int = FETCH, workers: int | None = None,
                 read_wait: float = 5.0) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch = batch
        #: Full rebuilds go through a local staging database (:mod:`projections.staging`).
        self.staged = staged
        self.stage_min = STAGE_MIN if stage_min is None else stage_min
        #: Processes a long staged rebuild may use (see :func:`projections.rebuild.staged`). Two by
        #: default where there are two cores; PENGKOM_REBUILD_WORKERS=1 keeps a rebuild in one process.
        if workers is None:
            workers = int(os.environ.get("PENGKOM_REBUILD_WORKERS", "2"))
        self.workers = max(1, min(os.cpu_count() or 1, 2, workers))
        #: Peak RSS (MB) of the last staged rebuild's second process, if one ran (for the benchmark).
        self.side_peak_rss_mb: float | None = None
        self.fetch = fetch
        #: Seconds a read waits for the read models to reach the log head before answering 503.
        self.read_wait = read_wait
        #: The background projector of this process, once started (:mod:`projections.follower`).
        self.follower: Any = None
        self._lock = threading.Lock()
        # What this process knows of the tracking rows (from its own batches or a refresh).
        self._cond = threading.Condition()
        self._known: dict[str, Tracking] = {}
        self._known_at = 0.0
        self._refreshing = threading.Lock()
        self._applied_channel: str | None = None
        with self.store.transaction() as tx:
            tracking.setup(tx, self.projections.values())

    # -- tracking -----------------------------------------------------------------------------------

    def resolve(self, names: Iterable[str] | None) -> list[Projection]:
        if not names:
            return list(self.projections.values())
        names = list(dict.fromkeys(names))
        tracking.unknown(names, self.projections)
        return [self.projections[n] for n in names]

    def tracking(self) -> dict[str, Tracking]:
        rows = tracking.read(self.store)
        rows = {n: t for n, t in rows.items() if n in self.projections}
        self._learn(rows, replace=True)
        return rows

    def positions(self) -> dict[str, int]:
        return {name: t.position for name, t in self.tracking().items()}

    def stopped(self) -> list[str]:
        """The read models stopped at an event their code could not apply (known to within a few seconds).

        Every command asks, and never waits for the store to answer it: with the background projector
        running, this process knows the tracking rows from it (the leader from each batch it applies, any
        other process from its poll every ``poll`` seconds). Without one, one command reads the rows again
        when what is known is older than ``_STOPPED_TTL`` while the others answer from what is known."""
        if self.follower is None and time.monotonic() - self._known_at > _STOPPED_TTL and self._refreshing.acquire(blocking=False):
            try:
                if time.monotonic() - self._known_at > _STOPPED_TTL:
                    self.refresh()
            finally:
                self._refreshing.release()
        return sorted(name for name, t in self._known.items() if t.error)

    def refresh(self) -> None:
        """Read the tracking rows again (a process that does not lead learns what the leader did)."""
        self.tracking()

    def require_current(self, *names: str, store: ViewStore | None = None) -> int:
        """The position the named read models are built to; :class:`Rebuilding` / :class:`Stalled` (503).

        Read endpoints call this before they query, so a half-built read model is never served as
        if it were complete. Pass the request's snapshot as ``store`` to read it in the same view.
        """
        self.barrier_if_armed()
        rows = tracking.read(store or self.store, names)
        return tracking.require_current(rows, self.app.recorder.max_notification_id)

    def reset(self, names: Iterable[str] | None = None) -> list[str]:
        """Drop the named read models (all by default) and mark them for rebuilding from position 0.

        A projection that is not ``resettable`` (the hash chain, an append-only record) is never
        dropped: it is left out, and the names returned are those reset."""
        chosen = [p for p in self.resolve(names) if p.resettable]
        with self._lock, self.store.transaction() as tx:
            # The tracking rows first, in name order, as every catch-up takes them: a catch-up in
            # another process that is writing these tables finishes first (no deadlock).
            tracking.lock(tx, [p.name for p in chosen], True)
            for p in chosen:
                tracking.reset(tx, p)
        self.refresh()
        return [p.name for p in chosen]

    # -- following the log --------------------------------------------------------------------------

    def catch_up(self, *, only: Iterable[str] | None = None, on_progress: Callable[[Progress], None] | None = None,
                 stop: int | None = None, rebuilding: bool = False, follower: bool = False) -> int:
        """Apply every recorded event not yet applied; return how many notifications were read.

        Read models being rebuilt are left to the process rebuilding them unless they are named
        in ``only`` or ``rebuilding`` is true (start-up, ``pengkom replay``). With ``stop``, stop at
        that position; otherwise keep following the events recorded meanwhile. ``follower``: the
        background projector's call — incremental only (new read models are staged at start-up).
        """
        chosen = self.resolve(only)
        take_rebuilding = rebuilding or bool(only)
        with self._lock:
            try:
                total = 0
                started = time.perf_counter()
                if self.staged and not follower:
                    last = self._head(stop)
                    total += rebuild.staged(self, chosen, take_rebuilding, last, on_progress, started)
                total += catchup.catch_up(self.app, self.store, chosen, take_rebuilding=take_rebuilding, stop=stop,
                                          batch=self.batch, on_progress=on_progress, on_batch=self._learn,
                                          notify=self._applied_channel)
                return total
            except BaseException:
                # The failed transaction took the projections' writes with it; so must their caches.
                for p in chosen:
                    p.forget()
                raise

    def _head(self, stop: int | None) -> int:
        head = self.app.recorder.max_notification_id() or 0
        return head if stop is None else min(head, stop)

    # -- the background projector and the read barrier ---------------------------------------------

    def start(self, follower: Any) -> None:
        """Start applying the log in the background (when this process leads; see :mod:`projections.follower`)."""
        self.follower = follower
        follower.start()

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop()
            self.follower = None

    def wake(self, *_: Any) -> None:
        """Commands were recorded: the background projector applies them now."""
        if self.follower is not None:
            self.follower.wake()

    def notify_applied(self, channel: str) -> None:
        """PostgreSQL: each applied batch notifies ``channel`` (reads waiting in other processes)."""
        self._applied_channel = channel

    def applied_elsewhere(self) -> None:
        """Another process applied a batch: waiting reads check again. (What this process knows of the
        tracking rows is not thrown away here: a command's :meth:`stopped` would then read them again after
        every batch applied elsewhere; it keeps its few seconds' freshness.)"""
        with self._cond:
            self._cond.notify_all()

    def _learn(self, rows: dict[str, Tracking], *, replace: bool = False) -> None:
        with self._cond:
            if replace:
                self._known = dict(rows)
            else:
                self._known.update(rows)
            self._known_at = time.monotonic()
            self._cond.notify_all()

    def reached(self) -> int | None:
        """The position every read model following the log has reached (as this process knows it);
        None when none follows it (all rebuilding or stopped)."""
        live = [t.position for t in self._known.values() if t.live]
        return min(live) if live else None

    def caught_up(self, head: int) -> bool:
        """The barrier's test without waiting: does this process know every read model following the log
        reached ``head``? (The async officer read, api/pgreads.py, goes the waiting way when not.)"""
        return bool(self._known) and self._caught_up(head)

    def _caught_up(self, head: int) -> bool:
        reached = self.reached()
        return reached is None or reached >= head

    def barrier(self, timeout: float | None = None) -> None:
        """Wait until the read models have applied every event recorded before this call.

        One query when they have (the usual case); otherwise wait for this process's projector or,
        when another process leads, for its notifications (checking the tracking rows at least every
        50 ms). Raises :class:`Behind` (503) after ``timeout`` (default: ``read_wait``).
        """
        head = self.app.recorder.max_notification_id() or 0
        if self._known and self._caught_up(head):
            return
        deadline = time.monotonic() + (self.read_wait if timeout is None else timeout)
        pause = 0.002
        refreshed = 0.0
        while True:
            leading = self.follower is not None and self.follower.leader
            # This process's projector tells the waiting reads after each batch; the tracking rows are
            # read again when another process leads, or after 50 ms (a read model reset meanwhile).
            if not leading or not self._known or time.monotonic() - refreshed > 0.05:
                self.refresh()
                refreshed = time.monotonic()
            with self._cond:
                if self._caught_up(head):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.05 if leading else pause))
                if self._caught_up(head):
                    return
            pause = min(pause * 2, 0.05)
        reached = self.reached() or 0
        raise Behind(msg("The read models have applied the record up to position {reached}, not yet the {head_reached} "
                         "event(s) recorded before this read; nothing is lost. Retry in a moment.",
                         reached=reached, head_reached=head - reached), position=reached, head=head)

    async def barrier_async(self, timeout: float | None = None) -> None:
        """The barrier for native async reads: the same check, waiting without blocking the event loop."""
        head = await asyncio.to_thread(lambda: self.app.recorder.max_notification_id() or 0)
        deadline = time.monotonic() + (self.read_wait if timeout is None else timeout)
        pause = 0.001
        while not (self._known and self._caught_up(head)):
            if time.monotonic() > deadline:
                await asyncio.to_thread(self.barrier, 0)
                return
            leading = self.follower is not None and self.follower.leader
            if not leading:
                await asyncio.to_thread(self.refresh)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    @staticmethod
    def arm() -> None:
        """The current request reads: its first read waits at the barrier (the API calls this per request)."""
        _ARMED.set(True)

    def barrier_if_armed(self) -> None:
        if _ARMED.get():
            _ARMED.set(False)
            self.barrier()


class ViewsAfterBarrier(ViewStore):
    """The read-model store as requests see it: a request's first query waits at the read barrier."""

    def __init__(self, store: ViewStore, projector: Projector) -> None:
        self.raw = store
        self.projector = projector
        self.dialect = store.dialect
        self.location = store.location

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        self.projector.barrier_if_armed()
        with self.raw.transaction() as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        self.projector.barrier_if_armed()
        with self.raw.read() as tx:
            yield tx

    @contextmanager
    def snapshot(self) -> Iterator[ViewStore]:
        self.projector.barrier_if_armed()
        with self.raw.snapshot() as snap:
            yield snap

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.projector.barrier_if_armed()
        return self.raw.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        self.projector.barrier_if_armed()
        return self.raw.fetchone(sql, params)

    def tables(self) -> list[str]:
        return self.raw.tables()

    def wipe(self) -> None:
        self.raw.wipe()

    def discard(self) -> None:
        self.raw.discard()

    def close(self) -> None:
        self.raw.close()
