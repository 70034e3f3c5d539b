"""Full rebuilds through a local staging database, then one bulk load into the read-model store.

A rebuild from the start of the log (``pengkom replay``, ``pengkom verify``'s scratch store, a
changed projection version at start-up) applies the projections' handlers — the same handlers, the
same portable SQL — to a private SQLite file (no journal, no fsync, a large cache) instead of
sending every statement to the read-model store. When the log is applied, each projection's tables
are dropped, recreated and bulk-loaded (PostgreSQL: ``COPY … FROM STDIN``; SQLite: one
``executemany``), the indexes built after the load, and the tracking position set — in **one**
transaction of the target store. An interrupted rebuild therefore leaves the target exactly as it
was (still marked ``rebuilding`` at its last committed position); running it again starts the
staging over from that position (the rows already committed are copied into the staging first).

Read models hold only TEXT, INTEGER and BIGINT columns (``docs/ARCHITECTURE.md``), which SQLite
stores as the handlers give them and ``COPY`` writes as a bound parameter would be stored, so a
staged rebuild equals an incremental one row by row (``pengkom verify`` checks it).

Why this module is slightly longer than ~500 lines: the staging file, the second process, the scratch schema
and the read of the log are one path from the log to the store, each part relying on what the others do
(what a load may assume of a staged table, what the read gives the apply loop); split, they would be read together anyway.
"""
from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from projections.base import Projection
from projections.store import Tx, _SqliteTx, table_ddl
from projections.streams import Streams, _StreamingTx

log = logging.getLogger("projections.runner")

#: A notification as the staged rebuild reads it (the attributes of the library's ``Notification``).
Note = namedtuple("Note", "id originator_id originator_version topic state")

#: SQLite page cache of the staging file, in KiB (bounds the rebuild's memory; the OS caches the rest).
#: 64 MiB measured no faster than 4 MiB on the 1 M-event benchmark (the handlers' reads hit the OS cache).
_CACHE_KIB = 16 * 1024

#: A filtered read of the log (:func:`read_log`) asks for this many batches' worth of positions at a time.
FILTERED_WINDOW = 4

#: Notifications applied to the staging file between its commits.
_COMMIT_EVERY = 100_000

#: Page cache of the first process's staging file when a second process shares the rebuild (:mod:`projections.rebuild`).
FIRST_CACHE_KIB = 48 * 1024

#: Page cache while a finished staging file is loaded (a sequential read).
_LOAD_CACHE_KIB = 2 * 1024


class Staging:
    """A scratch SQLite file: in a private temporary directory removed by :meth:`close`, or at ``path``
    (a second staging file in that directory, written by another process)."""

    def __init__(self, path: str | Path | None = None, cache_kib: int | None = None) -> None:
        if path is None:
            self._dir: str | None = tempfile.mkdtemp(prefix="pengkom-rebuild-")
            self.path = Path(self._dir) / "staging.sqlite"
        else:
            self._dir = None
            self.path = Path(path)
        #: Tables whose rows went straight into the scratch schema (:class:`Streams`), not into this file.
        self.streamed: dict[str, int] = {}
        self.streams: Streams | None = None
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # page_size first: it only applies before the file is initialised (journal_mode does that).
        for pragma in ("page_size=16384", "journal_mode=OFF", "synchronous=OFF", f"cache_size=-{_CACHE_KIB if cache_kib is None else cache_kib}",
                       "temp_store=MEMORY", "locking_mode=EXCLUSIVE"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.tx: Tx = _SqliteTx(self.conn)

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def release(self) -> None:
        """Give back the page cache once the staging is written: the load only reads the file in order."""
        self.conn.execute(f"PRAGMA cache_size=-{_LOAD_CACHE_KIB}")
        self.conn.execute("PRAGMA shrink_memory")

    def staged_rows(self, projection: Projection) -> int:
        """Rows staged in the projection's tables (those streamed elsewhere count as they were written)."""
        return sum(self.streamed[t] if t in self.streamed else self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                   for t in projection.tables)

    def rows(self, table: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """(column names, rows) of a staged table, streamed in storage order."""
        cur = self.conn.execute(f"SELECT * FROM {table}")
        cols = [c[0] for c in cur.description]
        # One row at a time: a plan version's document is up to ~200 KB, so a batch of rows could
        # hold tens of MB at once.
        return cols, iter(cur)

    def seed(self, source: Any, projection: Projection) -> None:
        """Copy a projection's committed rows from ``source`` (a read transaction of the target store)."""
        for table in projection.tables:
            cur = self.conn.execute(f"SELECT * FROM {table} LIMIT 0")
            cols = [c[0] for c in cur.description]
            self.tx.bulk_insert(table, cols, source.stream(f"SELECT {', '.join(cols)} FROM {table}"))

    def create(self, projections: Sequence[Projection]) -> None:
        for p in projections:
            p.create(self.tx, indexes=p.indexes if p.handler_indexes is None else p.handler_indexes)

    def apply(self, app: Any, projections: Sequence[Projection], after: dict[str, int], start: int, stop: int, size: int,
              on_batch: Callable[[int, int], None] | None = None) -> tuple[int, int | None]:
        """Apply the log ``start..stop`` to the staged tables; (notifications read, last position read)."""
        from projections.catchup import _Batched, apply_batch

        to_domain_event = app.mapper.to_domain_event
        total, top, committed = 0, None, 0
        streams = self.streams
        tx: Tx = self.tx if streams is None else _StreamingTx(self.conn, streams)
        # Only the events these read models take are read, where the log can be filtered (PostgreSQL);
        # what was read is then the log's extent, counted apart (the position every read model reaches).
        topics = wanted_topics(projections) if _pg_log(app) is not None else None
        extent = log_extent(app, start, stop) if topics is not None else None
        for p in projections:
            p.staging = True
        try:
            with collector_paused():
                for notes in read_log(app, start, stop, size, topics=topics):
                    apply_batch(tx, projections, notes, to_domain_event, after=after)
                    total += len(notes)
                    if total >= committed + _COMMIT_EVERY:
                        # Journal off: the page cache is bounded by spilling anyway; a commit per batch cost ~0.7 CPU-s
                        # over the 1 M-event benchmark for the same peak RSS.
                        self.commit()
                        self.begin()
                        committed = total
                    top = notes[-1].id
                    if on_batch:
                        on_batch(top, total)
                for p in projections:  # what a projection held across the batches
                    held = _Batched(tx)
                    p.finish(held)
                    held.flush()
        finally:
            for p in projections:
                p.staging = False
        if extent is not None:
            total, top = extent
        if streams is not None:
            self.streamed.update(streams.finish())
            self.streams = None
        return total, top

    def close(self) -> None:
        try:
            if self.streams is not None:
                self.streams.close()
            self.conn.close()
        finally:
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a rebuild applies the log. A rebuild makes and drops
    millions of small objects (decoded events, rows) that reference counting frees; the collector's
    passes over the ones alive (caches, batches) only cost time — a third of the decoding on the
    benchmark log. Whatever cycles a rebuild leaves are collected when it ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect()


def _resolve(path: str) -> Any:
    module, _, name = path.partition(":")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _dotted(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


class SideProcess:
    """A second process (``python -m projections.staging``) staging fresh projections of the given
    classes from the log into the file ``path``; :meth:`result` is ``(total, top)`` or raises.

    A plain subprocess, not ``multiprocessing``: nothing of the caller's ``__main__`` is re-run."""

    def __init__(self, app: Any, classes: Sequence[type], start: int, stop: int, size: int, path: Path,
                 scratch: Scratch | None = None) -> None:
        job = {"app": _dotted(type(app)), "env": dict(app.env), "classes": [_dotted(c) for c in classes],
               "start": start, "stop": stop, "size": size, "path": str(path),
               "scratch": None if scratch is None else {"conninfo": scratch.conninfo, "schema": scratch.schema}}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.proc = subprocess.Popen([sys.executable, "-m", "projections.staging"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job).encode())
        self.proc.stdin.close()
        self.proc.stdin = None
        self.peak_rss_mb: float | None = None

    def result(self) -> tuple[int, int | None]:
        """(events read, last position read); with a scratch schema, its tables are loaded there."""
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise RuntimeError(f"the second rebuild process failed (exit {self.proc.returncode}): {err.decode()[-2000:]}")
        answer = json.loads(out.decode().strip().splitlines()[-1])
        self.peak_rss_mb = float(answer["peak_rss_mb"])
        return answer["total"], answer["top"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _side_main() -> None:
    job = json.loads(sys.stdin.read())
    app = _resolve(job["app"])(env=job["env"])
    try:
        projections = [_resolve(c)() for c in job["classes"]]
        staging = Staging(job["path"])
        if job["scratch"] is not None:
            streams = Streams(job["scratch"]["conninfo"], job["scratch"]["schema"], projections)
            staging.streams = streams if streams else None
        try:
            staging.begin()
            staging.create(projections)
            total, top = staging.apply(app, projections, {p.name: 0 for p in projections}, job["start"], job["stop"], job["size"])
            staging.commit()
            if job["scratch"] is not None:
                staging.release()
                scratch = Scratch(job["scratch"]["conninfo"], job["scratch"]["schema"])
                scratch.load(staging, projections)
        finally:
            staging.close()
    finally:
        app.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"total": total, "top": top, "peak_rss_mb": peak}))


class Scratch:
    """A scratch schema of the PostgreSQL read-model store: each rebuilding process loads its staged read
    models there (tables, rows by ``COPY``, indexes) in its own transaction, beside the others still
    staging; the final transaction only drops the old tables and moves the new ones in
    (``ALTER TABLE … SET SCHEMA``), so it stays short and the store is never half-loaded.

    One rebuild at a time uses it (a session advisory lock, held by :meth:`take` until :meth:`release`);
    it is dropped and made anew by each, so what an interrupted rebuild left is cleared by the next."""

    def __init__(self, conninfo: str, schema: str) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self._lock: Any = None

    @classmethod
    def take(cls, store: Any) -> Scratch | None:
        """The store's scratch schema, or None (not PostgreSQL, or another rebuild is using it)."""
        if getattr(store, "dialect", None) != "postgres" or not hasattr(store, "conninfo"):
            return None
        import psycopg

        scratch = cls(store.conninfo, f"{store.schema}_rebuild"[:63])
        conn = psycopg.connect(store.conninfo, autocommit=True)
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (f"pengkom-rebuild:{scratch.schema}",)).fetchone()
        if not row or not row[0]:
            conn.close()
            return None
        scratch._lock = conn
        conn.execute(f'DROP SCHEMA IF EXISTS "{scratch.schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{scratch.schema}"')
        return scratch

    def load(self, staging: Staging, projections: Sequence[Projection]) -> None:
        """Load the staged tables of ``projections`` into the scratch schema, with their indexes; committed.

        Two connections share the read models (balanced by their staged rows), each loading its part in its
        own transaction: the database ingests and indexes one part while this process reads and sends the
        other (the sending holds the interpreter; the ingesting and indexing do not). On the 1 M-event
        benchmark the first process's load was the rebuild's tail, one core idle through most of it."""
        if len(projections) < 2:
            self._load(staging, projections)
            return
        from concurrent.futures import ThreadPoolExecutor

        parts: tuple[list[Projection], list[Projection]] = ([], [])
        weight = [0, 0]
        sizes = {p.name: staging.staged_rows(p) for p in projections}
        for p in sorted(projections, key=lambda p: -sizes[p.name]):
            i = 0 if weight[0] <= weight[1] else 1
            parts[i].append(p)
            weight[i] += sizes[p.name]
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pengkom-load") as pool:
            for done in [pool.submit(self._load, staging, part) for part in parts]:
                done.result()

    def _load(self, staging: Staging, projections: Sequence[Projection]) -> None:
        import psycopg

        from projections.store import _PgTx

        with psycopg.connect(self.conninfo, autocommit=True, options=f"-c search_path={self.schema}") as conn:
            with conn.transaction():
                conn.execute("SET LOCAL maintenance_work_mem = '128MB'")  # index builds after the bulk load
                conn.execute("SET LOCAL statement_timeout = 0")  # a bulk load of a million rows is one COPY
                conn.execute("SET LOCAL synchronous_commit = off")  # the final transaction is the durable one
                tx = _PgTx(conn)
                for p in projections:
                    load(tx, staging, p)

    def move_in(self, tx: Tx, target_schema: str, projection: Projection) -> None:
        """In the final transaction of the target store: replace the projection's tables by the loaded ones."""
        projection.drop(tx)
        for table in projection.tables:
            tx.execute(f'ALTER TABLE "{self.schema}".{table} SET SCHEMA "{target_schema}"')

    def release(self) -> None:
        if self._lock is not None:
            try:
                self._lock.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            finally:
                self._lock.close()
                self._lock = None


def load(tx: Tx, staging: Staging, projection: Projection) -> dict[str, int]:
    """Replace the projection's tables in ``tx`` by the staged ones; rows loaded per table. A table whose
    rows were streamed into the scratch schema (``staging.streamed``) is there already: only its indexes
    are built. On PostgreSQL a table's primary key and unique constraints are added after its rows
    (:func:`key_constraints`)."""
    streamed = staging.streamed
    for table in reversed(list(projection.tables)):
        if table not in streamed:
            tx.execute(f"DROP TABLE IF EXISTS {table}")
    loaded = {}
    for table, body in projection.tables.items():
        if table in streamed:
            loaded[table] = streamed[table]
            continue
        tx.execute(f"CREATE TABLE {table} ({table_ddl(body, tx.dialect)})")
        keys = key_constraints(tx, table) if tx.dialect == "postgres" else []
        for name, _ in keys:
            tx.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cols, rows = staging.rows(table)
        loaded[table] = tx.bulk_insert(table, cols, rows)
        for name, definition in keys:
            tx.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for ddl in projection.indexes:
        tx.execute(ddl)
    return loaded


def key_constraints(tx: Tx, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the primary key and unique constraints of the PostgreSQL table ``table`` (found by
    the search path), in the order they were made. :func:`load` drops them from the new, empty table and adds
    them back, with the same names and definitions, once its rows are in: each index is then built by one sort
    of the loaded rows instead of grown row by row through the ``COPY`` (the officer history's 405 k rows under
    a random UUID key on the benchmark log: 4.0 CPU-seconds of the server against 1.9-2.6). Their columns stay
    ``NOT NULL`` meanwhile, and a duplicate fails the load when the key is added instead of during the ``COPY``."""
    rows = tx.fetchall("SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                       "WHERE conrelid = to_regclass(?) AND contype IN ('p', 'u') ORDER BY oid", (table,))
    return [(r["conname"], r["definition"]) for r in rows]


def wanted_topics(projections: Sequence[Projection]) -> frozenset[str] | None:
    """The event topics the projections' handlers take; None when one takes every event (or the raw log)."""
    if any(p.every_event or p.wants_raw for p in projections):
        return None
    return frozenset().union(*(p.topics for p in projections))


def _pg_log(app: Any) -> tuple[Any, Any] | None:
    """(datastore, table identifier) when the log is a PostgreSQL table read directly, else None."""
    recorder = app.recorder
    datastore = getattr(recorder, "datastore", None)
    table = getattr(recorder, "events_table_name", None)
    if datastore is None or table is None or not hasattr(datastore, "get_connection") or not hasattr(datastore, "schema"):
        return None
    from psycopg.sql import Identifier

    return datastore, Identifier(datastore.schema, table)


def topic_counts(app: Any, start: int, stop: int) -> dict[str, int] | None:
    """Events per topic in the log ``start..stop`` (PostgreSQL, read directly; None elsewhere): what
    :func:`projections.rebuild.partition` weighs the reading of each share by."""
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL

    source = _pg_log(app)
    if source is None:
        return None
    datastore, table = source
    sql = SQL("SELECT topic, COUNT(*) FROM {} WHERE notification_id >= %s AND notification_id <= %s GROUP BY topic").format(table)
    with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(sql, (start, stop))
        return {topic: int(n) for topic, n in cur.fetchall()}


def log_extent(app: Any, start: int, stop: int) -> tuple[int, int | None]:
    """(notifications, last position) of the log ``start..stop`` (PostgreSQL, read directly)."""
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL

    source = _pg_log(app)
    assert source is not None
    datastore, table = source
    sql = SQL("SELECT COUNT(*), MAX(notification_id) FROM {} WHERE notification_id >= %s AND notification_id <= %s").format(table)
    with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(sql, (start, stop))
        row = cur.fetchone()
    assert row is not None
    return int(row[0]), row[1]


def _ensure_statistics(datastore: Any, table: Any) -> None:
    """``ANALYZE`` the event table when PostgreSQL has never gathered its statistics (``reltuples`` -1: a log
    loaded in bulk on a server without autovacuum). Without them the planner reads a window of positions by
    bitmap scan and an on-disk sort instead of the index in order: on the 1 M-event benchmark log, reading it
    whole and the officer directory's topics cost the server 4.5 CPU-seconds instead of 2.0. A user who may
    not analyze the table reads it as it is."""
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL

    try:
        with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass"), (table.as_string(conn),))
            row = cur.fetchone()
            if row is not None and row[0] < 0:
                cur.execute(SQL("ANALYZE {}").format(table))
    except Exception as e:  # statistics are an optimisation: a rebuild never fails for want of them
        log.warning("the event table's statistics could not be gathered (%s: %s); reading it without them", type(e).__name__, e)


def read_log(app: Any, start: int, stop: int, size: int, topics: frozenset[str] | None = None) -> Iterator[Sequence[Any]]:
    """The notifications ``start..stop`` in batches of ``size`` — with ``topics``, only those of these topics
    where the log can be filtered as it is read (PostgreSQL; elsewhere every notification comes).

    On PostgreSQL the event table is read directly (binary results, plain tuples): the library's
    ``select_notifications`` builds a dict and a dataclass per row, which costs more than applying
    the event to most read models; the other topics' rows (their state, most of the bytes) are not sent
    at all. Elsewhere ``select_notifications`` is used as is.
    """
    source = _pg_log(app)
    if source is None:
        recorder = app.recorder
        pos = start
        while pos <= stop:
            notes = recorder.select_notifications(start=pos, limit=size, stop=stop)
            if not notes:
                return
            yield notes
            pos = notes[-1].id + 1
        return
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL

    from core.mapper import EventId

    datastore, table = source
    _ensure_statistics(datastore, table)
    where = "" if topics is None else " AND topic = ANY(%s)"
    # The aggregate id as text, made into the mapper's EventId as it is (the decoded events and the read
    # models use its text form; a UUID decoded per row and formatted again cost more).
    # Each query reads a bounded window of positions, not "the next ``size`` rows from here on": with a
    # topic filter, the latter made PostgreSQL gather and sort every remaining row of the wanted topics
    # for each batch (measured on the 1 M-event benchmark log: 34 s to read an officer directory's
    # 481,538 events, 1.4 s of them in this process); a window costs the same wherever it lies.
    sql = SQL("SELECT notification_id, originator_id::text, originator_version, topic, state FROM {} "
              "WHERE notification_id >= %s AND notification_id <= %s" + where + " ORDER BY notification_id").format(table)
    extra = () if topics is None else (sorted(topics),)
    window = size if topics is None else size * FILTERED_WINDOW
    of_text = EventId.of_text
    pos = start
    while pos <= stop:
        high = min(pos + window - 1, stop)
        with datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(sql, (pos, high, *extra), binary=True)
            # A batch at a time made into Python objects (the window's rows wait in the driver's buffer).
            while rows := cur.fetchmany(size):
                yield [Note(n, of_text(oid), version, topic, state) for n, oid, version, topic, state in rows]
            del rows
        pos = high + 1


if __name__ == "__main__":
    _side_main()
