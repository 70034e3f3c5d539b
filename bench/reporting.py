"""National-reporting benchmark on PostgreSQL (issue 11):

1. **Bulk import vs the event store's own batched save, in the same run.** The same shape of work —
   officers with two history entries each (3 events an officer), 250 officers a transaction — recorded
   (a) by the event store's batched save (``Pengkom.save`` of aggregates built beforehand: encoding, the
   schema check and the insert only) and (b) by ``pengkom import`` end to end (reading the file, validating
   every row with the API's rules, then recording: on PostgreSQL staged while the rows are checked, see
   projections/bulkstage.py and reports/shards.py). Alternated three times (--rounds) so both see the same machine
   load; the medians are compared. Target: import ≥ 0.85 × the store's rate.
2. **Exports at 500 agencies × 10 officers.** A whole yearly cycle for 5,000 officers in 500 agencies
   (``bench/cycle.py``: assessments, proposals, plans validated and submitted, activities of every pathway
   with JP credited), the directory of 500 agencies, the read models caught up; then the time to export an
   agency-year of Formulir 2.6 and the national recap, as CSV and XLSX, with the Python heap's peak while
   writing (tracemalloc), and the time ``pengkom verify --export`` takes to re-derive the recap.

    .venv/bin/python bench/reporting.py [--officers 5000] [--rounds 3] [--agencies 500]     # or: make bench

The machine's load (``uptime``) is printed with the figures: the 2 cores are shared.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get("PENGKOM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _settings(url: str, schema: str) -> Any:
    import psycopg

    from api.settings import Settings

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return Settings.from_env({"PENGKOM_DATABASE_URL": url, "PENGKOM_PG_SCHEMA": schema, "PENGKOM_DATA_DIR": str(ROOT / "var" / "bench"),
                              "PENGKOM_JWT_SECRET": "bench-" + "x" * 40, "PENGKOM_PATHWAY_PLUGINS": "none"})


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "uptime unavailable"


# -- 1. bulk import vs the store's batched save ----------------------------------------------------------------------


def _hr(agency: str) -> Any:
    from core.events import Actor

    return Actor(f"bench-hr-{agency}", f"HR {agency}", frozenset({"hr"}), agency=agency, unit="biro-sdm")


def build_aggregates(services: Any, officers: int, start: int, agency: str) -> list[Any]:
    """The same officers and histories an import file of that range holds, built through the domain verbs (not saved)."""
    from api.imports import SCHEMAS
    from core.events import Context
    from reports import importer
    from tests.support.bulk import history_rows, officer_rows, to_xlsx

    rows = officer_rows(officers, start=start)
    data = to_xlsx(rows, history_rows(rows))
    ctx = Context(actor=_hr(agency), request_id="bench-build", now=datetime.now(UTC))
    plan = importer.plan_import(services.app, ctx, data, agency=agency, schemas=SCHEMAS)
    assert not plan.problems, plan.problems[:3]
    return plan.aggregates


def measure_store(services: Any, officers: int, start: int, agency: str, batch: int) -> dict[str, Any]:
    from reports.importer import batches

    aggregates = build_aggregates(services, officers, start, agency)
    events = sum(len(a.pending_events) for a in aggregates)
    started = time.perf_counter()
    for chunk in batches(aggregates, batch):
        services.app.save(*chunk)
    seconds = time.perf_counter() - started
    return {"events": events, "seconds": seconds, "rate": events / seconds}


def measure_import(services: Any, officers: int, start: int, agency: str) -> dict[str, Any]:
    from api.imports import execute
    from tests.support.bulk import history_rows, officer_rows, to_xlsx

    rows = officer_rows(officers, start=start)
    data = to_xlsx(rows, history_rows(rows))
    marks: dict[str, float] = {}

    def validated(done: int, total: int) -> None:
        if done == total:
            marks.setdefault("validated", time.perf_counter())

    started = time.perf_counter()
    out = execute(services, _hr(agency), data, agency=agency, request_id="bench-import", on_validate=validated)
    seconds = time.perf_counter() - started
    assert not out.plan.problems, out.plan.problems[:3]
    events = out.plan.events
    check = marks.get("validated", started) - started
    return {"events": events, "seconds": seconds, "rate": events / seconds, "validate_seconds": check,
            "record_seconds": seconds - check, "batches": out.recorded_batches, "file_bytes": len(data)}


def bench_import(url: str, officers: int, batch: int, count: int = 3) -> dict[str, Any]:
    from api.bootstrap import build

    if 2 * officers * count > 36_500:  # tests/support/bulk.py makes distinct valid NIPs for 36,500 officers
        raise SystemExit(f"--officers {officers} × 2 × --rounds {count} exceeds the 36,500 distinct officers the generator makes")
    services = build(_settings(url, "pengkom_bench_import"))
    try:
        rounds = []
        for n in range(count):
            base = 2 * officers * n  # every round's officers are new (store and import alike)
            store = measure_store(services, officers, base, f"bench-store-{n}", batch)
            imp = measure_import(services, officers, base + officers, f"bench-import-{n}")
            rounds.append((store, imp))
            print(f"  round {n + 1}: store {store['rate']:,.0f} ev/s, import {imp['rate']:,.0f} ev/s "
                  f"(validate {imp['validate_seconds']:.2f} s, record {imp['record_seconds']:.2f} s) — {uptime()}", file=sys.stderr)
        return {"rounds": rounds,
                "store_rate": statistics.median(s["rate"] for s, _ in rounds),
                "import_rate": statistics.median(i["rate"] for _, i in rounds),
                "record_rate": statistics.median(i["events"] / i["record_seconds"] for _, i in rounds)}
    finally:
        services.close()


# -- 2. exports at 500 agencies × 10 officers --------------------------------------------------------------------------


KINDS = ("kementerian_lembaga", "provinsi", "kabupaten_kota")


def generate_national(settings: Any, agencies: int, officers: int, first_year: int) -> int:
    """The yearly cycle (bench/cycle.py, written in bulk by its own application, as bench/rebuild.py does) and the
    agency directory."""
    from bench.cycle import CycleGenerator
    from core.agencies import PROVINCES
    from core.application import Pengkom
    from core.events import Actor, Context

    app = Pengkom(env=settings.event_store_env())
    insert = app.recorder.insert_events

    def in_chunks(events: Any, **kwargs: Any) -> Any:
        # The generator writes 5,000 events a statement; on this machine such an insert through the library's
        # recorder was seen to stall with the server waiting for the client, so it goes 500 at a time.
        for start in range(0, len(events), 500):
            insert(events[start:start + 500], **kwargs)

    app.recorder.insert_events = in_chunks  # type: ignore[method-assign]
    try:
        gen = CycleGenerator(app, random.Random(2023), agencies=agencies, officers=officers, years=1, events=0,
                             first_year=first_year)
        written = gen.run()
        pembina = Actor("bench-pembina", "Instansi Pembina", frozenset({"pembina"}))
        provinces = sorted(PROVINCES)
        aggs = []
        for i, code in enumerate(sorted(gen.by_agency)):
            kind = KINDS[i % 3]
            ctx = Context(actor=pembina, request_id=f"bench-agency-{i}", now=datetime.now(UTC))
            aggs.append(app.agencies.register(ctx, code=code, name=f"Instansi {i:03d}", kind=kind,
                                              province=provinces[i % len(provinces)],
                                              regency=f"Kota {i:03d}" if kind == "kabupaten_kota" else None))
        for start in range(0, len(aggs), 200):
            app.save(*aggs[start:start + 200])
    finally:
        app.close()
    return written + len(aggs)


def timed_export(services: Any, kind_name: str, params: dict[str, Any], fmt: str, *, trace: bool = False) -> dict[str, Any]:
    from reports.registry import KINDS as EXPORTS
    from reports.source import reading
    from reports.writers import write

    kind = EXPORTS[kind_name]
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with reading(services, kind.models) as (store, at, _):
        doc = kind.build(store, at, params)
        file = write(doc, fmt)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    data = file.read() if not trace else b""
    file.close()
    return {"seconds": seconds, "bytes": size, "peak_heap_mb": None if peak is None else peak / 1e6, "data": data,
            "position": at.position}


def bench_exports(url: str, agencies: int, officers: int) -> dict[str, Any]:
    from api.bootstrap import build
    from reports.verify import verify_export

    first_year = 2025
    settings = _settings(url, "pengkom_bench_national")
    started = time.perf_counter()
    events = generate_national(settings, agencies, officers, first_year)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    services = build(settings)  # start-up catches the read models up with the log
    caught = time.perf_counter() - started
    try:
        print(f"  generated {events:,} events in {generated:,.0f} s; read models caught up in {caught:,.0f} s — {uptime()}",
              file=sys.stderr)
        plan_year = first_year + 1
        biggest = services.views.fetchone("SELECT agency, COUNT(*) AS n FROM nat_plan_rows WHERE year = ? GROUP BY agency "
                                          "ORDER BY n DESC, agency LIMIT 1", (plan_year,))
        out: dict[str, Any] = {"events": events, "agencies": agencies, "officers": officers, "plan_agency": biggest["agency"],
                               "plan_rows": int(biggest["n"])}
        recap_params = {"year": first_year, "agency": None, "kind": None, "province": None}
        plan_params = {"agency": biggest["agency"], "year": plan_year, "revision": None}
        for fmt in ("csv", "xlsx"):
            # Three runs each (the first also warms the caches); the median is reported.
            runs = [timed_export(services, "formulir-2.6", plan_params, fmt) for _ in range(3)]
            out[f"2.6_{fmt}"] = sorted(runs, key=lambda r: r["seconds"])[1]
            runs = [timed_export(services, "national-recap", recap_params, fmt) for _ in range(3)]
            out[f"recap_{fmt}"] = sorted(runs, key=lambda r: r["seconds"])[1]
            out[f"recap_{fmt}_heap"] = timed_export(services, "national-recap", {"year": first_year, "agency": None, "kind": None,
                                                                                  "province": None}, fmt, trace=True)
            print(f"  {fmt}: 2.6 {out[f'2.6_{fmt}']['seconds']:.3f} s, recap {out[f'recap_{fmt}']['seconds']:.2f} s "
                  f"(heap peak {out[f'recap_{fmt}_heap']['peak_heap_mb']:.1f} MB) — {uptime()}", file=sys.stderr)
        started = time.perf_counter()
        verdict = verify_export(services.app, services.views, out["recap_xlsx"]["data"])
        out["verify_seconds"] = time.perf_counter() - started
        out["verify_ok"] = verdict.ok
        return out
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--officers", type=int, default=5000, help="officers per import round (3 events each)")
    ap.add_argument("--rounds", type=int, default=3, help="alternated store/import rounds (the median is reported)")
    ap.add_argument("--batch", type=int, default=250, help="officers per transaction (both sides)")
    ap.add_argument("--agencies", type=int, default=500)
    ap.add_argument("--national-officers", type=int, default=5000)
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--skip-exports", action="store_true")
    args = ap.parse_args(argv)
    print(f"bench/reporting.py on {args.url} — {uptime()}")
    if not args.skip_import:
        r = bench_import(args.url, args.officers, args.batch, args.rounds)
        ratio = r["import_rate"] / r["store_rate"]
        print(f"bulk import: {r['import_rate']:,.0f} events/s end to end (file read, every row validated, recorded) vs the event "
              f"store's batched save {r['store_rate']:,.0f} events/s: {ratio:.2f}x (target >= 0.85x) "
              f"[{args.officers:,} officers, {args.officers * 3:,} events a round, {args.batch} officers a transaction]")
        print(f"  the import's recording phase alone (after every row is validated): {r['record_rate']:,.0f} events/s, "
              f"{r['record_rate'] / r['store_rate']:.2f}x the store's batched save")
        for n, (s, i) in enumerate(r["rounds"], start=1):
            print(f"  round {n}: store {s['events']:,} events in {s['seconds']:.2f} s; import {i['events']:,} events in "
                  f"{i['seconds']:.2f} s (validate {i['validate_seconds']:.2f} s, record {i['record_seconds']:.2f} s, "
                  f"{i['batches']} batches, file {i['file_bytes'] / 1e6:.1f} MB)")
    if not args.skip_exports:
        r = bench_exports(args.url, args.agencies, args.national_officers)
        print(f"exports at {r['agencies']} agencies x {r['officers'] // r['agencies']} officers ({r['events']:,} events):")
        for fmt in ("csv", "xlsx"):
            p, n, h = r[f"2.6_{fmt}"], r[f"recap_{fmt}"], r[f"recap_{fmt}_heap"]
            print(f"  {fmt.upper()}: agency-year Formulir 2.6 ({r['plan_rows']} rows, {r['plan_agency']}) {p['seconds'] * 1000:,.0f} ms, "
                  f"{p['bytes'] / 1e3:,.0f} kB; national recap {n['seconds']:.2f} s, {n['bytes'] / 1e3:,.0f} kB, Python heap peak "
                  f"while writing {h['peak_heap_mb']:.1f} MB")
        print(f"  pengkom verify --export of the national recap (XLSX): {r['verify_seconds']:.1f} s, "
              f"{'identical' if r['verify_ok'] else 'NOT identical'}")
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
