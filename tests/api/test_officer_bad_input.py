"""Bad input on the officer routes: each a clear 4xx problem+json, and nothing recorded (Formulir 2.2)."""
from __future__ import annotations

import pytest

from tests.support.data import PK_AHLI_MUDA, officer_body

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")


def head(api):
    return api.services.app.recorder.max_notification_id() or 0


def assert_problem(r, status, *fragments):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["type"].startswith("urn:pengkom:problem:") and body["request_id"]
    for f in fragments:
        assert f in body["detail"], body["detail"]
    return body


@pytest.mark.parametrize("mutate, status, fragment", [
    (lambda b: b.update(nip="19900101 201501 1 01"), 422, "17 digits"),
    (lambda b: b.update(nip="19901301 201501 1 001", birth_date="1990-01-01"), 422, "month 13"),
    (lambda b: b.update(nip="19900101 198901 1 001"), 422, "digits 9–14"),           # appointed before birth
    (lambda b: b.update(nip="19900101 209901 1 001"), 422, "after the current month"),
    (lambda b: b.update(nip="19900101 201501 3 001"), 422, "digit 15"),
    (lambda b: b.update(nip="19900101 201501 1 000"), 422, "000"),
    (lambda b: b.update(sex="P"), 422, "digit 15"),                                    # NIP says male
    (lambda b: b.update(birth_date="1990-01-02"), 422, "birth"),
    (lambda b: b.update(level="ahli_super"), 422, "ahli_pertama"),
    (lambda b: b.update(golongan="IV/a"), 422, "does not fit level"),
    (lambda b: b.update(employee_type="honorer"), 422, "PNS"),
    (lambda b: b.update(name="   "), 422, "Name is required"),
    (lambda b: b.update(name="x" * 201), 422, "name is too long (201); it accepts text of 1 to 200 characters"),
    (lambda b: b.update(unknown_field=1), 422, "unknown_field is not a field of this request"),
    (lambda b: b.update(birth_date="01/01/1990"), 422, "birth_date"),
    (lambda b: b.update(nip=19900101201501), 422, "nip: a whole number was sent (19900101201501); it accepts text"),
    (lambda b: b.pop("agency"), 422, "agency is required"),
    (lambda b: b.update(supervisor_nip="123"), 422, "Supervisor NIP"),
    (lambda b: b.update(effective_date="2999-01-01"), 422, "future"),
])
def test_register_refuses_bad_input_and_records_nothing(api, mutate, status, fragment):
    hr = api.as_("hr")
    body = officer_body()
    mutate(body)
    before = head(api)
    assert_problem(api.post("/officers/", json=body, headers=hr), status, fragment)
    assert head(api) == before


def test_malformed_json_oversized_body_and_wrong_media(api):
    hr = api.as_("hr")
    assert_problem(api.post("/officers/", content=b'{"nip": ', headers={**hr, "content-type": "application/json"}), 400, "not valid JSON")
    big = officer_body(name="x" * (2 * 1024 * 1024))
    assert_problem(api.post("/officers/", json=big, headers=hr), 413, "larger")
    assert_problem(api.post("/officers/", content=b"[1, 2]", headers={**hr, "content-type": "application/json"}), 422,
                   "body: a list was sent")
    assert head(api) == 0


def test_second_registration_of_the_same_nip_is_a_conflict(api):
    hr = api.as_("hr")
    assert api.post("/officers/", json=officer_body(), headers=hr).status_code == 201
    before = head(api)
    # Same NIP written the paper way or packed: the same officer.
    assert_problem(api.post("/officers/", json=officer_body(nip="199001012015011001", name="Other"), headers=hr), 409, "already registered")
    assert head(api) == before


@pytest.mark.parametrize("headers, fragment", [
    ({}, "Bearer"),
    ({"Authorization": "Bearer not.a.token"}, "not valid"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "Bearer"),
])
def test_missing_or_malformed_tokens_get_401(api, headers, fragment):
    r = api.get("/officers/", headers=headers)
    assert_problem(r, 401, fragment)
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_forged_and_expired_tokens_get_401(api):
    import time

    import jwt

    forged = jwt.encode({"sub": "x", "name": "x", "roles": ["hr"], "agency": "kemnaker", "iss": "pengkom", "aud": "pengkom",
                         "iat": int(time.time()), "exp": int(time.time()) + 60}, "another-key-of-sufficient-length-000000", algorithm="HS256")
    assert_problem(api.get("/officers/", headers={"Authorization": f"Bearer {forged}"}), 401, "Signature")
    expired = api.services.tokens.issue(subject="x", name="x", roles=["hr"], agency="kemnaker", ttl=-10)
    assert_problem(api.get("/officers/", headers={"Authorization": f"Bearer {expired}"}), 401, "expired")
    unsigned = jwt.encode({"sub": "x", "name": "x", "roles": ["hr"], "agency": "kemnaker"}, None, algorithm="none")
    assert_problem(api.post("/officers/", json=officer_body(), headers={"Authorization": f"Bearer {unsigned}"}), 401, "")
    assert head(api) == 0


def test_another_agencys_ids_look_absent_and_its_writes_are_forbidden(api):
    oid = api.post("/officers/", json=officer_body(), headers=api.as_("hr")).json()["id"]
    other = api.as_("hr", agency="disnaker-jabar")
    before = head(api)
    assert_problem(api.get(f"/officers/{oid}", headers=other), 404, "")
    assert_problem(api.get(f"/officers/{oid}/events", headers=other), 404, "")
    assert_problem(api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "1"}, headers=other), 404, "")
    assert_problem(api.post("/officers/", json=officer_body(nip=PK_AHLI_MUDA, level="ahli_muda", golongan="III/c"), headers=other), 403, "another agency")
    assert_problem(api.get("/officers/?agency=kemnaker", headers=other), 403, "only read agency disnaker-jabar")
    assert api.get("/officers/", headers=other).json()["total"] == 0
    assert head(api) == before


def test_roles_without_a_part_in_formulir_2_2_cannot_write(api):
    oid = api.post("/officers/", json=officer_body(), headers=api.as_("hr")).json()["id"]
    before = head(api)
    for role in ("ppk", "pyb", "head", "verifier"):
        assert_problem(api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "1"},
                                headers=api.as_(role)), 403, "HR unit")
    auditor = api.as_("auditor", agency=None)
    assert api.get(f"/officers/{oid}", headers=auditor).status_code == 200
    assert_problem(api.post("/officers/", json=officer_body(nip=PK_AHLI_MUDA), headers=auditor), 403, "")
    assert head(api) == before


def test_officer_fills_own_profile_but_not_placement(api):
    body = api.post("/officers/", json=officer_body(), headers=api.as_("hr")).json()
    oid, nip = body["id"], body["events"][0]["data"]["nip"]
    me = api.as_("officer", nip=nip)
    r = api.post(f"/officers/{oid}/history/positions", json={"year": 2020, "position": "Pengantar Kerja Ahli Pertama"}, headers=me)
    assert r.status_code == 201 and r.json()["events"][0]["provenance"]["role"] == "officer"
    assert r.json()["events"][0]["provenance"]["on_behalf_of"] == nip
    assert_problem(api.post(f"/officers/{oid}/corrections", json={"changes": {"level": "ahli_muda", "golongan": "III/c"}, "reason": "promosi"},
                            headers=me), 403, "HR unit")
    assert api.get(f"/officers/{oid}", headers=me).status_code == 200
    other_officer = api.as_("officer", nip="198505052010032002")
    assert_problem(api.get(f"/officers/{oid}", headers=other_officer), 403, "own profile")


@pytest.mark.parametrize("path, body, status, fragment", [
    ("history/credit-points", {"year": 2025, "credit_points": "-1"}, 422, "from 0 to 1000"),
    ("history/credit-points", {"year": 2025, "credit_points": "1.23456"}, 422, "3 decimals"),
    ("history/credit-points", {"year": 2025, "credit_points": "NaN"}, 422, ""),
    ("history/credit-points", {"year": 1900, "credit_points": "1"}, 422, "year: 1900 is out of range"),
    ("history/credit-points", {"year": 2099, "credit_points": "1"}, 422, "Year 2099"),
    ("history/performance", {"year": 2025, "predikat": "luar_biasa"}, 422, "sangat_baik"),
    ("history/development", {"year": 2025, "competency": "sihir", "form": "x"}, 422, "integritas"),
    ("history/development", {"year": 2025, "competency": "integritas", "form": "x", "pathway": "kursus_online"}, 422, "pelatihan"),
    ("history/development", {"year": 2025, "competency": "integritas", "form": "x", "jp": 0}, 422, "jp: 0 is out of range"),
    ("history/positions", {"year": 2025, "position": "x", "level": "ahli_super"}, 422, "ahli_pertama"),
    ("corrections", {"changes": {"nip": "199001012015011002"}, "reason": "salah ketik"}, 422, "cannot be corrected"),
    ("corrections", {"changes": {}, "reason": "tidak ada"}, 422, "at least one"),
    ("corrections", {"changes": {"name": "Siti Rahayu"}, "reason": "sama"}, 422, "already"),
    ("corrections", {"changes": {"name": "Siti R."}, "reason": "x"}, 422, "reason is too short"),
    ("corrections", {"changes": {"name": "Siti R."}, "reason": "typo", "corrects_version": 9}, 422, "corrects_version"),
])
def test_history_and_correction_bad_input(api, path, body, status, fragment):
    oid = api.post("/officers/", json=officer_body(), headers=api.as_("hr")).json()["id"]
    before = head(api)
    assert_problem(api.post(f"/officers/{oid}/{path}", json=body, headers=api.as_("hr")), status, fragment)
    assert head(api) == before


def test_unknown_ids_and_routes(api):
    hr = api.as_("hr")
    assert_problem(api.get("/officers/00000000-0000-0000-0000-000000000000", headers=hr), 404, "No officer")
    assert_problem(api.get("/officers/not-a-uuid", headers=hr), 404, "")
    assert_problem(api.delete("/officers/", headers=hr), 405, "not allowed")
    assert_problem(api.get("/officers/?limit=100000", headers=hr), 422, "limit")
