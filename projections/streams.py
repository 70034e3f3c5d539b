"""Streamed tables of a staged rebuild: rows ``COPY``-ed straight into the scratch schema as the log is applied.

A staged rebuild (:mod:`projections.staging`) writes every row to a local SQLite file, reads it back
and copies it into PostgreSQL. A table the handlers only ever append to (:attr:`Projection.streamed`,
e.g. the audit trail's one row per event) need not make that trip: its rows go into an open ``COPY``
of the scratch schema while the log is applied, and the database builds the table beside the
rebuild instead of after it. The guard is strict: any statement but a plain ``INSERT … VALUES`` on
such a table, or a value the staging file would store otherwise than ``COPY`` does, raises.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, suppress
from typing import Any

from projections.base import Projection
from projections.store import _SqliteTx

__all__ = ["StreamMisuse", "Streams"]


#: A plain ``INSERT INTO t (columns) VALUES (?, …)``: the only statement a streamed table accepts.
_INSERT_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(([\s?,]+)\)\s*$", re.I)
#: The value types a streamed row may hold: ``COPY`` stores them as the staging file and its load would
#: (an int in a TEXT column as its digits, a str in an INTEGER column parsed); anything else is refused.
_STREAM_TYPES = frozenset({str, int, type(None)})


class StreamMisuse(RuntimeError):
    """A handler did something to a streamed table besides a plain INSERT (a programming error)."""


class Streams:
    """The rows of a staged rebuild's streamed tables (:attr:`Projection.streamed`), ``COPY``\\ ed straight
    into the scratch schema while the log is applied: one connection and one open ``COPY`` per table,
    committed by :meth:`finish` (the final transaction of the rebuild is the durable one; a failed rebuild
    leaves an uncommitted table, or one the next rebuild's fresh scratch schema drops).

    Such a table skips the staging file entirely (its rows were written there, read back and copied).
    Only plain ``INSERT … VALUES`` of str/int/None values reach it; any other statement naming it —
    a read, an update, a delete — raises :class:`StreamMisuse` instead of reading a table that is not
    there."""

    def __init__(self, conninfo: str, schema: str, projections: Sequence[Projection]) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self.bodies = {t: p.tables[t] for p in projections for t in p.streamed}
        # Any statement naming a streamed table (none: a pattern that never matches).
        self._mention = re.compile(r"\b(" + "|".join(map(re.escape, self.bodies)) + r")\b" if self.bodies else r"(?!x)x", re.I)
        #: SQL text -> the streamed table it inserts into (None: it names none).
        self._targets: dict[str, str | None] = {}
        #: table -> [connection, the cursor and COPY to close, the COPY, columns, rows written]
        self._open: dict[str, list[Any]] = {}

    def __bool__(self) -> bool:
        return bool(self.bodies)

    def target(self, sql: str) -> str | None:
        """The streamed table ``sql`` inserts into, None if it names none; :class:`StreamMisuse` otherwise."""
        try:
            return self._targets[sql]
        except KeyError:
            pass
        table = None
        m = self._mention.search(sql)
        if m is not None:
            ins = _INSERT_VALUES.match(sql)
            if (ins is None or ins.group(1).lower() != m.group(1).lower() or self._mention.search(sql, m.end()) is not None
                    or ins.group(3).count("?") != len(ins.group(2).split(","))):
                raise StreamMisuse(f"a streamed table may only be appended to by INSERT … VALUES: {sql[:200]}")
            table = m.group(1).lower()
        self._targets[sql] = table
        return table

    def write(self, table: str, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        entry = self._open.get(table)
        cols = tuple(c.strip().lower() for c in _INSERT_VALUES.match(sql).group(2).split(","))  # type: ignore[union-attr]
        if entry is None:
            entry = self._open[table] = self._start(table, cols)
        elif entry[3] != cols:
            raise StreamMisuse(f"{table}: rows inserted with columns {cols}, earlier ones with {entry[3]}")
        write = entry[2].write_row
        ok = _STREAM_TYPES.issuperset
        for row in rows:
            if not ok(map(type, row)):
                raise StreamMisuse(f"{table}: a value of a type a streamed table does not take in {tuple(row)!r:.300}")
            write(row)
        entry[4] += len(rows)

    def _start(self, table: str, cols: tuple[str, ...]) -> list[Any]:
        import psycopg

        conn = psycopg.connect(self.conninfo, autocommit=False, options=f"-c search_path={self.schema}")
        try:
            conn.execute("SET LOCAL statement_timeout = 0")  # one COPY for the whole rebuild
            conn.execute("SET LOCAL synchronous_commit = off")  # the rebuild's final transaction is the durable one
            conn.execute(f"CREATE TABLE {table} ({self.bodies[table]})")
            stack = ExitStack()
            cur = stack.enter_context(conn.cursor())
            copy = stack.enter_context(cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN"))
        except BaseException:
            conn.close()
            raise
        return [conn, stack, copy, cols, 0]

    def finish(self) -> dict[str, int]:
        """End every ``COPY`` and commit it; {table: rows}."""
        done = {}
        try:
            for table, (conn, stack, _, _, n) in self._open.items():
                stack.close()  # the end of the COPY
                conn.commit()
                done[table] = n
        finally:
            self.close()
        return done

    def close(self) -> None:
        """Drop whatever is still open, uncommitted."""
        entries, self._open = list(self._open.values()), {}
        for conn, *_ in entries:
            with suppress(Exception):  # a broken connection is closed anyway
                conn.close()


class _StreamingTx(_SqliteTx):
    """The staging file's transaction with the streamed tables' INSERTs sent to :class:`Streams`."""

    def __init__(self, conn: sqlite3.Connection, streams: Streams) -> None:
        super().__init__(conn)
        self.streams = streams

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.run_batch([(sql, [params])])

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.run_batch([(sql, list(rows))])

    def run_batch(self, groups: Sequence[tuple[str, list[Sequence[Any]]]]) -> None:
        target = self.streams.target
        plain: list[tuple[str, list[Sequence[Any]]]] = []
        for sql, rows in groups:
            table = target(sql)
            if table is None:
                plain.append((sql, rows))
                continue
            if plain:
                super().run_batch(plain)
                plain = []
            self.streams.write(table, sql, rows)
        if plain:
            super().run_batch(plain)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._read(sql)
        return super().fetchall(sql, params)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        self._read(sql)
        return super().stream(sql, params, size)

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Any) -> int:
        self._read(table)
        return super().bulk_insert(table, columns, rows)

    def _read(self, sql: str) -> None:
        if self.streams.target(sql) is not None:  # (a read naming a streamed table raises there)
            raise StreamMisuse(f"a streamed table cannot be read while it is staged: {sql[:200]}")
