"""Streamed tables (projections/streams.py) on PostgreSQL: a table of BIGINT and TEXT columns goes by binary
``COPY``, any other by text ``COPY``; either way the stored rows are those psycopg's own ``write_row`` into
a text ``COPY`` stores, whatever the values hold (tabs, newlines, backslashes, carriage returns, control
characters, non-ASCII, None, ints either side of 2**31, an int in a text column, digits in an integer one)."""
from __future__ import annotations

import os
import uuid
from types import SimpleNamespace

import pytest

from projections import streams as streams_mod
from projections.streams import StreamMisuse, Streams

PG_URL = os.environ.get("PENGKOM_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")

ODD = ["plain", "", "tab\there", "new\nline", "back\\slash", "\\N", "carriage\rreturn", "\b\v\f bell", "\\t literal",
       "Sentosa…", "é ü ß", "日本語", "emoji 🙂", "trailing\n", "\t", "None", "%s %d {}", "a\r\n\tb\\", " 12 "]


def _rows() -> list[tuple]:
    rows = []
    for i, text in enumerate(ODD):
        rows.append((i, text, None if i % 3 else text, 2 ** 40 + i if i % 2 else -i, text[::-1]))
    rows.append((len(ODD), None, None, None, ""))
    rows.append((len(ODD) + 1, "7", 12345, 2 ** 63 - 1, "x"))  # an int in a text column: its digits
    rows.append((len(ODD) + 2, "y", "z", "-42", "+17"))  # digits in an integer column: their value
    return rows


@pytest.fixture
def scratch():
    import psycopg

    schema = f"pk_streams_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _stored(schema: str, table: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        return conn.execute(f"SELECT * FROM {schema}.{table} ORDER BY 1").fetchall()


def _reference(schema: str, table: str, body: str, cols: tuple[str, ...], rows: list[tuple]) -> list[tuple]:
    """The rows as psycopg's own text COPY (write_row) stores them."""
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        conn.execute(f"CREATE TABLE {schema}.{table} ({body})")
        with conn.cursor() as cur, cur.copy(f"COPY {schema}.{table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return _stored(schema, table)


@pytest.mark.parametrize(("body", "binary"), [
    ("id BIGINT PRIMARY KEY, a TEXT, b TEXT DEFAULT '', n BIGINT, z TEXT NOT NULL", True),
    ("id INTEGER PRIMARY KEY, a TEXT, b TEXT, n NUMERIC(30, 0), z VARCHAR(40)", False),  # text COPY
])
def test_streamed_rows_are_stored_as_psycopgs_own_copy_stores_them(scratch, body, binary):
    projection = SimpleNamespace(tables={"t": body}, streamed=("t",))
    streams = Streams(PG_URL, scratch, [projection])
    sql = "INSERT INTO t (id, a, b, n, z) VALUES (?, ?, ?, ?, ?)"
    rows = _rows()
    if binary:  # integer columns as BIGINT in the reference too: binary COPY checks the width
        assert streams_mod._binary_types(body, ("id", "a", "b", "n", "z")) == ["int8", "text", "text", "int8", "text"]
    else:
        assert streams_mod._binary_types(body, ("id", "a", "b", "n", "z")) is None
    try:
        streams.write("t", sql, rows[:5])
        streams.write("t", sql, [])
        streams.write("t", sql, rows[5:])
        assert streams.finish() == {"t": len(rows)}
    finally:
        streams.close()
    got = _stored(scratch, "t")
    assert got == _reference(scratch, "u", body, ("id", "a", "b", "n", "z"), rows)
    assert got[1][1:3] == ("", None) and got[3][1:3] == ("new\nline", "new\nline") and got[-3][1:] == (None, None, None, "")
    assert got[-2][2] == "12345" and got[-1][3] == -42 and got[-1][4] == "+17"


def test_a_streamed_table_refuses_what_its_copy_would_store_otherwise(scratch):
    projection = SimpleNamespace(tables={"t": "id BIGINT, a TEXT"}, streamed=("t",))
    streams = Streams(PG_URL, scratch, [projection])
    sql = "INSERT INTO t (id, a) VALUES (?, ?)"
    try:
        streams.write("t", sql, [(1, "a")])
        for bad in ([(2, True)], [(True, "b")], [(2, 1.5)], [(2, b"x")], [(2, "b"), (3, uuid.uuid4())], [(2,)], [(2, "b", "c")],
                    [(" 12", "b")], [("1_000", "b")], [("0x10", "b")]):
            with pytest.raises(StreamMisuse):
                streams.write("t", sql, bad)
        streams.write("t", sql, [(4, "d")])
        assert streams.finish() == {"t": 2}
    finally:
        streams.close()
    assert _stored(scratch, "t") == [(1, "a"), (4, "d")]


def test_a_nul_in_a_streamed_text_fails_the_copy(scratch):
    import psycopg

    streams = Streams(PG_URL, scratch, [SimpleNamespace(tables={"t": "id BIGINT, a TEXT"}, streamed=("t",))])
    try:
        with pytest.raises(psycopg.Error):  # PostgreSQL text holds no NUL: the COPY fails, as psycopg's own does
            streams.write("t", "INSERT INTO t (id, a) VALUES (?, ?)", [(1, "a\x00b")])
            streams.finish()
    finally:
        streams.close()
