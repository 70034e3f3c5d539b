"""``pengkom serve --workers N`` on PostgreSQL: N API processes, each accepting on its own socket
(api/workers.py). The kernel spreads a client's keep-alive connections across them — with uvicorn's
shared socket one process took all 16 of the benchmark's connections and the other stood idle —, a
process that dies is replaced, and SIGTERM stops them all."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import PG_URL
from tests.deploy.support import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")


def _children(pid: int) -> set[int]:
    try:
        return {int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


#: TCP states in /proc/net/tcp.
ESTABLISHED, LISTEN = "01", "0A"


def pids_serving(port: int, state: str = ESTABLISHED) -> dict[int, int]:
    """Sockets on local ``port`` in ``state`` (established connections, or listening
    sockets) per process id (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == state:
                inodes.add(f[9])
    counts: dict[int, int] = {}
    for pid in (int(d) for d in os.listdir("/proc") if d.isdigit()):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        n = 0
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                n += 1
        if n:
            counts[pid] = n
    return counts


def _health(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status
    finally:
        conn.close()


def _wait(predicate: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    schema = f"pk_workers_{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {**os.environ, "PENGKOM_DATABASE_URL": str(PG_URL), "PENGKOM_PG_SCHEMA": schema, "PENGKOM_DATA_DIR": str(tmp_path),
           "PENGKOM_JWT_SECRET": "workers-test-" + "x" * 40, "PENGKOM_PATHWAY_PLUGINS": "none", "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: _health(port) == 200)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        with psycopg.connect(str(PG_URL), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _api_processes(proc: subprocess.Popen[bytes]) -> set[int]:
    """The supervisor's children that serve HTTP (not the projector process)."""
    return {p for p in _children(proc.pid) if b"--reuse-port" in Path(f"/proc/{p}/cmdline").read_bytes()}


def test_connections_are_spread_over_the_processes_and_a_dead_one_is_replaced(served):
    proc, port = served
    _wait(lambda: len(_api_processes(proc)) == 2 and set(pids_serving(port, LISTEN)) == _api_processes(proc))
    first = _api_processes(proc)
    clients = []
    for _ in range(16):  # keep-alive connections, as the benchmark's clients hold them
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/health")
        r = c.getresponse()
        r.read()
        assert r.status == 200
        clients.append(c)
    counts = pids_serving(port)
    # Each process holds some of the 16 (all on one process: a chance of 2 in 65,536 with an even spread).
    assert set(counts) == first and all(n >= 1 for n in counts.values()) and sum(counts.values()) == 16, counts
    for c in clients:
        c.close()
    victim = sorted(first)[0]
    os.kill(victim, signal.SIGKILL)
    _wait(lambda: len(_api_processes(proc)) == 2 and victim not in _api_processes(proc)
          and set(pids_serving(port, LISTEN)) == _api_processes(proc))
    assert _health(port) == 200


def test_sigterm_stops_every_process(served):
    proc, port = served
    _wait(lambda: len(_api_processes(proc)) == 2)
    everyone = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    _wait(lambda: not any(Path(f"/proc/{p}").exists() and b"api.cli" in Path(f"/proc/{p}/cmdline").read_bytes() for p in everyone), 30)


def test_a_port_in_use_is_said_before_any_process_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PENGKOM_DATABASE_URL": str(PG_URL), "PENGKOM_PG_SCHEMA": f"pk_workers_{uuid.uuid4().hex[:8]}",
               "PENGKOM_DATA_DIR": str(tmp_path), "PENGKOM_JWT_SECRET": "workers-test-" + "x" * 40, "PENGKOM_PATHWAY_PLUGINS": "none",
               "PENGKOM_PROJECTOR": "thread", "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"cannot serve on 127.0.0.1:{port}" in done.stderr
