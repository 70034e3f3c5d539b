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

from collections.abc import Mapping
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
