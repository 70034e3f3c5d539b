"""Bad input on activities (issue 4): every refusal is problem+json with a clerk-actionable message,
records nothing and leaves the server running — unknown pathway, unassigned participant, session
outside the dates, upload too large or of a wrong type, a plugin that raises or answers garbage."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.bootstrap import build
from core.pathways import JpCredit, PathwayDefinition
from plugins.hookspecs import hookimpl
from plugins.manager import PathwayPlugins
from tests.conftest import Api, language_headers
from tests.support.activities import PDF, cast, days, month_start, ok

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")

START = month_start(2) + timedelta(days=3)
END = START + timedelta(days=1)


def seminar(c, **over: Any) -> str:
    body = dict(pathway="seminar", title="Seminar", method="klasikal", provider_kind="own_unit", provider_name="Pusdiklat",
                accreditation_ref="AKR-1", place="Jakarta", start=START.isoformat(), end=END.isoformat(), planned_jp=8)
    body.update(over)
    return c.create(**body)


def problem(r, status: int, *words: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    for w in words:
        assert w in body["detail"], body["detail"]
    return body


def version(api, c, aid: str) -> int:
    return ok(api.get(f"/activities/{aid}", headers=c.hr))["version"]


def test_unknown_pathway_and_plan_input(api):
    c = cast(api)
    r = api.post("/activities/", json={"pathway": "sosialisasi", "title": "x", "method": "klasikal", "provider_kind": "own_unit",
                                       "provider_name": "x", "accreditation_ref": "x", "place": "x", "start": START.isoformat(),
                                       "end": END.isoformat(), "planned_jp": 4}, headers=c.hr)
    body = problem(r, 422, "No installed pathway plugin provides pathway 'sosialisasi'", "seminar", "magang")
    assert body["field"] == "pathway"
    r = api.post("/activities/", json={"title": "x", "method": "klasikal", "provider_kind": "own_unit", "place": "x"}, headers=c.hr)
    problem(r, 422, "without a plan row needs pathway")
    r = api.post("/activities/", json={"plan_id": "nope", "plan_row_id": "nada", "title": "x", "method": "klasikal",
                                       "provider_kind": "own_unit", "place": "x"}, headers=c.hr)
    problem(r, 422, "ids (UUIDs)")
    r = api.post("/activities/", json={"plan_id": "6f0c1c1e-6a7e-4c55-9a4b-1f6d7c2b9a10", "plan_row_id": "6f0c1c1e-6a7e-4c55-9a4b-1f6d7c2b9a11",
                                       "title": "x", "method": "klasikal", "provider_kind": "own_unit", "place": "x"}, headers=c.hr)
    problem(r, 422, "not part of a validated plan")
    assert ok(api.get("/activities/", headers=c.hr))["total"] == 0


@pytest.mark.parametrize("over, words", [
    ({"end": (START - timedelta(days=1)).isoformat()}, ("ends",)),
    ({"accreditation_ref": None}, ("accredited", "BAB III")),
    ({"budget": "1000000"}, ("funding source", "BAB IV")),
    ({"funding_source": "hibah"}, ("apbn (APBN), apbd (APBD), lainnya (Lainnya)",)),
    ({"method": "e_learning"}, ("runs by klasikal, blended, hybrid",)),
    ({"provider_kind": "coach_mentor"}, ("delivered by own_unit",)),
    ({"competency": "kejujuran"}, ("Unknown competency code",)),
    ({"variant": "teknis"}, ("has no variants",)),
])
def test_activity_fields_are_checked(api, over, words):
    c = cast(api)
    body = dict(pathway="seminar", title="Seminar", method="klasikal", provider_kind="own_unit", provider_name="Pusdiklat",
                accreditation_ref="AKR-1", place="Jakarta", start=START.isoformat(), end=END.isoformat(), planned_jp=8)
    body.update(over)
    problem(api.post("/activities/", json=body, headers=c.hr), 422, *words)


def test_attendance_bad_input(api):
    c = cast(api)
    aid = seminar(c)
    c.prepare(aid, [c.pk])
    c.post(aid, "participants", {"officer_id": c.pk2, "urgency_rank": 2})
    v = version(api, c, aid)

    def attend(**body: Any):
        return api.post(f"/activities/{aid}/attendance", json={"officer_id": c.pk, "session_date": START.isoformat(),
                                                                "status": "hadir_full", **body}, headers=c.hr)

    # Someone selected but without an assignment letter; someone not selected at all.
    problem(attend(officer_id=c.pk2), 422, "no assignment letter (surat penugasan)")
    problem(attend(officer_id="6f0c1c1e-6a7e-4c55-9a4b-1f6d7c2b9a10"), 422, "not a participant")
    # A session outside the activity's dates; in the future.
    problem(attend(session_date=(END + timedelta(days=1)).isoformat()), 422, "outside the activity's dates")
    future = api.post(f"/activities/{seminar(c, start=date.today().isoformat(), end=(date.today() + timedelta(days=3)).isoformat())}"
                      "/sessions", json={"dates": [(date.today() + timedelta(days=9)).isoformat()]}, headers=c.hr)
    problem(future, 422, "outside the activity's dates")
    # Partial attendance without minutes; an unknown status; minutes above the session length.
    problem(attend(status="hadir_tidak_full"), 422, "minutes actually attended")
    problem(attend(status="hadir"), 422, "hadir_full (Hadir full), hadir_tidak_full (Hadir tidak full), tidak_hadir (Tidak hadir)")
    assert version(api, c, aid) == v
    # Recorded once; the second time is a conflict that points to corrections.
    assert attend().status_code == 201
    problem(attend(), 409, "correct it, with a reason")
    # A correction that changes nothing; a stale If-Match.
    r = api.post(f"/activities/{aid}/attendance/corrections", json={"officer_id": c.pk, "session_date": START.isoformat(),
                                                                    "status": "hadir_full", "reason": "salah"}, headers=c.hr)
    problem(r, 422, "changes nothing")
    r = api.post(f"/activities/{aid}/attendance", json={"officer_id": c.pk, "session_date": END.isoformat(),
                                                        "status": "hadir_full"}, headers={**c.hr, "If-Match": '"1"'})
    problem(r, 409, "someone changed it")


def test_roles_and_agencies(api):
    c = cast(api)
    aid = seminar(c)
    c.prepare(aid, [c.pk])
    other_hr = api.as_("hr", agency="disnaker-jabar", subject="hr-jabar")
    # Officers cannot create activities; another agency's HR does not even see this one.
    problem(api.post("/activities/", json={"pathway": "seminar", "title": "x", "method": "klasikal", "provider_kind": "own_unit",
                                           "place": "x", "provider_name": "x", "accreditation_ref": "x", "start": START.isoformat(),
                                           "end": END.isoformat(), "planned_jp": 1}, headers=c.pk_h), 403, "hr")
    problem(api.get(f"/activities/{aid}", headers=other_hr), 404, "in your agency")
    problem(api.post(f"/activities/{aid}/participants", json={"officer_id": c.pk2, "urgency_rank": 1}, headers=other_hr),
            404, "in your agency")
    # The participant and their supervisor read it; the supervisor cannot fill Formulir 3.3 of a seminar (HR does).
    assert api.get(f"/activities/{aid}", headers=c.pk_h).status_code == 200
    assert api.get(f"/activities/{aid}/monitoring", headers=c.sup).status_code == 200
    problem(api.post(f"/activities/{aid}/attendance", json={"officer_id": c.pk, "session_date": START.isoformat(),
                                                            "status": "hadir_full"}, headers=c.sup), 403, "the HR unit")
    # An officer who does not take part cannot read it; Dewi cannot hand in Siti's report.
    problem(api.get(f"/activities/{aid}", headers=c.pk2_h), 403, "take part")
    # National roles read across agencies; the agency ledger is for agency readers and national roles.
    pembina = api.as_("pembina", agency=None, subject="pembina-1")
    assert api.get(f"/activities/{aid}", headers=pembina).status_code == 200
    problem(api.get(f"/ledger/agency?year={START.year}", headers=c.pk_h), 403, "HR unit")
    assert api.get(f"/ledger/agency?year={START.year}&agency=kemnaker", headers=pembina).status_code == 200
    problem(api.get(f"/ledger/officers/{c.pk}?year={START.year}", headers=c.pk2_h), 403, "your own profile")
    problem(api.post("/jp-table", json={"version_id": "x1", "overrides": {"coaching": {"international": "3"}}, "reason": "abc"},
                     headers=c.head), 403, "hr")


# -- uploads ------------------------------------------------------------------------------------------------


@pytest.fixture
def small_api(settings, request):
    """An app whose upload limit is 2 KiB, to test the limit without megabytes of test data."""
    services = build(dataclasses.replace(settings, upload_max_bytes=2048))
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        client.headers.update(language_headers(request))
        yield Api(client, services)
    services.close()


def test_certificate_upload_limits(small_api):
    api = small_api
    c = cast(api)
    aid = seminar(c)
    c.prepare(aid, [c.pk])
    v = version(api, c, aid)
    # Over the size limit: 413 naming the limit; far over the route's body limit: 413 too.
    body = problem(c.certificate(aid, c.pk, issued_on=END, content=PDF + b"0" * 3000, status=413), 413, "at most 2,048 bytes")
    assert body["limit"] == 2048
    c.certificate(aid, c.pk, issued_on=END, content=PDF + b"0" * 400_000, status=413)
    # A content type not allowed; a file that is not what it claims.
    problem(c.certificate(aid, c.pk, issued_on=END, content=b"hello", ctype="text/plain", status=415), 415, "PDF, JPEG or PNG")
    problem(c.certificate(aid, c.pk, issued_on=END, content=b"hello", ctype="application/pdf", status=415), 415, "its content is not")
    # Wrong form fields: a certificate predating the activity; an unknown kind; an officer not assigned.
    problem(c.certificate(aid, c.pk, issued_on=START - timedelta(days=9), status=422), 422, "predates the activity")
    problem(c.certificate(aid, c.pk, issued_on=END, kind="ijazah", status=422), 422, "sertifikat")
    problem(c.certificate(aid, c.pk2, issued_on=END, status=422), 422, "not a participant")
    assert version(api, c, aid) == v
    # Another officer may not upload for Siti.
    c.certificate(aid, c.pk, who=c.pk2_h, issued_on=END, status=403)
    # Within limits: recorded with its SHA-256; the same number twice is a conflict.
    up = c.certificate(aid, c.pk, issued_on=END)
    events = ok(api.get(f"/activities/{aid}/events", headers=c.hr))["events"]
    assert events[-1]["data"]["sha256"] == up["sha256"] and events[-1]["data"]["size"] == len(PDF)
    assert api.services.files.read(up["sha256"]) == PDF
    c.certificate(aid, c.pk, issued_on=END, status=409)
    problem(api.get(f"/activities/{aid}/files/{'0' * 64}", headers=c.hr), 404, "No file")


# -- plugins that fail --------------------------------------------------------------------------------------


def _definition(code: str) -> PathwayDefinition:
    return PathwayDefinition(code=code, name_id=code, name_en=code, on_the_job=True, methods=("klasikal",),
                             provider_kinds=("host_institution",), evidence_required=(), monitoring_form="3.3",
                             monitored_by="hr", scheduled_by="hr", jp_form="magang", guideline_section="test",
                             ruleset_version="kaputt/r1", requires_provider_approval=False, rules=("broken on purpose",))


class Kaputt:
    """A plugin with bugs: one pathway whose hooks raise, one whose hooks answer garbage."""

    @hookimpl
    def pengkom_register_pathways(self):
        return [_definition("kaputt_raises"), _definition("kaputt_garbage"), _definition("kaputt_refuses")]

    @hookimpl
    def pengkom_validate_activity(self, pathway, activity, stage):
        if pathway == "kaputt_refuses" or (pathway == "kaputt_raises" and activity.title == "raise on create"):
            raise KeyError("boom")
        return "not a list" if pathway == "kaputt_garbage" and stage == "complete" else []

    @hookimpl
    def pengkom_credit_jp(self, pathway, participant):
        if pathway == "kaputt_raises":
            return 1 / 0
        return JpCredit(jp=True, rule="")  # type: ignore[arg-type]

    @hookimpl
    def pengkom_monitoring_findings(self, pathway):
        raise RuntimeError("findings exploded")


def test_failing_plugin_records_nothing_and_server_keeps_running(api):
    c = cast(api)
    api.services.pathways = PathwayPlugins.load("none", extra=[("kaputt", Kaputt())])

    def create(code: str, title: str = "Kegiatan") -> Any:
        return api.post("/activities/", json={"pathway": code, "title": title, "method": "klasikal",
                                              "provider_kind": "host_institution", "provider_name": "Host", "place": "x",
                                              "start": START.isoformat(), "end": END.isoformat(), "planned_jp": 4}, headers=c.hr)

    # A validation hook that raises: 422 naming the plugin; no activity recorded.
    body = problem(create("kaputt_raises", "raise on create"), 422, "Pathway plugin 'kaputt'", "KeyError", "Nothing was recorded")
    assert body["plugin"] == "kaputt" and body["title"] == "Pathway plugin failed"
    assert ok(api.get("/activities/", headers=c.hr))["total"] == 0

    for code, words in (("kaputt_raises", ("ZeroDivisionError",)), ("kaputt_garbage", ("invalid answer",))):
        aid = ok(create(code), 201)["id"]
        c.prepare(aid, [c.pk], approve=False, letter=False)
        for d in days(START, 2):
            c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d, "status": "hadir_full"})
        v = version(api, c, aid)
        problem(api.post(f"/activities/{aid}/completion", json={}, headers=c.hr), 422, "Pathway plugin 'kaputt'", *words)
        assert version(api, c, aid) == v  # nothing recorded
        # Findings that explode: the monitoring read still answers, with the failure as a finding.
        m = c.monitoring(aid)
        assert [f["code"] for f in m["findings"]] == ["plugin_failed"] and "findings exploded" in m["findings"][0]["message"]
    # The server keeps running.
    assert api.get("/health").status_code == 200
    assert api.get("/pathways", headers=c.hr).status_code == 200
