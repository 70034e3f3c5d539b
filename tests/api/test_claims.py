"""Claims are input (issue 8 item 1): a validly signed token whose claims are not usable is refused
with 401 problem+json naming the claim, records nothing, and never reaches a read model."""
from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tests.support.data import officer_body


def head(api: Any) -> int:
    return api.services.app.recorder.max_notification_id() or 0


def signed(api: Any, **over: Any) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": "hr-1", "name": "Ani", "roles": ["hr"], "agency": "kemnaker", "unit": "biro-sdm",
              "iss": "pengkom", "aud": "pengkom", "iat": now, "exp": now + 600}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    token = jwt.encode(claims, api.services.settings.jwt_secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def refused(r: Any, claim: str) -> dict[str, Any]:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"].startswith("token."), body
    assert body["kind"] == "unauthenticated"
    assert f"'{claim}'" in body["detail"], body["detail"]
    assert body["field"] == claim
    return body


@pytest.mark.parametrize("claim,value", [
    ("unit", ["biro-sdm", "biro-keu"]),
    ("agency", ["kemnaker", "disnaker-jabar"]),
    ("agency", {"id": "kemnaker"}),
    ("agency", 42),
    ("agency", ""),
    ("name", "Ani\nBudi"),
    ("sub", "x" * 201),
    ("roles", ["hr", "superuser"]),
    ("roles", "hr"),
    ("roles", []),
    ("nip", "1990"),
    ("nip", 199001012015011001),
    ("exp", 2**70),
    ("exp", "tomorrow"),
])
def test_a_validly_signed_token_with_unusable_claims_is_refused_and_records_nothing(api: Any, claim: str, value: Any) -> None:
    before = head(api)
    bad = signed(api, **{claim: value})
    refused(api.post("/officers/", json=officer_body(), headers=bad), claim)
    refused(api.get("/officers/", headers=bad), claim)
    assert head(api) == before
    # Everyone else keeps working, and the read models are sound.
    ok = api.get("/officers/", headers=api.as_("hr"))
    assert ok.status_code == 200, ok.text
    assert api.get("/ready").status_code == 200


def test_a_list_unit_never_reaches_provenance(api: Any) -> None:
    r = api.post("/officers/", json=officer_body(), headers=signed(api, unit=["biro-sdm", "biro-keu"]))
    refused(r, "unit")
    assert head(api) == 0
    r = api.post("/officers/", json=officer_body(), headers=signed(api))
    assert r.status_code == 201, r.text
    assert r.json()["events"][0]["provenance"]["unit"] == "biro-sdm"
    for role in (["hr"], ["auditor"]):
        assert api.get("/officers/", headers=api.as_(role, agency=None if role == ["auditor"] else "kemnaker")).status_code == 200


def test_lifetime_cap_and_clock_skew(api: Any) -> None:
    now = int(time.time())
    cap = api.services.settings.jwt_max_ttl
    leeway = api.services.settings.jwt_leeway
    refused(api.get("/officers/", headers=signed(api, iat=now, exp=now + cap + 1)), "exp")
    assert api.get("/officers/", headers=signed(api, iat=now, exp=now + cap)).status_code == 200
    refused(api.get("/officers/", headers=signed(api, iat=now + leeway + 30, exp=now + leeway + 90)), "iat")
    assert api.get("/officers/", headers=signed(api, iat=now + leeway // 2, exp=now + 600)).status_code == 200
    refused(api.get("/officers/", headers=signed(api, nbf=now + leeway + 30)), "nbf")
    assert api.get("/officers/", headers=signed(api, nbf=now + leeway // 2)).status_code == 200
    # Expiry has no leeway: a token that expired a few seconds ago is expired.
    r = api.get("/officers/", headers=signed(api, iat=now - 100, exp=now - 5))
    assert r.status_code == 401 and r.json()["code"] == "token.expired"


def test_the_nip_claim_is_normalised_and_unknown_claims_are_ignored(api: Any) -> None:
    r = api.get("/me", headers=signed(api, roles=["officer"], nip="19900101 201501 1 001", jti="abc", scope="openid"))
    assert r.status_code == 200, r.text
    assert r.json()["nip"] == "199001012015011001"


def test_issuing_refuses_unusable_claims(api: Any) -> None:
    from core.errors import Invalid

    with pytest.raises(Invalid, match="unit"):
        api.services.tokens.issue(subject="x", name="x", roles=["hr"], agency="kemnaker", unit="a\x00b")
    with pytest.raises(Invalid, match="roles"):
        api.services.tokens.issue(subject="x", name="x", roles=["root"], agency="kemnaker")


def test_a_token_remembered_after_verification_is_refused_from_its_exp_on(tmp_path: Any) -> None:
    """A token verified once is remembered (no second signature check) only until its ``exp``: from then
    on it is refused as expired, exactly as before it was remembered (api/auth.py TokenService.verify)."""
    from api.auth import TokenService
    from api.settings import Settings
    from core.errors import Unauthenticated

    secret = "remembered-token-test-" + "s" * 40
    tokens = TokenService(Settings.from_env({"PENGKOM_DATA_DIR": str(tmp_path), "PENGKOM_JWT_SECRET": secret}))
    now = int(time.time())
    token = jwt.encode({"sub": "hr-1", "name": "Ani", "roles": ["hr"], "agency": "kemnaker", "iss": "pengkom", "aud": "pengkom",
                        "iat": now, "exp": now + 2}, secret, algorithm="HS256")
    first = tokens.verify(token)
    assert first.subject == "hr-1" and tokens.verify(token) is first  # remembered
    time.sleep(max(0.0, now + 2 - time.time()) + 0.05)
    with pytest.raises(Unauthenticated) as refused_now:
        tokens.verify(token)
    assert refused_now.value.code == "token.expired"
