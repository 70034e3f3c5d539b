"""Secrets for container deployments come from the environment or from secret files (``*_FILE``),
never from the compose file: the database URL, its password and the token-signing secret."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from api.settings import Settings


def test_secret_files_replace_the_variables(tmp_path):
    (tmp_path / "jwt").write_text("s" * 48 + "\n")
    (tmp_path / "pw").write_text("p@ss:w/rd\n")
    s = Settings.from_env({"PENGKOM_DATA_DIR": str(tmp_path), "PENGKOM_JWT_SECRET_FILE": str(tmp_path / "jwt"),
                           "PENGKOM_DATABASE_URL": "postgresql://pengkom@db.example:5433/pengkom",
                           "PENGKOM_DATABASE_PASSWORD_FILE": str(tmp_path / "pw")})
    assert s.jwt_secret == "s" * 48  # the trailing newline of `echo … > file` is not part of the secret
    u = urlparse(s.database_url)
    assert (u.username, u.hostname, u.port, u.path) == ("pengkom", "db.example", 5433, "/pengkom")
    assert s.event_store_env()["POSTGRES_PASSWORD"] == "p@ss:w/rd"  # percent-encoded into the URL, decoded back
    assert "p@ss" not in s.describe_store()


def test_the_whole_url_from_a_file(tmp_path):
    (tmp_path / "url").write_text("postgresql://u:secret@127.0.0.1:5999/x")
    s = Settings.from_env({"PENGKOM_DATABASE_URL_FILE": str(tmp_path / "url")})
    assert s.event_store_env()["POSTGRES_PASSWORD"] == "secret" and s.event_store_env()["POSTGRES_PORT"] == "5999"


@pytest.mark.parametrize("env, message", [
    ({"PENGKOM_JWT_SECRET": "x" * 40, "PENGKOM_JWT_SECRET_FILE": "{d}/jwt"}, "Both PENGKOM_JWT_SECRET and PENGKOM_JWT_SECRET_FILE"),
    ({"PENGKOM_JWT_SECRET_FILE": "{d}/missing"}, "cannot be read"),
    ({"PENGKOM_JWT_SECRET_FILE": "{d}/empty"}, "is empty"),
    ({"PENGKOM_DATABASE_PASSWORD": "pw"}, "PENGKOM_DATABASE_URL is not"),
    ({"PENGKOM_DATABASE_URL": "postgresql://u:a@h/d", "PENGKOM_DATABASE_PASSWORD": "b"}, "already contains a password"),
])
def test_ambiguous_or_missing_secrets_are_refused_with_the_fix(tmp_path, env, message):
    (tmp_path / "jwt").write_text("y" * 40)
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ValueError, match=message):
        Settings.from_env({k: v.format(d=tmp_path) for k, v in env.items()})
