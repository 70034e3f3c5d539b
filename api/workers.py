"""``pengkom serve --workers N``: N API processes on one port, each accepting on its own listening socket.

uvicorn's own worker processes share one listening socket, and asyncio accepts every waiting connection
at each wake-up: the first process to wake took all of a client's keep-alive connections at once, and the
other processes stood idle (measured with 16 connections: one process 6.3 CPU-seconds, the other 0.3; the
pair no faster than one process). Here each process binds its own socket to the port with ``SO_REUSEPORT``,
and the kernel spreads new connections across them evenly by their addresses.

The supervising process (this module's :func:`supervise`) binds the port first without listening — a port
already in use is said at once — starts the processes, starts a replacement when one dies, and on SIGTERM or
SIGINT stops them all (each finishes the requests it is serving, as uvicorn does). The processes die with it
(``PR_SET_PDEATHSIG``). Where the platform has no ``SO_REUSEPORT``, uvicorn's own worker processes are used.
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

#: Seconds between a process dying and its replacement starting (a process that cannot start is not restarted in a tight loop).
RESTART_DELAY = 1.0
#: Seconds the processes get to finish their requests when stopping, before they are killed.
STOP_GRACE = 20.0


def available() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def _socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """This process's own socket on the shared port (uvicorn makes it listen)."""
    sock = _socket(host)
    sock.bind((host, port))
    return sock


def serve_one(app: Any, host: str, port: int, options: dict[str, Any]) -> None:
    """One API process of several: uvicorn on this process's own socket."""
    import uvicorn

    config = uvicorn.Config(app, **options)
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def die_with_parent() -> None:
    """In a child process before it runs: it gets SIGTERM when the process that started it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def supervise(host: str, port: int, workers: int, extra: list[str]) -> int:
    """Run ``workers`` API processes on ``host:port`` until SIGTERM or SIGINT; 0 when stopped so."""
    reserved = _socket(host)
    try:
        reserved.bind((host, port))  # a port in use fails here, before any process starts (and a port of 0 gets its number)
    except OSError as e:
        reserved.close()
        print(f"pengkom: cannot serve on {host}:{port}: {e.strerror or e}", file=sys.stderr)
        return 1
    port = reserved.getsockname()[1]
    cmd = [sys.executable, "-m", "api.cli", "serve", "--host", host, "--port", str(port), "--reuse-port", *extra]
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    procs: list[subprocess.Popen[bytes] | None] = [None] * workers
    died: dict[int, float] = {}
    try:
        while not stopping:
            for i, p in enumerate(procs):
                if p is not None and p.poll() is not None:
                    print(f"pengkom: API process {p.pid} exited ({p.returncode}); starting another", file=sys.stderr)
                    procs[i], died[i] = None, time.monotonic()
                if procs[i] is None and time.monotonic() - died.get(i, -RESTART_DELAY) >= RESTART_DELAY:
                    procs[i] = subprocess.Popen(cmd, preexec_fn=die_with_parent)
            time.sleep(0.2)
    finally:
        running = [p for p in procs if p is not None and p.poll() is None]
        for p in running:
            p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for p in running:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        reserved.close()
        for s, h in previous.items():
            signal.signal(s, h)
    return 0
