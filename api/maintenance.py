"""Read-model maintenance commands: ``pengkom replay`` (and, later, ``pengkom verify``)."""
from __future__ import annotations

import argparse
import sys
from typing import Any


def _replay(args: argparse.Namespace) -> int:
    from api.bootstrap import build
    from core.errors import Invalid

    services = build()
    try:
        try:
            names = services.projector.reset(args.projection or None)
        except Invalid as e:
            print(f"pengkom replay: {e.message}", file=sys.stderr)
            return 2

        def progress(p: Any) -> None:
            rate = p.events / p.seconds if p.seconds else 0.0
            print(f"\r  {p.position}/{p.last} events, {rate:,.0f} events/s", end="", file=sys.stderr)

        n = services.projector.catch_up(only=names, on_progress=progress)
        print(f"\nrebuilt {', '.join(names)} from {n} events", file=sys.stderr)
        return 0
    finally:
        services.close()


def add_commands(sub: Any) -> None:
    p = sub.add_parser("replay", help="drop read models and rebuild them from the event log")
    p.add_argument("projection", nargs="*", help="projection names (default: all)")
    p.set_defaults(func=_replay)
