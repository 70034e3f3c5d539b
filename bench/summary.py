"""One table of the performance targets from the figures the benchmarks of one ``make bench`` run wrote.

    .venv/bin/python bench/summary.py var/bench-results      # make bench runs it last

Each benchmark writes its figures with ``--json`` (bench/commands.py, bench/plan_rows.py, bench/reads.py,
bench/rebuild.py); this reads what is there and prints, per target, pengkom's figure, the baseline measured in
the same run and their ratio, the target and whether it was met. Where the same run's reference — the framework
ceiling of bench/ceiling.py for commands, the minimal Litestar + asyncpg endpoint of bench/minimal_reads.py for
reads — misses the target itself, the line says so: no path through this framework reaches it on this machine.
A benchmark that did not run is named, not guessed.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, str, str, str]


def _load(folder: Path, name: str) -> Any:
    path = folder / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _status(met: bool, reference_met: bool | None = None) -> str:
    if met:
        return "met"
    if reference_met is False:
        return "MISSED (the same run's reference misses it too)"
    return "MISSED"


def _rate(x: float) -> str:
    return f"{x:,.0f}/s"


def command_rows(runs: list[dict[str, Any]]) -> Iterator[Row]:
    def pick(store: str, clients: int, processes: int = 1, ceiling: str | None = None) -> dict[str, Any] | None:
        found = [r for r in runs if r["store"] == store and r["clients"] == clients and r["processes"] == processes
                 and r.get("ceiling") == ceiling]
        return max(found, key=lambda r: r["rate"]) if found else None

    for store, name in (("postgres", "PostgreSQL"), ("sqlite", "SQLite")):
        one, many = pick(store, 1), pick(store, 16)
        ceiling = max((c for c in (pick(store, 16, ceiling="plain"), pick(store, 16, ceiling="group")) if c), key=lambda r: r["rate"],
                      default=None)
        if many is None:
            continue
        ceiling_ratio = ceiling["rate"] / ceiling["baseline"] if ceiling else None
        yield ("1", f"commands, {name}, 16 clients", _rate(many["rate"]), f"store alone {many['baseline']:,.0f} events/s",
               f"{many['ratio']:.2f}×", "≥ 0.6× — " + _status(many["ratio"] >= 0.6, None if ceiling_ratio is None else ceiling_ratio >= 0.6))
        if store == "postgres":
            yield ("1", f"p99, {name}, 16 clients", f"{many['p99_ms']:.1f} ms",
                   f"ceiling p99 {ceiling['p99_ms']:.1f} ms at {ceiling['rate']:,.0f}/s" if ceiling else "—", "",
                   "≤ 30 ms — " + _status(many["p99_ms"] <= 30, None if ceiling is None else ceiling["p99_ms"] <= 30))
        if one is not None:
            yield ("1", f"1 → 16 clients, {name}", f"{_rate(one['rate'])} → {_rate(many['rate'])}", "", f"{many['rate'] / one['rate']:.2f}×",
                   "does not fall — " + _status(many["rate"] >= one["rate"]))
        if store == "postgres" and (two := pick(store, 16, 2)) is not None:
            # How busy the one process left the machine: a second process adds throughput only on idle cores.
            busy = f", machine {100 * many['machine_busy']:.0f} % busy" if "machine_busy" in many else ""
            yield ("5", "2 API processes vs 1, PostgreSQL, 16 clients", _rate(two["rate"]), f"1 process {_rate(many['rate'])}{busy}",
                   f"{two['rate'] / many['rate']:.2f}×", "scales (> 1×) — " + _status(two["rate"] > many["rate"]))
        lost = sum(r["acknowledged"] - r["recorded"] for r in runs if r["store"] == store and r["acknowledged"] > r["recorded"])
        yield ("1", f"acknowledged commands in the log, {name}", "all" if not lost else f"{lost} MISSING", "", "", "none lost — " + _status(not lost))


def plan_rows(r: dict[str, Any]) -> Iterator[Row]:
    yield ("2", f"plan row {r['last_row']:,} vs row 1", f"{r['last_ms']:.1f} ms", f"row 1 {r['first_ms']:.1f} ms", f"{r['ratio']:.2f}×",
           "≤ 1.5× — " + _status(r["ratio"] <= 1.5))
    yield ("2", f"server RSS after a {r['last_row']:,}-row plan", f"{r['rss_mb']:.0f} MB", "", "", "≤ 150 MB — " + _status(r["rss_mb"] <= 150))


def read_rows(r: dict[str, Any]) -> Iterator[Row]:
    # The ratios are bench/reads.py's own ("summary"), so the table and that script's report cannot disagree.
    res, ratios = r["results"], r["summary"]
    for name in ("officer read", "list page (50)"):
        k, m, q = res[f"{name} pengkom"], res[f"{name} minimal"], ratios[name]
        yield ("3", f"{name}, 50 readers", _rate(k["rate"]), f"minimal endpoint {_rate(m['rate'])}", f"{q['throughput_ratio']:.2f}×",
               "≥ 0.5× — " + _status(q["throughput_ratio"] >= 0.5))
        yield ("3", f"{name} p99", f"{k['p99_ms']:.1f} ms", f"minimal endpoint {m['p99_ms']:.1f} ms", f"{q['p99_ratio']:.1f}×",
               "≤ 3× — " + _status(q["p99_ratio"] <= 3))
    for name in ("ledger page", "plan page"):
        k, m, q = res[f"{name} pengkom"], res[f"{name} minimal"], ratios[name]
        yield ("3", f"{name} p99, 50 readers", f"{k['p99_ms']:.1f} ms", f"minimal endpoint {m['p99_ms']:.1f} ms ({_rate(m['rate'])})",
               f"{q['throughput_ratio']:.2f}× the rate", "≤ 50 ms — " + _status(k["p99_ms"] <= 50, m["p99_ms"] <= 50))


def rebuild_rows(r: dict[str, Any]) -> Iterator[Row]:
    scan, rebuild = r["scan"], r["rebuild"]
    yield ("4", f"rebuild of {rebuild['events']:,} events", f"{rebuild['seconds']:.1f} s ({r['seconds_per_million']:.1f} s per million)",
           f"raw scan {scan['seconds']:.1f} s ({scan['rate']:,.0f} events/s)", f"{r['ratio']:.2f}× the scan rate",
           "≤ 30 s — " + _status(r["seconds_per_million"] <= 30))
    yield ("4", "rebuild peak RSS, both processes", f"{r['peak_rss_mb']:.0f} MB", "", "", "≤ 300 MB — " + _status(r["peak_rss_mb"] <= 300))


def main(argv: list[str] | None = None) -> int:
    folder = Path((argv if argv is not None else sys.argv[1:] or ["var/bench-results"])[0])
    rows: list[Row] = []
    missing = []
    for name, make in (("commands", command_rows), ("plan_rows", plan_rows), ("reads", read_rows), ("rebuild", rebuild_rows)):
        data = _load(folder, name)
        if data is None:
            missing.append(name)
            continue
        rows += list(make(data))
    load = os.getloadavg()
    print(f"\nbench/summary.py — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {load[0]:.2f}; "
          "every figure beside the baseline measured in the same run")
    head: Row = ("goal", "measure", "pengkom", "same-run baseline", "ratio", "target")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(6)]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if missing:
        print(f"not run: {', '.join(f'bench/{m}.py' for m in missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
