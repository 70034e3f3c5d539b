"""Command throughput through the real HTTP server, beside the event store's own save rate.

For each store (the local PostgreSQL and SQLite), in one run:

1. **Baseline**: the event store saving one event per transaction, one writer, as fast as it can
   (``recorder.insert_events`` with one ``Officer.Registered`` event each time) — the pace a command
   path that commits each command alone could at best reach.
2. ``pengkom serve`` (a subprocess, access log off) on a fresh store; ``POST /officers/`` (register an
   officer, each request a distinct valid NIP) from 1 and from 16 concurrent clients, each for
   ``--seconds``; then, on PostgreSQL, 16 clients against 2 API processes (``--workers 2``).
3. **Framework ceiling** (bench/ceiling.py): a minimal Litestar app served the same way, whose
   ``POST /officers/`` decodes the same body into a msgspec Struct and inserts one event through the same
   recorder — no auth, rules or read models — at the largest client count, inserting each request alone
   (``insert_events``) and through the recorder's group commit: what this machine can reach at all with
   this server and store. pengkom's rate is also given as a ratio to the better of the two.
4. Printed per run: commands/s, p50 and p99 latency, the ratio to the baseline (and, at the largest
   client count, to the ceiling), the CPU time the server's processes (API + projector) spent per
   command (steadier than commands/s on a shared machine), and the check that every acknowledged
   command is in the log.

The client is ``wrk`` (https://github.com/wg/wrk) with a Lua script when it is installed
(``apt-get install wrk``), otherwise a lean asyncio client over raw HTTP/1.1 keep-alive connections;
the output says which. Usage::

    .venv/bin/python bench/commands.py [--seconds 10] [--stores postgres,sqlite] [--clients 1,16]
                                       [--processes 1,2] [--repeat 1]

PostgreSQL: ``PENGKOM_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
schema ``pengkom_bench_cmd`` (dropped and recreated for each run).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("PENGKOM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "pengkom_bench_cmd"
SECRET = "bench-secret-" + "x" * 40

LUA = r"""
-- Each request registers a different officer: a distinct valid NIP from (thread, counter).
local threads = {}
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  errors = 0
  statuses = {}
  total_threads = tonumber(args[1])
  offset = tonumber(args[2])
end
function request()
  local g = offset + counter * total_threads + tid
  counter = counter + 1
  local day = math.floor(g / 999)
  local serial = g % 999 + 1
  local t = os.time({year = 1971, month = 1, day = 1 + day, hour = 12})
  local d = os.date("*t", t)
  local birth = string.format("%04d%02d%02d", d.year, d.month, d.day)
  local nip = birth .. string.format("%04d", d.year + 25) .. "01" .. "2" .. string.format("%03d", serial)
  local body = string.format('{"nip":"%s","name":"Siti Rahayu","birth_place":"Bandung","birth_date":"%04d-%02d-%02d",' ..
    '"sex":"P","employee_type":"PNS","position":"Pengantar Kerja Ahli Pertama","level":"ahli_pertama","golongan":"III/a",' ..
    '"agency":"kemnaker","unit":"Direktorat Penempatan","supervisor_nip":"19750303 200001 1 003","supervisor_name":"Budi"}',
    nip, d.year, d.month, d.day)
  return wrk.format("POST", "/officers/", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. TOKEN}, body)
end
function response(status, headers, body)
  if status ~= 201 then
    errors = errors + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors") end
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration / 1e6, errs, (summary.errors.status or 0), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def nip_for(g: int) -> tuple[str, str]:
    """The same NIPs as the Lua script (for the asyncio client)."""
    d = date(1971, 1, 1) + timedelta(days=g // 999)
    serial = g % 999 + 1
    return f"{d:%Y%m%d}{d.year + 25:04d}012{serial:03d}", d.isoformat()


def body_for(g: int) -> bytes:
    nip, birth = nip_for(g)
    return json.dumps({"nip": nip, "name": "Siti Rahayu", "birth_place": "Bandung", "birth_date": birth, "sex": "P",
                       "employee_type": "PNS", "position": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama",
                       "golongan": "III/a", "agency": "kemnaker", "unit": "Direktorat Penempatan",
                       "supervisor_nip": "19750303 200001 1 003", "supervisor_name": "Budi"}).encode()


# -- stores ------------------------------------------------------------------------------------------


def store_env(store: str, data_dir: Path) -> dict[str, str]:
    env = {"PENGKOM_DATA_DIR": str(data_dir), "PENGKOM_JWT_SECRET": SECRET, "PENGKOM_PATHWAY_PLUGINS": "none"}
    if store == "postgres":
        env |= {"PENGKOM_DATABASE_URL": PG_URL, "PENGKOM_PG_SCHEMA": SCHEMA}
    return env


def fresh(store: str, data_dir: Path) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if store == "postgres":
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {SCHEMA}")


def baseline(store: str, data_dir: Path, seconds: float) -> float:
    """The event store's own save rate: one Officer.Registered event per transaction, one writer."""
    from eventsourcing.persistence import StoredEvent

    from api.settings import Settings
    from core.application import Pengkom
    from core.events import Actor, Context
    from core.officers import Officer

    fresh(store, data_dir)
    settings = Settings.from_env(store_env(store, data_dir))
    app = Pengkom(env=settings.event_store_env())
    ctx = Context(actor=Actor("hr", "HR", frozenset({"hr"}), agency="kemnaker"), request_id="bench").acting_as("hr")
    meta = ctx.provenance(on_behalf_of="199001012015011001")
    template = Officer._create(Officer.Registered, id=uuid.uuid4(), meta=meta, timestamp=meta.recorded_at,
                               nip="199001012015011001", name="Siti Rahayu", birth_place="Bandung", birth_date=date(1990, 1, 1),
                               sex="L", employee_type="PNS", position="Pengantar Kerja Ahli Pertama", level="ahli_pertama",
                               golongan="III/a", agency="kemnaker", unit="Direktorat Penempatan", supervisor_nip=None,
                               supervisor_name=None).collect_events()[0]
    state = app.mapper.to_stored_event(template)
    insert = app.recorder.insert_events
    n = 0
    started = time.perf_counter()
    stop = started + seconds
    while time.perf_counter() < stop:
        insert([StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic=state.topic, state=state.state)])
        n += 1
    rate = n / (time.perf_counter() - started)
    app.close()
    return rate


def count_events(store: str, data_dir: Path) -> int:
    from api.settings import Settings
    from core.application import Pengkom

    app = Pengkom(env=Settings.from_env(store_env(store, data_dir)).event_store_env())
    try:
        return sum(1 for _ in _scan(app))
    finally:
        app.close()


def _scan(app: Any) -> Any:
    start = 1
    while True:
        notes = app.recorder.select_notifications(start=start, limit=5000)
        yield from notes
        if len(notes) < 5000:
            return
        start = notes[-1].id + 1


# -- the server --------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, every core (Linux /proc/stat; iowait counts as idle)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, store: str, data_dir: Path, workers: int, *, ceiling: str | None = None) -> None:
        self.port = free_port()
        env = {**os.environ, **store_env(store, data_dir), "PYTHONPATH": str(ROOT)}
        if ceiling:  # the minimal app of bench/ceiling.py, served the same way
            cmd = [sys.executable, str(ROOT / "bench" / "ceiling.py"), "--host", "127.0.0.1", "--port", str(self.port),
                   "--insert", ceiling]
        else:
            cmd = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        if workers > 1:
            cmd += ["--workers", str(workers)]
        self.log = open(data_dir / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}); see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if b" 200 " in s.recv(100):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within 60 s")

    def pids(self) -> list[int]:
        """The server's processes: uvicorn (and its workers) and the projector process."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                kids = []
            todo += [int(k) for k in kids]
        return found

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def token(store: str, data_dir: Path) -> str:
    from api.auth import TokenService
    from api.settings import Settings

    return TokenService(Settings.from_env(store_env(store, data_dir))).issue(
        subject="bench-hr", name="HR kemnaker", roles=["hr"], agency="kemnaker", ttl=3600)


# -- the clients -------------------------------------------------------------------------------------


def run_wrk(port: int, tok: str, clients: int, seconds: float, offset: int, workdir: Path) -> dict[str, Any]:
    threads = min(clients, 2)
    script = workdir / "register.lua"
    script.write_text(f'TOKEN = "{tok}"\n' + LUA)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script),
                          f"http://127.0.0.1:{port}", "--", str(threads), str(offset)],
                         capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[len("RESULT "):])
    return {"requests": r["requests"], "ok": r["requests"] - r["errors"], "errors": r["errors"], "seconds": r["seconds"],
            "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000}


async def _client(port: int, tok: str, index: int, clients: int, offset: int, stop: float, lat: list[float], bad: list[int]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    head = (f"POST /officers/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {tok}\r\n"
            "Content-Type: application/json\r\n").encode()
    try:
        while time.perf_counter() < stop:
            body = body_for(offset + n * clients + index)
            t0 = time.perf_counter()
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if b" 201 " not in status_line:
                bad.append(int(status_line.split()[1]))
            n += 1
    finally:
        writer.close()
    return n


def run_asyncio(port: int, tok: str, clients: int, seconds: float, offset: int, workdir: Path) -> dict[str, Any]:
    lat: list[float] = []
    bad: list[int] = []

    async def main() -> float:
        stop = time.perf_counter() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(_client(port, tok, i, clients, offset, stop, lat, bad) for i in range(clients)))
        return time.perf_counter() - t0

    took = asyncio.run(main())
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
    return {"requests": len(lat), "ok": len(lat) - len(bad), "errors": len(bad), "seconds": took,
            "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000, "max_ms": max(lat, default=0) * 1000}


# -- main --------------------------------------------------------------------------------------------


def measure(store: str, clients: int, processes: int, seconds: float, workdir: Path, client: str, offset: int,
            *, ceiling: str | None = None) -> dict[str, Any]:
    data_dir = workdir / f"{store}-{clients}-{processes}{'-ceiling-' + ceiling if ceiling else ''}"
    fresh(store, data_dir)
    server = Server(store, data_dir, processes, ceiling=ceiling)
    try:
        tok = token(store, data_dir)
        run = run_wrk if client == "wrk" else run_asyncio
        # Warm-up (first connections, caches), not counted; then the measured run.
        warm = run(server.port, tok, clients, min(2.0, seconds / 4), offset + 5_000_000, workdir)
        pids = server.pids()
        cpu0, ticks0 = {p: cpu_seconds(p) for p in pids}, machine_ticks()
        r = run(server.port, tok, clients, seconds, offset, workdir)
        cpu1, ticks1 = {p: cpu_seconds(p) for p in pids}, machine_ticks()
        serving = [p for p in pids if " serve " in command_line(p) + " "]
    finally:
        server.stop()
    # How busy the whole machine was (server, projector, database, the client): a second API process can only add
    # throughput where the first left cores idle.
    r["machine_busy"] = (ticks1[0] - ticks0[0]) / max(ticks1[1] - ticks0[1], 1)
    # The CPU seconds of each process that answered requests (with several, how evenly the kernel spread the
    # client's connections over them); the supervisor of several processes answers none and is left out.
    r["api_cpu_s"] = sorted((round(cpu1[p] - cpu0[p], 2) for p in serving if cpu1[p] - cpu0[p] > 0.05), reverse=True)
    # CPU time the server's processes (API, projector) spent per acknowledged command: steadier than
    # commands/s on a machine shared with other work.
    r["cpu_ms"] = 1000 * sum(cpu1[p] - cpu0[p] for p in pids) / max(r["ok"], 1)
    # Every acknowledged command (warm-up and measured) must be in the log.
    r["acknowledged"] = warm["ok"] + r["ok"]
    r["recorded"] = count_events(store, data_dir)
    r["rate"] = r["ok"] / r["seconds"] if r["seconds"] else 0.0
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--stores", default="postgres,sqlite")
    ap.add_argument("--clients", default="1,16")
    ap.add_argument("--processes", default="1,2", help="API processes for the 16-client PostgreSQL run (goal: scale-out)")
    ap.add_argument("--repeat", type=int, default=1, help="measure each configuration this many times (the best is kept too)")
    ap.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "asyncio")
    clients = [int(c) for c in args.clients.split(",")]
    processes = [int(p) for p in args.processes.split(",")]
    load = os.getloadavg()
    print(f"bench/commands.py — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, client: {client}, {args.seconds:g} s per run, "
          f"{os.cpu_count()} cores, load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pengkom-bench-") as tmp:
        workdir = Path(tmp)
        for store in args.stores.split(","):
            for rep in range(args.repeat):
                base = baseline(store, workdir / f"{store}-baseline", min(args.seconds, 5.0))
                print(f"\n{store}: baseline (event store, one event per transaction, one writer): {base:,.0f} events/s")
                top = max(clients)
                ceilings = []
                for mode, how in (("plain", "one insert per request"), ("group", "the recorder's group commit")):
                    ceil = measure(store, top, 1, args.seconds, workdir, client, offset=rep * 1_000_000 + 500_000, ceiling=mode)
                    ceil |= {"store": store, "clients": top, "processes": 1, "baseline": base, "ratio": ceil["rate"] / base,
                             "repeat": rep, "ceiling": mode}
                    results.append(ceil)
                    ceilings.append(ceil["rate"])
                    print(f"  framework ceiling ({how}), {top} clients: {ceil['rate']:8,.0f} commands/s  p50 {ceil['p50_ms']:6.1f} ms  "
                          f"p99 {ceil['p99_ms']:6.1f} ms  ratio {ceil['ratio']:.2f}x  CPU {ceil['cpu_ms']:.2f} ms/cmd"
                          f"{'  MISSING ' + str(ceil['acknowledged'] - ceil['recorded']) if ceil['acknowledged'] > ceil['recorded'] else ''}")
                best = max(ceilings)
                runs = [(c, 1) for c in clients]
                if store == "postgres":
                    runs += [(max(clients), p) for p in processes if p > 1]
                for c, p in runs:
                    r = measure(store, c, p, args.seconds, workdir, client, offset=rep * 1_000_000)
                    r |= {"store": store, "clients": c, "processes": p, "baseline": base, "ratio": r["rate"] / base, "repeat": rep,
                          "of_ceiling": r["rate"] / best if c == top and best else None}
                    results.append(r)
                    lost = r["acknowledged"] - r["recorded"]
                    vs = f"  {r['of_ceiling']:.2f}x the ceiling" if r["of_ceiling"] is not None else ""
                    print(f"  POST /officers/  {c:>2} client(s), {p} process(es): {r['rate']:8,.0f} commands/s  "
                          f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  ratio {r['ratio']:.2f}x{vs}  CPU {r['cpu_ms']:.2f} ms/cmd  "
                          f"(errors {r['errors']}; acknowledged {r['acknowledged']} with the warm-up, in the log {r['recorded']}"
                          f"{', MISSING ' + str(lost) if lost > 0 else ''}); machine {100 * r['machine_busy']:.0f} % busy, "
                          f"API process CPU {' + '.join(f'{c:.1f}' for c in r['api_cpu_s'])} s")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 1 if any(r["acknowledged"] > r["recorded"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
