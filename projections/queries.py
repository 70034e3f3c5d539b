"""Reads as named SQL queries, run the same way on every store (issue 9, goal 3).

A read that serves a page (the officer list, the agency's JP ledger, the plan's rows) is written once as a
set of named :class:`Query` objects (``?`` placeholders, SQL both SQLite and PostgreSQL accept) and a
shaping function over their rows. The synchronous stores (SQLite, psycopg) run them one by one in the
request's snapshot (:func:`run`); on PostgreSQL the async read path (``api/pgreads.py``) sends them as ONE
statement through asyncpg, each query's rows aggregated to JSON, and hands the same rows to the same
shaping function — so both paths give the same document.

Rows are dictionaries of plain values (int, str, None). A query that orders its rows must say so in its own
``ORDER BY``: the async path aggregates the rows in the order the query returns them.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.store import ViewStore


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[Any, ...] = ()


Rows = dict[str, list[dict[str, Any]]]


def run(store: ViewStore, queries: Mapping[str, Query]) -> Rows:
    """The rows of each query, on a synchronous store (pass the request's snapshot: one view for all)."""
    return {name: store.fetchall(q.sql, q.params) for name, q in queries.items()}


def json_keys(dialect: str, table: str, column: str, key: str) -> str:
    """SQL selecting (as one column) the keys of the JSON object at ``key`` of the document in ``table.column``;
    the caller appends its ``WHERE``."""
    if dialect == "postgres":
        return f"SELECT jsonb_object_keys(COALESCE(({column}::jsonb) -> '{key}', '{{}}'::jsonb)) FROM {table}"
    return f"SELECT j.key FROM {table}, json_each({table}.{column}, '$.{key}') j"


#: The lengths an IN list of :func:`in_lists` takes. Every distinct statement text is compiled and kept by the
#: driver's statement cache (sqlite3: 128 statements, ~80 KB each with a 300–430-value IN list, measured by
#: peak RSS): IN lists of any length made up to ~10 MB of cached statements, and a compile per query.
IN_LENGTHS = (1, 8, 32, 128, 500)


def in_lists(values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """``values`` (at most 500 at a time) as (``?, ?, …`` placeholders, parameters) for ``… IN (…)``, each list
    made up to a length of :data:`IN_LENGTHS` by repeating its last value (a value listed twice matches once)."""
    most = IN_LENGTHS[-1]
    for i in range(0, len(values), most):
        chunk = list(values[i:i + most])
        size = next(n for n in IN_LENGTHS if n >= len(chunk))
        chunk += [chunk[-1]] * (size - len(chunk))
        yield ",".join("?" * size), chunk
