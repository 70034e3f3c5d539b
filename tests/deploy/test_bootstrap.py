"""First-run bootstrap of a container deployment (issue 13): ``pengkom bootstrap`` waits for the
store, creates the tables, checks the token configuration and writes a first token once."""
from __future__ import annotations

import os
import stat

import pytest

from api.auth import TokenService
from api.cli import main
from api.heads import signer_for
from api.settings import Settings
from tests.deploy.support import free_port, settings_env


@pytest.fixture
def env(settings, monkeypatch) -> dict[str, str]:
    for name in [n for n in os.environ if n.startswith("PENGKOM_")]:
        monkeypatch.delenv(name)
    values = settings_env(settings)
    signer_for(settings)  # the shared chain-signing key exists, as docker/secrets.sh makes it
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def test_first_run_writes_one_first_token_and_later_runs_keep_it(env, settings, tmp_path, capsys):
    path = tmp_path / "state" / "first-token"
    args = ["bootstrap", "--wait", "30", "--token-file", str(path), "--token-role", "hr,ppk", "--token-agency", "kemnaker",
            "--token-name", "Admin Kemnaker"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "ready after" in out and "read models up to date" in out and "first token for roles hr,ppk of agency kemnaker" in out
    assert f"chain heads signed with Ed25519 key {signer_for(settings).key_id} from PENGKOM_CHAIN_SIGNING_KEY_FILE" in out
    token = path.read_text().strip()
    assert token not in out  # never printed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    actor = TokenService(settings).verify(token)
    assert actor.roles == frozenset({"hr", "ppk"}) and actor.agency == "kemnaker" and actor.name == "Admin Kemnaker"
    # The deployment is ready: an API process starting now serves that token.
    from litestar.testing import TestClient

    from api.app import create_app

    with TestClient(create_app(settings=settings)) as client:
        r = client.get("/officers/", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        client.app.state.services.close()
    # Run again (every `docker compose up`): the token file is kept, not replaced.
    assert main(args) == 0
    assert "written before" in capsys.readouterr().out and path.read_text().strip() == token


@pytest.mark.parametrize("secret, message", [
    ("short-secret", "use at least 32"),
    (None, "no token configuration"),
])
def test_postgres_deployment_without_a_usable_shared_key_is_refused(monkeypatch, capsys, tmp_path, secret, message):
    for name in [n for n in os.environ if n.startswith("PENGKOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PENGKOM_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/x")
    if secret:
        monkeypatch.setenv("PENGKOM_JWT_SECRET", secret)
    assert main(["bootstrap", "--wait", "1"]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("key, message", [
    (None, "no chain-signing key"),
    ("missing", "which does not exist"),
    ("garbage", "not a readable Ed25519 private key"),
    ("ec", "not a readable Ed25519 private key"),
])
def test_postgres_deployment_without_a_shared_chain_signing_key_is_refused(monkeypatch, capsys, tmp_path, key, message):
    """Every replica would otherwise generate its own key in its own data directory, and a head's
    signature would depend on the replica that handed it out."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    for name in [n for n in os.environ if n.startswith("PENGKOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PENGKOM_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/x")
    monkeypatch.setenv("PENGKOM_JWT_SECRET", "k" * 40)
    if key:
        path = tmp_path / f"{key}.key"
        if key == "garbage":
            path.write_text("not a key\n")
        elif key == "ec":
            path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        monkeypatch.setenv("PENGKOM_CHAIN_SIGNING_KEY_FILE", str(path))
    assert main(["bootstrap", "--wait", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "PENGKOM_CHAIN_SIGNING_KEY_FILE" in err
    assert not (tmp_path / "chain-signing.key").exists() and not (tmp_path / "missing.key").exists()


def test_an_unreachable_store_is_reported_after_the_wait(monkeypatch, capsys, tmp_path):
    for name in [n for n in os.environ if n.startswith("PENGKOM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PENGKOM_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/x")
    monkeypatch.setenv("PENGKOM_JWT_SECRET", "k" * 40)
    monkeypatch.setenv("PENGKOM_CHAIN_SIGNING_KEY_FILE", str(tmp_path / "chain.key"))
    signer_for(Settings.from_env())
    assert main(["bootstrap", "--wait", "1"]) == 1
    assert "did not answer within 1 s" in capsys.readouterr().err


def test_with_an_identity_provider_no_token_is_written(env, settings, tmp_path, monkeypatch, capsys):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pub = tmp_path / "idp.pem"
    pub.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.delenv("PENGKOM_JWT_SECRET", raising=False)
    monkeypatch.setenv("PENGKOM_JWT_PUBLIC_KEY_FILE", str(pub))
    assert Settings.from_env().jwt_public_key_file == str(pub)
    path = tmp_path / "first-token"
    assert main(["bootstrap", "--wait", "30", "--token-file", str(path), "--token-agency", "kemnaker"]) == 0
    out = capsys.readouterr().out
    assert "identity provider (public key" in out and "no first token is written" in out and not path.exists()


def test_an_unwritable_token_place_is_a_clear_error(env, tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a directory")
    path = tmp_path / "a-file" / "first-token"  # its parent is a file: not writable, even for root
    assert main(["bootstrap", "--wait", "30", "--token-file", str(path), "--token-agency", "kemnaker"]) == 2
    assert "cannot be written" in capsys.readouterr().err
