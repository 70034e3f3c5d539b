"""Operator friendliness (README "pengkom token", "When pengkom cannot start"): `pengkom token` signs
with the key the server verifies with, found the way the server finds it, says which on stderr, and
never makes a key where no server keeps its data; start-up against a missing database, a schema the
user may not create, an unreachable server or an unusable data directory says what is wrong and how
to fix it — exit code, two lines, no traceback. One test per message."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api.auth import TokenService
from api.cli import main
from api.settings import Settings
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(monkeypatch, **env):
    for name in list(os.environ):
        if name.startswith("PENGKOM_"):
            monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _pg_url(db: str | None = None, port: int | None = None, user: str | None = None) -> str:
    from urllib.parse import urlparse

    u = urlparse(PG_URL or "postgresql://postgres@127.0.0.1:5432/test")
    netloc = f"{user or u.username or 'postgres'}@{u.hostname}:{port or u.port or 5432}"
    return f"postgresql://{netloc}/{db or u.path.lstrip('/')}"


# -- pengkom token ---------------------------------------------------------------------------------

def test_token_uses_the_servers_key_in_its_data_directory_and_says_which(tmp_path, monkeypatch, capsys):
    server_dir = tmp_path / "srv"
    _clean_env(monkeypatch, PENGKOM_DATA_DIR=str(server_dir / "var"))
    TokenService(Settings.from_env())  # the server's first start makes its key
    server_key = (server_dir / "var" / "signing.key").resolve()
    # Run from the server's directory without PENGKOM_DATA_DIR: ./var is found, as the server finds it.
    _clean_env(monkeypatch)
    monkeypatch.chdir(server_dir)
    assert main(["token", "--role", "auditor"]) == 0
    out = capsys.readouterr()
    assert f"pengkom token: signed with the key {server_key} (PENGKOM_DATA_DIR unset: ./var in {server_dir.resolve()})" in out.err
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, PENGKOM_DATA_DIR=str(server_dir / "var"))
    assert TokenService(Settings.from_env()).verify(out.out.strip()).roles == frozenset({"auditor"})


def test_token_in_another_directory_refuses_instead_of_making_a_stray_key(tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    _clean_env(monkeypatch)
    monkeypatch.chdir(elsewhere)
    assert main(["token", "--role", "hr", "--agency", "kemnaker"]) == 2
    err = capsys.readouterr().err
    assert "no signing key at" in err and "would answer 401" in err and "fix: run `pengkom token` in the directory where" in err
    assert not (elsewhere / "var").exists()  # nothing made


def test_token_with_a_shared_secret_or_an_identity_provider_says_so(tmp_path, monkeypatch, capsys):
    _clean_env(monkeypatch, PENGKOM_JWT_SECRET="s" * 48)
    monkeypatch.chdir(tmp_path)
    assert main(["token", "--role", "lan"]) == 0
    assert "signed with the shared secret PENGKOM_JWT_SECRET" in capsys.readouterr().err
    _clean_env(monkeypatch, PENGKOM_JWKS_URL="https://idp.example.go.id/jwks")
    assert main(["token", "--role", "lan"]) == 2
    err = capsys.readouterr().err
    assert "verifies the tokens of an identity provider" in err and "Traceback" not in err


# -- start-up against a store that cannot work ---------------------------------------------------------

def _fails(argv, capsys, code, *phrases):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err and "\n  fix: " in err, err
    for phrase in phrases:
        assert phrase in err, err
    return err


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_missing_database_says_create_it(tmp_path, monkeypatch, capsys):
    _clean_env(monkeypatch, PENGKOM_DATABASE_URL=_pg_url(db="pengkom_no_such_db"), PENGKOM_DATA_DIR=str(tmp_path / "var"))
    for command in (["follow", "--once"], ["serve", "--port", "0"]):
        _fails(command, capsys, 1, 'database "pengkom_no_such_db" does not exist', "createdb", "CREATE DATABASE")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_unreachable_server_says_start_it_or_fix_host_and_port(tmp_path, monkeypatch, capsys):
    _clean_env(monkeypatch, PENGKOM_DATABASE_URL=_pg_url(port=1), PENGKOM_DATA_DIR=str(tmp_path / "var"), PENGKOM_STORE_TIMEOUT="1")
    for command in (["follow", "--once"], ["serve", "--port", "0"]):
        _fails(command, capsys, 1, "PostgreSQL at", ":1 does not answer", "start PostgreSQL", "PENGKOM_DATABASE_URL (now")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_missing_schema_the_user_may_not_create_says_how_to_create_it(tmp_path, monkeypatch, capsys):
    import psycopg

    role = f"pk_noschema_{uuid.uuid4().hex[:8]}"
    schema = f"pk_missing_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
    try:
        _clean_env(monkeypatch, PENGKOM_DATABASE_URL=_pg_url(user=role), PENGKOM_PG_SCHEMA=schema, PENGKOM_DATA_DIR=str(tmp_path / "var"))
        _fails(["serve", "--port", "0"], capsys, 1, f'schema "{schema}" does not exist', 'may not create it',
               f"CREATE SCHEMA {schema} AUTHORIZATION \"{role}\"", "PENGKOM_PG_SCHEMA")
        _fails(["follow", "--once"], capsys, 1, f'schema "{schema}"', "CREATE SCHEMA")
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_data_directory_that_is_a_file_says_so(tmp_path, monkeypatch, capsys):
    (tmp_path / "var").write_text("not a directory")
    _clean_env(monkeypatch, PENGKOM_DATA_DIR=str(tmp_path / "var"))
    _fails(["serve", "--port", "0"], capsys, 1, "is a file, not a directory", "set PENGKOM_DATA_DIR")
    _fails(["follow", "--once"], capsys, 1, "cannot hold the embedded store")


def test_unusable_configuration_says_which_variable(tmp_path, monkeypatch, capsys):
    _clean_env(monkeypatch, PENGKOM_DATABASE_URL="mysql://db/pengkom", PENGKOM_DATA_DIR=str(tmp_path / "var"))
    for command in (["serve"], ["follow", "--once"], ["token", "--role", "lan"]):
        _fails(command, capsys, 2, "the configuration cannot work: PENGKOM_DATABASE_URL must be a postgresql:// URL")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_the_installed_command_prints_no_traceback(tmp_path):
    """The same, through the real `pengkom` process (as an operator runs it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENGKOM_")}
    env |= {"PENGKOM_DATABASE_URL": _pg_url(db="pengkom_no_such_db"), "PENGKOM_DATA_DIR": str(tmp_path / "var")}
    r = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", "0"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr and 'database "pengkom_no_such_db" does not exist' in r.stderr


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_bootstrap_against_a_missing_database_says_create_it_after_the_wait(tmp_path, monkeypatch, capsys):
    from api.heads import signer_for

    _clean_env(monkeypatch, PENGKOM_DATABASE_URL=_pg_url(db="pengkom_no_such_db"), PENGKOM_DATA_DIR=str(tmp_path / "var"),
               PENGKOM_JWT_SECRET="k" * 48, PENGKOM_CHAIN_SIGNING_KEY_FILE=str(tmp_path / "chain.key"))
    signer_for(Settings.from_env())
    err = _fails(["bootstrap", "--wait", "1"], capsys, 1, "did not answer within 1 s",
                 'pengkom bootstrap: database "pengkom_no_such_db" does not exist', "CREATE DATABASE")
    assert err.count("\n  fix: ") == 1


def test_a_damaged_sqlite_store_says_restore_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "pengkom.events.sqlite").write_bytes(b"not a database, just some text " * 8)
    _clean_env(monkeypatch, PENGKOM_DATA_DIR=str(tmp_path / "var"))
    _fails(["follow", "--once"], capsys, 1, "is not a readable SQLite database", "pengkom restore")
    import io

    from api.doctor import run

    out = io.StringIO()
    assert run({"PENGKOM_DATA_DIR": str(tmp_path / "var")}, out) == 1
    assert "FAIL  schema: a store file in" in out.getvalue() and "pengkom restore" in out.getvalue()
