"""Bad input in the planning half (BAB II): each a clear 4xx problem+json, nothing recorded, no 5xx."""
from __future__ import annotations

import pytest

from tests.support.data import officer_body
from tests.support.planning import (
    ASSESSMENT_YEAR,
    OFFICERS,
    PERFORMANCE_YEAR,
    PLAN_YEAR,
    SUP,
    assert_problem,
    head,
    instrument_body,
    register_officers,
    scores,
)

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")


@pytest.fixture
def setup(api):
    hr = api.as_("hr")
    ids = register_officers(api, hr)
    pembina = api.as_("pembina", agency=None)
    assert api.post("/instruments/skj-pk/versions", json=instrument_body(), headers=pembina).status_code == 201
    other = {"title": "Instrumen lain", "questions": [{"question_id": "LAIN-1", "competency": "integritas",
                                                       "level": "ahli_pertama", "text": "?"}],
             "standards": [{"competency": "integritas", "level": "ahli_pertama", "target": 7}]}
    assert api.post("/instruments/lain/versions", json=other, headers=pembina).status_code == 201
    return {"hr": hr, "ids": ids, "sup": api.as_("supervisor", nip=SUP), "pembina": pembina,
            "pk": api.as_("officer", nip=OFFICERS["pertama"]["nip"].replace(" ", ""))}


def _nothing_recorded(api, call, status, *fragments):
    before = head(api)
    r = call()
    assert_problem(r, status, *fragments)
    assert head(api) == before, "a refused command recorded something"


@pytest.mark.parametrize("values, status, fragment", [
    ((8, 7, 11, 6), 422, "score 11 for question PERTAMA-2 is outside 0–10"),
    ((8, 7, -1, 6), 422, "outside 0–10"),
    ((8, 7.5, 5, 6), 422, "not a whole number"),
    ((8, "7", 5, 6), 422, "not a number"),
])
def test_formulir_2_3_scores_are_whole_numbers_0_to_10(api, setup, values, status, fragment):
    body = {"instrument": "skj-pk", "scores": scores("pertama", values)}
    _nothing_recorded(api, lambda: api.post(f"/assessments/{setup['ids']['pertama']}/{ASSESSMENT_YEAR}/supervisor",
                                            json=body, headers=setup["sup"]), status, fragment)


def test_formulir_2_3_refuses_foreign_missing_and_duplicate_questions(api, setup):
    url = f"/assessments/{setup['ids']['pertama']}/{ASSESSMENT_YEAR}/supervisor"
    foreign = scores("pertama", (8, 7, 5, 6))[:3] + [{"question_id": "LAIN-1", "score": 5}]
    _nothing_recorded(api, lambda: api.post(url, json={"instrument": "skj-pk", "scores": foreign}, headers=setup["sup"]),
                      422, "LAIN-1 is not a question of instrument skj-pk version 1")
    other_level = scores("pertama", (8, 7, 5, 6)) + [{"question_id": "MADYA-1", "score": 5}]
    _nothing_recorded(api, lambda: api.post(url, json={"instrument": "skj-pk", "scores": other_level}, headers=setup["sup"]),
                      422, "asked of level ahli_madya")
    _nothing_recorded(api, lambda: api.post(url, json={"instrument": "skj-pk", "scores": scores("pertama", (8, 7, 5, 6))[:3]},
                                            headers=setup["sup"]), 422, "not scored: PERTAMA-2b")
    dup = scores("pertama", (8, 7, 5, 6)) + [{"question_id": "PERTAMA-1", "score": 5}]
    _nothing_recorded(api, lambda: api.post(url, json={"instrument": "skj-pk", "scores": dup}, headers=setup["sup"]),
                      422, "scored twice")
    _nothing_recorded(api, lambda: api.post(url, json={"instrument": "nope", "scores": dup}, headers=setup["sup"]),
                      404, "No assessment instrument 'nope'")


def test_only_the_direct_supervisor_scores_2_3_and_only_the_officer_2_4(api, setup):
    oid = setup["ids"]["pertama"]
    body = {"instrument": "skj-pk", "scores": scores("pertama", (8, 7, 5, 6))}
    other_sup = api.as_("supervisor", nip="196505051990031002")
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/supervisor", json=body, headers=other_sup),
                      403, "direct supervisor")
    other_pk = api.as_("officer", nip=OFFICERS["muda"]["nip"].replace(" ", ""))
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/self", json=body, headers=other_pk), 403)
    # The supervisor cannot fill the self part either.
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/self", json=body, headers=setup["sup"]),
                      403, "themself")
    # Another agency's supervisor does not even see the officer.
    far = api.as_("supervisor", agency="disnaker-jabar", nip=SUP)
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/supervisor", json=body, headers=far), 404)


def test_gap_analysis_needs_both_parts_and_weights_summing_to_one(api, setup):
    oid = setup["ids"]["pertama"]
    r = api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/supervisor",
                 json={"instrument": "skj-pk", "scores": scores("pertama", (8, 7, 5, 6))}, headers=setup["sup"])
    assert r.status_code == 200
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/gap-analysis", json={}, headers=setup["hr"]),
                      409, "Formulir 2.4 (self)")
    assert api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/self", json={"scores": scores("pertama", (8, 7, 5, 6))},
                    headers=setup["pk"]).status_code == 200
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/gap-analysis",
                                            json={"weight_supervisor": "0.7", "weight_self": "0.5"}, headers=setup["hr"]),
                      422, "add up to 1.2")
    r = api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/gap-analysis", json={"weight_supervisor": "0.6", "weight_self": "0.4"},
                 headers=setup["pembina"])
    assert r.status_code == 200, r.text
    assert r.json()["events"][0]["provenance"]["role"] == "pembina"
    _nothing_recorded(api, lambda: api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/self", json={"scores": scores("pertama", (8, 7, 5, 6))},
                                            headers=setup["pk"]), 409, "closed")


def test_formulir_2_5_refuses_a_contradicting_predikat_and_a_second_signature(api, setup):
    url = f"/performance-reviews/{setup['ids']['pertama']}/{PERFORMANCE_YEAR}"
    body = {"targets": [{"description": "Target", "achieved": True}], "hasil_kerja": "di_atas", "perilaku_kerja": "di_bawah",
            "predikat": "baik"}
    _nothing_recorded(api, lambda: api.post(url, json=body, headers=setup["sup"]), 422,
                      "contradicts the ratings", "'Kurang/Misconduct'", "'Tinggi'")
    _nothing_recorded(api, lambda: api.post(url, json=body | {"hasil_kerja": "excellent"}, headers=setup["sup"]), 422, "di_atas")
    _nothing_recorded(api, lambda: api.post(f"/performance-reviews/{setup['ids']['pertama']}/{PLAN_YEAR}",
                                            json=body | {"predikat": None}, headers=setup["sup"]), 422, "has not ended")
    assert api.post(url, json=body | {"predikat": "kurang"}, headers=setup["sup"]).status_code == 200
    assert api.post(f"{url}/signature", json={}, headers=setup["sup"]).status_code == 200
    _nothing_recorded(api, lambda: api.post(f"{url}/signature", json={}, headers=setup["sup"]), 409, "already signed")
    _nothing_recorded(api, lambda: api.post(url, json=body | {"predikat": None}, headers=setup["sup"]), 409, "signed")


def test_formulir_2_1_signing_twice_and_changing_signed_items(api, setup):
    oid, sup, pk = setup["ids"]["pertama"], setup["sup"], setup["pk"]
    item = {"source": "competency", "competency": "integritas", "behaviour_indicator": "Jujur", "form": "Pelatihan",
            "pathway": "pelatihan", "target_time": "Triwulan II"}
    _nothing_recorded(api, lambda: api.post(f"/proposals/{oid}/{PLAN_YEAR}/items", json=item | {"competency": None}, headers=sup),
                      422, "names the competency")
    r = api.post(f"/proposals/{oid}/{PLAN_YEAR}/items", json=item, headers=sup)
    item_id = r.json()["item_id"]
    assert api.post(f"/proposals/{oid}/{PLAN_YEAR}/signatures", json={}, headers=pk).status_code == 200
    _nothing_recorded(api, lambda: api.post(f"/proposals/{oid}/{PLAN_YEAR}/signatures", json={}, headers=pk), 409, "already signed")
    _nothing_recorded(api, lambda: api.post(f"/proposals/{oid}/{PLAN_YEAR}/forwarding", json={}, headers=sup), 409, "the supervisor")
    # Changing a signed item voids the signatures (one command, two events).
    r = api.post(f"/proposals/{oid}/{PLAN_YEAR}/items/{item_id}", json=item | {"pathway": "coaching"}, headers=sup)
    assert r.status_code == 200, r.text
    assert [e["type"].rsplit(".", 1)[1] for e in r.json()["events"]] == ["ItemChanged", "SignaturesVoided"]
    doc = api.get(f"/proposals/{oid}/{PLAN_YEAR}", headers=pk).json()
    assert doc["tanda_tangan_pengantar_kerja"] is None and doc["tanda_tangan_dibatalkan"]


def test_plan_refuses_other_agency_officer_open_findings_and_wrong_roles(api, setup):
    hr = setup["hr"]
    jabar_hr = api.as_("hr", agency="disnaker-jabar")
    r = api.post("/officers/", json=officer_body("19920303 201801 1 005", agency="disnaker-jabar"), headers=jabar_hr)
    assert r.status_code == 201, r.text
    row = {"officer_id": r.json()["id"], "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan",
           "funding_source": "apbn", "programme_jp": 24}
    plan = f"/plans/kemnaker/{PLAN_YEAR}"
    _nothing_recorded(api, lambda: api.post(f"{plan}/rows", json=row, headers=hr), 422, "belongs to another agency")
    _nothing_recorded(api, lambda: api.post(f"{plan}/rows", json=row | {"officer_id": setup["ids"]["pertama"], "funding_source": "hibah"},
                                            headers=hr), 422, "apbn")
    _nothing_recorded(api, lambda: api.post(f"{plan}/rows", json=row | {"officer_id": setup["ids"]["pertama"], "programme_jp": None},
                                            headers=hr), 422, "programme_jp")
    _nothing_recorded(api, lambda: api.post(f"{plan}/rows", json=row | {"officer_id": setup["ids"]["pertama"],
                                                                        "start": f"{PLAN_YEAR}-05-01", "end": f"{PLAN_YEAR}-04-01"},
                                            headers=hr), 422, "ends")
    _nothing_recorded(api, lambda: api.post(f"/plans/disnaker-jabar/{PLAN_YEAR}/rows", json=row, headers=hr), 403)
    # A row with findings: validation refused (409), and only the PPK validates (403).
    assert api.post(f"{plan}/rows", json=row | {"officer_id": setup["ids"]["pertama"]}, headers=hr).status_code == 201
    _nothing_recorded(api, lambda: api.post(f"{plan}/validation", json={}, headers=api.as_("ppk")), 409, "still open")
    _nothing_recorded(api, lambda: api.post(f"{plan}/validation", json={}, headers=hr), 403, "ppk")
    _nothing_recorded(api, lambda: api.post(f"{plan}/signature", json={"name": "X", "place": "Y"}, headers=api.as_("head")),
                      409, "still open")
    _nothing_recorded(api, lambda: api.post(f"{plan}/submissions", json={"recipient": "lan"}, headers=api.as_("ppk")),
                      409, "validated")
    findings = api.get(plan, headers=hr).json()["findings"]
    _nothing_recorded(api, lambda: api.post(f"{plan}/findings/{findings[0]['finding_id']}/acceptance",
                                            json={"reason": "Karena kebutuhan unit kerja"}, headers=hr), 403, "pyb")
    _nothing_recorded(api, lambda: api.post(f"{plan}/findings/{findings[0]['finding_id']}/acceptance",
                                            json={"reason": "ok"}, headers=api.as_("pyb")), 422, "reason")
    # Reading: another agency's HR is refused; national roles see only submitted plans.
    assert_problem(api.get(plan, headers=jabar_hr), 403)
    assert_problem(api.get(plan, headers=api.as_("lan", agency=None)), 403, "not been submitted")
    # The auditor too reads a plan only as submitted (issue 8 item 8): nothing was submitted yet, not the draft.
    assert assert_problem(api.get(plan, headers=api.as_("auditor", agency=None)), 404, "submitted")["code"] == "plan.not_submitted"


@pytest.mark.parametrize("year", [0, 9999, 10000, 373361])
def test_a_plan_year_beyond_the_calendar_with_a_date_in_the_body_is_refused_not_a_500(api, year):
    """BAB II.B.4, Formulir 2.6 meetings: dates on a plan route are judged against the path's plan year before the route
    checks that year; a year the calendar cannot hold (found by the OpenAPI contract run) is a 4xx, never a 500."""
    r = api.post(f"/plans/kemnaker/{year}/meetings", json={"held_on": "5461-12-05", "attendees": [], "minutes": "x"},
                 headers=api.as_("pyb"))
    assert r.status_code in (404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
