"""Rebuild benchmark on PostgreSQL: a full rebuild of every read model against a raw asyncpg scan
of the same event table, with the peak memory of each.

    .venv/bin/python bench/rebuild.py --events 1000000          # or: make bench

It generates (once, in its own process; reused while the schema holds enough events) a realistic
log — 50 agencies, 5,000 officers, three whole yearly cycles: Formulir 2.2 facts, the 180°
assessment, Formulir 2.5 and 2.1, the agencies' plans and the activities of every pathway with
their monitoring and JP credits (``bench/cycle.py``) — with the real event classes, rules, plugins
and mapper, written in bulk by COPY. Then, each in a fresh process so peak RSS is its own: (1) the raw
scan: asyncpg reads every row of the event table; (2) the rebuild: ``Projector.reset()`` + ``catch_up()``
over every read model a reset drops (the append-only hash chain is not one), exactly what ``pengkom
replay`` does — two processes each staging their share in a local SQLite file and loading it by COPY
into a scratch schema (the audit trail's rows streamed there by COPY as the log is applied,
``projections/streams.py``), then one transaction moving the tables in (``projections/rebuild.py``,
``projections/staging.py``); the second process's peak RSS is reported too. Targets (2-core machine):
1 M events in <= 30 s, peak RSS <= 300 MB for both processes together; the rebuild's rate is printed
beside the raw scan's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _env(url: str, schema: str) -> dict[str, str]:
    return {"PENGKOM_DATABASE_URL": url, "PENGKOM_PG_SCHEMA": schema, "PENGKOM_DATA_DIR": str(ROOT / "var" / "bench"),
            "PENGKOM_JWT_SECRET": "bench-" + "x" * 40}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- generation -------------------------------------------------------------------------------------


def generate(url: str, schema: str, events: int, agencies: int, officers: int, years: int) -> int:
    from api.settings import Settings
    from bench.cycle import CycleGenerator
    from core.application import Pengkom

    settings = Settings.from_env(_env(url, schema))
    app = Pengkom(env=settings.event_store_env())
    have = app.recorder.max_notification_id() or 0
    if have >= events:
        print(f"reusing {have:,} events already in schema {schema}", file=sys.stderr)
        app.close()
        return have
    if have:
        raise SystemExit(f"schema {schema} holds {have:,} events, fewer than {events:,}; drop it (--fresh) and run again")
    # A whole cycle costs ≈ 40 events per officer and year besides the Formulir 2.2 facts: a small
    # log gets fewer officers (and agencies of ≈ 50–100 officers) rather than no facts.
    officers = max(min(officers, events // (years * 66)), 20)
    agencies = max(min(agencies, officers // 30), 1)
    started = time.perf_counter()

    def progress(written: int) -> None:
        if written % 50000 < 5000:
            print(f"\rgenerating: {written:,} events ({written / (time.perf_counter() - started):,.0f}/s)", end="", file=sys.stderr)

    gen = CycleGenerator(app, random.Random(2023), agencies=agencies, officers=officers, years=years, events=events,
                         first_year=2026 - years, progress=progress)
    written = gen.run()
    print(f"generated {written:,} events for {officers:,} officers in {agencies} agencies over {years} years "
          f"in {time.perf_counter() - started:,.0f} s", file=sys.stderr)
    print("  by aggregate: " + ", ".join(f"{k} {v:,}" for k, v in sorted(gen.counts.items(), key=lambda kv: -kv[1])), file=sys.stderr)
    app.close()
    return written


# -- the two measurements, each in its own process ---------------------------------------------------


async def _scan(url: str, schema: str) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = size = 0
        started = time.perf_counter()
        async with conn.transaction():
            cur = conn.cursor(f"SELECT notification_id, originator_id, originator_version, topic, state "
                              f"FROM {schema}.pengkom_events ORDER BY notification_id", prefetch=10000)
            async for r in cur:
                rows += 1
                size += len(r[4])
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return {"events": rows, "bytes": size, "seconds": seconds, "rate": rows / seconds, "peak_rss_mb": _peak_mb()}


def _rebuild(url: str, schema: str, batch: int, workers: int | None) -> dict[str, Any]:
    from api.bootstrap import open_views
    from api.settings import Settings
    from core.application import Pengkom
    from projections.registry import all_projections
    from projections.runner import Projector

    settings = Settings.from_env(_env(url, schema))
    app = Pengkom(env=settings.event_store_env())
    views = open_views(settings)
    projector = Projector(app, views, all_projections(), batch=batch, workers=workers)
    names = projector.reset()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = ru.ru_utime + ru.ru_stime
    started = time.perf_counter()
    n = projector.catch_up(only=names)
    seconds = time.perf_counter() - started
    rows = {t: views.fetchall(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for p in projector.projections.values() for t in p.tables}
    views.close()
    app.close()
    own, side = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"events": n, "seconds": seconds, "rate": n / seconds, "peak_rss_mb": _peak_mb(), "projections": names, "rows": rows,
            "side_peak_rss_mb": projector.side_peak_rss_mb, "cpu_s": own.ru_utime + own.ru_stime - cpu_before,
            "side_cpu_s": side.ru_utime + side.ru_stime}


def _child(args: argparse.Namespace) -> None:
    if args.measure == "generate":
        print(json.dumps({"events": generate(args.url, args.schema, args.events, args.agencies, args.officers, args.years)}))
        return
    result = asyncio.run(_scan(args.url, args.schema)) if args.measure == "scan" else _rebuild(args.url, args.schema, args.batch, args.workers)
    print(json.dumps(result))


def _run_child(args: argparse.Namespace, what: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure", what, "--url", args.url, "--schema", args.schema, "--batch", str(args.batch),
           "--events", str(args.events), "--agencies", str(args.agencies), "--officers", str(args.officers), "--years", str(args.years)]
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000, help="size of the generated log (default 1,000,000)")
    p.add_argument("--agencies", type=int, default=50)
    p.add_argument("--officers", type=int, default=5000)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--url", default=os.environ.get("PENGKOM_BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--schema", default="pengkom_bench", help="PostgreSQL schema for the log and the read models")
    p.add_argument("--batch", type=int, default=2000, help="events per rebuild transaction")
    p.add_argument("--fresh", action="store_true", help="drop the schema and generate anew")
    p.add_argument("--workers", type=int, default=None,
                   help="processes a staged rebuild may use (default: up to 2 on 2+ cores; 1 = a single process)")
    p.add_argument("--json", help="also write the figures to this file (bench/summary.py reads it)")
    p.add_argument("--measure", choices=("generate", "scan", "rebuild"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        _child(args)
        return 0
    if args.fresh:
        import psycopg

        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {args.schema} CASCADE")
    import psycopg

    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {args.schema}")
    # Generation runs in its own process too: the peak RSS a child reports would otherwise include it.
    total = _run_child(args, "generate")["events"]
    print(f"measuring on {total:,} events (CPUs: {os.cpu_count()})…", file=sys.stderr)
    scan = _run_child(args, "scan")
    rebuild = _run_child(args, "rebuild")
    ratio = rebuild["rate"] / scan["rate"]
    per_million = 1_000_000 / rebuild["rate"]
    print()
    print(f"events in log           {scan['events']:>12,}   ({scan['bytes'] / 1e6:,.0f} MB of event state)")
    print(f"raw asyncpg scan        {scan['seconds']:>10,.1f} s   {scan['rate']:>10,.0f} events/s   peak RSS {scan['peak_rss_mb']:,.0f} MB")
    side = rebuild.get("side_peak_rss_mb")
    print(f"full rebuild            {rebuild['seconds']:>10,.1f} s   {rebuild['rate']:>10,.0f} events/s   peak RSS {rebuild['peak_rss_mb']:,.0f} MB"
          + (f" (+ second process {side:,.0f} MB)" if side else ""))
    print(f"  CPU time              {rebuild['cpu_s']:,.1f} s in this process, {rebuild['side_cpu_s']:,.1f} s in the second "
          f"(the database server's not counted); load average {os.getloadavg()[0]:.2f}")
    print(f"  read models           {', '.join(rebuild['projections'])}")
    print(f"  rows written          {', '.join(f'{t} {n:,}' for t, n in rebuild['rows'].items())}")
    print(f"rebuild / scan rate     {ratio:>10.2f}x")
    print(f"1 M events rebuilt in   {per_million:>10,.1f} s   (target <= 30 s)  {'OK' if per_million <= 30 else 'MISSED'}")
    # Both processes' peaks added up: the memory the rebuild needs from the machine at worst.
    peak = rebuild["peak_rss_mb"] + (side or 0)
    print(f"rebuild peak RSS        {peak:>10,.0f} MB  (target <= 300 MB, all processes together) {'OK' if peak <= 300 else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"scan": scan, "rebuild": {k: v for k, v in rebuild.items() if k != "rows"},
                                               "ratio": ratio, "seconds_per_million": per_million, "peak_rss_mb": peak}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
