"""Regressions found by the OpenAPI fuzzing and the authorization matrix (both stores).

- A NUL character (U+0000) in a JSON body was recorded, then PostgreSQL refused it in the read
  models: the command answered 500 "nothing was recorded" with its events in the log and every
  projection stuck behind them. It is refused at the edge (``api.commands.run``), naming the field.
- A NUL in the query string or path reached the PostgreSQL read model: 500. Refused with 422 naming the parameter.
- An offset or revision beyond 64 bits reached the store (SQLite OverflowError, PostgreSQL
  "bigint out of range"): 500. Bounded where the routes declare them, and mapped to a 422
  problem by ``api.problems`` for any route.
"""
from __future__ import annotations

import pytest

from tests.support.data import PK_AHLI_MUDA, officer_body
from tests.support.planning import PLAN_YEAR, assert_problem, head

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")

HUGE = str(2**63)


def test_nul_in_a_body_is_refused_by_field_and_records_nothing(api):
    hr = api.as_("hr")
    oid = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    before = head(api)
    body = assert_problem(api.post("/officers/", json=officer_body(PK_AHLI_MUDA, name="Dewi\x00Lestari"), headers=hr), 422, "NUL")
    assert body["field"] == "name"
    body = assert_problem(api.post(f"/officers/{oid}/corrections", json={"changes": {"birth_place": "Bo\x00gor"}, "reason": "Sesuai akta"},
                                   headers=hr), 422, "changes.birth_place")
    assert body["field"] == "changes.birth_place"
    r = api.post(f"/officers/{oid}/history/positions", json={"year": 2020, "position": "Pengantar\x00Kerja"},
                 headers={**hr, "Idempotency-Key": "nul-retry-0001"})
    assert_problem(r, 422, "position")
    assert head(api) == before
    # Nothing is stuck: the projections are caught up and the next command (and the released key) work.
    assert api.post("/officers/", json=officer_body(PK_AHLI_MUDA, name="Dewi Lestari"), headers=hr).status_code == 201
    r = api.post(f"/officers/{oid}/history/positions", json={"year": 2020, "position": "Pengantar Kerja"},
                 headers={**hr, "Idempotency-Key": "nul-retry-0001"})
    assert r.status_code == 201, r.text
    assert api.get("/officers/", headers=hr).status_code == 200  # a read waits for the read models (read-your-writes)
    ready = api.get("/ready", headers=api.as_("auditor", None)).json()
    assert set(ready["projection_lag"].values()) == {0}, ready


def test_nul_in_the_query_or_path_is_a_422_problem(api):
    hr = api.as_("hr")
    assert_problem(api.get("/officers/?q=Siti%00", headers=hr), 422, "q", "NUL")
    assert_problem(api.get(f"/plans/kem%00naker/{PLAN_YEAR}", headers=api.as_("pembina", None)), 422, "NUL")


def test_numbers_beyond_the_store_are_a_422_problem(api):
    hr = api.as_("hr")
    assert_problem(api.get(f"/officers/?offset={HUGE}", headers=hr), 422, "offset")
    assert_problem(api.get(f"/plans/kemnaker/{PLAN_YEAR}/revisions/{HUGE}", headers=hr), 422, "revision")
    assert_problem(api.get(f"/plans/kemnaker/{PLAN_YEAR}/revisions/0", headers=hr), 422, "revision")
    # The shared mapping: a route without its own bound still answers a problem, not a 500.
    assert_problem(api.get(f"/audit/?offset={HUGE}", headers=api.as_("auditor", None)), 422, "smaller value")
    assert_problem(api.get(f"/instruments/skj-pk?version={HUGE}", headers=hr), 422, "version")
