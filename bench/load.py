"""Throughput of N API replicas on one PostgreSQL primary, for the sizing in docs/deployment.md.

    .venv/bin/python bench/load.py --replicas 1 2 --clients 8 --seconds 30

For each replica count: a fresh schema, ``pengkom bootstrap``, N ``pengkom serve`` processes on free
ports, then C client threads for S seconds, each looping over a clerk's mix — register an officer
(command), record a history fact for one (command), read a profile, list officers — spread round-robin
over the replicas. Prints commands/s, reads/s and latency percentiles, and the machine's load: on a
2-core machine the clients, the replicas and PostgreSQL share the same cores, so the figures are a
floor for the deployment, not its ceiling.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def _officer(i: int) -> dict[str, Any]:
    born = date(1975, 1, 1) + timedelta(days=i % 7000)
    nip = f"{born:%Y%m%d}201501{1 + i % 2}{1 + i // 7000:03d}"
    return {"nip": nip, "name": f"Pegawai {i}", "birth_place": "Jakarta", "birth_date": born.isoformat(),
            "sex": "L" if i % 2 == 0 else "P", "employee_type": "PNS", "position": "Pengantar Kerja Ahli Pertama",
            "level": "ahli_pertama", "golongan": "III/a", "agency": "kemnaker", "unit": "Bidang Penempatan",
            "supervisor_nip": "197503032000011003", "supervisor_name": "Budi Santoso"}


def run(url: str, replicas: int, clients: int, seconds: float) -> dict[str, Any]:
    import psycopg

    schema = f"pk_load_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENGKOM_")} | {
        "PENGKOM_DATABASE_URL": url, "PENGKOM_PG_SCHEMA": schema, "PENGKOM_JWT_SECRET": "load-" + "k" * 40,
        "PENGKOM_DATA_DIR": str(ROOT / "var" / "load"), "PENGKOM_PATHWAY_PLUGINS": "none"}
    py = [sys.executable, "-m", "api.cli"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([*py, "bootstrap", "--wait", "30"], cwd=ROOT, env=env, check=True, capture_output=True)
        token = subprocess.run([*py, "token", "--role", "hr", "--agency", "kemnaker"], cwd=ROOT, env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        bases = []
        for _ in range(replicas):
            port = _port()
            procs.append(subprocess.Popen([*py, "serve", "--port", str(port)], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{base}/ready", timeout=2):
                        break
                except OSError:
                    time.sleep(0.1)
        lat: dict[str, list[float]] = {"command": [], "read": []}
        errors: list[int] = []
        lock = threading.Lock()
        stop = threading.Event()
        counter = iter(range(10**9))

        def client(k: int) -> None:
            mine: list[str] = []
            n = k
            while not stop.is_set():
                base = bases[n % len(bases)]
                n += 1
                i = next(counter)
                step = i % 4
                t = time.perf_counter()
                if step == 0 or not mine:
                    status, body = _call("POST", f"{base}/officers/", token, _officer(i))
                    kind = "command"
                    if status == 201:
                        mine.append(body["id"])
                elif step == 1:
                    status, _ = _call("POST", f"{base}/officers/{mine[-1]}/history/development", token, {
                        "year": 2025, "competency": "integritas", "form": "Pelatihan", "pathway": "pelatihan", "jp": 24,
                        "provider": "Pusdiklat"})
                    kind = "command"
                elif step == 2:
                    status, _ = _call("GET", f"{base}/officers/{mine[-1]}", token)
                    kind = "read"
                else:
                    status, _ = _call("GET", f"{base}/officers/?limit=20", token)
                    kind = "read"
                took = time.perf_counter() - t
                with lock:
                    if status in (200, 201):
                        lat[kind].append(took)
                    else:
                        errors.append(status)

        load_before = os.getloadavg()[0]
        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        span = time.perf_counter() - started

        def pct(xs: list[float], q: float) -> float:
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else 0.0

        return {"replicas": replicas, "clients": clients, "seconds": round(span, 1),
                "commands_per_s": round(len(lat["command"]) / span, 1), "reads_per_s": round(len(lat["read"]) / span, 1),
                "command_ms_p50": round(pct(lat["command"], 0.5)), "command_ms_p95": round(pct(lat["command"], 0.95)),
                "read_ms_p50": round(pct(lat["read"], 0.5)), "read_ms_p95": round(pct(lat["read"], 0.95)),
                "errors": len(errors), "error_statuses": sorted(set(errors)), "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2)}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--url", default=os.environ.get("PENGKOM_BENCH_DATABASE_URL", DEFAULT_URL))
    args = p.parse_args()
    for n in args.replicas:
        r = run(args.url, n, args.clients, args.seconds)
        print(f"{n} replica(s), {r['clients']} clients, {r['seconds']} s: {r['commands_per_s']} commands/s "
              f"(p50 {r['command_ms_p50']} ms, p95 {r['command_ms_p95']} ms), {r['reads_per_s']} reads/s "
              f"(p50 {r['read_ms_p50']} ms, p95 {r['read_ms_p95']} ms), {r['errors']} errors {r['error_statuses']}; "
              f"load {r['load_before']} → {r['load_after']}")
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
