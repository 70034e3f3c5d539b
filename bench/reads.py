"""Read benchmark (issue 9, goal 3) on PostgreSQL: pengkom's officer read, officer list page, agency JP ledger
page and Formulir 2.6 page at 50 concurrent readers, beside a minimal Litestar + asyncpg application serving the
same rows in the same run (``bench/minimal_reads.py``: no authentication, no access rules, no read barrier, no
labels, no signed chain head — the framework's own limit).

    .venv/bin/python bench/reads.py [--officers 1000] [--plan-rows 300] [--seconds 10] [--clients 50] [--page 100]

Set-up, not measured: a fresh schema ``pengkom_bench_reads`` (``PENGKOM_BENCH_DATABASE_URL``, default the local
``test`` database), ``--officers`` officers of one agency with two history entries each, recorded by the bulk
import; then ``pengkom serve`` (its projector process beside it) and the minimal app (uvicorn, one process)
on free ports; then the agency's plan of ``--plan-rows`` rows, added through the API as ``bench/plan_rows.py``
adds them (curriculum standards for some competencies, the APBN budget, rows over the Ahli Pertama officers).
The client is ``wrk`` (``apt-get install wrk``), ``--clients`` connections, each request a random officer of
the agency, a random list page of 50, a random page of ``--page`` officers of the agency ledger or a random
page of ``--page`` rows of the plan (the pages' cursors collected beforehand by following ``next_cursor``).
Printed per workload: requests/s, p50, p99 for both, the ratios (pengkom ÷ minimal: throughput, p99) and the
machine's load. Targets: throughput ≥ 0.5×, p99 ≤ 3× the minimal endpoint's (officer read, list page); p99 ≤
50 ms (ledger and plan pages).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URL = os.environ.get("PENGKOM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "pengkom_bench_reads"
AGENCY = "kemnaker"
SECRET = "bench-reads-" + "x" * 40
YEAR = 2027
#: Workloads held to p99 <= 50 ms (goal 3), the others to the ratios.
PAGED = ("ledger page", "plan page")

LUA = r"""
-- Each request reads a random officer (PATHS holds the ids) or a random page of the agency's list.
function init(args)
  math.randomseed(os.time() + tonumber(args[1] or "0"))
end
function request()
  local p = PATHS[math.random(#PATHS)]
  return wrk.format("GET", p, {["Authorization"] = "Bearer " .. TOKEN})
end
bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("bad") end
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration / 1e6, errs + summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env(data_dir: Path) -> dict[str, str]:
    return {"PENGKOM_DATABASE_URL": URL, "PENGKOM_PG_SCHEMA": SCHEMA, "PENGKOM_DATA_DIR": str(data_dir),
            "PENGKOM_JWT_SECRET": SECRET, "PENGKOM_PATHWAY_PLUGINS": "none"}


def seed(data_dir: Path, officers: int) -> None:
    import psycopg

    from api.bootstrap import build
    from api.imports import execute
    from api.settings import Settings
    from core.events import Actor
    from tests.support.bulk import history_rows, officer_rows, to_xlsx

    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    services = build(Settings.from_env(env(data_dir)))
    try:
        rows = officer_rows(officers)
        hr = Actor("bench-hr", "HR", frozenset({"hr"}), agency=AGENCY, unit="biro-sdm")
        out = execute(services, hr, to_xlsx(rows, history_rows(rows)), agency=AGENCY, request_id="bench-reads-seed")
        assert not out.plan.problems, out.plan.problems[:3]
        services.projector.catch_up()
    finally:
        services.close()


def wait_for(port: int, path: str, proc: subprocess.Popen[bytes], token: str | None = None) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited ({proc.returncode})")
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"} if token else {})
            with urllib.request.urlopen(req, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"port {port} did not answer {path} within 90 s")


def start(cmd: list[str], extra: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "w")
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **extra, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wrk(port: int, token: str, paths: list[str], clients: int, seconds: float, workdir: Path) -> dict[str, Any]:
    script = workdir / f"reads-{port}.lua"
    script.write_text(f'TOKEN = "{token}"\nPATHS = {{{", ".join(json.dumps(p) for p in paths)}}}\n' + LUA)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script),
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[len("RESULT "):])
    return {"rate": r["requests"] / r["seconds"], "errors": r["errors"], "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "requests": r["requests"]}


def get_json(port: int, path: str, token: str) -> Any:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def build_plan(port: int, tokens: dict[str, str], officers: list[str], rows: int) -> float:
    """The agency's plan of ``rows`` rows through the API, as bench/plan_rows.py builds it; seconds it took."""
    from bench.plan_rows import COMPETENCIES, Client, row_body

    started = time.perf_counter()
    client = Client(port)
    for comp in COMPETENCIES[:5]:  # the others have no curriculum standard: finding (c)
        client.ok("POST", "/curriculum-standards/", tokens["pembina"], {
            "competency": comp, "level": "ahli_pertama", "code": f"K-{comp[:8]}", "title": f"Kurikulum {comp}",
            "pathways": ["pelatihan"], "min_jp": 10})
    client.ok("POST", f"/plans/{AGENCY}/{YEAR}/budgets", tokens["hr"], {"funding_source": "apbn", "amount": "900000000"})
    for k in range(rows):
        client.ok("POST", f"/plans/{AGENCY}/{YEAR}/rows", tokens["hr"], row_body(k, officers))
    return time.perf_counter() - started


def page_paths(port: int, first: str, token: str, key: str) -> list[str]:
    """Every page of a cursor-paged listing, from ``first`` on, following ``next_cursor``."""
    from urllib.parse import quote

    paths, path = [], first
    while True:
        paths.append(path)
        body = get_json(port, path, token)
        cursor = (body.get("page") or body).get("next_cursor")
        assert key in body, path
        if cursor is None:
            return paths
        path = f"{first}&cursor={quote(cursor)}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--officers", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--plan-rows", type=int, default=300)
    p.add_argument("--page", type=int, default=100, help="officers (ledger) or rows (plan) a page")
    p.add_argument("--json", help="also write the figures to this file (bench/summary.py reads it)")
    args = p.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench/reads.py needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    workdir = ROOT / "var" / "bench-reads"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    print(f"bench/reads.py on {URL} — {args.officers:,} officers of one agency, {args.clients} readers, {args.seconds:.0f} s a workload — "
          f"{uptime()}", flush=True)
    started = time.perf_counter()
    seed(workdir, args.officers)
    print(f"set-up (bulk import, read models): {time.perf_counter() - started:.1f} s", flush=True)

    from api.auth import TokenService
    from api.settings import Settings

    tokens_svc = TokenService(Settings.from_env(env(workdir)))
    token = tokens_svc.issue(subject="bench-hr", name="HR", roles=["hr"], agency=AGENCY, ttl=3600)
    pembina = tokens_svc.issue(subject="bench-pembina", name="Instansi Pembina", roles=["pembina"], ttl=3600)
    pk_port, min_port = free_port(), free_port()
    server = start([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(pk_port), "--no-access-log"],
                   env(workdir), workdir / "pengkom.log")
    # The same event loop as `pengkom serve` (asyncio's: api/cli.py).
    minimal = start([sys.executable, "-m", "uvicorn", "bench.minimal_reads:app", "--loop", "asyncio", "--host", "127.0.0.1", "--port", str(min_port),
                     "--no-access-log", "--log-level", "warning"],
                    {"PENGKOM_BENCH_DSN": URL, "PENGKOM_BENCH_SCHEMA": SCHEMA}, workdir / "minimal.log")
    try:
        wait_for(pk_port, "/ready", server)
        wait_for(min_port, f"/officers/?agency={AGENCY}&limit=1", minimal)
        ids: list[str] = []
        pertama: list[str] = []
        for offset in range(0, args.officers, 500):
            items = get_json(pk_port, f"/officers/?agency={AGENCY}&limit=500&offset={offset}", token)["items"]
            ids += [o["id"] for o in items]
            pertama += [o["id"] for o in items if o["level"] == "ahli_pertama"]
        assert len(ids) == args.officers, len(ids)
        took = build_plan(pk_port, {"hr": token, "pembina": pembina}, pertama, args.plan_rows)
        print(f"set-up: the plan's {args.plan_rows} rows through the API: {took:.1f} s — {uptime()}", flush=True)
        from core.planning import plan_id

        pages = [f"/officers/?agency={AGENCY}&limit=50&offset={50 * k}" for k in range(args.officers // 50)]
        ledger = {who: page_paths(port, f"/ledger/agency?agency={AGENCY}&year={YEAR}&limit={args.page}", token, "officers")
                  for who, port in (("minimal", min_port), ("pengkom", pk_port))}
        plan = {"pengkom": page_paths(pk_port, f"/plans/{AGENCY}/{YEAR}?limit={args.page}", token, "rows"),
                "minimal": page_paths(min_port, f"/plans/{AGENCY}/{YEAR}?plan_id={plan_id(AGENCY, YEAR)}&limit={args.page}", token, "rows")}
        assert len(ledger["pengkom"]) == len(ledger["minimal"]) and len(plan["pengkom"]) == len(plan["minimal"]), (ledger, plan)
        sizes = {name: len(urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{pk_port}{paths['pengkom'][0]}",
                                                                         headers={"Authorization": f"Bearer {token}"})).read())
                 for name, paths in (("ledger page", ledger), ("plan page", plan))}
        print(f"pages: ledger {len(ledger['pengkom'])} of {args.page} officers (first {sizes['ledger page']:,} bytes), "
              f"plan {len(plan['pengkom'])} of {args.page} rows (first {sizes['plan page']:,} bytes)", flush=True)
        results: dict[str, dict[str, Any]] = {}
        workloads = {"officer read": {"minimal": [f"/officers/{i}" for i in ids], "pengkom": [f"/officers/{i}" for i in ids]},
                     "list page (50)": {"minimal": pages, "pengkom": pages}, "ledger page": ledger, "plan page": plan}
        for name, by_who in workloads.items():
            for who, port in (("minimal", min_port), ("pengkom", pk_port)):
                paths = by_who[who]
                wrk(port, token, paths[:50], args.clients, 1, workdir)  # warm-up
                results[f"{name} {who}"] = r = wrk(port, token, paths, args.clients, args.seconds, workdir)
                print(f"  {name:15s} {who:8s} {r['rate']:8,.0f} /s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                      f"errors {r['errors']}  — {uptime()}", flush=True)
        print()
        summary = {}
        for name in workloads:
            m, k = results[f"{name} minimal"], results[f"{name} pengkom"]
            rate, p99 = k["rate"] / m["rate"], k["p99_ms"] / m["p99_ms"]
            summary[name] = {"throughput_ratio": rate, "p99_ratio": p99}
            line = (f"{name}: pengkom {k['rate']:,.0f}/s vs minimal {m['rate']:,.0f}/s = {rate:.2f}x; p99 {k['p99_ms']:.1f} vs "
                    f"{m['p99_ms']:.1f} ms = {p99:.1f}x")
            if name in PAGED:
                line += f"; p99 {k['p99_ms']:.1f} ms (target <= 50 ms) {'OK' if k['p99_ms'] <= 50 else 'MISSED'}"
            else:
                line += (f" — targets >= 0.5x {'OK' if rate >= 0.5 else 'MISSED'}, p99 <= 3x {'OK' if p99 <= 3 else 'MISSED'}")
            print(line)
        print(f"load after: {uptime()}")
        print(json.dumps({"results": results, "summary": summary}))
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "summary": summary}, indent=1))
    finally:
        stop(server)
        stop(minimal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
