"""Strict input on every JSON route (issue 8 item 5): media type, size, depth, UTF-8, no coercion,
plausible dates per field, and a /health that tells anonymous callers nothing about the deployment.
Every refusal is problem+json and records nothing."""
from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.data import officer_body

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")


def head(api: Any) -> int:
    return api.services.app.recorder.max_notification_id() or 0


def problem(r: Any, status: int, *fragments: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["code"]
    for f in fragments:
        assert f in body["detail"], body["detail"]
    return body


@pytest.fixture
def officer(api: Any) -> str:
    r = api.post("/officers/", json=officer_body(), headers=api.as_("hr"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml",
                                   "application/json; charset=latin-1"])
def test_json_routes_need_content_type_json(api: Any, officer: str, ctype: str | None) -> None:
    before = head(api)
    headers = {**api.as_("hr"), **({"Content-Type": ctype} if ctype else {})}
    body = json.dumps(officer_body("19900101 201501 2 002")).encode()
    r = problem(api.post("/officers/", content=body, headers=headers), 415, "Content-Type: application/json")
    assert r["code"].startswith("request.unsupported")
    r = problem(api.post(f"/officers/{officer}/history/positions", content=b'{"year": 2020, "position": "PK"}', headers=headers),
                415, "application/json")
    assert head(api) == before
    # The same body with the right header is accepted.
    ok = api.post("/officers/", content=body, headers={**api.as_("hr"), "Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 201, ok.text


def test_too_large_is_413(api: Any) -> None:
    big = json.dumps({**officer_body(), "name": "x" * (api.services.settings.max_body_bytes + 10)})
    r = api.post("/officers/", content=big, headers={**api.as_("hr"), "Content-Type": "application/json"})
    problem(r, 413)
    assert head(api) == 0


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deep_nesting_is_400_not_500(api: Any, officer: str, depth: int) -> None:
    before = head(api)
    nested = "[" * depth + "]" * depth
    hr = {**api.as_("hr"), "Content-Type": "application/json"}
    problem(api.post("/officers/", content=f'{{"nip": {nested}}}', headers=hr), 400, "levels deep")
    body = '{"reason": "Sesuai SK", "changes": {"name": ' + nested + "}}"
    problem(api.post(f"/officers/{officer}/corrections", content=body, headers=hr), 400, "levels deep")
    problem(api.post("/jp-table", content='{"version_id": "v", "reason": "why", "overrides": ' + "{\"a\": " * depth + "1" + "}" * depth + "}",
                     headers=hr), 400, "levels deep")
    assert head(api) == before


def test_brackets_inside_strings_do_not_count_as_nesting(api: Any) -> None:
    r = api.post("/officers/", json=officer_body(birth_place="[[[[" * 40 + "{{{{" * 10), headers=api.as_("hr"))
    assert r.status_code == 201, r.text


def test_invalid_utf8_is_400(api: Any, officer: str) -> None:
    hr = {**api.as_("hr"), "Content-Type": "application/json"}
    raw = json.dumps(officer_body("19900101 201501 2 002")).encode().replace(b"Siti", b"S\xffti")
    problem(api.post("/officers/", content=raw, headers=hr), 400, "UTF-8", "0xff")
    problem(api.post(f"/officers/{officer}/history/positions", content=b'{"year": 2020, "position": "\xc3\x28"}', headers=hr),
            400, "UTF-8")
    assert head(api) == 1


@pytest.mark.parametrize("path,body,field", [
    ("positions", {"year": "2020", "position": "Pengantar Kerja"}, "year"),
    ("development", {"year": 2020, "competency": "integritas", "form": "Pelatihan", "jp": "10"}, "jp"),
    ("positions", {"year": 2020.0, "position": "Pengantar Kerja"}, "year"),
    ("positions", {"year": True, "position": "Pengantar Kerja"}, "year"),
    ("positions", {"year": 2020, "position": 12}, "position"),
])
def test_no_string_to_number_coercion(api: Any, officer: str, path: str, body: dict[str, Any], field: str) -> None:
    before = head(api)
    r = problem(api.post(f"/officers/{officer}/history/{path}", json=body, headers=api.as_("hr")), 422, field, "it accepts")
    assert "Expected" not in r["detail"] and r["field"] == field and r["code"] == "request.invalid_value"
    assert head(api) == before


def test_numbers_still_accepted_where_numbers_are_expected(api: Any, officer: str) -> None:
    r = api.post(f"/officers/{officer}/history/development", headers=api.as_("hr"),
                 json={"year": 2020, "competency": "integritas", "form": "Pelatihan", "jp": 10})
    assert r.status_code == 201, r.text


def test_registration_dates_are_plausible(api: Any) -> None:
    hr = api.as_("hr")
    for bad in ("0001-01-01", "9999-12-31", (date.today() - timedelta(days=365 * 5)).isoformat(), "1900-01-01"):
        problem(api.post("/officers/", json=officer_body(birth_date=bad), headers=hr), 422, "birth_date", "plausible range")
    for bad in ("0001-01-01", "1969-12-31"):
        problem(api.post("/officers/", json=officer_body(effective_date=bad), headers=hr), 422, "effective_date", "1970")
    problem(api.post("/officers/", json=officer_body(effective_date="9999-12-31"), headers=hr), 422, "future")
    assert head(api) == 0


def test_correction_of_a_birth_date_is_checked_too(api: Any, officer: str) -> None:
    r = api.post(f"/officers/{officer}/corrections", headers=api.as_("hr"),
                 json={"changes": {"birth_date": "0001-01-01"}, "reason": "Sesuai akta"})
    problem(r, 422, "changes.birth_date")
    assert head(api) == 1


def test_activity_and_plan_dates_lie_within_their_windows(api: Any, officer: str) -> None:
    hr = api.as_("hr")
    year = date.today().year
    for start, end in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), (f"{year - 11}-01-01", f"{year - 11}-01-02")):
        r = api.post("/activities/", headers=hr, json={"title": "Seminar", "pathway": "seminar", "method": "klasikal",
                                                       "provider_kind": "own_unit", "place": "Jakarta", "start": start, "end": end})
        problem(r, 422, "start", "plausible range")
    row = {"officer_id": officer, "competency": "integritas", "pathway": "seminar", "programme": "Seminar",
           "funding_source": "apbn", "start": f"{year + 3}-01-01", "end": f"{year + 3}-01-02", "days": 1}
    problem(api.post(f"/plans/kemnaker/{year + 1}/rows", json=row, headers=hr), 422, "start", f"{year}-01-01", f"{year + 2}-12-31")
    problem(api.post(f"/plans/kemnaker/{year + 1}/rows", json={**row, "start": "0001-01-01", "end": "0001-01-01"}, headers=hr), 422, "start")
    assert head(api) == 1


def test_health_and_ready_tell_anonymous_callers_only_the_status(api: Any, settings: Any) -> None:
    h = api.get("/health")
    assert h.status_code == 200 and h.json() == {"status": "ok"}
    text = api.get("/ready").text + h.text
    for secret in (str(settings.data_dir), "sqlite", "postgres", settings.pg_schema, "127.0.0.1", "log_position"):
        assert secret not in text, (secret, text)
    assert api.get("/ready").json()["status"] == "ready"
    # An unusable token is just anonymous here; an agency role is not an operator.
    for headers in ({"Authorization": "Bearer nonsense"}, api.as_("hr")):
        assert api.get("/health", headers=headers).json() == {"status": "ok"}
    detailed = api.get("/health", headers=api.as_("auditor", None)).json()
    assert detailed["store"] == settings.store_name and detailed["where"]
