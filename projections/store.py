"""Where read models live: a SQLite file (embedded default) or a PostgreSQL schema.

SQL in projections is written once, with ``?`` placeholders and portable types (TEXT, INTEGER,
BIGINT, NUMERIC; JSON kept as TEXT); this module adapts it to each database. A store can be
opened on a scratch file or schema so that ``pengkom verify`` rebuilds beside the live one.
"""
from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

_PLACEHOLDER = re.compile(r"\?")
#: SQLite's byte-order collation in a portable CREATE TABLE body (:func:`table_ddl`).
_BINARY_COLLATION = re.compile(r"\bCOLLATE\s+BINARY\b", re.I)
_cursor_ids = itertools.count(1)


def table_ddl(body: str, dialect: str) -> str:
    """A portable CREATE TABLE body as ``dialect`` takes it: a column declared ``COLLATE BINARY`` (SQLite's
    byte order, its default) is ``COLLATE "C"`` in PostgreSQL, whose byte order it is too. (PostgreSQL's
    database collation compares by the locale's rules even where they give byte order, as ``C.UTF-8``
    does: an index over such a column is built several times slower; equality is byte equality under
    any collation of the database.)"""
    return _BINARY_COLLATION.sub('COLLATE "C"', body) if dialect == "postgres" else body


class Tx(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...
    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...
    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]: ...
    def run_batch(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None: ...
    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int: ...


class _SqliteTx:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, tuple(params))
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        cur = self.conn.execute(sql, tuple(params))
        while rows := cur.fetchmany(size):
            yield from rows

    def run_batch(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None:
        for sql, rows in groups:
            if len(rows) == 1:
                self.conn.execute(sql, tuple(rows[0]))
            else:
                self.conn.executemany(sql, rows)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows (an iterator is consumed as it goes); the number inserted."""
        cur = self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
        return max(cur.rowcount, 0)


class _PgTx:
    dialect = "postgres"

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @staticmethod
    def _sql(sql: str) -> str:
        return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(self._sql(sql), tuple(params))
        cols = [c.name for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        # A named (server-side) cursor: a million-row table is compared without loading it whole.
        with self.conn.cursor(name=f"pengkom_stream_{next(_cursor_ids)}") as cur:
            cur.itersize = size
            cur.execute(self._sql(sql), tuple(params))
            yield from cur

    def run_batch(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None:
        # Long runs of plain INSERTs (a rebuild's audit and chain rows) go by COPY, the fastest way
        # into PostgreSQL; everything else in one pipeline: statements go out back to back and the
        # answers are read once, instead of one network round trip per statement. Order is kept.
        pending: list[tuple[str, list[Sequence[Any]]]] = []
        for sql, rows in groups:
            target = _copy_target(sql, rows)
            if target is None:
                pending.append((sql, rows))
                continue
            self._pipeline(pending)
            pending = []
            table, cols = target
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        self._pipeline(pending)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """``COPY … FROM STDIN``: the fastest way into PostgreSQL; values must be str/int/None (Decimal)."""
        n = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
                n += 1
        return n

    def _pipeline(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None:
        if not groups:
            return
        if len(groups) == 1 and len(groups[0][1]) == 1:
            self.conn.execute(self._sql(groups[0][0]), tuple(groups[0][1][0]), prepare=True)
            return
        with self.conn.pipeline(), self.conn.cursor() as cur:
            for sql, rows in groups:
                if len(rows) == 1:
                    cur.execute(self._sql(sql), tuple(rows[0]), prepare=True)
                elif (many := _multi_row(sql, len(rows))) is not None:
                    # A plain INSERT of a few rows: one statement of many rows instead of one per row.
                    for at in range(0, len(rows), _MULTI_MAX):
                        chunk = rows[at:at + _MULTI_MAX]
                        text = many if len(chunk) == len(rows) else _multi_row(sql, len(chunk))
                        cur.execute(self._sql(text), [v for row in chunk for v in row])  # type: ignore[arg-type]
                else:
                    cur.executemany(self._sql(sql), rows)


_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(([\s?,]+)\)\s*$", re.I)
#: Values COPY writes exactly as a bound parameter would be stored (anything else takes the pipeline).
_COPY_TYPES = frozenset({str, int, type(None), Decimal})
_COPY_MIN = 64


#: Rows in one multi-row INSERT at most (PostgreSQL takes at most 65,535 parameters per statement).
_MULTI_MAX = 200


def _multi_row(sql: str, n: int) -> str | None:
    """``INSERT INTO t (a, b) VALUES (?, ?), (?, ?), …`` for ``n`` (at most :data:`_MULTI_MAX`) rows of a plain
    INSERT (no ON CONFLICT or RETURNING clause: the same rows inserted in the same order, the same errors);
    None for any other statement."""
    m = _INSERT.match(sql)
    if m is None:
        return None
    one = "(" + m.group(3).strip() + ")"
    if one.count("?") != len(m.group(2).split(",")) or one.count("?") * min(n, _MULTI_MAX) > 65535:
        return None
    return f"INSERT INTO {m.group(1)} ({m.group(2)}) VALUES " + ", ".join([one] * min(n, _MULTI_MAX))


def _copy_target(sql: str, rows: Sequence[Sequence[Any]]) -> tuple[str, str] | None:
    if len(rows) < _COPY_MIN:
        return None
    m = _INSERT.match(sql)
    if m is None or m.group(3).count("?") != len(m.group(2).split(",")):
        return None
    types = _COPY_TYPES
    for row in rows:
        for v in row:
            if type(v) not in types:
                return None
    return m.group(1), m.group(2)


class ViewStore:
    """A database for read models and their tracking rows."""

    dialect: str
    location: str

    @contextmanager
    def transaction(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction() as tx:
            return tx.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def snapshot(self) -> Iterator[ViewStore]:
        """A read-only view in which every query sees the same committed state.

        A response assembled from several queries (a document and the chain head it was computed
        from) must not mix two moments of the read models.
        """
        with self.read() as tx:
            yield _Snapshot(self, tx)

    @contextmanager
    def read(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def tables(self) -> list[str]:
        """Every table in this store (the scratch store is wiped by dropping them)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def wipe(self) -> None:
        """Drop every table: a scratch store starts empty."""
        tables = self.tables()
        with self.transaction() as tx:
            for table in tables:
                tx.execute(f"DROP TABLE IF EXISTS {table}")

    def discard(self) -> None:
        """Remove a scratch store entirely (its file or schema) and close it."""
        self.wipe()
        self.close()

    def close(self) -> None:
        pass


class _Snapshot(ViewStore):
    def __init__(self, store: ViewStore, tx: Tx) -> None:
        self.dialect = store.dialect
        self.location = store.location
        self._tx = tx

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        yield self._tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        yield self._tx

    @contextmanager
    def snapshot(self) -> Iterator[ViewStore]:
        yield self

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self._tx.fetchall(sql, params)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        """Rows as tuples, fetched ``size`` at a time (a large table is never loaded whole)."""
        return self._tx.stream(sql, params, size)


class SqliteViewStore(ViewStore):
    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().execute("PRAGMA journal_mode=WAL")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._conn()
        # IMMEDIATE takes the write lock up front, so two projectors never interleave.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield _SqliteTx(conn)
        finally:
            conn.execute("ROLLBACK")

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.read() as tx:
            return tx.fetchall(sql, params)

    def tables(self) -> list[str]:
        rows = self.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return [r["name"] for r in rows]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def discard(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class MemoryViewStore(SqliteViewStore):
    """A private in-memory SQLite store: read models built for one as-of read, then thrown away."""

    def __init__(self) -> None:
        self.path = Path(":memory:")
        self.location = ":memory:"
        self._lock = threading.RLock()
        self._memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)

    def _conn(self) -> sqlite3.Connection:
        return self._memory

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock, super().transaction() as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._lock, super().read() as tx:
            yield tx

    def close(self) -> None:
        self._memory.close()


class PostgresViewStore(ViewStore):
    dialect = "postgres"

    def __init__(self, conninfo: str, schema: str = "public", *, pool_size: int = 5) -> None:
        from psycopg_pool import ConnectionPool

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ValueError(f"schema name {schema!r} must be a plain lower-case identifier")
        self.schema = schema
        self.location = f"schema {schema}"
        self.conninfo = conninfo
        self.pool = ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, open=True,
            kwargs={"options": f"-c search_path={schema}", "autocommit": True},
        )
        with self.pool.connection() as conn:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn:
            with conn.transaction():
                yield _PgTx(conn)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.pool.connection() as conn:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield _PgTx(conn)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            return _PgTx(conn).fetchall(sql, params)

    def tables(self) -> list[str]:
        rows = self.fetchall("SELECT tablename FROM pg_tables WHERE schemaname = ?", (self.schema,))
        return [r["tablename"] for r in rows]

    def wipe(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {self.schema}")

    def discard(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self.close()

    def close(self) -> None:
        self.pool.close()


def like_pattern(text: str) -> str:
    """``%text%`` for a case-insensitive ``LIKE ? ESCAPE '!'`` on lower-cased text: the query's own
    ``%`` and ``_`` match themselves, not any text."""
    escaped = text.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"
