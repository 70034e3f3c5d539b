"""The baseline of ``bench/reads.py``: the smallest Litestar + asyncpg application serving the same rows as
pengkom's officer read and officer list page — no authentication, no access rules, no read barrier, no
as-of, just the queries and JSON. What pengkom's read path is compared with: the framework's own limit on
this machine.

    PENGKOM_BENCH_DSN=postgresql://… PENGKOM_BENCH_SCHEMA=… uvicorn bench.minimal_reads:app --port N
"""
from __future__ import annotations

import os
from typing import Any

import asyncpg
from litestar import Litestar, Response, get

DSN = os.environ.get("PENGKOM_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = os.environ.get("PENGKOM_BENCH_SCHEMA", "pengkom_bench_reads")
LIST = ("id, nip, name, employee_type, position, level, golongan, agency, unit, supervisor_nip, withdrawn, version")
pool: Any = None


async def _open() -> None:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10, server_settings={"search_path": SCHEMA})


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


app = Litestar([officer, officers], on_startup=[_open], on_shutdown=[_close], debug=False)
