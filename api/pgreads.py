"""Native async officer reads on PostgreSQL through asyncpg (issue 9, goal 3): no worker thread, one statement.

The live Formulir 2.2 read (``GET /officers/{id}`` without ``as_of``) on PostgreSQL is answered from ONE
SQL statement — one snapshot — returning the log head, the tracking rows of the officer directory and of
the hash chain, the officer's row, its history rows and the chain entry at the directory's position.
Python then applies the rules of the synchronous path (``api.officers``) with the same functions:

- the read barrier: when this process's known read-model positions (:meth:`Projector.caught_up`) have not
  reached the head, or the snapshot's directory or chain is behind the head it read, the read goes the
  synchronous way (in a worker thread), which waits at the barrier as before — correctness first;
- :func:`projections.tracking.require_current`: 503 while the directory is rebuilt or stopped;
- :func:`api.scope.officer_readable`: 404 for no such officer, 403 → 404 for another agency's;
- :func:`projections.officers.formulir_2_2_document`: the document, shaped as on SQLite and for ``as_of``;
- :func:`projections.chain.head_of` and :func:`api.heads.sign`: the signed chain head; the ETag.

The pool opens with the application (:func:`open_reads`, only when ``PENGKOM_DATABASE_URL`` is set) and
is bounded like the store's: connecting waits at most twice ``PENGKOM_STORE_TIMEOUT`` (as the store's
``connect_timeout``), statements run at most ``PENGKOM_STATEMENT_TIMEOUT``, and waiting behind busy connections at
most ``PENGKOM_READ_WAIT`` (what a read may wait at the barrier); a database away is a 503 with Retry-After,
as on the synchronous path.
``as_of`` reads and SQLite keep the synchronous path.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar, Response

from api import asof
from api.bootstrap import Services
from api.heads import sign
from api.scope import officer_readable
from api.settings import Settings
from core.events import Actor
from projections import tracking
from projections.chain import HashChain, head_of
from projections.officers import HISTORY_COLUMNS, HISTORY_ORDER, OfficerDirectory, formulir_2_2_document

#: Connections of the async read pool (per API process): as many as the benchmark's minimal endpoint uses.
POOL_SIZE = 10
_OFFICERS, _CHAIN = OfficerDirectory.name, HashChain.name
_TRACKED = """json_object_agg(name, json_build_object('version', version, 'position', position, 'rebuilding', rebuilding,
    'error', error))"""
OFFICER_SQL = f"""SELECT
  (SELECT max(notification_id) FROM {{events}}) AS head,
  (SELECT {_TRACKED} FROM {tracking.TRACKING} WHERE name IN ('{_OFFICERS}', '{_CHAIN}')) AS tracking,
  (SELECT row_to_json(o) FROM officers o WHERE o.id = $1) AS officer,
  (SELECT json_agg(h ORDER BY {HISTORY_ORDER}) FROM (SELECT {HISTORY_COLUMNS} FROM officer_history WHERE officer_id = $1) h) AS history,
  (SELECT json_build_object('position', c.position, 'digest', c.digest) FROM event_chain c
     WHERE c.position <= (SELECT position FROM {tracking.TRACKING} WHERE name = '{_OFFICERS}')
     ORDER BY c.position DESC LIMIT 1) AS chain"""


@dataclass(frozen=True)
class OfficerSnapshot:
    """What the one statement returned: all of it from one snapshot of the database."""

    head: int
    tracking: dict[str, tracking.Tracking]
    officer: dict[str, Any] | None
    history: list[dict[str, Any]]
    chain: dict[str, Any] | None


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
            asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.QueryCanceledError,
            asyncpg.exceptions.TooManyConnectionsError)


class PgReads:
    """An asyncpg pool on the deployment's schema and the statements of the async reads."""

    def __init__(self, settings: Settings, events_table: str) -> None:
        self.settings = settings
        self.pool: Any = None
        self.officer_sql = OFFICER_SQL.format(events=events_table)
        self._unavailable = _unavailable_errors()

    async def open(self) -> None:
        import asyncpg

        s = self.settings
        # min_size=0: nothing connects at start-up, so a database away then does not stop the server.
        self.pool = await asyncpg.create_pool(
            s.database_url, min_size=0, max_size=POOL_SIZE, timeout=max(1, round(s.store_timeout * 2)),
            command_timeout=s.statement_timeout,
            server_settings={"search_path": s.pg_schema, "statement_timeout": str(int(s.statement_timeout * 1000))})

    async def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), timeout=5)
        except TimeoutError:
            pool.terminate()

    async def officer(self, officer_id: str) -> OfficerSnapshot:
        """The one statement of an officer read."""
        from eventsourcing.persistence import OperationalError

        try:
            # Connecting is bounded by the pool's connect timeout (a database away fails at once or within
            # it); waiting behind busy connections (a queue, not an outage) by the read's own wait allowance.
            async with self.pool.acquire(timeout=max(self.settings.store_timeout, self.settings.read_wait)) as conn:
                rec = await conn.fetchrow(self.officer_sql, officer_id)
        except self._unavailable as e:
            # As on the synchronous path: the store away or too busy is a 503 with Retry-After (api.commands).
            raise OperationalError(f"the read could not reach the database ({type(e).__name__}: {e})") from e
        rows = msgspec.json.decode(rec["tracking"]) if rec["tracking"] else {}
        return OfficerSnapshot(
            head=int(rec["head"] or 0),
            tracking={n: tracking.Tracking(n, int(t["version"]), int(t["position"]), bool(t["rebuilding"]), t["error"])
                      for n, t in rows.items()},
            officer=msgspec.json.decode(rec["officer"]) if rec["officer"] else None,
            history=msgspec.json.decode(rec["history"]) if rec["history"] else [],
            chain=msgspec.json.decode(rec["chain"]) if rec["chain"] else None)


def reads_of(app: Litestar) -> PgReads | None:
    """The application's async read pool, when it has one open (PostgreSQL)."""
    reads = app.state.get("pg_reads")
    return reads if isinstance(reads, PgReads) and reads.pool is not None else None


async def open_reads(app: Litestar, services: Services) -> None:
    """On start-up: the async read pool (PostgreSQL only)."""
    if not services.settings.database_url:
        return
    events = getattr(services.app.recorder, "events_table", None)
    if not events:
        return
    reads = PgReads(services.settings, events)
    await reads.open()
    app.state.pg_reads = reads


async def close_reads(app: Litestar) -> None:
    reads = app.state.get("pg_reads")
    app.state.pg_reads = None
    if isinstance(reads, PgReads):
        await reads.close()


async def read_officer(services: Services, reads: PgReads, actor: Actor, officer_id: UUID) -> Response[Any] | None:
    """Formulir 2.2 of one officer, live, from one statement; None when the read must take the synchronous
    path (the read models behind the log head: it waits at the read barrier there)."""
    snap = await reads.officer(str(officer_id))
    officers, chain = snap.tracking.get(_OFFICERS), snap.tracking.get(_CHAIN)
    if officers is None or chain is None or not services.projector.caught_up(snap.head):
        return None
    # This process knows the read models reached the head; the snapshot itself must show it too
    # (it may predate what this process learnt since). Rebuilt or stopped ones are not waited for.
    if any(t.live and t.position < snap.head for t in (officers, chain)):
        return None
    position = tracking.require_current({_OFFICERS: officers}, lambda: snap.head)
    row = officer_readable(actor, officer_id, snap.officer)
    doc = formulir_2_2_document(row, snap.history)
    head = sign(services.settings, head_of({"position": chain.position, "rebuilding": chain.rebuilding}, snap.chain, position))
    return asof.respond(doc, None, head, headers={"ETag": f'"{doc["version"]}"'})
