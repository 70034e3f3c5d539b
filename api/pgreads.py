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

Page reads — the officer list (``GET /officers/``), the agency's JP ledger (``GET /ledger/agency``) and
Formulir 2.6 (``GET /plans/{agency}/{year}``) — are the same: their queries (:mod:`projections.queries`, the
ones the synchronous stores run) go as ONE statement (:func:`snapshot_statement`) with the log head, the
tracking rows and the chain entry; the same shaping function makes the document. When the snapshot does not
serve (:func:`current`: behind the head, a read model rebuilt or stopped) or the rules need more than the
statement read (a refusal to word, a plan's submissions to stamp, a national reader), the read takes the
synchronous path, which answers exactly as before.
"""
from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
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
from projections.officers import HISTORY_COLUMNS, HISTORY_ORDER, OfficerDirectory, OfficerSearch, formulir_2_2_document
from projections.queries import Query, Rows

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


def numbered(sql: str, start: int = 1) -> tuple[str, int]:
    """``?`` placeholders (outside quoted literals) as asyncpg's ``$1, $2, …`` from ``start``; the next number."""
    out, n, quoted = [], start, False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            out.append(f"${n}")
            n += 1
        else:
            out.append(ch)
    return "".join(out), n


def snapshot_statement(events_table: str, queries: Mapping[str, Query], models: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """ONE statement (one snapshot) for a page read: the log head, the tracking rows of ``models`` and of the
    hash chain, the chain entry at the position the models reached, and each query's rows as a JSON array."""
    sql = _statement(events_table, tuple(q.sql for q in queries.values()), tuple(models))
    return sql, tuple(p for q in queries.values() for p in q.params)


@lru_cache(maxsize=512)
def _statement(events_table: str, sqls: tuple[str, ...], models: tuple[str, ...]) -> str:
    # A read asks the same few statements again and again (one per filter combination): composed once.
    names = ", ".join(f"'{m}'" for m in (*models, _CHAIN))
    reached = ", ".join(f"'{m}'" for m in models)
    parts = [f"(SELECT max(notification_id) FROM {events_table}) AS head",
             f"(SELECT {_TRACKED} FROM {tracking.TRACKING} WHERE name IN ({names})) AS tracking",
             f"""(SELECT json_build_object('position', c.position, 'digest', c.digest) FROM event_chain c
     WHERE c.position <= (SELECT min(position) FROM {tracking.TRACKING} WHERE name IN ({reached}))
     ORDER BY c.position DESC LIMIT 1) AS chain"""]
    n = 1
    for i, text in enumerate(sqls):
        sql, n = numbered(text, n)
        parts.append(f"(SELECT COALESCE(json_agg(q), '[]'::json) FROM ({sql}) q) AS q{i}")
    return "SELECT " + ",\n  ".join(parts)


@dataclass(frozen=True)
class PageSnapshot:
    """What a page read's one statement returned: all of it from one snapshot of the database."""

    head: int
    tracking: dict[str, tracking.Tracking]
    chain: dict[str, Any] | None
    rows: Rows


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


def _tracking(raw: str | None) -> dict[str, tracking.Tracking]:
    rows = msgspec.json.decode(raw) if raw else {}
    return {n: tracking.Tracking(n, int(t["version"]), int(t["position"]), bool(t["rebuilding"]), t["error"])
            for n, t in rows.items()}


@lru_cache(maxsize=1)
def read_connection_class() -> type:
    """The pool's connection class: one that sends nothing to the server when it goes back to the pool.

    asyncpg resets a released connection with ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` — one more round trip per read (py-spy on the officer read under 50 readers: ~14 % of the
    event loop). The reads change no session state (each is one ``SELECT`` outside any transaction: no
    ``SET``, cursor, ``LISTEN`` or advisory lock), so there is nothing to reset; asyncpg still rolls back a
    transaction left open and drops listeners itself."""
    import asyncpg

    class ReadConnection(asyncpg.Connection):
        def get_reset_query(self) -> str:
            return ""

    return ReadConnection


class PgReads:
    """An asyncpg pool on the deployment's schema and the statements of the async reads."""

    def __init__(self, settings: Settings, events_table: str) -> None:
        self.settings = settings
        self.pool: Any = None
        self.events_table = events_table
        self.officer_sql = OFFICER_SQL.format(events=events_table)
        self._unavailable = _unavailable_errors()

    async def open(self) -> None:
        import asyncpg

        s = self.settings
        # min_size=0: nothing connects at start-up, so a database away then does not stop the server.
        self.pool = await asyncpg.create_pool(
            s.database_url, min_size=0, max_size=POOL_SIZE, timeout=max(1, round(s.store_timeout * 2)),
            command_timeout=s.statement_timeout, connection_class=read_connection_class(),
            server_settings={"search_path": s.pg_schema, "statement_timeout": str(int(s.statement_timeout * 1000))})

    async def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), timeout=5)
        except TimeoutError:
            pool.terminate()

    async def _fetchrow(self, sql: str, *params: Any) -> Any:
        from eventsourcing.persistence import OperationalError

        try:
            # Connecting is bounded by the pool's connect timeout (a database away fails at once or within
            # it); waiting behind busy connections (a queue, not an outage) by the read's own wait allowance.
            async with self.pool.acquire(timeout=max(self.settings.store_timeout, self.settings.read_wait)) as conn:
                return await conn.fetchrow(sql, *params)
        except self._unavailable as e:
            # As on the synchronous path: the store away or too busy is a 503 with Retry-After (api.commands).
            raise OperationalError(f"the read could not reach the database ({type(e).__name__}: {e})") from e

    async def page(self, queries: Mapping[str, Query], models: Sequence[str]) -> PageSnapshot:
        """The one statement of a page read (:func:`snapshot_statement`): ``queries``' rows by name."""
        sql, params = snapshot_statement(self.events_table, queries, models)
        rec = await self._fetchrow(sql, *params)
        return PageSnapshot(head=int(rec["head"] or 0), tracking=_tracking(rec["tracking"]),
                            chain=msgspec.json.decode(rec["chain"]) if rec["chain"] else None,
                            rows={name: msgspec.json.decode(rec[f"q{i}"]) for i, name in enumerate(queries)})

    async def officer(self, officer_id: str) -> OfficerSnapshot:
        """The one statement of an officer read."""
        rec = await self._fetchrow(self.officer_sql, officer_id)
        return OfficerSnapshot(
            head=int(rec["head"] or 0),
            tracking=_tracking(rec["tracking"]),
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


def current(services: Services, snap: PageSnapshot, models: Sequence[str]) -> int | None:
    """The position a page read's snapshot serves (the chain head's), or None when the read must take the
    synchronous path: the read models behind the log head (it waits at the read barrier there), or one of
    them rebuilt or stopped (the synchronous path answers the 503 as it always did)."""
    rows = [snap.tracking.get(m) for m in (*models, _CHAIN)]
    if any(t is None for t in rows) or not services.projector.caught_up(snap.head):
        return None
    if any(not t.live or t.position < snap.head for t in rows if t is not None):
        return None
    return min(t.position for t in rows[:-1] if t is not None)


def signed_head(services: Services, snap: PageSnapshot, position: int) -> Any:
    """The signed chain head at ``position`` from the snapshot's chain rows (as :func:`api.asof.read_model`)."""
    chain = snap.tracking[_CHAIN]
    return sign(services.settings, head_of({"position": chain.position, "rebuilding": chain.rebuilding}, snap.chain, position))


async def page_read(services: Services, reads: PgReads, queries: Mapping[str, Query],
                    models: Sequence[str]) -> tuple[Rows, Any] | None:
    """``queries``' rows and the signed chain head of the position they were read at, from one statement, when
    the snapshot serves (:func:`current`); None: the read takes the synchronous path."""
    snap = await reads.page(queries, models)
    position = current(services, snap, models)
    if position is None:
        return None
    return snap.rows, signed_head(services, snap, position)


async def list_officers(services: Services, reads: PgReads, search: OfficerSearch) -> dict[str, Any] | None:
    """A page of the officer list (``GET /officers/``) from one statement; None: take the synchronous path."""
    got = await page_read(services, reads, search.queries(), [_OFFICERS])
    if got is None:
        return None
    rows, total = search.shape(got[0])
    return {"items": rows, "total": total, "limit": search.limit, "offset": search.offset}
