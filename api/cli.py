"""The ``pengkom`` command: serve the API, print a token for the embedded store, maintain read models."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.settings import Settings
from core.access import ROLES


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = Settings.from_env()
    print(f"pengkom: serving on http://{args.host}:{args.port} with store {settings.describe_store()}", file=sys.stderr)
    uvicorn.run(create_app(settings=settings), host=args.host, port=args.port, log_level="info", workers=1)
    return 0


def _token(args: argparse.Namespace) -> int:
    from api.auth import TokenService
    from core.errors import Invalid

    settings = Settings.from_env()
    roles = [r for chunk in args.role for r in chunk.split(",") if r]
    try:
        token = TokenService(settings).issue(
            subject=args.sub or f"{roles[0]}@{args.agency or 'national'}", name=args.name or f"{roles[0]} {args.agency or ''}".strip(),
            roles=roles, agency=args.agency, unit=args.unit, nip=args.nip.replace(" ", "") if args.nip else None, ttl=args.ttl,
        )
    except Invalid as e:
        print(f"pengkom token: {e.message}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _follow(args: argparse.Namespace) -> int:
    """A projection worker: keep the read models caught up with the log (for deployments where API
    processes should not be the only ones applying events, e.g. after bulk imports)."""
    import time

    from api.bootstrap import build

    services = build()
    print(f"pengkom follow: applying new events every {args.interval}s on {services.settings.describe_store()}", file=sys.stderr)
    try:
        while True:
            n = services.projector.catch_up()
            if n:
                print(f"applied {n} events", file=sys.stderr)
            if args.once:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        services.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pengkom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
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
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    p.add_argument("--once", action="store_true", help="catch up once and exit")
    p.set_defaults(func=_follow)

    from api import maintenance

    maintenance.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
