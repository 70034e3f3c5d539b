"""``pengkom doctor``: check a deployment and print what to fix.

Checks, in order: the configuration (every variable parses; the token and chain-signing set-ups can
work), the store (reachable, the database and schema usable — :func:`api.preflight.check_store`),
the store's tables (the event log exists: bootstrapped), the read models (each one known, at its
code's version, not stopped, not in an interrupted rebuild, and how far behind the log), the pathway
plugins (they load and declare consistent pathways) and the signing keys (present and readable).

Each line is ``ok``, ``WARN`` (works, but look) or ``FAIL`` followed by ``fix:``; the exit code is 1
when anything FAILs, else 0. The doctor only reads: it creates no table, key or schema, and never
starts rebuilding a read model.
"""
from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from api.preflight import StartupProblem, check_store, describe, explain, load_settings
from api.settings import Settings

OK, WARN, FAIL = "ok", "WARN", "FAIL"


@dataclass(frozen=True)
class Check:
    status: str
    area: str
    text: str
    fix: str | None = None

    def render(self) -> str:
        line = f"{self.status:<4}  {self.area}: {self.text}"
        return line + (f"\n      fix: {self.fix}" if self.fix else "")


def _configuration(settings: Settings) -> list[Check]:
    from api.ops import auth_mode, chain_key_mode

    found = [Check(OK, "configuration", f"store {settings.describe_store()}; data directory {settings.data_dir.resolve()}")]
    try:
        found.append(Check(OK, "tokens", auth_mode(settings)))
    except ValueError as e:
        found.append(Check(FAIL, "tokens", str(e), "set the token variables named above (README \"Configuration\")."))
    try:
        found.append(Check(OK, "chain signing", chain_key_mode(settings)))
    except ValueError as e:
        found.append(Check(FAIL, "chain signing", str(e), "set PENGKOM_CHAIN_SIGNING_KEY_FILE as said above."))
    return found


def _keys(settings: Settings) -> list[Check]:
    """The signing keys a data directory keeps (generated ones): present and readable."""
    from api.heads import key_path

    found: list[Check] = []
    if not (settings.jwt_secret or settings.jwks_url or settings.jwt_public_key_file or settings.database_url):
        key = (settings.data_dir / "signing.key").resolve()
        if not key.exists():
            found.append(Check(WARN, "signing keys", f"no token-signing key yet at {key}; the server makes it on its first start, "
                               "and `pengkom token` finds it there.", "start `pengkom serve` (or `pengkom bootstrap`) once."))
        elif not _readable(key):
            found.append(Check(FAIL, "signing keys", f"the token-signing key {key} cannot be read or is empty.",
                               "fix its permissions (the server's user reads it; mode 0600), or remove it to have a new one "
                               "made — every token issued with the old one then stops working."))
        else:
            found.append(Check(OK, "signing keys", f"token-signing key {key}"))
    chain = key_path(settings).resolve()
    if not settings.chain_signing_key_file:
        if chain.exists() and not _readable(chain):
            found.append(Check(FAIL, "signing keys", f"the chain-signing key {chain} cannot be read.", "fix its permissions."))
        elif chain.exists():
            found.append(Check(OK, "signing keys", f"chain-signing key {chain}"))
        else:
            found.append(Check(OK, "signing keys", f"chain-signing key {chain} is made on first use"))
    return found


def _readable(path: Any) -> bool:
    try:
        return bool(path.read_bytes().strip())
    except OSError:
        return False


@contextmanager
def _reader(settings: Settings) -> Iterator[tuple[Any, Any]]:
    """(events connection, views connection), read-only; None where the store does not exist yet."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=5,
                             options=f"-c search_path={settings.pg_schema} -c statement_timeout=5000") as conn:
            yield conn, conn
        return
    events, views = settings.data_dir / "pengkom.events.sqlite", settings.data_dir / "pengkom.views.sqlite"
    econn = sqlite3.connect(f"file:{events}?mode=ro", uri=True) if events.exists() else None
    vconn = sqlite3.connect(f"file:{views}?mode=ro", uri=True) if views.exists() else None
    try:
        yield econn, vconn
    finally:
        for c in (econn, vconn):
            if c is not None:
                c.close()


def _has_table(conn: Any, table: str, settings: Settings) -> bool:
    if settings.database_url:
        return conn.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                            (settings.pg_schema, table)).fetchone() is not None
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None


def _store_contents(settings: Settings) -> list[Check]:
    from projections.registry import all_projections
    from projections.tracking import TRACKING

    events_table = "pengkom_events" if settings.database_url else "stored_events"
    head_sql = f"SELECT max(notification_id) FROM {events_table}" if settings.database_url else f"SELECT max(rowid) FROM {events_table}"
    found: list[Check] = []
    with _reader(settings) as (events, views):
        if events is None or not _has_table(events, events_table, settings):
            return [Check(FAIL, "schema", f"the store has no event log yet ({settings.describe_store()}).",
                          "run `pengkom bootstrap` (or start `pengkom serve`, which creates the tables).")]
        head = int(events.execute(head_sql).fetchone()[0] or 0)
        found.append(Check(OK, "schema", f"event log present; {head:,} events"))
        if views is None or not _has_table(views, TRACKING, settings):
            return [*found, Check(FAIL, "read models", "no read model has been built yet.", "run `pengkom bootstrap`.")]
        rows = {r[0]: r for r in views.execute(f"SELECT name, version, position, rebuilding, error FROM {TRACKING}").fetchall()}
    behind: list[str] = []
    for p in all_projections():
        row = rows.get(p.name)
        if row is None:
            found.append(Check(FAIL, "read models", f"{p.name} does not exist yet (new in this version of pengkom).",
                               "run `pengkom bootstrap` to build it before the API serves it."))
            continue
        _, version, position, rebuilding, error = row
        if int(version) != p.version:
            found.append(Check(FAIL, "read models", f"{p.name} was built by version {version} of its code; this pengkom has "
                               f"version {p.version}: rebuild needed.", f"run `pengkom bootstrap` (or `pengkom replay {p.name}`)."))
        elif error:
            found.append(Check(FAIL, "read models", f"{p.name} stopped at an event it could not apply: {str(error).splitlines()[0]}",
                               f"fix the cause (see the server log), then run `pengkom replay {p.name}`."))
        elif rebuilding:
            found.append(Check(FAIL, "read models", f"{p.name} is being rebuilt, or a rebuild was interrupted at position "
                               f"{int(position):,} of {head:,}.", f"if no `pengkom replay` is running, run `pengkom replay {p.name}` "
                               "(it resumes where it stopped)."))
        elif int(position) < head:
            behind.append(f"{p.name} ({head - int(position):,})")
    if behind:
        found.append(Check(WARN, "read models", f"behind the log by events: {', '.join(behind)}.",
                           "normal for a moment while events arrive; if it stays, start the projector "
                           "(`pengkom serve` or `pengkom follow`)."))
    elif not any(c.area == "read models" for c in found):
        found.append(Check(OK, "read models", f"{len(rows)} read models at their code's version, up to position {head:,}"))
    return found


def _plugins(settings: Settings, reachable: bool) -> list[Check]:
    from plugins.manager import PathwayPlugins

    try:
        plugins = PathwayPlugins.load(settings.pathway_plugins)
    except Exception as e:
        return [Check(FAIL, "plugins", f"the pathway plugins do not load ({describe(e)}).",
                      "upgrade or uninstall the plugin named, or leave it out with PENGKOM_PATHWAY_PLUGINS "
                      "(a comma list of the ones to load, or none).")]
    owners = sorted({f"{plugin} {version}" for _, plugin, version in plugins.definitions()})
    found = [Check(OK, "plugins", f"{len(plugins.codes())} pathways from {len(owners)} plugins "
                   f"(PENGKOM_PATHWAY_PLUGINS={settings.pathway_plugins}): {', '.join(plugins.codes())}")]
    missing = sorted(_recorded_pathways(settings) - set(plugins.codes())) if reachable else []
    if missing:
        found.append(Check(FAIL, "plugins", f"activities of pathway {', '.join(missing)} are recorded, but no loaded plugin "
                           "declares it: their commands and monitoring fail.",
                           "install the plugin that declares it, or add it to PENGKOM_PATHWAY_PLUGINS."))
    return found


def _recorded_pathways(settings: Settings) -> set[str]:
    """The pathways of the activities recorded (from the monitoring read model; empty when there is none)."""
    try:
        with _reader(settings) as (_, views):
            if views is None or not _has_table(views, "monitoring_activities", settings):
                return set()
            return {r[0] for r in views.execute("SELECT DISTINCT pathway FROM monitoring_activities").fetchall()}
    except Exception:
        return set()  # the store's own check above already says what is wrong with it


def run(env: dict[str, str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    checks: list[Check] = []
    try:
        settings = load_settings(env)
    except StartupProblem as p:
        checks.append(Check(FAIL, "configuration", p.what, p.fix))
        return _report(checks, out)
    checks += _configuration(settings)
    try:
        checks.append(Check(OK, "store", check_store(settings)))
        reachable = True
    except StartupProblem as p:
        checks.append(Check(FAIL, "store", p.what, p.fix))
        reachable = False
    if reachable:
        try:
            checks += _store_contents(settings)
        except Exception as e:
            known = explain(settings, e)
            checks.append(Check(FAIL, "schema", known.what if known else f"the store cannot be read ({describe(e)}).",
                                known.fix if known else "run `pengkom bootstrap`; if it fails too, its message says why."))
    checks += _plugins(settings, reachable)
    checks += _keys(settings)
    return _report(checks, out)


def _report(checks: list[Check], out: TextIO) -> int:
    for c in checks:
        print(c.render(), file=out)
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    if failed:
        print(f"pengkom doctor: {failed} problem{'s' if failed != 1 else ''} to fix"
              f"{f', {warned} warning' + ('s' if warned != 1 else '') if warned else ''}.", file=out)
        return 1
    print(f"pengkom doctor: no problems{f' ({warned} warning' + ('s' if warned != 1 else '') + ')' if warned else ''}.", file=out)
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check configuration, store, schema, read models, plugins and signing keys; print what to fix")
    p.set_defaults(func=lambda args: run())


__all__ = ["Check", "add_commands", "run"]
