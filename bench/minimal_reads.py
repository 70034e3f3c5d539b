"""The baseline of ``bench/reads.py``: the smallest Litestar + asyncpg application serving the same rows as
pengkom's officer read, officer list page, agency ledger page and plan page — no authentication, no access
rules, no read barrier, no as-of, no labels, no signed chain head, just the queries and JSON. What pengkom's
read path is compared with: the framework's own limit on this machine.

The ledger page: the officers after a keyset (name, NIP) with their JP sums, the agency's per-pathway sums and
its totals by employee type and credited JP. The plan page: the plan's head document, the rows after a log
position with their documents and findings, and the plan's other findings (about no row) after a (rule, id). Both page by a plain (unsigned) cursor.

    PENGKOM_BENCH_DSN=postgresql://… PENGKOM_BENCH_SCHEMA=… uvicorn bench.minimal_reads:app --port N
"""
from __future__ import annotations

import base64
import json
import os
from typing import Any

import asyncpg
from litestar import Litestar, Response, get

DSN = os.environ.get("PENGKOM_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = os.environ.get("PENGKOM_BENCH_SCHEMA", "pengkom_bench_reads")
LIST = ("id, nip, name, employee_type, position, level, golongan, agency, unit, supervisor_nip, withdrawn, version")
pool: Any = None


class _Connection(asyncpg.Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        return ""


async def _open() -> None:
    global pool
    # The same pool as pengkom's (no reset query on release: a plain SELECT leaves no session state).
    pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10, server_settings={"search_path": SCHEMA},
                                     connection_class=_Connection)


async def _close() -> None:
    await pool.close()


@get("/officers/{officer_id:str}")
async def officer(officer_id: str) -> Response[Any]:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM officers WHERE id = $1", officer_id)
        hist = await conn.fetch("SELECT entry_id, kind, year, doc, retracted, recorded_version, corrected_version FROM officer_history "
                                "WHERE officer_id = $1 ORDER BY kind, year, recorded_version", officer_id)
    if row is None:
        return Response({"detail": "not found"}, status_code=404)
    return Response({**dict(row), "history": [dict(h) for h in hist]})


@get("/officers/")
async def officers(agency: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {LIST} FROM officers WHERE agency = $1 AND withdrawn = 0 ORDER BY agency, name, nip "
                                "LIMIT $2 OFFSET $3", agency, limit, offset)
        total = await conn.fetchval("SELECT COUNT(*) FROM officers WHERE agency = $1 AND withdrawn = 0", agency)
    return {"items": [dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def _cursor(key: list[Any] | None) -> str | None:
    return None if key is None else base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _after(cursor: str | None) -> Any:
    return None if cursor is None else json.loads(base64.urlsafe_b64decode(cursor))


LEDGER_PAGE = """SELECT o.id, o.nip, o.name, o.employee_type, COALESCE(s.planned, 0) AS planned, COALESCE(s.credited, 0) AS credited,
  COALESCE(s.activities, 0) AS activities
FROM (SELECT id, nip, name, employee_type FROM officers WHERE agency = $1 AND withdrawn = 0 AND (name, nip) > ($2, $3)
      ORDER BY name, nip LIMIT $4) o
LEFT JOIN (SELECT officer_id, SUM(planned_jp) AS planned, SUM(credited_jp) AS credited, COUNT(*) AS activities
           FROM jp_ledger_entries WHERE agency = $1 AND year = $5 AND active = 1 GROUP BY officer_id) s ON s.officer_id = o.id
ORDER BY o.name, o.nip"""
LEDGER_TOTALS = """SELECT o.employee_type, COALESCE(s.credited, 0) AS credited, COUNT(*) AS n FROM officers o
LEFT JOIN (SELECT officer_id, SUM(credited_jp) AS credited FROM jp_ledger_entries WHERE agency = $1 AND year = $2 AND active = 1
           GROUP BY officer_id) s ON s.officer_id = o.id
WHERE o.agency = $1 AND o.withdrawn = 0 GROUP BY 1, 2"""


@get("/ledger/agency")
async def ledger(agency: str, year: int, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
    name, nip = _after(cursor) or ("", "")
    async with pool.acquire() as conn:
        rows = await conn.fetch(LEDGER_PAGE, agency, name, nip, limit + 1, year)
        totals = await conn.fetch(LEDGER_TOTALS, agency, year)
        pathways = await conn.fetch("SELECT pathway, COUNT(DISTINCT activity_id) AS activities, COUNT(*) AS participants, "
                                    "COALESCE(SUM(credited_jp), 0) AS credited_jp FROM jp_ledger_entries WHERE agency = $1 "
                                    "AND year = $2 AND active = 1 GROUP BY pathway ORDER BY pathway", agency, year)
    page = rows[:limit]
    return {"agency": agency, "year": year, "officers": [dict(r) for r in page], "by_pathway": [dict(r) for r in pathways],
            "totals": [dict(r) for r in totals],
            "next_cursor": _cursor([page[-1]["name"], page[-1]["nip"]]) if len(rows) > limit else None}


@get("/plans/{agency:str}/{year:int}")
async def plan(agency: str, year: int, plan_id: str, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
    seq, rule, finding = _after(cursor) or (0, "", "")
    async with pool.acquire() as conn:
        head = await conn.fetchval("SELECT doc FROM plan_heads WHERE id = $1", plan_id)
        rows = await conn.fetch("SELECT seq, row_id, doc FROM plan_rows WHERE plan_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                                plan_id, seq, limit + 1)
        page = rows[:limit]
        findings = await conn.fetch("SELECT doc FROM plan_findings WHERE plan_id = $1 AND row_id = ANY($2::text[])",
                                    plan_id, [r["row_id"] for r in page])
        others = await conn.fetch("SELECT rule, finding_id, doc FROM plan_findings WHERE plan_id = $1 AND (row_id IS NULL OR row_id "
                                  "NOT IN (SELECT row_id FROM plan_rows WHERE plan_id = $1)) AND (rule, finding_id) > ($2, $3) "
                                  "ORDER BY rule, finding_id LIMIT $4", plan_id, rule, finding, limit + 1)
    more = len(rows) > limit or len(others) > limit
    others = others[:limit]
    after = [page[-1]["seq"] if page else seq, *((others[-1]["rule"], others[-1]["finding_id"]) if others else (rule, finding))]
    return {"head": json.loads(head) if head else None, "rows": [json.loads(r["doc"]) for r in page],
            "findings": [json.loads(f["doc"]) for f in [*findings, *others]], "next_cursor": _cursor(after) if more else None}


app = Litestar([officer, officers, ledger, plan], on_startup=[_open], on_shutdown=[_close], debug=False)
