"""Start-up against a store that is not there says what is wrong and how to fix it — never a traceback.

Every ``pengkom`` command that opens the store goes through :func:`api.cli.main`, which turns a
:class:`StartupProblem` (or a database error :func:`explain` recognises) into two lines on stderr —
what is wrong, and the fix — and an exit code: 2 for configuration, 1 for a store that cannot be
used. ``pengkom serve`` first runs :func:`check_store`, so that neither its projector process nor
its API workers start against a store that cannot work. ``pengkom doctor`` (:mod:`api.doctor`)
runs the same checks and more.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from api.settings import Settings

#: Exit codes: the configuration cannot work / the store cannot be used.
CONFIG, STORE = 2, 1


class StartupProblem(Exception):
    """What is wrong, how to fix it, and the exit code."""

    def __init__(self, what: str, fix: str, exit_code: int = STORE) -> None:
        super().__init__(what)
        self.what, self.fix, self.exit_code = what, fix, exit_code

    def render(self, command: str) -> str:
        return f"pengkom {command}: {self.what}\n  fix: {self.fix}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """:meth:`Settings.from_env`, with a configuration error as a :class:`StartupProblem`."""
    try:
        return Settings.from_env(env)
    except ValueError as e:
        raise StartupProblem(f"the configuration cannot work: {e}",
                             "correct the environment variable named above (README \"Configuration\"); "
                             "`pengkom doctor` checks the whole configuration.", CONFIG) from None


def _pg(settings: Settings) -> tuple[str, int, str, str]:
    u = urlparse(settings.database_url or "")
    return u.hostname or "127.0.0.1", u.port or 5432, unquote(u.path.lstrip("/")) or "postgres", unquote(u.username or "postgres")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__
    return seen


_UNREACHABLE = ("connection refused", "could not translate host name", "name or service not known", "no route to host",
                "timeout expired", "timed out", "couldn't get a connection", "network is unreachable",
                "could not connect to server", "server closed the connection", "temporary failure in name resolution")


def explain(settings: Settings | None, exc: BaseException) -> StartupProblem | None:
    """The :class:`StartupProblem` behind a start-up failure, or None when it is not one we know."""
    for e in _chain(exc):
        if isinstance(e, StartupProblem):
            return e
    text = " | ".join(str(e) for e in _chain(exc)).lower()
    names = {type(e).__name__ for e in _chain(exc)}
    if "PluginLoadError" in names:
        return StartupProblem(f"a pathway plugin cannot be loaded: {_first_line(exc)}",
                              "upgrade or uninstall the plugin named, or leave it out with PENGKOM_PATHWAY_PLUGINS (a comma "
                              "list of the plugins to load, or none); `pengkom doctor` lists what loads.", CONFIG)
    if settings is not None and settings.database_url:
        host, port, db, user = _pg(settings)
        where = f"PostgreSQL at {host}:{port}"
        if f'database "{db.lower()}" does not exist' in text:
            return StartupProblem(f'database "{db}" does not exist on {where}.',
                                  f'create it (`createdb -h {host} -p {port} -U {user} {db}`, or `CREATE DATABASE "{db}";` as '
                                  "a superuser), or correct the database name in PENGKOM_DATABASE_URL; then run `pengkom bootstrap`.")
        if "password authentication failed" in text or "no password supplied" in text or f'role "{user.lower()}" does not exist' in text:
            return StartupProblem(f'{where} refused user "{user}" (wrong user or password).',
                                  "check the user in PENGKOM_DATABASE_URL and the password (PENGKOM_DATABASE_PASSWORD or "
                                  "PENGKOM_DATABASE_PASSWORD_FILE); the database's pg_hba.conf must allow this host.")
        if "permission denied" in text or "InsufficientPrivilege" in names:
            return StartupProblem(f'user "{user}" may not use or create schema "{settings.pg_schema}" in database "{db}" on {where}.',
                                  f'as the database owner run `CREATE SCHEMA IF NOT EXISTS {settings.pg_schema} AUTHORIZATION "{user}";`, '
                                  "or set PENGKOM_PG_SCHEMA to a schema this user owns; then run `pengkom bootstrap`.")
        if any(s in text for s in _UNREACHABLE) or names & {"PoolTimeout", "ConnectionTimeout"}:
            return StartupProblem(f"{where} does not answer ({_first_line(exc)}).",
                                  f"start PostgreSQL (or wait until it accepts connections), or correct the host and port in "
                                  f"PENGKOM_DATABASE_URL (now {host}:{port}); `pengkom doctor` checks again.")
        return None
    if "file is not a database" in text or "database disk image is malformed" in text:
        data = settings.data_dir.resolve() if settings is not None else Path("var").resolve()
        return StartupProblem(f"a store file in {data} is not a readable SQLite database ({_first_line(exc)}).",
                              "restore the data directory from a backup (`pengkom restore FILE` into an empty one), or set "
                              "PENGKOM_DATA_DIR to the right directory; keep the damaged files for inspection.")
    if names & {"PermissionError", "NotADirectoryError", "FileExistsError", "IsADirectoryError"} or "unable to open database file" in text \
            or "readonly database" in text:
        data = settings.data_dir.resolve() if settings is not None else Path("var").resolve()
        return StartupProblem(f"the data directory {data} cannot hold the embedded store ({_first_line(exc)}).",
                              "set PENGKOM_DATA_DIR to a directory this user may write (it is created if missing), or fix the "
                              "permissions of this one.")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_store(settings: Settings, timeout: float = 5.0) -> str:
    """Connect once as the server will and check that it can work there: the database exists and
    answers, the schema exists or may be created, the data directory is writable. Returns a one-line
    description; raises :class:`StartupProblem` otherwise. Creates nothing."""
    if settings.database_url:
        return _check_pg(settings, timeout)
    return _check_data_dir(settings)


def _check_pg(settings: Settings, timeout: float) -> str:
    import psycopg

    host, port, db, user = _pg(settings)
    schema = settings.pg_schema
    try:
        with psycopg.connect(settings.database_url or "", autocommit=True, connect_timeout=max(1, int(timeout))) as conn:
            exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None
            if exists:
                row = conn.execute("SELECT has_schema_privilege(current_user, %s, 'USAGE') AND "
                                   "has_schema_privilege(current_user, %s, 'CREATE')", (schema, schema)).fetchone()
            else:
                row = conn.execute("SELECT has_database_privilege(current_user, current_database(), 'CREATE')").fetchone()
    except Exception as e:
        problem = explain(settings, e)
        if problem is None:
            raise
        raise problem from None
    if not (row and row[0]):
        if exists:
            raise StartupProblem(f'user "{user}" may not create tables in schema "{schema}" of database "{db}" on {host}:{port}.',
                                 f'as the schema owner run `GRANT USAGE, CREATE ON SCHEMA {schema} TO "{user}";`, or set '
                                 "PENGKOM_PG_SCHEMA to a schema this user owns.")
        raise StartupProblem(f'schema "{schema}" does not exist in database "{db}" on {host}:{port}, and user "{user}" may not create it.',
                             f'as the database owner run `CREATE SCHEMA {schema} AUTHORIZATION "{user}";`, or set PENGKOM_PG_SCHEMA '
                             "to an existing schema this user owns; then run `pengkom bootstrap`.")
    state = "exists" if exists else "will be created"
    return f"PostgreSQL {host}:{port}, database {db}, schema {schema} ({state}), user {user}"


def _check_data_dir(settings: Settings) -> str:
    data = settings.data_dir
    shown = data.resolve()
    if data.exists() and not data.is_dir():
        raise StartupProblem(f"PENGKOM_DATA_DIR {shown} is a file, not a directory.",
                             "set PENGKOM_DATA_DIR to a directory (it is created if missing).")
    parent = next((p for p in [data, *data.resolve().parents] if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK | os.X_OK):
        raise StartupProblem(f"the data directory {shown} cannot be {'written' if parent == data else 'created'} by this user.",
                             "set PENGKOM_DATA_DIR to a directory this user may write, or fix its permissions.")
    return f"SQLite in {shown}{'' if data.exists() else ' (will be created)'}"


def describe(exc: BaseException) -> str:
    """A one-line account of an unexpected error (for messages that must not be a traceback)."""
    return f"{type(exc).__name__}: {_first_line(exc)}"


__all__ = ["CONFIG", "STORE", "StartupProblem", "check_store", "describe", "explain", "load_settings"]
