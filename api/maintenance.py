"""Read-model maintenance commands: ``pengkom replay``, ``pengkom verify`` and ``pengkom verify --chain``.

``pengkom replay`` first checks the log against the recorded hash chain and refuses (exit 1, naming
the event) when they differ; it never rebuilds the chain itself (an append-only record).
``pengkom verify --chain --expect POSITION:DIGEST[:SIGNATURE] [--public-key PEM]`` checks the chain
against a (signed) head kept outside the database.

Exit codes: 0 success; 1 a mismatch or a broken chain (the report says where); 2 a usage error
(an unknown projection name, a malformed ``--expect``); 3 not verifiable now (a read model is
being rebuilt); 130 interrupted (``pengkom replay`` resumes where it stopped).
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def _open() -> tuple[Any, Any, Any, Any]:
    """The event store, the live read-model store and a projector — without the start-up catch-up,
    so a replay owns the rebuild (and shows its progress) from the first event."""
    from api.bootstrap import open_stores
    from api.settings import Settings
    from projections.registry import all_projections
    from projections.runner import Projector

    settings = Settings.from_env()
    app, views = open_stores(settings)
    return settings, app, views, Projector(app, views, all_projections())


def _bar(desc: str, total: int, initial: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="ev", unit_scale=True, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5, disable=None)


def _chain_intact_for_rebuild(app: Any, views: Any, what: str) -> bool:
    """A rebuild first checks the log against the recorded chain: a rebuild from a tampered log would
    serve the tampering as the record. False (and why, naming the event) when the chain is broken."""
    from projections.chain import verify_chain

    report = verify_chain(app, views)
    if report.ok:
        return True
    print(f"{what}: REFUSED — the event log no longer matches its recorded hash chain; first event affected: "
          f"{report.problems[0].message}", file=sys.stderr)
    for problem in report.problems[1:5]:
        print(f"  also: {problem.message}", file=sys.stderr)
    print("Nothing was dropped or rebuilt. Restore the log from a backup (then `pengkom verify --chain`) before rebuilding "
          "read models from it.", file=sys.stderr)
    return False


def _replay(args: argparse.Namespace) -> int:
    from core.errors import Invalid

    settings, app, views, projector = _open()
    try:
        try:
            named = projector.resolve(args.projection or None)
        except Invalid as e:
            print(f"pengkom replay: {e.message}", file=sys.stderr)
            return 2
        records = [p.name for p in named if not p.resettable]
        if records and args.projection:
            print(f"pengkom replay: {', '.join(records)} is an append-only record of the log, never rebuilt from it; "
                  "`pengkom verify --chain` checks it.", file=sys.stderr)
            return 2
        chosen = [p.name for p in named if p.resettable]
        if not _chain_intact_for_rebuild(app, views, "pengkom replay"):
            return 1
        tracking = projector.tracking()
        resume = [n for n in chosen if tracking[n].rebuilding and not args.restart]
        fresh = [n for n in chosen if n not in resume]
        if resume:
            where = ", ".join(f"{n} at position {tracking[n].position}" for n in resume)
            print(f"pengkom replay: resuming the interrupted rebuild of {where} (--restart drops and starts over)", file=sys.stderr)
        if fresh:
            dropped = projector.reset(fresh)  # never the hash chain (an append-only record)
            print(f"pengkom replay: dropped {', '.join(dropped)}; rebuilding from the event log on {settings.describe_store()}", file=sys.stderr)
        start = min((0 if n in fresh else tracking[n].position) for n in chosen)
        head = app.recorder.max_notification_id() or 0
        bar = _bar("replay", head, start)
        started = time.perf_counter()

        def progress(p: Any) -> None:
            if p.last > (bar.total or 0):
                bar.total = p.last
            bar.update(p.position - bar.n)
            bar.set_postfix_str(f"{p.events / p.seconds:,.0f} events/s" if p.seconds else "")

        try:
            n = projector.catch_up(only=chosen, on_progress=progress)
        except KeyboardInterrupt:
            bar.close()
            at = projector.tracking()
            where = ", ".join(f"{name} at position {at[name].position}" for name in chosen)
            print(f"\npengkom replay: interrupted; {where}. Run the same command again to resume.", file=sys.stderr)
            return 130
        bar.close()
        seconds = time.perf_counter() - started
        rate = n / seconds if seconds else 0.0
        print(f"pengkom replay: rebuilt {', '.join(chosen)} from {n:,} events in {seconds:,.1f} s ({rate:,.0f} events/s)", file=sys.stderr)
        return 0
    finally:
        views.close()
        app.close()


def _parse_head(text: str) -> tuple[Any, str | None]:
    from projections.chain import ChainHead

    position, sep, rest = text.partition(":")
    digest, _, signature = rest.partition(":")
    if not sep or not position.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
        raise ValueError(f"--expect {text!r} must be POSITION:DIGEST[:SIGNATURE] as a response's chain head gave it "
                         "(64 hex digits, then the signature)")
    return ChainHead(int(position), digest.lower()), signature or None


def _check_signature(args: argparse.Namespace, head: Any, signature: str) -> str | None:
    """Why the signature of a kept head does not verify (None when it does)."""
    from pathlib import Path

    from api.heads import load_public_key, signer_for, verify_signature
    from api.settings import Settings

    try:
        public = load_public_key(Path(args.public_key).read_bytes()) if args.public_key else signer_for(Settings.from_env()).public
    except (OSError, ValueError) as e:
        return f"the public key could not be read ({e})"
    if not verify_signature(public, head, signature):
        return (f"the signature of the head you kept (position {head.position}) is not this deployment's"
                f"{' (key ' + args.public_key + ')' if args.public_key else ''}: the head was not handed out by it, or was altered")
    return None


def _verify_chain(args: argparse.Namespace, app: Any, views: Any) -> int:
    from projections.chain import verify_chain

    try:
        expect, signature = _parse_head(args.expect) if args.expect else (None, None)
    except ValueError as e:
        print(f"pengkom verify: {e}", file=sys.stderr)
        return 2
    if expect is not None and signature is not None:
        bad = _check_signature(args, expect, signature)
        if bad:
            print(f"chain head REFUSED — {bad}", file=sys.stderr)
            return 1
    report = verify_chain(app, views, expect=expect)
    head = f"position {report.head.position}, sha256 {report.head.digest}" if report.head else "none"
    if report.ok:
        print(f"chain intact: {report.checked:,} events checked; head {head}.")
        if expect is not None:
            signed = " and its signature is this deployment's" if signature else " (unsigned: its origin was not checked)"
            print(f"the head you kept (position {expect.position}) is part of it{signed}.")
        if report.unchained:
            print(f"note: {report.unchained:,} events recorded after the head are not chained yet "
                  "(the next catch-up chains them; run `pengkom follow --once`).")
        return 0
    first = report.problems[0]
    print(f"chain BROKEN — first event affected: {first.message}", file=sys.stderr)
    for p in report.problems[1:]:
        print(f"  also: {p.message}", file=sys.stderr)
    if report.more:
        print(f"  … and {report.more} more", file=sys.stderr)
    print(f"({report.checked:,} events checked; kept head {head})", file=sys.stderr)
    return 1


def _verify(args: argparse.Namespace) -> int:
    from api.bootstrap import open_views
    from core.errors import Invalid
    from projections.registry import all_projections
    from projections.verify import verify_read_models

    settings, app, views, projector = _open()
    try:
        if args.chain:
            return _verify_chain(args, app, views)
        if args.export:
            from reports.cli import verify_export_command

            return verify_export_command(args.export, app, views)
        try:
            chosen = projector.resolve(args.projection or None)
        except Invalid as e:
            print(f"pengkom verify: {e.message}", file=sys.stderr)
            return 2
        scratch = open_views(settings, scratch="verify")
        bars: dict[str, Any] = {}

        def progress(name: str, p: Any) -> None:
            bar = bars.get(name) or bars.setdefault(name, _bar(f"rebuild {name}", p.last, 0))
            bar.update(p.position - bar.n)

        try:
            reports = verify_read_models(app, views, scratch, chosen, fresh=all_projections, on_progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
            if args.keep_scratch:
                print(f"scratch rebuild kept in {scratch.location}", file=sys.stderr)
                scratch.close()
            else:
                scratch.discard()
        return _print_reports(reports)
    finally:
        views.close()
        app.close()


def _print_reports(reports: list[Any]) -> int:
    bad = [r for r in reports if r.skipped is None and not r.ok]
    skipped = [r for r in reports if r.skipped is not None]
    for r in reports:
        if r.skipped is not None:
            print(f"{r.name}: NOT VERIFIED — {r.skipped}", file=sys.stderr)
            continue
        sizes = ", ".join(f"{t.table} {t.live_rows:,} rows" for t in r.tables)
        if r.ok:
            print(f"{r.name} @ position {r.position}: identical to a rebuild from the log ({sizes})")
            continue
        print(f"{r.name} @ position {r.position}: DIFFERS from a rebuild from the log", file=sys.stderr)
        for t in r.tables:
            if t.ok:
                continue
            print(f"  table {t.table}: {t.changed} rows differ, {t.missing} missing from the live store, "
                  f"{t.extra} not produced by the rebuild", file=sys.stderr)
            for line in t.lines:
                print(f"    {line}", file=sys.stderr)
            shown = len(t.lines)
            total = t.changed + t.missing + t.extra
            if total > shown:
                print(f"    … and {total - shown} more", file=sys.stderr)
    if bad:
        print(f"verify: {len(bad)} of {len(reports)} read models differ; `pengkom replay {' '.join(r.name for r in bad)}` "
              "rebuilds them (and find out why they drifted).", file=sys.stderr)
        return 1
    if skipped:
        return 3
    print(f"verify: all {len(reports)} read models are identical to a rebuild from the log.")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("replay", help="drop read models and rebuild them from the event log (resumes if interrupted)")
    p.add_argument("projection", nargs="*", help="projection names (default: all)")
    p.add_argument("--restart", action="store_true", help="drop and start over even if an interrupted rebuild could resume")
    p.set_defaults(func=_replay)

    p = sub.add_parser("verify", help="rebuild read models into a scratch store and compare them with the live ones")
    p.add_argument("projection", nargs="*", help="projection names (default: all)")
    p.add_argument("--chain", action="store_true", help="check the hash chain over the event log instead")
    p.add_argument("--expect", metavar="POSITION:DIGEST[:SIGNATURE]",
                   help="with --chain: a (signed) chain head a response gave you, to prove it still holds")
    p.add_argument("--public-key", metavar="PEM_FILE",
                   help="with --expect: check the head's signature with this public key (from GET /chain/public-key)")
    p.add_argument("--keep-scratch", action="store_true", help="keep the scratch rebuild for inspection")
    p.add_argument("--export", metavar="FILE", help="re-derive an exported CSV/XLSX file from the log at its position and say "
                                                   "whether it is exactly what pengkom produced, or name the first differing cell")
    p.set_defaults(func=_verify)
