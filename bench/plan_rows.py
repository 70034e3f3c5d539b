"""Flat-cost plans: the cost of adding a row to one development plan as the plan grows, through the real
HTTP server, and the server's memory once the plan is built.

    .venv/bin/python bench/plan_rows.py [--rows 1000] [--officers 500] [--store postgres|sqlite]

One ``pengkom serve`` process (access log off) on a fresh store (PostgreSQL: schema
``pengkom_bench_plans`` of ``PENGKOM_BENCH_DATABASE_URL``, default the local ``test`` database;
SQLite: a temporary directory). Set-up, not measured: ``--officers`` officers of one agency (PNS, one
in ten PPPK), curriculum standards for some of the competencies, the APBN budget. Then one client
adds ``--rows`` rows to the agency's plan, one request at a time on one keep-alive connection, each
timed from the request's first byte to the answer's last (``POST /plans/{agency}/{year}/rows``: the
row, its JP conversion and checks a–f, committed). The rows are a realistic mix: two per officer,
fifteen competencies, some without a curriculum standard or a provider, PNS below 20 JP until their
second row, and the budget overrun at the end — so every check has findings to add and to withdraw.

Printed: the cost of the 1st, 300th and 1,000th row — each the median of the ten rows around it
(the single request too), as the client waits for it, and the CPU time of the server's processes per
row over the twenty rows around it (the API process and the projector process; on a busy machine the
steadier figure) —, the ratio of the last to the first, and the server's resident
memory (VmRSS, each process of the server — the API process and the projector process beside it — and in all) after
the plan is built, with each one's peak (VmHWM). Targets: the 1,000th row ≤ 1.5× the 1st; RSS
≤ 150 MB after a 1,000-row plan. The plan is read back at the end (all rows present, findings listed).
"""
from __future__ import annotations

import argparse
import http.client
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.commands import command_line  # noqa: E402

PG_URL = os.environ.get("PENGKOM_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "pengkom_bench_plans"
SECRET = "bench-plans-" + "x" * 40
AGENCY = "disnaker-bench"
YEAR = 2027
COMPETENCIES = ("integritas", "kerja_sama", "komunikasi", "orientasi_pada_hasil", "pelayanan_publik",
                "pengembangan_diri_dan_orang_lain", "mengelola_perubahan", "pengambilan_keputusan", "perekat_bangsa",
                "penempatan_tk_dan_perluasan_kesempatan_kerja", "pengendalian_penggunaan_tka", "pengembangan_antar_kerja")


def store_env(store: str, data_dir: Path) -> dict[str, str]:
    env = {"PENGKOM_DATA_DIR": str(data_dir), "PENGKOM_JWT_SECRET": SECRET}
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_TICKS = os.sysconf("SC_CLK_TCK")


class Server:
    """``pengkom serve`` in its own process group, on a free port."""

    def __init__(self, store: str, data_dir: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, **store_env(store, data_dir), "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        self.log = open(data_dir / "server.log", "w")
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

    def processes(self) -> list[int]:
        """The server's processes: ``pengkom serve`` and its children (the projector process, workers)."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        return pids

    def cpu_seconds(self, pids: list[int]) -> float:
        """User + system CPU time of the given processes so far."""
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (after the command's closing parenthesis)
        return total / _TICKS

    def memory_mb(self) -> list[tuple[str, float, float]]:
        """(command, VmRSS, VmHWM) in MB of each of the server's processes."""
        out = []
        for pid in self.processes():
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024
            cmd = command_line(pid)
            role = "API (pengkom serve)" if pid == self.proc.pid else ("projector (pengkom follow)" if " follow" in cmd else "child")
            out.append((role, fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)))
        return out

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


class Client:
    """One keep-alive HTTP/1.1 connection; every call returns (status, body, seconds)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any, float]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        took = time.perf_counter() - t0
        return resp.status, (json.loads(raw) if raw else None), took

    def ok(self, method: str, path: str, token: str, body: Any = None) -> Any:
        status, answer, _ = self.call(method, path, token, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer


def _nip(n: int, pppk: bool) -> tuple[str, date]:
    born = date(1975, 1, 1) + timedelta(days=(n * 7) % 9000)
    serial = n % 999 + 1
    if pppk:  # birth date, appointment year, field 21, sex, serial
        return f"{born:%Y%m%d}{born.year + 30:04d}21{1}{serial:03d}", born
    return f"{born:%Y%m%d}{born.year + 25:04d}01{1}{serial:03d}", born


def _tokens(store: str, data_dir: Path) -> dict[str, str]:
    from api.auth import TokenService
    from api.settings import Settings

    svc = TokenService(Settings.from_env(store_env(store, data_dir)))
    return {"hr": svc.issue(subject="bench-hr", name="HR", roles=["hr"], agency=AGENCY, ttl=36000),
            "pembina": svc.issue(subject="bench-pembina", name="Instansi Pembina", roles=["pembina"], ttl=36000)}


def set_up(client: Client, tokens: dict[str, str], officers: int) -> list[str]:
    ids = []
    for n in range(officers):
        pppk = n % 10 == 9
        nip, born = _nip(n, pppk)
        body = {"nip": nip, "name": f"Pegawai {n:04d}", "birth_place": "Bandung", "birth_date": born.isoformat(), "sex": "L",
                "employee_type": "PPPK" if pppk else "PNS", "position": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama",
                "golongan": "III/a", "agency": AGENCY, "unit": f"Bidang {n % 7}",
                "supervisor_nip": "196801012000011001", "supervisor_name": "Kepala Bidang"}
        ids.append(client.ok("POST", "/officers/", tokens["hr"], body)["id"])
    for comp in COMPETENCIES[:5]:  # the others have no curriculum standard: finding (c)
        client.ok("POST", "/curriculum-standards/", tokens["pembina"], {
            "competency": comp, "level": "ahli_pertama", "code": f"K-{comp[:8]}", "title": f"Kurikulum {comp}",
            "pathways": ["pelatihan"], "min_jp": 10})
    client.ok("POST", f"/plans/{AGENCY}/{YEAR}/budgets", tokens["hr"], {"funding_source": "apbn", "amount": "900000000"})
    return ids


def row_body(k: int, officers: list[str]) -> dict[str, Any]:
    comp = COMPETENCIES[k % len(COMPETENCIES)]
    body: dict[str, Any] = {
        "officer_id": officers[k % len(officers)], "competency": comp, "pathway": "pelatihan",
        "programme": f"Pelatihan {comp} angkatan {k // len(officers) + 1}", "funding_source": "apbn",
        "budget": "1000000", "programme_jp": 12, "curriculum_code": f"K-{comp[:8]}",
        "start": date(YEAR, 1 + k % 12, 1).isoformat(), "end": date(YEAR, 1 + k % 12, 3).isoformat()}
    if k % 10 != 7:
        body["provider"] = "Pusdiklat Ketenagakerjaan"  # one row in ten names none: finding (f)
    return body


def measure(store: str, rows: int, officers: int, workdir: Path) -> dict[str, Any]:
    data_dir = workdir / store
    fresh(store, data_dir)
    server = Server(store, data_dir)
    try:
        client = Client(server.port)
        tokens = _tokens(store, data_dir)
        t0 = time.perf_counter()
        ids = set_up(client, tokens, officers)
        setup_s = time.perf_counter() - t0
        rss_before = sum(m[1] for m in server.memory_mb())
        costs, cpu = [], []
        pids = server.processes()
        start = server.cpu_seconds(pids)
        for k in range(rows):
            status, answer, took = client.call("POST", f"/plans/{AGENCY}/{YEAR}/rows", tokens["hr"], row_body(k, ids))
            if status != 201:
                raise RuntimeError(f"row {k + 1}: {status} {answer}")
            costs.append(took)
            cpu.append(server.cpu_seconds(pids) - start)  # cumulative: the clock ticks in 10 ms
            if (k + 1) % 100 == 0:
                print(f"\r  {k + 1:,} rows, last {took * 1000:.1f} ms", end="", file=sys.stderr)
        print(file=sys.stderr)
        memory = server.memory_mb()
        # Read back page by page (100 rows a page, the default), following next_cursor to the end.
        path: str | None = f"/plans/{AGENCY}/{YEAR}"
        read_s, pages, plan_rows, findings = 0.0, 0, 0, 0
        while path:
            status, plan, took = client.call("GET", path, tokens["hr"])
            if status != 200:
                raise RuntimeError(f"reading the plan: {status} {plan}")
            read_s, pages = read_s + took, pages + 1
            plan_rows, findings = plan_rows + len(plan["rows"]), findings + len(plan["findings"])
            path = plan["page"]["next"]
        memory_after_read = server.memory_mb()
    finally:
        server.stop()
    return {"store": store, "rows": rows, "officers": officers, "setup_s": setup_s, "costs_ms": [c * 1000 for c in costs],
            "cpu_ms": [c * 1000 for c in cpu],
            "rss_before_mb": rss_before, "memory": memory, "rss_mb": sum(m[1] for m in memory),
            "memory_after_read": memory_after_read, "rss_after_read_mb": sum(m[1] for m in memory_after_read),
            "read_ms": read_s * 1000, "read_pages": pages, "plan_rows": plan_rows, "findings": findings}


def _at(costs: list[float], n: int) -> tuple[float, float]:
    """(the n-th row's own cost, the median of the ten rows around it), n counted from 1."""
    lo = max(0, min(n - 5, len(costs) - 10))
    return costs[n - 1], statistics.median(costs[lo:lo + 10])


def _cpu_at(cumulative: list[float], n: int, width: int = 20) -> float:
    """Server CPU per row over the ``width`` rows around the n-th (from the cumulative CPU after each row)."""
    lo = max(0, min(n - width // 2, len(cumulative) - width))
    hi = min(len(cumulative), lo + width)
    before = cumulative[lo - 1] if lo else 0.0
    return (cumulative[hi - 1] - before) / (hi - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--officers", type=int, default=500, help="officers of the agency (rows go round them)")
    ap.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    ap.add_argument("--json", help="also write the figures (every row's cost) to this file")
    args = ap.parse_args(argv)
    load = os.getloadavg()
    print(f"bench/plan_rows.py — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.store}, {args.rows:,} rows over "
          f"{args.officers:,} officers, {os.cpu_count()} cores, load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="pengkom-bench-plans-") as tmp:
        r = measure(args.store, args.rows, args.officers, Path(tmp))
    costs = r["costs_ms"]
    points = [n for n in (1, 300, 1000) if n <= len(costs)]
    if len(costs) not in points:
        points.append(len(costs))
    print(f"set-up (officers, curriculum, budget): {r['setup_s']:.1f} s; server RSS before the rows {r['rss_before_mb']:.0f} MB")
    first = _at(costs, 1)[1]
    cpu = r["cpu_ms"]
    cpu_first = _cpu_at(cpu, 1)
    for n in points:
        own, med = _at(costs, n)
        print(f"  row {n:>5,}: {med:7.1f} ms (median of the ten rows around it; this row alone {own:.1f} ms)  "
              f"ratio to the 1st {med / first:.2f}x; server CPU {_cpu_at(cpu, n):.1f} ms a row ({_cpu_at(cpu, n) / cpu_first:.2f}x)")
    last = points[-1]
    ratio = _at(costs, last)[1] / first
    print(f"row {last:,} / row 1: {ratio:.2f}x (target <= 1.5x at row 1,000) {'OK' if ratio <= 1.5 else 'MISSED'}")
    print(f"all rows: p50 {statistics.median(costs):.1f} ms, p99 {statistics.quantiles(costs, n=100)[98] if len(costs) > 1 else costs[0]:.1f} ms, "
          f"total {sum(costs) / 1000:.1f} s")
    parts = ", ".join(f"{role} {rss:.0f} MB (peak {hwm:.0f})" for role, rss, hwm in r["memory"])
    print(f"server RSS after the {len(costs):,}-row plan: {r['rss_mb']:.0f} MB in all: {parts} "
          f"(target <= 150 MB) {'OK' if r['rss_mb'] <= 150 else 'MISSED'}")
    parts = ", ".join(f"{role} {rss:.0f} MB (peak {hwm:.0f})" for role, rss, hwm in r["memory_after_read"])
    print(f"reading the plan back: {r['read_ms']:.0f} ms over {r['read_pages']} pages, {r['plan_rows']:,} rows, {r['findings']:,} findings; "
          f"RSS after it {r['rss_after_read_mb']:.0f} MB: {parts}")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        r |= {"last_row": last, "first_ms": first, "last_ms": _at(costs, last)[1], "ratio": ratio}
        Path(args.json).write_text(json.dumps(r, indent=1))
    return 0 if r["plan_rows"] == len(costs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
