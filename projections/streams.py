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
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, suppress
from itertools import chain
from typing import Any

from projections.base import Projection
from projections.store import _SqliteTx, table_ddl

__all__ = ["StreamMisuse", "Streams"]


#: A plain ``INSERT INTO t (columns) VALUES (?, …)``: the only statement a streamed table accepts.
_INSERT_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(([\s?,]+)\)\s*$", re.I)
#: The value types a streamed row may hold: ``COPY`` stores them as the staging file and its load would
#: (an int in a TEXT column as its digits, a str in an INTEGER column parsed); anything else is refused.
_NONE = type(None)
_STREAM_TYPES = frozenset({str, int, _NONE})


class StreamMisuse(RuntimeError):
    """A handler did something to a streamed table besides a plain INSERT (a programming error)."""


#: The binary ``COPY`` type of a column by its declared type; a table with a column of another type (or
#: a parenthesis in its body) is copied as text. Binary: no escaping, and psycopg dumps each value by its
#: column's type (``Copy.set_types``) instead of looking a dumper up per value — 2.3 µs a row of the
#: audit trail as text, checks included, 0.95 µs as binary (5,000-row batches of the benchmark log's rows).
_BINARY = {"BIGINT": "int8", "INT8": "int8", "INTEGER": "int4", "INT": "int4", "INT4": "int4", "SMALLINT": "int2",
           "INT2": "int2", "TEXT": "text"}
_PYTHON_TYPE = {"int8": int, "int4": int, "int2": int, "text": str}
#: A str an integer column takes in a binary COPY: the digits PostgreSQL's text input would read as int() does.
_INT_TEXT = re.compile(r"[+-]?[0-9]+")


def _binary_types(body: str, cols: Sequence[str]) -> list[str] | None:
    """The binary COPY types of ``cols`` of a table ``body`` (None: copy it as text)."""
    if "(" in body:
        return None
    declared = {}
    for part in body.split(","):
        words = part.split()
        if len(words) < 2:
            return None
        declared[words[0].lower()] = words[1].upper()
    types = [_BINARY.get(declared.get(c, "")) for c in cols]
    return None if None in types else types  # type: ignore[return-value]


def _binary_rows(table: str, rows: Sequence[Sequence[Any]], cols: Sequence[str], types: Sequence[str]) -> list[tuple[Any, ...]]:
    """``rows`` with each value of the type its column's binary COPY takes, as a text COPY would store it:
    an int in a text column as its digits, digits in an integer column as their int; StreamMisuse for
    any other value but None."""
    out = []
    for row in rows:
        values = []
        for value, col, want in zip(row, cols, types, strict=True):
            kind = type(value)
            if kind not in _STREAM_TYPES:
                raise StreamMisuse(f"{table}: a value of a type a streamed table does not take in {tuple(row)!r:.300}")
            if value is not None and kind is not _PYTHON_TYPE[want]:
                if kind is int:
                    value = str(value)
                elif _INT_TEXT.fullmatch(value):
                    value = int(value)
                else:
                    raise StreamMisuse(f"{table}: {value!r:.100} in the integer column {col} (digits only)")
            values.append(value)
        out.append(tuple(values))
    return out


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
        copy, types = entry[2], entry[5]
        if types is None:  # text COPY: each row checked
            write = copy.write_row
            ok = _STREAM_TYPES.issuperset
            for row in rows:
                if not ok(map(type, row)):
                    raise StreamMisuse(f"{table}: a value of a type a streamed table does not take in {tuple(row)!r:.300}")
                write(row)
        elif rows:  # binary COPY: each column's types checked at once
            width = len(types)
            if len(set(map(len, rows))) != 1 or len(rows[0]) != width:
                bad = next(r for r in rows if len(r) != width)
                raise StreamMisuse(f"{table}: a row of {len(bad)} values for {width} columns: {tuple(bad)!r:.300}")
            flat = list(chain.from_iterable(rows))
            for i, want in enumerate(types):
                kinds = set(map(type, flat[i::width]))
                kinds.discard(_NONE)
                if kinds and (len(kinds) != 1 or kinds.pop() is not _PYTHON_TYPE[want]):
                    rows = _binary_rows(table, rows, cols, types)
                    break
            deque(map(copy.write_row, rows), 0)
        entry[4] += len(rows)

    def _start(self, table: str, cols: tuple[str, ...]) -> list[Any]:
        import psycopg

        types = _binary_types(self.bodies[table], cols)
        conn = psycopg.connect(self.conninfo, autocommit=False, options=f"-c search_path={self.schema}")
        try:
            conn.execute("SET LOCAL statement_timeout = 0")  # one COPY for the whole rebuild
            conn.execute("SET LOCAL synchronous_commit = off")  # the rebuild's final transaction is the durable one
            conn.execute(f"CREATE TABLE {table} ({table_ddl(self.bodies[table], 'postgres')})")
            stack = ExitStack()
            cur = stack.enter_context(conn.cursor())
            binary = " (FORMAT BINARY)" if types is not None else ""
            copy = stack.enter_context(cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN{binary}"))
            if types is not None:
                copy.set_types(types)
        except BaseException:
            conn.close()
            raise
        return [conn, stack, copy, cols, 0, types]

    def finish(self) -> dict[str, int]:
        """End every ``COPY`` and commit it; {table: rows}."""
        done = {}
        try:
            for table, (conn, stack, _, _, n, _) in self._open.items():
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
