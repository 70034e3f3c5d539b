"""Shared fixtures: every storage-dependent test runs on SQLite and on PostgreSQL.

PostgreSQL: the URL comes from PENGKOM_TEST_DATABASE_URL. Under CI (CI=true) it defaults to the
machine's server and an unreachable server fails the run; outside CI, without a URL, the
PostgreSQL variants are skipped with one line saying so. Every test gets its own schema
(PostgreSQL) or data directory (SQLite), so runs and tests never see each other's data.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("PENGKOM_TEST_DATABASE_URL") or ("postgresql://postgres@127.0.0.1:5432/test" if CI else None)
RUN_ID = uuid.uuid4().hex[:8]
_schemas: list[str] = []


def _pg_reachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if CI and PG_URL:
        problem = _pg_reachable()
        if problem:
            raise pytest.UsageError(f"CI=true but PostgreSQL at {PG_URL} is unreachable ({problem}); the PostgreSQL tests must run under CI.")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PG_URL and _schemas:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in _schemas:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def pytest_report_header(config: pytest.Config) -> str:
    return f"pengkom stores: sqlite + {'postgresql ' + PG_URL if PG_URL else 'postgresql SKIPPED (set PENGKOM_TEST_DATABASE_URL to run it)'}"


def new_settings(kind: str, tmp_path: Any) -> Settings:
    env = {"PENGKOM_DATA_DIR": str(tmp_path / "var"), "PENGKOM_JWT_SECRET": "test-secret-for-hs256-signing-" + RUN_ID + RUN_ID,
           # Pathway plugins: the built-ins and the test suite's own third-party package, never other installed ones.
           "PENGKOM_PATHWAY_PLUGINS": "magang",
           # One chain-signing key for the run, as replicas (and a restored deployment) of one deployment share it.
           "PENGKOM_CHAIN_SIGNING_KEY_FILE": str(Path(tempfile.gettempdir()) / f"pengkom-test-chain-{RUN_ID}.key")}
    if kind == "postgres":
        if not PG_URL:
            pytest.skip("PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
        schema = f"pk_{RUN_ID}_{uuid.uuid4().hex[:8]}"
        _schemas.append(schema)
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env |= {"PENGKOM_DATABASE_URL": PG_URL, "PENGKOM_PG_SCHEMA": schema}
    return Settings.from_env(env)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Any) -> Settings:
    return new_settings(request.param, tmp_path)


@pytest.fixture
def services(settings: Settings) -> Iterator[Any]:
    from api.bootstrap import build

    svc = build(settings)
    yield svc
    svc.close()


class Api:
    """A test client with tokens: ``api.as_(role=..., agency=...)`` returns headers for that caller."""

    def __init__(self, client: Any, services: Any) -> None:
        self.client = client
        self.services = services

    def token(self, roles: list[str] | str, agency: str | None = "kemnaker", *, subject: str | None = None,
              name: str | None = None, unit: str | None = None, nip: str | None = None) -> str:
        roles = [roles] if isinstance(roles, str) else roles
        return self.services.tokens.issue(subject=subject or f"{roles[0]}-{agency}-{nip or 'x'}", name=name or f"{roles[0].upper()} {agency}",
                                          roles=roles, agency=agency, unit=unit, nip=nip)

    def as_(self, roles: list[str] | str, agency: str | None = "kemnaker", **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, agency, **kw)}"}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return getattr(self.client, name)


def language_headers(request: pytest.FixtureRequest) -> dict[str, str]:
    """``Accept-Language`` for a test marked ``@pytest.mark.language("en")``; none (Bahasa Indonesia) otherwise."""
    marker = request.node.get_closest_marker("language")
    return {"Accept-Language": marker.args[0]} if marker else {}


@pytest.fixture
def api(services: Any, request: pytest.FixtureRequest) -> Iterator[Api]:
    from litestar.testing import TestClient

    from api.app import create_app

    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        client.headers.update(language_headers(request))
        yield Api(client, services)


@pytest.fixture
def pg(tmp_path: Any) -> Iterator[Api]:
    """A test client on a PostgreSQL store of its own, for what only PostgreSQL has (the asyncpg read path)."""
    from litestar.testing import TestClient

    from api.app import create_app
    from api.bootstrap import build

    services = build(new_settings("postgres", tmp_path))
    try:
        with TestClient(create_app(services), raise_server_exceptions=False) as client:
            yield Api(client, services)
    finally:
        services.close()
