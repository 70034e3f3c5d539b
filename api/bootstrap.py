"""Wiring in one place: settings -> event store, read-model store, projector, token service."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from api.auth import TokenService
from api.settings import Settings
from core.application import Pengkom
from core.evidence import FileStore
from core.planning import PlanCommands
from plugins.manager import PathwayPlugins
from projections.eventstore import GroupCommit
from projections.registry import all_projections
from projections.roster import OfficerRoster
from projections.runner import Projector
from projections.store import PostgresViewStore, SqliteViewStore, ViewStore


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
            self.commits = GroupCommit(self.app.recorder)

    def close(self) -> None:
        self.views.close()
        self.app.close()


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


def build(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    with setup_lock(settings):
        app = Pengkom(env=settings.event_store_env())
        views = open_views(settings)
        projector = Projector(app, views, all_projections())
        app.plans = PlanCommands(app, roster=OfficerRoster(projector))  # check (d) reads the agency's officers (core.planning.roster)
    # Start-up finishes any rebuild (a changed projection version, an interrupted replay) before serving.
    projector.catch_up(rebuilding=True)
    return Services(settings=settings, app=app, views=views, projector=projector, tokens=TokenService(settings),
                    pathways=PathwayPlugins.load(settings.pathway_plugins),
                    files=FileStore(settings.evidence_dir, max_bytes=settings.upload_max_bytes))
