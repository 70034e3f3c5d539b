"""Fault tests: a private PostgreSQL cluster and the real server (``pengkom serve``) in subprocesses.

The cluster is this test session's own (``initdb`` in a temporary directory, a free port), so the
tests can stop and start it, and kill the server with ``kill -9``, without touching anyone else's
database. The PostgreSQL binaries come from ``PENGKOM_PG_BIN`` (default
``/usr/lib/postgresql/15/bin``); as root (CI) they run as the ``postgres`` OS user through
``runuser``. These tests never skip: without the binaries they fail, saying what is missing.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PENGKOM_PG_BIN", "/usr/lib/postgresql/15/bin"))
SECRET = "fault-tests-secret-" + "k" * 40


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A private PostgreSQL cluster: ``start()``, ``stop()`` (fast shutdown), a ``url``."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).exists():
                raise RuntimeError(f"{PG_BIN / tool} is missing: install PostgreSQL 15 (apt-get install postgresql-15) "
                                   "or set PENGKOM_PG_BIN to the directory holding initdb and pg_ctl")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pengkom-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres OS user
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run([*self._as, str(PG_BIN / tool), *args], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def close(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    try:
        yield c
    finally:
        c.close()


class Server:
    """``pengkom serve`` in its own process group, on a free port."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs: list[Path] = []

    def start(self) -> Server:
        log = self.workdir / f"server-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
                cwd=ROOT, env={**os.environ, **self.env, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not answer /health within 60 s")

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log_text(self) -> str:
        return "\n".join(p.read_text()[-4000:] for p in self.logs if p.exists())


@pytest.fixture(params=["postgres", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh store: a new schema in the private cluster, or a new SQLite directory."""
    env = {"PENGKOM_DATA_DIR": str(tmp_path / "var"), "PENGKOM_JWT_SECRET": SECRET, "PENGKOM_PATHWAY_PLUGINS": "none"}
    if request.param == "postgres":
        c: Cluster = request.getfixturevalue("cluster")
        env |= {"PENGKOM_DATABASE_URL": c.url, "PENGKOM_PG_SCHEMA": f"faults_{uuid.uuid4().hex[:8]}"}
    return env


@pytest.fixture
def server(store: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    s = Server(store, tmp_path).start()
    try:
        yield s
    finally:
        s.stop()


def token(env: dict[str, str]) -> str:
    from api.auth import TokenService
    from api.settings import Settings

    return TokenService(Settings.from_env(env)).issue(subject="hr-faults", name="HR kemnaker", roles=["hr"], agency="kemnaker")


def log_reader(env: dict[str, str]) -> Any:
    """The event store of ``env`` opened beside the server as its own processes open it (api/bootstrap.py
    ``open_event_store``): a restarted server's projector may be opening it at that moment."""
    from api.bootstrap import open_event_store
    from api.settings import Settings

    return open_event_store(Settings.from_env(env))


def events_in_log(env: dict[str, str]) -> list[Any]:
    """Every stored event (read straight from the event store, not through the server)."""
    app = log_reader(env)
    try:
        out: list[Any] = []
        start = 1
        while True:
            notes = app.recorder.select_notifications(start=start, limit=5000)
            out.extend(notes)
            if len(notes) < 5000:
                return out
            start = notes[-1].id + 1
    finally:
        app.close()


def keys_without_events(env: dict[str, str]) -> int:
    """Idempotency keys bound to no recorded event (must be 0: a key lives only with its command's events)."""
    app = log_reader(env)
    rec: Any = app.recorder
    try:
        if env.get("PENGKOM_DATABASE_URL"):
            with rec.datastore.pool.connection() as conn:
                row = conn.execute(f"SELECT count(*) AS n FROM {rec.keys_table} k WHERE k.position IS NOT NULL AND NOT EXISTS "
                                   f"(SELECT 1 FROM {rec.events_table} e WHERE e.notification_id = k.position)").fetchone()
                return int(row["n"])
        with rec.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT count(*) FROM {rec.keys_table} k WHERE k.position IS NOT NULL AND NOT EXISTS "
                      f"(SELECT 1 FROM {rec.events_table_name} e WHERE e.rowid = k.position)")
            return int(c.fetchone()[0])
    finally:
        app.close()


def nip(i: int) -> str:
    """A distinct valid NIP per i (female PNS, born from 1971, appointed at 25)."""
    from datetime import date, timedelta

    d = date(1971, 1, 1) + timedelta(days=i // 999)
    return f"{d:%Y%m%d}{d.year + 25:04d}012{i % 999 + 1:03d}"


def officer(i: int) -> dict[str, Any]:
    n = nip(i)
    return {"nip": n, "name": f"Pegawai {i}", "birth_place": "Bandung", "birth_date": f"{n[0:4]}-{n[4:6]}-{n[6:8]}",
            "sex": "P", "employee_type": "PNS", "position": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama",
            "golongan": "III/a", "agency": "kemnaker", "unit": "Direktorat Penempatan",
            "supervisor_nip": "19750303 200001 1 003", "supervisor_name": "Budi Santoso"}
