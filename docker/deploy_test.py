"""The deployment test (``make deploy-test``): start the real compose stack and break it.

Builds the images (BASE_IMAGE: default a Debian bookworm base made here by docker/base-image.sh with
debootstrap; e.g. BASE_IMAGE=python:3.11-slim where a registry is reachable), starts PostgreSQL, the
bootstrap, two API replicas and the projection worker with host networking on free ports, waits for
health, then through both replicas: reads the first token, registers officers, checks that the worker
(not a replica) applies the log and that both replicas publish the one chain-signing key and hand out
the same signed head, uploads a certificate through one replica and reads it through the other, kills
one replica and the worker with SIGKILL under load (Docker's restart policy brings them back), checks
that nothing acknowledged was lost, that the worker leads again, that the read models equal a rebuild
(``pengkom verify``) and that the chain is intact and still holds a head kept before the crash, backs
up and restores into a fresh schema, upgrades to an image with a changed projection one replica at a
time while measuring how long reads are unavailable, and tears everything down. Each step prints what it did with its figures. Exit 0 when every check passed.

Needs a running Docker engine and docker compose (v2) or docker-compose (v1); root for debootstrap.
KEEP=1 leaves the stack running for inspection.

Why this file is longer than ~500 lines: it is one story of steps run in order, each using what the previous
step started; it is a script, read from top to bottom, not a library.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
T0 = time.monotonic()
CHECKS: list[tuple[str, bool, str]] = []


class Failed(Exception):
    pass


def say(step: str, text: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {step:<10} {text}", flush=True)


def check(name: str, ok: bool, detail: str = "") -> None:
    CHECKS.append((name, ok, detail))
    say("check", f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
    if not ok:
        raise Failed(f"{name}: {detail}")


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [int(s.getsockname()[1]) for s in socks]
    for s in socks:
        s.close()
    return ports


def run(cmd: list[str], *, env: dict[str, str] | None = None, check_rc: bool = True, capture: bool = True,
        timeout: float = 1800, input: str | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, env=env, text=True, capture_output=capture, timeout=timeout, input=input)
    if check_rc and r.returncode != 0:
        raise Failed(f"{' '.join(cmd)} exited {r.returncode}:\n{(r.stdout or '')[-3000:]}\n{(r.stderr or '')[-3000:]}")
    return r


# -- HTTP ---------------------------------------------------------------------------------------------------


class Http:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def call(method: str, url: str, token: str | None = None, *, body: Any = None, data: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 15) -> Http:
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Http(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Http(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def multipart(fields: dict[str, str], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    name, ctype, content = file
    out += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n").encode() + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def nip(i: int) -> str:
    """A valid 18-digit PNS NIP, different for every i < 36,500 (birth date, TMT, sex, serial)."""
    born = date(1980, 1, 1) + timedelta(days=i % 3650)
    serial = 1 + i // 3650
    return f"{born:%Y%m%d}201501{1 + i % 2}{serial:03d}"


def officer(i: int, agency: str) -> dict[str, Any]:
    n = nip(i)
    return {"nip": n, "name": f"Pegawai {i}", "birth_place": "Jakarta", "birth_date": f"{n[0:4]}-{n[4:6]}-{n[6:8]}",
            "sex": "L" if n[14] == "1" else "P", "employee_type": "PNS", "position": "Pengantar Kerja Ahli Pertama",
            "level": "ahli_pertama", "golongan": "III/a", "agency": agency, "unit": "Bidang Penempatan",
            "supervisor_nip": "197503032000011003", "supervisor_name": "Budi Santoso"}


def jwt_in(output: str) -> str:
    """The token in a command's output (docker-compose v1 `exec -T` / `run -T` mix the command's
    notes on stderr, and its own, into stdout): the last word shaped like a JWT."""
    jwts = [w for w in output.split() if w.count(".") == 2 and len(w) > 40]
    return jwts[-1] if jwts else output.strip()


def wait(what: str, ok: Callable[[], Any], timeout: float, every: float = 0.25) -> tuple[Any, float]:
    started = time.monotonic()
    last: Any = None
    while time.monotonic() - started < timeout:
        try:
            last = ok()
            if last:
                return last, time.monotonic() - started
        except (OSError, urllib.error.URLError, ValueError) as e:
            last = e
        time.sleep(every)
    raise Failed(f"{what} did not happen within {timeout:.0f} s (last: {last!r})")


# -- the stack ------------------------------------------------------------------------------------------------


class Stack:
    def __init__(self, project: str, env: dict[str, str]) -> None:
        self.project = project
        self.env = env
        if run(["docker", "compose", "version"], check_rc=False).returncode == 0:
            self.base = ["docker", "compose"]
        elif shutil.which("docker-compose"):
            self.base = ["docker-compose"]
        else:
            raise Failed("neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)")
        self.ports = {k: int(env[k]) for k in ("PENGKOM_DB_PORT", "PENGKOM_API1_PORT", "PENGKOM_API2_PORT", "PENGKOM_WORKER_PORT")}
        self.api = [f"http://127.0.0.1:{self.ports['PENGKOM_API1_PORT']}", f"http://127.0.0.1:{self.ports['PENGKOM_API2_PORT']}"]
        self.worker = f"http://127.0.0.1:{self.ports['PENGKOM_WORKER_PORT']}"
        self.key_id = ""  # the chain-signing key the bootstrap named

    def compose(self, *args: str, extra_env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
        return run([*self.base, "-p", self.project, "-f", str(COMPOSE_FILE), *args], env={**self.env, **(extra_env or {})}, **kw)

    def container(self, service: str) -> str:
        return self.compose("ps", "-q", service).stdout.strip()

    def inspect(self, service: str, fmt: str) -> str:
        return run(["docker", "inspect", "-f", fmt, self.container(service)]).stdout.strip()

    def healthy(self, service: str) -> bool:
        return self.inspect(service, "{{.State.Health.Status}}") == "healthy"

    def pid(self, service: str) -> int:
        return int(self.inspect(service, "{{.State.Pid}}"))

    def logs(self, *services: str, tail: int = 40) -> str:
        return self.compose("logs", "--no-color", "--tail", str(tail), *services, check_rc=False).stdout


# -- load with acknowledgements ------------------------------------------------------------------------------------


class Load:
    """Threads registering officers through both replicas; a request that fails (a replica killed
    mid-request) is retried on the other replica with the same Idempotency-Key and body."""

    def __init__(self, stack: Stack, token: str, start: int, threads: int = 4) -> None:
        self.stack, self.token, self.next = stack, token, start
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.acked: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.retries = 0
        self.replayed = 0
        self.stale_claims = 0
        self.latencies: list[float] = []
        self.threads = [threading.Thread(target=self.work, args=(k,), daemon=True) for k in range(threads)]

    def take(self) -> int:
        with self.lock:
            self.next += 1
            return self.next

    def work(self, k: int) -> None:
        replica = k % 2
        while not self.stop.is_set():
            i = self.take()
            body = officer(i, "kemnaker")
            key = f"load-{i}-{uuid.uuid4().hex[:12]}"
            t = time.monotonic()
            for attempt in range(40):
                target = (replica + attempt) % 2
                try:
                    r = call("POST", f"{self.stack.api[target]}/officers/", self.token, body=body, headers={"Idempotency-Key": key},
                             timeout=10)
                except (OSError, urllib.error.URLError):
                    r = None
                if r is not None and r.status in (200, 201):
                    doc = r.json()
                    with self.lock:
                        self.acked.append({"nip": body["nip"], "id": doc["id"], "version": doc["version"],
                                           "positions": [e["position"] for e in doc["events"]], "replica": target + 1})
                        self.latencies.append(time.monotonic() - t)
                        self.replayed += r.headers.get("idempotent-replayed") == "true"
                    break
                if r is not None and r.status == 409 and b"still being processed" in r.body:
                    # The replica holding the claim died mid-request; its claim is never completed.
                    with self.lock:
                        self.stale_claims += 1
                    key = f"load-{i}-{uuid.uuid4().hex[:12]}"  # ask again under a new key: the NIP settles it
                elif r is not None and r.status == 409:
                    # Registered by the attempt that lost its answer: acknowledged now, by the record itself.
                    got = call("GET", f"{self.stack.api[target]}/officers/?q={body['nip']}", self.token)
                    items = got.json().get("items", []) if got.status == 200 else []
                    if items:
                        with self.lock:
                            self.acked.append({"nip": body["nip"], "id": items[0]["id"], "version": 1, "positions": [],
                                               "replica": target + 1, "found_after_conflict": True})
                        break
                elif r is not None and r.status < 500 and r.status != 404:
                    with self.lock:
                        self.errors.append(f"{r.status} {r.body[:200]!r}")
                    break
                with self.lock:
                    self.retries += 1
                time.sleep(0.1 * min(attempt + 1, 5))
            else:
                with self.lock:
                    self.errors.append(f"officer {i} never acknowledged after 40 attempts")
            replica = 1 - replica

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


# -- the test -------------------------------------------------------------------------------------------------


def build_images(stack: Stack, base: str) -> None:
    t = time.monotonic()
    stack.compose("build", "db", "bootstrap", timeout=3600)
    size = run(["docker", "image", "inspect", "-f", "{{.Size}}", stack.env["PENGKOM_IMAGE"]]).stdout.strip()
    pg = run(["docker", "image", "inspect", "-f", "{{.Size}}", stack.env["PENGKOM_PG_IMAGE"]]).stdout.strip()
    say("build", f"images {stack.env['PENGKOM_IMAGE']} ({int(size) / 1e6:,.0f} MB) and {stack.env['PENGKOM_PG_IMAGE']} "
                 f"({int(pg) / 1e6:,.0f} MB) on base {base} in {time.monotonic() - t:,.1f} s")


def start(stack: Stack) -> str:
    t = time.monotonic()
    stack.compose("up", "-d", "--no-build", "db")
    _, took = wait("PostgreSQL healthy", lambda: stack.healthy("db"), 120)
    say("start", f"PostgreSQL healthy on 127.0.0.1:{stack.ports['PENGKOM_DB_PORT']} after {took:.1f} s")
    stack.compose("up", "-d", "--no-build")
    _, took = wait("bootstrap finished", lambda: stack.inspect("bootstrap", "{{.State.Status}}") == "exited", 180)
    rc = stack.inspect("bootstrap", "{{.State.ExitCode}}")
    for line in stack.logs("bootstrap").splitlines():
        if "pengkom bootstrap:" in line:
            say("bootstrap", line.split("|", 1)[-1].strip())
            if "chain heads signed with Ed25519 key " in line:
                stack.key_id = line.split("chain heads signed with Ed25519 key ", 1)[1].split()[0]
    check("bootstrap exits 0", rc == "0", f"exit code {rc}")
    for service in ("api1", "api2", "worker"):
        _, took = wait(f"{service} healthy", lambda: stack.healthy(service), 180, every=0.5)  # noqa: B023 - called at once
        say("start", f"{service} healthy (Docker health check) {took:.1f} s after the bootstrap")
    say("start", f"whole stack up and healthy in {time.monotonic() - t:.1f} s")
    r = stack.compose("run", "--rm", "--no-deps", "-T", "bootstrap", "cat", "/data/first-token")
    token = jwt_in(r.stdout)
    check("first token from the bootstrap", token.count(".") == 2,
          "read once from the state volume" if token.count(".") == 2 else f"got {r.stdout[-300:]!r} {r.stderr[-300:]!r}")
    return token


def health_checks(stack: Stack, token: str) -> None:
    for i, base in enumerate(stack.api, 1):
        ready = call("GET", f"{base}/ready")
        me = call("GET", f"{base}/me", token)
        check(f"api{i} /ready and the first token", ready.status == 200 and me.status == 200 and "hr" in me.json()["roles"],
              f"/ready {ready.status} {ready.json().get('status')}, /me {me.status} {me.json().get('roles')}")
    h = call("GET", f"{stack.worker}/health")
    lag = call("GET", f"{stack.worker}/lag").json()
    check("worker /health on its own port", h.status == 200 and h.json()["status"] == "ok",
          f"{h.json()['status']}, cycles {h.json()['cycles']}, max lag {lag['max_lag']}")


def register_through_both(stack: Stack, tokens: dict[str, str], n: int) -> list[dict[str, Any]]:
    made = []
    t = time.monotonic()
    lat = []
    for i in range(n):
        agency = "kemnaker" if i % 2 == 0 else "disnaker-jabar"
        s = time.monotonic()
        r = call("POST", f"{stack.api[i % 2]}/officers/", tokens[agency], body=officer(i, agency))
        lat.append(time.monotonic() - s)
        if r.status != 201:
            raise Failed(f"registering officer {i} through api{i % 2 + 1}: {r.status} {r.body[:300]!r}")
        made.append({"id": r.json()["id"], "agency": agency, "via": i % 2})
    took = time.monotonic() - t
    lat.sort()
    say("officers", f"{n} registered alternately through api1 and api2 in {took:.1f} s ({n / took:.1f}/s; "
                    f"median {lat[n // 2] * 1000:.0f} ms, p95 {lat[int(n * 0.95)] * 1000:.0f} ms)")
    # Each read through the replica that did not record it.
    misses = [o for o in made if call("GET", f"{stack.api[1 - o['via']]}/officers/{o['id']}", tokens[o["agency"]]).status != 200]
    check("every officer readable through the other replica at once", not misses, f"{n - len(misses)}/{n}")
    return made


def one_signing_key(stack: Stack, token: str, bootstrap_key: str) -> None:
    """Both replicas sign with the one key of docker/secrets.sh: the same public key, and for the same
    head the same Ed25519 signature, which verifies against that key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    keys = [call("GET", f"{base}/chain/public-key").json() for base in stack.api]
    heads = [call("GET", f"{base}/chain/head", token) for base in stack.api]
    docs = [h.json() for h in heads]
    public = load_pem_public_key(keys[0]["public_key_pem"].encode())
    signature = docs[0].get("signature", "")
    ok = False
    if isinstance(public, Ed25519PublicKey):
        try:
            public.verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
                          f"pengkom-chain-head:v1:{docs[0]['position']}:{docs[0]['digest']}".encode())
            ok = True
        except Exception:
            ok = False
    check("both replicas publish the one chain-signing key of the secret file",
          keys[0] == keys[1] and keys[0]["key_id"] == bootstrap_key, f"key {keys[0]['key_id']} on api1 and api2"
          f"{'' if keys[0] == keys[1] else ' ≠ ' + keys[1]['key_id']}; the bootstrap named {bootstrap_key or '-'}")
    same = all(h.status == 200 for h in heads) and heads[0].headers.get("x-pengkom-chain-head") == heads[1].headers.get("x-pengkom-chain-head")
    check("both replicas hand out the same signed chain head", same and ok,
          f"head {docs[0].get('position')}: signature {signature[:16]}… from api1 = {docs[1].get('signature', '')[:16]}… from api2, "
          f"{'verified' if ok else 'NOT verified'} with the public key")


def worker_leads(stack: Stack, label: str) -> None:
    """The worker applies the log; the replicas (PENGKOM_PROJECTOR=standby) do not compete with it."""
    doc, took = wait("the worker leads", lambda: (lambda d: d if d.get("leader") else None)(call("GET", f"{stack.worker}/health").json()),
                     60, every=0.2)
    check(f"the worker leads the projection ({label})", bool(doc.get("leader")),
          f"worker /health {doc['status']}, leader {doc['leader']} (after {took:.1f} s); the replicas stand by")


def certificate_across_replicas(stack: Stack, tokens: dict[str, str], officer_id: str) -> str:
    hr, head = tokens["kemnaker"], tokens["head"]
    today = date.today()
    start_day = (today.replace(day=1) - timedelta(days=40)).replace(day=3)
    end_day = start_day + timedelta(days=1)
    act = call("POST", f"{stack.api[0]}/activities/", hr, body={
        "pathway": "seminar", "title": "Seminar Penempatan", "method": "klasikal", "provider_kind": "own_unit",
        "provider_name": "Pusdiklat", "accreditation_ref": "AKR-1", "place": "Jakarta", "start": start_day.isoformat(),
        "end": end_day.isoformat(), "planned_jp": 8})
    if act.status != 201:
        raise Failed(f"creating the activity: {act.status} {act.body[:300]!r}")
    aid = act.json()["id"]
    on = (today - timedelta(days=400)).isoformat()
    steps = [("provider-approval", {"approved_on": on, "approver_name": "Kepala Badan"}, head),
             ("proposal-letter", {"number": "800/PROP/01", "letter_date": on}, hr),
             ("participants", {"officer_id": officer_id, "urgency_rank": 1}, hr),
             ("assignment-letters", {"officer_id": officer_id, "number": "800/ST/001", "letter_date": on,
                                     "signer_name": "Dr. Kepala", "signer_position": "Kepala Badan"}, hr)]
    for path, body, who in steps:
        r = call("POST", f"{stack.api[1]}/activities/{aid}/{path}", who, body=body)
        if r.status not in (200, 201):
            raise Failed(f"activity step {path}: {r.status} {r.body[:300]!r}")
    content = b"%PDF-1.7\n" + random.Random(13).randbytes(1_500_000)
    data, ctype = multipart({"officer_id": officer_id, "number": "SERT-001", "issuer": "Pusdiklat", "issued_on": end_day.isoformat(),
                             "kind": "sertifikat"}, ("sertifikat.pdf", "application/pdf", content))
    t = time.monotonic()
    up = call("POST", f"{stack.api[0]}/activities/{aid}/certificates", hr, data=data, headers={"Content-Type": ctype}, timeout=60)
    up_s = time.monotonic() - t
    if up.status != 201:
        raise Failed(f"upload: {up.status} {up.body[:300]!r}")
    sha = up.json()["sha256"]
    t = time.monotonic()
    got = call("GET", f"{stack.api[1]}/activities/{aid}/files/{sha}", hr, timeout=60)
    down_s = time.monotonic() - t
    say("file", f"certificate of {len(content):,} bytes uploaded through api1 in {up_s * 1000:.0f} ms, "
                f"read through api2 in {down_s * 1000:.0f} ms")
    check("certificate uploaded through api1 is served by api2", got.status == 200 and hashlib.sha256(got.body).hexdigest() == sha,
          f"HTTP {got.status}, sha256 {hashlib.sha256(got.body).hexdigest()[:16]}… = {sha[:16]}…")
    return sha


def crash_under_load(stack: Stack, token: str, before: int) -> Load:
    load = Load(stack, token, start=before + 1000)
    load.start()
    time.sleep(4)
    at_kill = len(load.acked)
    pids = {s: stack.pid(s) for s in ("api1", "worker")}
    restarts = {s: int(stack.inspect(s, "{{.RestartCount}}")) for s in pids}
    for pid in pids.values():
        os.kill(pid, 9)
    killed = time.monotonic()
    say("crash", f"SIGKILL to api1 (pid {pids['api1']}) and the worker (pid {pids['worker']}) with {len(load.acked)} registrations "
                 f"acknowledged so far, {len(load.threads)} clients still sending")
    for s in pids:
        def restarted(s: str = s) -> bool:
            return int(stack.inspect(s, "{{.RestartCount}}")) > restarts[s]

        wait(f"{s} restarted", restarted, 60, every=0.2)
        say("crash", f"{s} restarted by Docker's restart policy {time.monotonic() - killed:.1f} s after the kill")
    wait("api1 ready again", lambda: call("GET", f"{stack.api[0]}/ready", timeout=2).status == 200, 120, every=0.1)
    say("crash", f"api1 answering /ready again {time.monotonic() - killed:.1f} s after the kill")
    wait("worker alive again", lambda: call("GET", f"{stack.worker}/health", timeout=2).json()["cycles"] > 0, 120, every=0.1)
    say("crash", f"worker answering /health after its first catch-up {time.monotonic() - killed:.1f} s after the kill")
    wait("api1 and worker healthy to Docker", lambda: stack.healthy("api1") and stack.healthy("worker"), 120, every=0.5)
    say("crash", f"Docker's health checks (every 10 s) report both healthy {time.monotonic() - killed:.1f} s after the kill")
    time.sleep(3)
    load.finish()
    lat = sorted(load.latencies)
    say("load", f"{len(load.acked)} registrations acknowledged ({len(load.acked) - at_kill} after the kill), {load.retries} retries on "
                f"the other replica, {load.replayed} idempotent replays, {load.stale_claims} stale idempotency claims, "
                f"{len(load.errors)} errors; median {lat[len(lat) // 2] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
    check("no client error under the crash", not load.errors, "; ".join(load.errors[:3]))
    return load


def nothing_lost(stack: Stack, token: str, load: Load, earlier: list[dict[str, Any]]) -> None:
    lost = []
    for a in load.acked:
        r = call("GET", f"{stack.api[1]}/officers/{a['id']}/events", token)
        versions = {e.get("version") for e in r.json().get("events", [])} if r.status == 200 else set()
        if r.status != 200 or a["version"] not in versions:
            lost.append(a["nip"])
    check("every acknowledged registration is in the log", not lost, f"{len(load.acked) - len(lost)}/{len(load.acked)} found")
    nips = [a["nip"] for a in load.acked]
    check("no registration recorded twice", len(nips) == len(set(nips)), f"{len(set(nips))} distinct NIPs")
    _, took = wait("worker lag 0", lambda: call("GET", f"{stack.worker}/lag").json()["max_lag"] == 0, 120)
    lag = call("GET", f"{stack.worker}/lag").json()
    say("worker", f"read models caught up: log position {lag['log_position']:,}, max lag 0 ({took:.1f} s after the load)")
    r = call("GET", f"{stack.api[0]}/officers/?limit=1", token)
    total = r.json()["total"] if r.status == 200 else -1
    check("the officer directory holds exactly the officers registered", total == len(earlier) + len(load.acked),
          f"{total} = {len(earlier)} before the load + {len(load.acked)} acknowledged under it")


def verify(stack: Stack, kept_head: str, label: str, image: str | None = None) -> None:
    extra = {"PENGKOM_IMAGE": image} if image else None
    t = time.monotonic()
    r = stack.compose("run", "--rm", "--no-deps", "-T", "bootstrap", "pengkom", "verify", check_rc=False, extra_env=extra)
    last = [ln for ln in r.stdout.splitlines() if ln.strip()][-1:] or [r.stderr[-300:]]
    check(f"pengkom verify ({label})", r.returncode == 0 and "identical" in r.stdout,
          f"{last[0]} [{time.monotonic() - t:.1f} s]{' ' + r.stderr[-800:] if r.returncode else ''}")
    t = time.monotonic()
    r = stack.compose("run", "--rm", "--no-deps", "-T", "bootstrap", "pengkom", "verify", "--chain", "--expect", kept_head,
                      check_rc=False, extra_env=extra)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    check(f"pengkom verify --chain --expect <head kept before> ({label})", r.returncode == 0 and "chain intact" in r.stdout,
          f"{lines[0] if lines else r.stderr[-300:]} [{time.monotonic() - t:.1f} s]")


def backup_restore(stack: Stack) -> None:
    t = time.monotonic()
    r = stack.compose("run", "--rm", "--no-deps", "-T", "bootstrap", "pengkom", "backup", "/data/backup.zip")
    for line in r.stdout.splitlines():
        if "wrote" in line or "events:" in line or "files:" in line:
            say("backup", line.strip())
    r = stack.compose("run", "--rm", "--no-deps", "-T", "-e", "PENGKOM_PG_SCHEMA=restored", "bootstrap", "pengkom", "restore",
                      "/data/backup.zip", check_rc=False)
    for line in r.stdout.splitlines():
        say("restore", line.strip())
    check("restore into a fresh schema, then verified", r.returncode == 0 and "done and verified" in r.stdout,
          f"exit {r.returncode} [{time.monotonic() - t:.1f} s for backup and restore]{' ' + r.stderr[-1500:] if r.returncode else ''}")


def upgrade(stack: Stack, token: str, env: dict[str, str]) -> None:
    """A new version whose officer directory changed: bootstrap rebuilds it, then the replicas are
    replaced one at a time. A reader polls both replicas every 50 ms meanwhile."""
    ctx = Path(tempfile.mkdtemp(prefix="pengkom-v2-"))
    try:
        files = run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"]).stdout.split()
        for f in files:
            src = ROOT / f
            if src.is_file():
                (ctx / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, ctx / f)
        officers = ctx / "projections" / "officers.py"
        text = officers.read_text()
        marker = "class OfficerDirectory(Projection):"
        head, sep, rest = text.partition(marker)
        line = next(ln for ln in rest.splitlines() if ln.strip().startswith("version = "))
        old = int(line.split("=")[1].split("#")[0])
        officers.write_text(head + sep + rest.replace(line, line.replace(f"version = {old}", f"version = {old + 1}"), 1))
        t = time.monotonic()
        run(["docker", "build", "--network", "host", "-q", "-f", str(ctx / "docker" / "Dockerfile"), "-t", "pengkom:deploytest-v2",
             "--build-arg", f"BASE_IMAGE={env['BASE_IMAGE']}", "--build-arg", f"EXTRA_CA_CERTS={env.get('EXTRA_CA_CERTS', '')}", str(ctx)])
        say("upgrade", f"image pengkom:deploytest-v2 (officer directory version {old} -> {old + 1}) built in {time.monotonic() - t:.1f} s")
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    rounds: list[tuple[float, int, int]] = []  # (time, api1 status, api2 status); 0 = no answer
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            statuses = []
            for base in stack.api:
                try:
                    statuses.append(call("GET", f"{base}/officers/?limit=5", token, timeout=5).status)
                except (OSError, urllib.error.URLError):
                    statuses.append(0)
            rounds.append((time.monotonic(), statuses[0], statuses[1]))
            time.sleep(0.05)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(1)
    v2 = {"PENGKOM_IMAGE": "pengkom:deploytest-v2"}
    phases: list[tuple[str, float, float]] = []
    t = time.monotonic()
    r = stack.compose("run", "--rm", "--no-deps", "-T", "bootstrap", extra_env=v2)
    phases.append(("bootstrap v2 (rebuilds the officer directory)", t, time.monotonic()))
    say("upgrade", f"bootstrap of v2 took {time.monotonic() - t:.1f} s: "
                   + " ".join(ln.split("pengkom bootstrap: ", 1)[-1].strip() for ln in r.stdout.splitlines() if "ready after" in ln))
    for service in ("api1", "api2", "worker"):
        t = time.monotonic()
        stack.compose("up", "-d", "--no-deps", "--no-build", service, extra_env=v2)
        wait(f"{service} v2 healthy", lambda: stack.healthy(service), 180, every=0.3)  # noqa: B023 - called at once
        phases.append((f"{service} replaced by v2", t, time.monotonic()))
        say("upgrade", f"{service} replaced by v2 and healthy in {time.monotonic() - t:.1f} s")
    time.sleep(1)
    stop.set()
    thread.join(timeout=10)
    image = stack.inspect("api1", "{{.Config.Image}}")
    check("every service runs v2", image == "pengkom:deploytest-v2" and stack.inspect("worker", "{{.Config.Image}}") == image, image)
    gap = (rounds[-1][0] - rounds[0][0]) / max(len(rounds) - 1, 1)
    say("upgrade", f"reads of /officers/ polled on both replicas every {gap * 1000:.0f} ms ({len(rounds)} rounds); per phase:")
    outage_outside_rebuild = 0
    for name, a, b in phases:
        inside = [x for x in rounds if a <= x[0] <= b]
        parts = []
        for i in (1, 2):
            codes: dict[int, int] = {}
            longest = cur = 0
            for x in inside:
                status = int(x[i])
                if status != 200:
                    codes[status] = codes.get(status, 0) + 1
                    cur += 1
                    longest = max(longest, cur)
                else:
                    cur = 0
            parts.append(f"api{i} " + (", ".join(f"{n}×{c or 'no answer'}" for c, n in sorted(codes.items()))
                                       + f" (longest ≈{longest * gap * 1000:.0f} ms)" if codes else "always 200"))
        both = sum(1 for x in inside if x[1] != 200 and x[2] != 200)
        if not name.startswith("bootstrap"):
            outage_outside_rebuild += both
        say("upgrade", f"  {name} [{b - a:.1f} s, {len(inside)} rounds]: {'; '.join(parts)}; neither replica served in {both} rounds "
                       f"(≈{both * gap * 1000:.0f} ms)")
    check("replacing the replicas one at a time never left reads unserved", outage_outside_rebuild == 0,
          f"{outage_outside_rebuild} rounds without any replica answering 200 outside the rebuild")


def main() -> int:
    if run(["docker", "info"], check_rc=False).returncode != 0:
        print("deploy-test: no Docker engine answers. Install and start it first (README, Deployment): "
              "apt-get install docker.io docker-compose debootstrap; dockerd &", file=sys.stderr)
        return 2
    base = os.environ.get("BASE_IMAGE") or "pengkom-base:bookworm"
    if not os.environ.get("BASE_IMAGE"):
        t = time.monotonic()
        r = run([str(ROOT / "docker" / "base-image.sh"), base])
        say("base", f"{r.stdout.strip()} [{time.monotonic() - t:.1f} s]")
    project = f"pengkomtest{os.getpid()}"
    secrets_dir = Path(tempfile.mkdtemp(prefix="pengkom-secrets-"))
    run([str(ROOT / "docker" / "secrets.sh"), str(secrets_dir)])
    ports = free_ports(4)
    cas = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt")) if not os.environ.get("EXTRA_CA_CERTS") else []
    env = {**os.environ, "BASE_IMAGE": base, "PG_BASE_IMAGE": os.environ.get("PG_BASE_IMAGE", base),
           "PENGKOM_IMAGE": "pengkom:deploytest", "PENGKOM_PG_IMAGE": "pengkom-postgres:deploytest",
           "PENGKOM_SECRETS_DIR": str(secrets_dir), "PENGKOM_DB_PORT": str(ports[0]), "PENGKOM_API1_PORT": str(ports[1]),
           "PENGKOM_API2_PORT": str(ports[2]), "PENGKOM_WORKER_PORT": str(ports[3]), "COMPOSE_INTERACTIVE_NO_CLI": "1"}
    if cas:  # a TLS-intercepting proxy this host trusts must be trusted by pip inside the build too
        env["EXTRA_CA_CERTS"] = "\n".join(p.read_text().strip() for p in cas)
    stack = Stack(project, env)
    say("plan", f"project {project}; ports db {ports[0]}, api1 {ports[1]}, api2 {ports[2]}, worker {ports[3]} (host networking); "
                f"compose: {' '.join(stack.base)}; machine load {os.getloadavg()[0]:.2f}")
    ok = False
    try:
        build_images(stack, base)
        first = start(stack)
        health_checks(stack, first)
        tokens = {"kemnaker": first}
        for agency in ("disnaker-jabar",):
            tokens[agency] = jwt_in(stack.compose("exec", "-T", "api1", "pengkom", "token", "--role", "hr", "--agency", agency).stdout)
        tokens["head"] = jwt_in(stack.compose("exec", "-T", "api2", "pengkom", "token", "--role", "head", "--agency", "kemnaker").stdout)
        tokens["auditor"] = jwt_in(stack.compose("exec", "-T", "api2", "pengkom", "token", "--role", "auditor").stdout)
        say("tokens", "more tokens issued inside the replicas with `pengkom token` (the shared secret comes from the secret file)")
        made = register_through_both(stack, tokens, 40)
        worker_leads(stack, "after the start")
        one_signing_key(stack, tokens["auditor"], stack.key_id)
        certificate_across_replicas(stack, tokens, next(o["id"] for o in made if o["agency"] == "kemnaker"))
        kept = call("GET", f"{stack.api[0]}/officers/{made[0]['id']}", tokens["kemnaker"]).headers.get("x-pengkom-chain-head", "")
        say("chain", f"kept the chain head a response carried before the crash: {kept}")
        load = crash_under_load(stack, tokens["kemnaker"], len(made))
        nothing_lost(stack, tokens["auditor"], load, made)
        worker_leads(stack, "after its restart: a replica that led meanwhile handed the lead back")
        verify(stack, kept, "after the crash")
        backup_restore(stack)
        upgrade(stack, tokens["kemnaker"], env)
        verify(stack, kept, "after the upgrade", image="pengkom:deploytest-v2")
        ok = True
    except Failed as e:
        print(f"\ndeploy-test FAILED: {e}\n--- last logs ---\n{stack.logs(tail=30)}", file=sys.stderr)
    finally:
        if os.environ.get("KEEP"):
            say("teardown", f"KEEP=1: stack {project} left running (docker compose -p {project} -f {COMPOSE_FILE} down -v)")
        else:
            t = time.monotonic()
            stack.compose("down", "-v", "--remove-orphans", check_rc=False)
            run(["docker", "image", "rm", "-f", "pengkom:deploytest-v2"], check_rc=False)
            shutil.rmtree(secrets_dir, ignore_errors=True)
            left = stack.compose("ps", "-q", check_rc=False).stdout.strip()
            say("teardown", f"containers and volumes removed in {time.monotonic() - t:.1f} s{' (some remain!)' if left else ''}")
    passed = sum(1 for _, good, _ in CHECKS if good)
    print(f"\ndeploy-test: {'PASSED' if ok else 'FAILED'} — {passed}/{len(CHECKS)} checks passed in {time.monotonic() - T0:.1f} s "
          f"(load {os.getloadavg()[0]:.2f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
