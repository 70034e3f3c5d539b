"""The ``pengkom`` command: serve the API, print a token for the embedded store, maintain read models."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.settings import Settings
from core.access import ROLES


def _serve(args: argparse.Namespace) -> int:
    from api.preflight import check_store, load_settings

    settings = load_settings()
    if args.reuse_port:  # one of several API processes started by the supervising `pengkom serve --workers N`
        from api.app import create_app
        from api.workers import serve_one

        serve_one(create_app(settings=settings, serving=True), args.host, args.port, uvicorn_options(args))
        return 0
    check_store(settings)  # a store that cannot work is said here, before any process starts
    print(f"pengkom: serving on http://{args.host}:{args.port} with store {settings.describe_store()}"
          f"{f' in {args.workers} processes' if args.workers > 1 else ''}", file=sys.stderr)
    options = uvicorn_options(args)
    child = _projector_process(settings) if settings.projector == "process" else None
    try:
        return _run_uvicorn(args, settings, options)
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except Exception:
                child.kill()


def _projector_process(settings: Settings) -> Any:
    """Start ``pengkom follow`` beside the API processes: it applies the log to the read models, so
    the API processes spend their time on requests. It dies with this process (PR_SET_PDEATHSIG);
    if it dies first, an API process takes the lead after a grace period."""
    import os
    import subprocess

    from api.bootstrap import PROJECTOR_CHILD_ENV
    from api.workers import die_with_parent

    # SQLite has no NOTIFY: the projector process looks for new events every 20 ms (one cheap query).
    interval = "0.5" if settings.database_url else "0.02"
    child = subprocess.Popen([sys.executable, "-m", "api.cli", "follow", "--interval", interval], preexec_fn=die_with_parent)
    os.environ[PROJECTOR_CHILD_ENV] = str(child.pid)
    return child


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """How ``pengkom serve`` runs uvicorn: asyncio's own loop, also where uvloop happens to be installed (with it,
    one client's command took ~8 ms instead of ~2 ms on SQLite: README "Command benchmark"); httptools parses HTTP
    (a dependency), with Nagle's algorithm off on every connection (api/tcp.py: with several worker processes each
    answer otherwise came ~40 ms late)."""
    from api.tcp import PROTOCOL

    return {"host": args.host, "port": args.port, "log_level": "info", "access_log": not args.no_access_log, "loop": "asyncio",
            "http": PROTOCOL}


def _run_uvicorn(args: argparse.Namespace, settings: Settings, options: dict[str, Any]) -> int:
    import uvicorn

    from api import workers
    from api.app import create_app

    if args.workers > 1 and workers.available():
        # Each process accepts on its own socket (SO_REUSEPORT): the kernel spreads the connections (api/workers.py).
        return workers.supervise(args.host, args.port, args.workers, ["--no-access-log"] if args.no_access_log else [])
    if args.workers > 1:
        # Each worker process builds its own services; one of them (or `pengkom follow`) leads the projector.
        uvicorn.run("api.app:serving_app", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(settings=settings, serving=True), **options)
    return 0


def _token(args: argparse.Namespace) -> int:
    from api.auth import TokenService
    from api.preflight import StartupProblem, load_settings
    from core.errors import Invalid

    settings = load_settings()
    source = _token_key(settings)
    roles = [r for chunk in args.role for r in chunk.split(",") if r]
    try:
        token = TokenService(settings).issue(
            subject=args.sub or f"{roles[0]}@{args.agency or 'national'}", name=args.name or f"{roles[0]} {args.agency or ''}".strip(),
            roles=roles, agency=args.agency, unit=args.unit, nip=args.nip.replace(" ", "") if args.nip else None, ttl=args.ttl,
        )
    except Invalid as e:
        print(f"pengkom token: {e.message}", file=sys.stderr)
        return 2
    except OSError as e:
        raise StartupProblem(f"the signing key {source} cannot be read or written ({e.strerror or e}).",
                             "fix its permissions, or set PENGKOM_DATA_DIR to the server's data directory.") from None
    print(f"pengkom token: signed with {source}", file=sys.stderr)
    print(token)
    return 0


def _token_key(settings: Settings) -> str:
    """Which key ``pengkom token`` signs with — the one the server verifies with, found as the server
    finds it (api/settings.py: PENGKOM_DATA_DIR, default ./var). A key is never made silently where
    no server keeps its data: without PENGKOM_DATA_DIR, ./var must already be a pengkom data directory."""
    from api.preflight import CONFIG, StartupProblem

    if settings.jwks_url or settings.jwt_public_key_file:
        raise StartupProblem("this deployment verifies the tokens of an identity provider (PENGKOM_JWKS_URL or "
                             "PENGKOM_JWT_PUBLIC_KEY_FILE is set); pengkom cannot issue tokens it would accept.",
                             "ask the identity provider for a token.", CONFIG)
    if settings.jwt_secret:
        return "the shared secret PENGKOM_JWT_SECRET (PENGKOM_JWT_SECRET_FILE)"
    data = settings.data_dir
    key = (data / "signing.key").resolve()
    explicit = bool(os.environ.get("PENGKOM_DATA_DIR"))
    how = f"PENGKOM_DATA_DIR={os.environ['PENGKOM_DATA_DIR']}" if explicit else f"PENGKOM_DATA_DIR unset: ./var in {Path.cwd()}"
    if key.exists():
        return f"the key {key} ({how})"
    store_here = any((data / name).exists() for name in ("pengkom.events.sqlite", "pengkom.views.sqlite"))
    if not explicit and not store_here:
        raise StartupProblem(
            f"no signing key at {key} and no pengkom data directory there ({how}); a key made here would not be the "
            "server's, and the server would answer 401 \"Signature verification failed\".",
            "run `pengkom token` in the directory where `pengkom serve` runs, or set PENGKOM_DATA_DIR to the server's "
            "data directory (for a new deployment: start `pengkom serve` once, or set PENGKOM_DATA_DIR to create one).", CONFIG)
    return f"a new key {key} ({how}; created now — a server using this data directory verifies with it from its next start)"


def _follow(args: argparse.Namespace) -> int:
    """A projection worker: apply the log to the read models. One process per deployment leads (the
    others stand by); an API process leads when no worker does, so a worker is optional.

    With ``--health-port`` it answers on its own port (api/ops.py): liveness from whether the read
    models advance while it leads, the lag of each read model, and metrics.
    """
    import signal
    import time

    from api.bootstrap import build, settle_heap
    from api.ops import WorkerState, serve_worker_health

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # `docker stop` sends SIGTERM: leave like Ctrl-C, between transactions

    signal.signal(signal.SIGTERM, stop)
    state = WorkerState(stall_after=args.stall_after or max(30.0, 10 * args.interval))
    server = serve_worker_health(state, args.health_host, args.health_port) if args.health_port is not None else None
    if server is not None:
        print(f"pengkom follow: health on http://{args.health_host}:{server.server_port}/health (lag: /lag, /metrics)", file=sys.stderr)
    services = build()
    try:
        if args.once:
            n = services.projector.catch_up()
            print(f"pengkom follow: applied {n} events on {services.settings.describe_store()}", file=sys.stderr)
            return 0
        print(f"pengkom follow: applying new events as they are recorded on {services.settings.describe_store()} "
              "(standing by while another process leads)", file=sys.stderr)
        services.start_worker()
        settle_heap()
        follower = services.projector.follower
        if follower is not None:
            follower.poll = args.interval
        while True:
            status = services.store_ready(timeout=max(1.0, args.interval))
            state.observe(ok=status.ok, head=status.head, tracking=status.tracking, error=status.error,
                          leader=bool(follower is not None and follower.leader))
            time.sleep(min(1.0, args.interval))
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None:
            server.shutdown()
        services.close()


def _bootstrap(args: argparse.Namespace) -> int:
    from api.ops import FirstToken, bootstrap

    first = None
    if args.token_file:
        roles = [r for chunk in (args.token_role or ["hr"]) for r in chunk.split(",") if r]
        first = FirstToken(path=args.token_file, roles=roles, agency=args.token_agency or None,
                           name=args.token_name or "First administrator", ttl=args.token_ttl)
    return bootstrap(wait=args.wait, first_token=first)


def _probe(args: argparse.Namespace) -> int:
    from api.ops import probe

    return probe(args.url, args.timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pengkom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="API processes (PostgreSQL: they share the work; see README)")
    p.add_argument("--no-access-log", action="store_true", help="do not log every request (for benchmarks)")
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # one of the processes of --workers N
    p.set_defaults(func=_serve)

    p = sub.add_parser("token", help="print a bearer token signed with this data directory's key (embedded store)")
    p.add_argument("--role", action="append", required=True, help=f"one of {', '.join(ROLES)}; repeat or comma-separate for several")
    p.add_argument("--agency", help="the agency the caller acts for (required for agency roles)")
    p.add_argument("--unit")
    p.add_argument("--nip", help="the caller's NIP (required for the officer role; used for supervisor)")
    p.add_argument("--sub", help="subject id (default: role@agency)")
    p.add_argument("--name", help="display name")
    p.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds (at most 12 h)")
    p.set_defaults(func=_token)

    p = sub.add_parser("follow", help="projection worker: keep read models caught up with the log")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle (new events wake it at once)")
    p.add_argument("--once", action="store_true", help="catch up once and exit")
    p.add_argument("--health-port", type=int, help="serve the worker's /health, /lag and /metrics on this port")
    p.add_argument("--health-host", default="127.0.0.1", help="address of the health endpoint (default 127.0.0.1)")
    p.add_argument("--stall-after", type=float, help="seconds without progress before /health answers 503 (default max(30, 10 × interval))")
    p.set_defaults(func=_follow)

    env = os.environ.get
    p = sub.add_parser("bootstrap", help="first run / upgrade of a deployment: wait for the store, create tables, "
                       "rebuild changed read models, check the token configuration, write a first token")
    p.add_argument("--wait", type=float, default=float(env("PENGKOM_BOOTSTRAP_WAIT", "60")), help="seconds to wait for the store")
    p.add_argument("--token-file", default=env("PENGKOM_BOOTSTRAP_TOKEN_FILE"),
                   help="write a first token here on first run (mode 0600; an existing file is kept)")
    p.add_argument("--token-role", action="append", default=[r for r in [env("PENGKOM_BOOTSTRAP_ROLES")] if r],
                   help="roles of the first token (default hr)")
    p.add_argument("--token-agency", default=env("PENGKOM_BOOTSTRAP_AGENCY"), help="agency of the first token (agency roles)")
    p.add_argument("--token-name", default=env("PENGKOM_BOOTSTRAP_NAME"))
    p.add_argument("--token-ttl", type=int, default=int(env("PENGKOM_BOOTSTRAP_TTL", "3600")), help="seconds (at most 12 h)")
    p.set_defaults(func=_bootstrap)

    p = sub.add_parser("probe", help="exit 0 if a health URL answers 200 (container health checks)")
    p.add_argument("url")
    p.add_argument("--timeout", type=float, default=3.0)
    p.set_defaults(func=_probe)

    from api import backup, doctor, imports, maintenance

    doctor.add_commands(sub)
    maintenance.add_commands(sub)
    backup.add_commands(sub)
    imports.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["probe"]:
        # A container health check (every 10 s, 4 s allowed): answer without importing the application,
        # which takes seconds on a busy machine and made healthy replicas time out their checks.
        p = argparse.ArgumentParser(prog="pengkom probe")
        p.add_argument("url")
        p.add_argument("--timeout", type=float, default=3.0)
        return _probe(p.parse_args(argv[1:]))
    from api.preflight import StartupProblem, explain, load_settings

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except StartupProblem as problem:
        print(problem.render(args.command), file=sys.stderr)
        return problem.exit_code
    except Exception as e:
        try:
            settings = load_settings()
        except StartupProblem as config:  # the command failed on its configuration: say so
            print(config.render(args.command), file=sys.stderr)
            return config.exit_code
        known = explain(settings, e)
        if known is None:
            raise
        print(known.render(args.command), file=sys.stderr)
        return known.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
