"""Storage and backup figures for the sizing in docs/deployment.md, measured on the benchmark's log.

    .venv/bin/python bench/sizing.py                      # the 1,000,000-event log of bench/rebuild.py
    .venv/bin/python bench/sizing.py --events 100000      # quicker

Uses (and generates once, like ``make bench``) the three-year cycle of 50 agencies and 5,000 officers
in schema ``pengkom_bench`` (``bench/cycle.py``), builds its read models if they are behind, and
prints: events per officer and year; bytes per event stored (state, the event table with its indexes
and TOAST) and the read models' bytes per event, overall and by area; then ``pengkom backup`` of the
whole log (size, seconds) and ``pengkom restore`` of it into a scratch schema (seconds by phase,
including both verifications). Prints JSON at the end for the record.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rebuild import DEFAULT_URL, _env, generate  # noqa: E402


def _sizes(url: str, schema: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        count, state = conn.execute(f"SELECT count(*), sum(octet_length(state)) FROM {schema}.pengkom_events").fetchone() or (0, 0)
        table = conn.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s)",
                             (f"{schema}.pengkom_events",) * 3).fetchone() or (0, 0, 0)
        areas = conn.execute(f"SELECT split_part(topic, '.', 2) AS area, count(*), avg(octet_length(state)) "
                             f"FROM {schema}.pengkom_events GROUP BY 1 ORDER BY 2 DESC").fetchall()
        rows = conn.execute("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 2 DESC", (schema,)).fetchall()
    others = {name: int(size) for name, size in rows if name != "pengkom_events"}
    return {"events": int(count), "state_bytes": int(state or 0), "event_table_bytes": int(table[0]), "event_heap_bytes": int(table[1]),
            "event_index_bytes": int(table[2]), "areas": [(a, int(n), float(avg)) for a, n, avg in areas],
            "read_model_bytes": sum(others.values()), "tables": others}


def _build_read_models(url: str, schema: str) -> float:
    from api.bootstrap import open_views
    from api.settings import Settings
    from core.application import Pengkom
    from projections.registry import all_projections
    from projections.runner import Projector

    settings = Settings.from_env(_env(url, schema))
    app = Pengkom(env=settings.event_store_env())
    views = open_views(settings)
    try:
        projector = Projector(app, views, all_projections())
        head = app.recorder.max_notification_id() or 0
        if min((t.position for t in projector.tracking().values()), default=0) >= head:
            return 0.0
        started = time.perf_counter()
        projector.catch_up(rebuilding=True)
        return time.perf_counter() - started
    finally:
        views.close()
        app.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--url", default=os.environ.get("PENGKOM_BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--schema", default="pengkom_bench")
    p.add_argument("--no-restore", action="store_true", help="skip the restore (the longest part)")
    args = p.parse_args()
    from api.backup import backup, restore
    from api.settings import Settings

    load = os.getloadavg()[0]
    generate(args.url, args.schema, args.events, 50, 5000, 3)
    built = _build_read_models(args.url, args.schema)
    if built:
        print(f"read models built in {built:,.1f} s", file=sys.stderr)
    s = _sizes(args.url, args.schema)
    n = s["events"]
    officer_years = min(5000, max(n // (3 * 66), 20)) * 3
    out: dict[str, Any] = {"load_at_start": load, "events": n, "officer_years": officer_years,
                           "events_per_officer_year": n / officer_years,
                           "state_bytes_per_event": s["state_bytes"] / n, "event_table_bytes_per_event": s["event_table_bytes"] / n,
                           "event_index_bytes_per_event": s["event_index_bytes"] / n,
                           "read_model_bytes_per_event": s["read_model_bytes"] / n, "sizes": s}
    print(f"{n:,} events = {n / officer_years:.1f} per officer and year ({officer_years:,} officer-years)")
    print(f"state {s['state_bytes'] / n:,.0f} B/event; event table with indexes and TOAST {s['event_table_bytes'] / n:,.0f} B/event "
          f"({s['event_table_bytes'] / 1e6:,.0f} MB; indexes {s['event_index_bytes'] / 1e6:,.0f} MB); read models "
          f"{s['read_model_bytes'] / n:,.0f} B/event ({s['read_model_bytes'] / 1e6:,.0f} MB)")
    print("by area: " + ", ".join(f"{a} {c:,} × {avg:,.0f} B" for a, c, avg in s["areas"]))
    print("largest tables: " + ", ".join(f"{t} {b / 1e6:,.0f} MB" for t, b in list(s["tables"].items())[:6]))
    settings = Settings.from_env(_env(args.url, args.schema))
    with tempfile.TemporaryDirectory(prefix="pengkom-sizing-") as d:
        path = Path(d) / "backup.zip"
        started = time.perf_counter()
        made = backup(settings, path, out=io.StringIO())
        out["backup"] = {"seconds": time.perf_counter() - started, "bytes": made.size, "bytes_per_event": made.size / n,
                         "problems": made.problems}
        print(f"backup: {made.size / 1e6:,.0f} MB ({made.size / n:,.0f} B/event) in {out['backup']['seconds']:,.1f} s")
        if not args.no_restore:
            target = Settings.from_env(_env(args.url, f"{args.schema}_restore"))
            import psycopg

            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {args.schema}_restore CASCADE")
            try:
                started = time.perf_counter()
                report = restore(target, path, out=sys.stderr)
                out["restore"] = {"seconds": time.perf_counter() - started, "phases": report.seconds, "ok": report.ok}
                print(f"restore: {out['restore']['seconds']:,.1f} s (" + ", ".join(f"{k} {v:,.1f} s" for k, v in report.seconds.items())
                      + f"), verified: {report.ok}")
            finally:
                with psycopg.connect(args.url, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA IF EXISTS {args.schema}_restore CASCADE")
    out["load_at_end"] = os.getloadavg()[0]
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
