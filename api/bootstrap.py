"""Wiring in one place: settings -> event store, read-model store, projector, token service."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from api.auth import TokenService
from api.files import open_files
from api.settings import Settings
from core.application import Pengkom
from core.evidence import FileStore
from core.planning import PlanCommands
from plugins.manager import PathwayPlugins
from projections import tracking
from projections.curricula import PlanCurricula
from projections.eventstore import GroupCommit
from projections.follower import FileLeadership, Follower, Leadership, PgLeadership
from projections.registry import all_projections
from projections.roster import OfficerRoster
from projections.runner import Projector, ViewsAfterBarrier
from projections.store import PostgresViewStore, SqliteViewStore, ViewStore

#: Set by `pengkom serve` in the API processes when it runs a projector process beside them.
PROJECTOR_CHILD_ENV = "PENGKOM_PROJECTOR_PROCESS"
#: Seconds API processes leave the lead to that projector process before they may take it.
PROJECTOR_GRACE = 15.0


@dataclass(frozen=True)
class StoreStatus:
    """What ``/ready`` reports: does the store answer, how far the log and each read model are."""

    ok: bool
    head: int = 0
    tracking: dict[str, tracking.Tracking] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Services:
    settings: Settings
    app: Pengkom
    views: ViewStore
    projector: Projector
    tokens: TokenService
    pathways: PathwayPlugins | None = None
    files: FileStore | None = None
    #: Commands are committed through this (several at once when they arrive together).
    commits: GroupCommit = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.commits is None:
            self.commits = GroupCommit(self.app.recorder, on_commit=self.projector.wake)

    def start(self) -> None:
        """Serving: apply the log to the read models in the background (if this process leads)."""
        self._start(worker=False)

    def start_worker(self) -> None:
        """``pengkom follow``: as :meth:`start`, and announce a worker (API processes with
        ``PENGKOM_PROJECTOR=standby`` lead only while no worker runs)."""
        self._start(worker=True)

    def _start(self, *, worker: bool) -> None:
        s = self.settings
        leadership: Leadership
        if s.database_url:
            applied = f"pengkom_applied_{s.pg_schema}"[:63]
            leadership = PgLeadership(s.database_url, s.pg_schema, self.app.recorder.channel, applied,  # type: ignore[attr-defined]
                                      timeout=s.store_timeout)
            self.projector.notify_applied(applied)
        else:
            leadership = FileLeadership(s.data_dir / ".projector.lock")
        leadership.worker = worker
        leadership.standby = s.projector == "standby" and not worker
        days = s.idempotency_days
        # Under `pengkom serve` with a projector process (PENGKOM_PROJECTOR=process, the default), the
        # API processes let that one lead and stand by: they take over only if it is gone.
        lead_after = PROJECTOR_GRACE if os.environ.get(PROJECTOR_CHILD_ENV) else 0.0
        self.projector.start(Follower(self.projector, leadership, lead_after=lead_after,
                                      prune=lambda: self.app.recorder.prune_keys(timedelta(days=days))))  # type: ignore[attr-defined]

    def begin_request(self) -> None:
        """A request begins: its first read of the read models waits at the read barrier."""
        self.projector.arm()

    def store_ready(self, timeout: float = 0.5) -> StoreStatus:
        """Does the store answer? One query (PostgreSQL), bounded by ``timeout``; never raises."""
        started = time.perf_counter()
        try:
            head, rows = _probe(self, timeout)
        except Exception as e:
            return StoreStatus(False, error=type(e).__name__, seconds=time.perf_counter() - started)
        return StoreStatus(True, head, {n: t for n, t in rows.items() if n in self.projector.projections},
                           seconds=time.perf_counter() - started)

    def close(self) -> None:
        self.projector.stop()
        self.views.close()
        self.app.close()
        if self.files is not None:
            self.files.close()


def _probe(services: Services, timeout: float) -> tuple[int, dict[str, tracking.Tracking]]:
    recorder: Any = services.app.recorder
    raw = getattr(services.views, "raw", services.views)
    if isinstance(raw, PostgresViewStore):
        with recorder.datastore.pool.connection(timeout=timeout) as conn:
            conn.execute(f"SET statement_timeout = {int(timeout * 1000)}")
            try:
                head = conn.execute(f"SELECT max(notification_id) AS head FROM {recorder.events_table}").fetchone()
                rows = conn.execute(f"SELECT name, version, position, rebuilding, error FROM {raw.schema}.{tracking.TRACKING}").fetchall()
            finally:
                conn.execute("RESET statement_timeout")
        return int(head["head"] or 0), {r["name"]: tracking.Tracking(r["name"], int(r["version"]), int(r["position"]),
                                                                     bool(r["rebuilding"]), r["error"]) for r in rows}
    return int(recorder.max_notification_id() or 0), tracking.read(raw)


def open_views(settings: Settings, *, scratch: str | None = None) -> ViewStore:
    """The live read-model store, or a scratch one beside it (``scratch`` names it)."""
    if settings.database_url:
        schema = settings.pg_schema if scratch is None else f"{settings.pg_schema}_{scratch}"[:63]
        return PostgresViewStore(settings.database_url, schema)
    name = "pengkom.views.sqlite" if scratch is None else f"pengkom.views.{scratch}.sqlite"
    return SqliteViewStore(settings.data_dir / name)


@contextmanager
def setup_lock(settings: Settings) -> Iterator[None]:
    """Serialise schema set-up between processes starting at once on one PostgreSQL schema.

    Several API processes and a projection worker may start together on a fresh database; two
    concurrent ``CREATE TABLE IF NOT EXISTS`` of the same table can collide in PostgreSQL's catalogue.
    A session advisory lock per schema makes them take turns; on SQLite a lock file does.
    """
    if not settings.database_url:
        # SQLite: a lock file in the data directory (switching a new file to WAL does not wait for
        # another connection doing the same; it fails with "database is locked").
        import fcntl

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(settings.data_dir / ".setup.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    import psycopg

    key = f"pengkom-setup:{settings.pg_schema}"
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def open_event_store(settings: Settings) -> Pengkom:
    """The event store, opened as a starting server's processes open it: under :func:`setup_lock`. Opening it
    creates what is missing (``CREATE OR REPLACE FUNCTION`` …), and two PostgreSQL sessions doing that at once fail
    with "tuple concurrently updated": anything opening it beside a running server (replay, verify, backup, a
    test's log reader) may meet a process that is starting."""
    with setup_lock(settings):
        return Pengkom(env=settings.event_store_env())


def open_stores(settings: Settings) -> tuple[Pengkom, ViewStore]:
    """The event store and the live read-model store, both opened under :func:`setup_lock` (see
    :func:`open_event_store`; the read-model store creates its schema or switches its file to WAL)."""
    with setup_lock(settings):
        return Pengkom(env=settings.event_store_env()), open_views(settings)


def build(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    with setup_lock(settings):
        app = Pengkom(env=settings.event_store_env())
        views = open_views(settings)
        projector = Projector(app, views, all_projections(), read_wait=settings.read_wait)
        # Check (d) reads the agency's officers (core.planning.roster), check (c) the curriculum standards, from read models.
        app.plans = PlanCommands(app, roster=OfficerRoster(projector), curricula=PlanCurricula(projector))
        files = open_files(settings)
    # Start-up finishes any rebuild (a changed projection version, an interrupted replay) before serving.
    projector.catch_up(rebuilding=True)
    return Services(settings=settings, app=app, views=ViewsAfterBarrier(views, projector), projector=projector,
                    tokens=TokenService(settings),
                    pathways=PathwayPlugins.load(settings.pathway_plugins),
                    files=files)


def settle_heap() -> None:
    """Once a process is set up (modules, routes, plugins, rule tables, pools), move everything alive out
    of the cyclic collector's view (``gc.freeze``): a full collection then walks only what requests and
    batches made since. Under 16 clients on PostgreSQL each full collection of the API process stopped
    every request for 65–80 ms before, 5 ms after (README "Command benchmark"). Nothing is leaked: frozen
    objects are those the process keeps for its life anyway."""
    import gc

    gc.collect()
    gc.freeze()
