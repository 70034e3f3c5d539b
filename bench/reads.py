"""Read benchmark (issue 9, goal 3) on PostgreSQL: pengkom's officer read and officer list page at 50
concurrent readers, beside a minimal Litestar + asyncpg application serving the same rows in the same run
(``bench/minimal_reads.py``: no authentication, no access rules, no read barrier — the framework's own limit).

    .venv/bin/python bench/reads.py [--officers 1000] [--seconds 10] [--clients 50]

Set-up, not measured: a fresh schema ``pengkom_bench_reads`` (``PENGKOM_BENCH_DATABASE_URL``, default the local
``test`` database), ``--officers`` officers of one agency with two history entries each, recorded by the bulk
import; then ``pengkom serve`` (its projector process beside it) and the minimal app (uvicorn, one process)
on free ports. The client is ``wrk`` (``apt-get install wrk``), ``--clients`` connections, each request a
random officer of the agency (or a random page of 50). Printed per workload: requests/s, p50, p99 for both,
the ratios (pengkom ÷ minimal: throughput, p99) and the machine's load. Targets: throughput ≥ 0.5×, p99 ≤ 3×
the minimal endpoint's.
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--officers", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--clients", type=int, default=50)
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

    token = TokenService(Settings.from_env(env(workdir))).issue(subject="bench-hr", name="HR", roles=["hr"], agency=AGENCY, ttl=3600)
    pk_port, min_port = free_port(), free_port()
    server = start([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(pk_port), "--no-access-log"],
                   env(workdir), workdir / "pengkom.log")
    minimal = start([sys.executable, "-m", "uvicorn", "bench.minimal_reads:app", "--host", "127.0.0.1", "--port", str(min_port),
                     "--no-access-log", "--log-level", "warning"],
                    {"PENGKOM_BENCH_DSN": URL, "PENGKOM_BENCH_SCHEMA": SCHEMA}, workdir / "minimal.log")
    try:
        wait_for(pk_port, "/ready", server)
        wait_for(min_port, f"/officers/?agency={AGENCY}&limit=1", minimal)
        ids: list[str] = []
        for offset in range(0, args.officers, 500):
            req = urllib.request.Request(f"http://127.0.0.1:{pk_port}/officers/?agency={AGENCY}&limit=500&offset={offset}",
                                         headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=30) as r:
                ids += [o["id"] for o in json.loads(r.read())["items"]]
        assert len(ids) == args.officers, len(ids)
        pages = [f"/officers/?agency={AGENCY}&limit=50&offset={50 * k}" for k in range(args.officers // 50)]
        results: dict[str, dict[str, Any]] = {}
        for name, paths in (("officer read", [f"/officers/{i}" for i in ids]), ("list page (50)", pages)):
            for who, port in (("minimal", min_port), ("pengkom", pk_port)):
                wrk(port, token, paths[:50], args.clients, 1, workdir)  # warm-up
                results[f"{name} {who}"] = r = wrk(port, token, paths, args.clients, args.seconds, workdir)
                print(f"  {name:15s} {who:8s} {r['rate']:8,.0f} /s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                      f"errors {r['errors']}  — {uptime()}", flush=True)
        print()
        summary = {}
        for name in ("officer read", "list page (50)"):
            m, k = results[f"{name} minimal"], results[f"{name} pengkom"]
            rate, p99 = k["rate"] / m["rate"], k["p99_ms"] / m["p99_ms"]
            summary[name] = {"throughput_ratio": rate, "p99_ratio": p99}
            print(f"{name}: pengkom {k['rate']:,.0f}/s vs minimal {m['rate']:,.0f}/s = {rate:.2f}x (target >= 0.5x) "
                  f"{'OK' if rate >= 0.5 else 'MISSED'}; p99 {k['p99_ms']:.1f} vs {m['p99_ms']:.1f} ms = {p99:.1f}x (target <= 3x) "
                  f"{'OK' if p99 <= 3 else 'MISSED'}")
        print(f"load after: {uptime()}")
        print(json.dumps({"results": results, "summary": summary}))
    finally:
        stop(server)
        stop(minimal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
