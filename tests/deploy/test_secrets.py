"""Secrets for container deployments come from the environment or from secret files (``*_FILE``),
never from the compose file: the database URL, its password, the token-signing secret and the
chain-signing key (one Ed25519 key shared by every replica, so a chain head carries one signature)."""
from __future__ import annotations

import stat
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PENGKOM_SERVICES = ("bootstrap", "api1", "api2", "worker")


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


def test_secrets_sh_makes_one_ed25519_chain_signing_key_and_keeps_it(tmp_path):
    from api.heads import HeadSigner

    out = tmp_path / "secrets"
    made = subprocess.run([str(ROOT / "docker" / "secrets.sh"), str(out)], capture_output=True, text=True, check=True)
    assert "chain_signing_key made" in made.stdout
    key = out / "chain_signing_key"
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PEM, PKCS#8
    assert not stat.S_IMODE(key.stat().st_mode) & 0o222 and not stat.S_IMODE(key.stat().st_mode) & 0o002
    first = HeadSigner.from_file(key).key_id
    again = subprocess.run([str(ROOT / "docker" / "secrets.sh"), str(out)], capture_output=True, text=True, check=True)
    assert "chain_signing_key exists; kept" in again.stdout and HeadSigner.from_file(key).key_id == first


def test_the_compose_file_gives_the_chain_signing_key_to_every_pengkom_service_as_a_secret():
    text = (ROOT / "docker" / "compose.yaml").read_text()
    assert "PRIVATE KEY" not in text
    compose = yaml.safe_load(text)
    assert compose["secrets"]["chain_signing_key"]["file"] == "${PENGKOM_SECRETS_DIR:-./secrets}/chain_signing_key"
    for name in PENGKOM_SERVICES:
        service = compose["services"][name]
        assert "chain_signing_key" in service["secrets"], name
        assert service["environment"]["PENGKOM_CHAIN_SIGNING_KEY_FILE"] == "/run/secrets/chain_signing_key", name
        assert service["environment"]["PENGKOM_JWT_SECRET_FILE"] == "/run/secrets/jwt_secret", name


def test_two_replicas_sharing_the_key_file_hand_out_the_same_signed_head(settings, tmp_path, monkeypatch):
    """Two API instances of one deployment (PostgreSQL: each with its own data directory, as each
    container has its own volume) with one PENGKOM_CHAIN_SIGNING_KEY_FILE: the same public key and,
    for the same head, the same signature. A replica left to generate its own key would differ."""
    from litestar.testing import TestClient

    from api import heads
    from api.app import create_app
    from api.bootstrap import build
    from tests.support.record import populate

    key = tmp_path / "shared" / "chain_signing_key"
    made = subprocess.run([str(ROOT / "docker" / "secrets.sh"), str(tmp_path / "shared")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    one = replace(settings, chain_signing_key_file=str(key))
    two = replace(one, data_dir=tmp_path / "replica2") if settings.database_url else one
    answers: list[dict[str, Any]] = []
    first = build(one)
    try:
        populate(first)
        token = first.tokens.issue(subject="auditor", name="Auditor", roles=["auditor"])
        for s in (one, two):
            monkeypatch.setattr(heads, "_signers", {})  # each replica reads the key file itself
            with TestClient(create_app(settings=s)) as client:
                head = client.get("/chain/head", headers={"Authorization": f"Bearer {token}"})
                assert head.status_code == 200, head.text
                answers.append({"head": head.json(), "header": head.headers["x-pengkom-chain-head"],
                                "public": client.get("/chain/public-key").json()})
                client.app.state.services.close()
    finally:
        first.close()
    a, b = answers
    assert a["public"] == b["public"]
    assert a["head"]["position"] == b["head"]["position"] > 0
    assert (a["head"]["signature"], a["head"]["key_id"], a["header"]) == (b["head"]["signature"], b["head"]["key_id"], b["header"])
    # Without the shared file, a replica with its own data directory signs with a key of its own.
    monkeypatch.setattr(heads, "_signers", {})
    own = heads.signer_for(replace(settings, data_dir=tmp_path / "replica3", chain_signing_key_file=None))
    assert own.key_id != a["public"]["key_id"]
    assert not heads.verify_signature(own.public, heads.ChainHead(a["head"]["position"], a["head"]["digest"]), a["head"]["signature"])
