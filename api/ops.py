"""Operations: the projection worker's own health endpoint, the container health probe and the
first-run bootstrap of a container deployment.

The worker (``pengkom follow``) serves no API, so the API's ``/health`` says nothing about it. With
``--health-port`` it answers on its own port:

* ``GET /health`` — liveness: 200 ``ok`` while it leads and the read models advance (or are level
  with the log), 200 ``standby`` while another process leads, 200 ``starting`` before its first look;
  503 ``failing`` while the store does not answer, 503 ``stalled`` when it leads, the read models are
  behind and none advanced for ``--stall-after`` seconds, or when its own loop stopped looking;
* ``GET /lag`` — how far each read model is behind the log, as last observed;
* ``GET /metrics`` — the same in Prometheus' text format.

The worker's main loop observes the store once a second (one bounded query, ``Services.store_ready``);
the HTTP thread only reads what the loop recorded and never queries the store itself.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class WorkerState:
    """What the worker's loop observed, read by its health endpoint."""

    stall_after: float
    started: float = field(default_factory=time.monotonic)
    beat: float = field(default_factory=time.monotonic)
    cycles: int = 0
    leader: bool = False
    failures: int = 0
    error: str | None = None
    log_position: int = 0
    lag: dict[str, int] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)
    rebuilding: list[str] = field(default_factory=list)
    #: Events the read models advanced by while observed (whoever applied them).
    advanced: int = 0
    measured: float | None = None
    progress: float = field(default_factory=time.monotonic)
    _floor: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, *, ok: bool, head: int = 0, tracking: dict[str, Any] | None = None, error: str | None = None,
                leader: bool = False) -> None:
        """One look at the store: the log head and each read model's tracking row (``Tracking``)."""
        with self._lock:
            now = time.monotonic()
            self.beat = now
            self.cycles += 1
            self.leader = leader
            if not ok:
                self.failures += 1
                self.error = f"the store does not answer ({error or 'unknown error'})"
                return
            self.error = None
            rows = tracking or {}
            self.measured = now
            self.log_position = head
            self.lag = {name: max(head - t.position, 0) for name, t in sorted(rows.items())}
            self.stopped = {name: t.error for name, t in sorted(rows.items()) if t.error}
            self.rebuilding = sorted(name for name, t in rows.items() if t.rebuilding)
            live = [t.position for name, t in rows.items() if not t.error]
            floor = min(live, default=head)
            if self._floor is not None and floor > self._floor:
                self.advanced += floor - self._floor
            if self._floor is None or floor > self._floor or max(self.lag.values(), default=0) == 0:
                self.progress = now
            self._floor = floor

    def health(self) -> tuple[int, dict[str, Any]]:
        with self._lock:
            now = time.monotonic()
            behind = max((lag for name, lag in self.lag.items() if name not in self.stopped), default=0)
            body: dict[str, Any] = {"status": "ok" if self.leader else "standby", "role": "projection worker",
                                    "leader": self.leader, "max_lag": behind, "cycles": self.cycles,
                                    "events_advanced": self.advanced, "uptime_seconds": round(now - self.started, 1)}
            if now - self.beat > self.stall_after:
                body.update(status="stalled", detail=f"the worker has not looked at the store for {now - self.beat:.0f} s")
            elif self.error:
                body.update(status="failing", error=self.error, failures=self.failures)
            elif self.cycles == 0:
                body["status"] = "starting"  # alive: start-up may be finishing a long rebuild first
            elif self.leader and behind and now - self.progress > self.stall_after:
                body.update(status="stalled", detail=f"the read models are {behind:,} events behind and none advanced for "
                                                     f"{now - self.progress:.0f} s (the limit is {self.stall_after:.0f} s)")
            return (200 if body["status"] in ("ok", "standby", "starting") else 503), body

    def lag_document(self) -> dict[str, Any]:
        with self._lock:
            age = None if self.measured is None else round(time.monotonic() - self.measured, 1)
            return {"log_position": self.log_position, "projection_lag": dict(self.lag), "max_lag": max(self.lag.values(), default=0),
                    "rebuilding": list(self.rebuilding), "stopped": dict(self.stopped), "leader": self.leader,
                    "measured_seconds_ago": age}

    def metrics(self) -> str:
        status, _ = self.health()
        doc = self.lag_document()
        lines = ["# HELP pengkom_worker_up 1 while the projection worker is healthy.", "# TYPE pengkom_worker_up gauge",
                 f"pengkom_worker_up {1 if status == 200 else 0}",
                 "# TYPE pengkom_worker_leader gauge", f"pengkom_worker_leader {1 if doc['leader'] else 0}",
                 "# TYPE pengkom_log_position gauge", f"pengkom_log_position {doc['log_position']}",
                 "# HELP pengkom_projection_lag_events Events recorded but not yet applied to the read model.",
                 "# TYPE pengkom_projection_lag_events gauge"]
        lines += [f'pengkom_projection_lag_events{{projection="{name}"}} {lag}' for name, lag in doc["projection_lag"].items()]
        return "\n".join(lines) + "\n"


def serve_worker_health(state: WorkerState, host: str, port: int) -> ThreadingHTTPServer:
    """Start the worker's health endpoint in a daemon thread; returns the server (``server_port`` is the port)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/health":
                status, body = state.health()
                self._send(status, "application/json", json.dumps(body))
            elif path == "/lag":
                self._send(200, "application/json", json.dumps(state.lag_document()))
            elif path == "/metrics":
                self._send(200, "text/plain; version=0.0.4", state.metrics())
            else:
                self._send(404, "application/json", json.dumps({"status": 404, "detail": "The worker answers /health, /lag and /metrics."}))

        def _send(self, status: int, ctype: str, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # health probes every few seconds would drown the worker's own log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="worker-health", daemon=True).start()
    return server


def probe(url: str, timeout: float) -> int:
    """``pengkom probe URL``: exit 0 when the URL answers 200 (a container health check), else 1."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            ok = r.status == 200
            body = r.read(300)
    except urllib.error.HTTPError as e:
        ok, body = False, e.read(300)
    except OSError as e:
        print(f"pengkom probe: {url} does not answer ({e})")
        return 1
    print(f"pengkom probe: {url} {'healthy' if ok else 'UNHEALTHY'}: {body.decode(errors='replace')}")
    return 0 if ok else 1


# -- first-run bootstrap -------------------------------------------------------------------------------

#: The shortest shared secret accepted for HS256 in a deployment (RFC 7518 §3.2: at least the hash size).
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class FirstToken:
    path: str
    roles: list[str]
    agency: str | None
    name: str
    ttl: int


def auth_mode(settings: Any) -> str:
    """How this deployment authenticates callers, in words; ValueError if it cannot work with several processes."""
    if settings.jwks_url:
        return f"identity provider (JWKS {settings.jwks_url}; issuer {settings.jwt_issuer!r}, audience {settings.jwt_audience!r})"
    if settings.jwt_public_key_file:
        return (f"identity provider (public key {settings.jwt_public_key_file}; issuer {settings.jwt_issuer!r}, "
                f"audience {settings.jwt_audience!r})")
    if settings.jwt_secret:
        if len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"PENGKOM_JWT_SECRET has {len(settings.jwt_secret.encode())} bytes; use at least {MIN_SECRET_BYTES} "
                             "random bytes (docker/secrets.sh makes one: `head -c 48 /dev/urandom | base64`).")
        return "shared secret (HS256, from PENGKOM_JWT_SECRET or PENGKOM_JWT_SECRET_FILE); `pengkom token` issues tokens"
    if settings.database_url:
        raise ValueError("This PostgreSQL deployment has no token configuration: every API process would generate its own "
                         "signing key and refuse the others' tokens. Set PENGKOM_JWT_SECRET_FILE (a shared secret) or "
                         "PENGKOM_JWKS_URL / PENGKOM_JWT_PUBLIC_KEY_FILE (your identity provider).")
    return f"key generated in the data directory ({settings.data_dir / 'signing.key'}); `pengkom token` issues tokens"


def chain_key_mode(settings: Any) -> str:
    """Which key signs chain heads, in words; ValueError if the replicas of a PostgreSQL deployment
    would not share one (each would generate its own, and a head's signature would depend on which
    replica handed it out)."""
    from pathlib import Path

    from cryptography.exceptions import UnsupportedAlgorithm

    from api.heads import key_path, signer_for

    configured = settings.chain_signing_key_file
    if not configured:
        if settings.database_url:
            raise ValueError("This PostgreSQL deployment has no chain-signing key: every API process would generate its own "
                             "Ed25519 key in its data directory, and chain heads would carry a different signature depending on "
                             "the replica. Set PENGKOM_CHAIN_SIGNING_KEY_FILE to one key file shared by every process "
                             "(docker/secrets.sh makes one; or `openssl genpkey -algorithm ed25519 -out FILE`).")
        return f"key generated in the data directory ({key_path(settings)})"
    path = Path(configured)
    if not path.is_file():
        raise ValueError(f"PENGKOM_CHAIN_SIGNING_KEY_FILE names {path}, which does not exist; make it once and give the same "
                         "file to every process (docker/secrets.sh; or `openssl genpkey -algorithm ed25519 -out FILE`).")
    try:
        signer = signer_for(settings)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise ValueError(f"PENGKOM_CHAIN_SIGNING_KEY_FILE names {path}, which is not a readable Ed25519 private key in PEM "
                         f"(PKCS#8) ({e}).") from None
    return f"Ed25519 key {signer.key_id} from PENGKOM_CHAIN_SIGNING_KEY_FILE (GET /chain/public-key publishes its public half)"


def ensure_schema(settings: Any) -> None:
    """Create the PostgreSQL schema of ``PENGKOM_PG_SCHEMA`` if it is missing (the event store does not)."""
    if not settings.database_url:
        return
    import psycopg

    with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (settings.pg_schema,)).fetchone() is None:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {settings.pg_schema}")


def bootstrap(*, wait: float = 60.0, first_token: FirstToken | None = None, out: Any = None) -> int:
    """``pengkom bootstrap``: make a new (or upgraded) deployment ready before its API processes start.

    Waits for the store, creates the event, read-model and file tables under the set-up lock,
    brings every read model up to date (a read model whose version changed is rebuilt here, once,
    rather than by each replica), checks the token configuration, and on first run writes a first
    token to ``first_token.path`` (mode 0600; never printed). Re-running it is harmless: an existing
    token file is kept. Exit codes: 0 ready; 2 a configuration error; 1 the store did not answer.
    """
    import sys

    from api.bootstrap import build
    from api.settings import Settings

    out = out or sys.stdout
    try:
        settings = Settings.from_env()
        mode = auth_mode(settings)
        signing = chain_key_mode(settings)
    except ValueError as e:
        print(f"pengkom bootstrap: {e}", file=sys.stderr)
        return 2
    started = time.monotonic()
    deadline = started + wait
    attempt = 0
    while True:
        attempt += 1
        try:
            ensure_schema(settings)
            services = build(settings)
            break
        except Exception as e:  # the database is still starting: retry until the deadline
            if time.monotonic() >= deadline:
                from api.preflight import explain

                print(f"pengkom bootstrap: the store {settings.describe_store()} did not answer within {wait:.0f} s "
                      f"({type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}).", file=sys.stderr)
                known = explain(settings, e)
                if known is not None:  # what is wrong and how to fix it, in the operator's words
                    print(known.render("bootstrap"), file=sys.stderr)
                return known.exit_code if known is not None and known.exit_code != 1 else 1
            time.sleep(min(2.0, 0.2 * attempt))
    try:
        from api.bootstrap import setup_lock
        from api.commands import ensure_tables

        with setup_lock(settings):
            ensure_tables(services)
        head = services.app.recorder.max_notification_id() or 0
        tracking = services.projector.tracking()
        print(f"pengkom bootstrap: store {settings.describe_store()} ready after {time.monotonic() - started:.1f} s; "
              f"log position {head:,}; {len(tracking)} read models up to date; files in {services.files.location if services.files else '-'}",
              file=out)
        print(f"pengkom bootstrap: authentication: {mode}", file=out)
        print(f"pengkom bootstrap: chain heads signed with {signing}", file=out)
        if first_token is not None:
            return _first_token(services, first_token, out)
        return 0
    finally:
        services.close()


def _first_token(services: Any, spec: FirstToken, out: Any) -> int:
    import os
    import sys
    from pathlib import Path

    from core.errors import Invalid

    path = Path(spec.path)
    if path.exists() and path.stat().st_size:
        print(f"pengkom bootstrap: the first token was written before ({path}); kept. Delete the file to have a new one written.", file=out)
        return 0
    try:
        token = services.tokens.issue(subject=f"bootstrap:{spec.roles[0]}@{spec.agency or 'national'}", name=spec.name,
                                      roles=spec.roles, agency=spec.agency, ttl=spec.ttl)
    except RuntimeError:
        print("pengkom bootstrap: tokens come from your identity provider here, so no first token is written; "
              "give the first administrator a token with the claims sub, name, roles, agency (and iss/aud as configured).", file=out)
        return 0
    except Invalid as e:
        print(f"pengkom bootstrap: the first token cannot be issued: {e.message}", file=sys.stderr)
        return 2
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
    except OSError as e:
        print(f"pengkom bootstrap: the first token cannot be written to {path} ({e.strerror or e}); "
              "give a writable place in PENGKOM_BOOTSTRAP_TOKEN_FILE.", file=sys.stderr)
        return 2
    expires = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(time.time() + min(spec.ttl, 12 * 3600)))
    print(f"pengkom bootstrap: first token for roles {','.join(spec.roles)}"
          f"{' of agency ' + spec.agency if spec.agency else ''} written to {path} (mode 0600, valid until {expires}).", file=out)
    return 0
