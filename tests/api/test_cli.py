"""`pengkom token`: a token signed with a key generated in the data directory on first run."""
from __future__ import annotations

import stat

import pytest

from api.auth import TokenService
from api.cli import main
from api.settings import Settings


def test_token_command_generates_the_key_once_and_signs_verifiable_tokens(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PENGKOM_JWT_SECRET", raising=False)
    assert main(["token", "--role", "hr", "--agency", "kemnaker", "--unit", "biro-sdm", "--name", "Ani"]) == 0
    token = capsys.readouterr().out.strip()
    key = tmp_path / "var" / "signing.key"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    first_key = key.read_text()
    assert main(["token", "--role", "officer", "--agency", "kemnaker", "--nip", "19900101 201501 1 001"]) == 0
    officer_token = capsys.readouterr().out.strip()
    assert key.read_text() == first_key  # generated on first run only
    tokens = TokenService(Settings.from_env())
    hr = tokens.verify(token)
    assert (hr.roles, hr.agency, hr.unit, hr.name) == (frozenset({"hr"}), "kemnaker", "biro-sdm", "Ani")
    assert tokens.verify(officer_token).nip == "199001012015011001"


@pytest.mark.parametrize("args, message", [
    (["--role", "hr"], "Agency roles need the agency"),
    (["--role", "wizard", "--agency", "x"], "Unknown role wizard"),
    (["--role", "officer", "--agency", "x"], "officer role needs the officer's NIP"),
])
def test_token_command_refuses_unusable_claims(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path / "var"))
    assert main(["token", *args]) == 2
    assert message in capsys.readouterr().err


def test_national_roles_need_no_agency(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path / "var"))
    assert main(["token", "--role", "lan"]) == 0
    actor = TokenService(Settings.from_env()).verify(capsys.readouterr().out.strip())
    assert actor.roles == frozenset({"lan"}) and actor.agency is None


def test_production_key_from_configuration_cannot_be_bypassed(tmp_path):
    issuer = TokenService(Settings.from_env({"PENGKOM_DATA_DIR": str(tmp_path), "PENGKOM_JWT_SECRET": "x" * 40}))
    other = TokenService(Settings.from_env({"PENGKOM_DATA_DIR": str(tmp_path)}))  # the local generated key
    token = issuer.issue(subject="a", name="A", roles=["bkn"])
    assert issuer.verify(token).roles == frozenset({"bkn"})
    from core.errors import Unauthenticated

    with pytest.raises(Unauthenticated):
        other.verify(token)


def test_production_public_key_verifies_identity_provider_tokens(tmp_path):
    import time

    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = tmp_path / "idp.pem"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    service = TokenService(Settings.from_env({"PENGKOM_DATA_DIR": str(tmp_path), "PENGKOM_JWT_PUBLIC_KEY_FILE": str(pub)}))
    now = int(time.time())
    token = jwt.encode({"sub": "u1", "name": "Ani", "roles": ["hr"], "agency": "kemnaker", "iss": "pengkom", "aud": "pengkom",
                        "iat": now, "exp": now + 60}, key, algorithm="RS256")
    assert service.verify(token).subject == "u1"
    with pytest.raises(RuntimeError, match="cannot issue"):
        service.issue(subject="x", name="x", roles=["bkn"])
