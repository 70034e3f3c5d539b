"""Reading rules (issue 8 item 8; Formulir 3.3 keterangan): an attendance note is read only by the
agency's HR unit, the participant's direct supervisor and the participant; a colleague, the PyB,
national roles and the auditor see the row with its note withheld — in the activity, its monitoring,
its events and the audit trail."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.activities import cast, days, month_start, ok

NOTE = "izin sakit siang hari"


def _seminar(api: Any) -> tuple[Any, str]:
    c = cast(api)
    start = month_start(3) + timedelta(days=1)
    aid = c.create(pathway="seminar", title="Seminar Pasar Kerja", method="klasikal", provider_kind="other_agency",
                   provider_name="Pusdiklat Kemnaker", accreditation_ref="LAN-AKR-2024-17", place="Jakarta",
                   start=start.isoformat(), end=(start + timedelta(days=1)).isoformat(), planned_jp=8,
                   competency="perencanaan_pelaksanaan_antar_kerja")
    c.prepare(aid, [c.pk, c.pk2])
    c.post(aid, "sessions", {"dates": days(start, 2), "minutes": 360, "agreed_with_provider": True})
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": days(start, 2)[0], "status": "hadir_full"})
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": days(start, 2)[1], "status": "hadir_tidak_full",
                               "minutes_attended": 120, "note": NOTE})
    return c, aid


def _shows_note(api: Any, aid: str, who: dict[str, str]) -> dict[str, bool]:
    doc = ok(api.get(f"/activities/{aid}", headers=who))
    events = ok(api.get(f"/activities/{aid}/events", headers=who))
    monitoring = ok(api.get(f"/activities/{aid}/monitoring", headers=who))
    return {"activity": NOTE in str(doc), "events": NOTE in str(events), "monitoring": NOTE in str(monitoring)}


def test_a_participant_cannot_read_a_colleagues_attendance_note(api: Any) -> None:
    c, aid = _seminar(api)
    # Siti (a participant) reads the activity: Dewi's row is there, its note withheld.
    assert _shows_note(api, aid, c.pk_h) == {"activity": False, "events": False, "monitoring": False}
    doc = ok(api.get(f"/activities/{aid}", headers=c.pk_h))
    dewi = next(p for p in doc["participants"] if p["officer_id"] == c.pk2)
    assert [a["status"] for a in dewi["attendance"]] == ["hadir_tidak_full"] and dewi["attendance"][0]["note_withheld"]
    # The officer concerned, the direct supervisor and the agency's HR unit read it.
    for who in (c.pk2_h, c.sup, c.hr):
        assert _shows_note(api, aid, who) == {"activity": True, "events": True, "monitoring": True}
    # Others who may read the activity do not.
    for who in (api.as_("pyb"), api.as_("auditor", None), api.as_("lan", None)):
        assert _shows_note(api, aid, who) == {"activity": False, "events": False, "monitoring": False}


def test_the_audit_trail_withholds_the_note_from_others(api: Any) -> None:
    c, aid = _seminar(api)
    def trail(who: dict[str, str]) -> str:
        return str(ok(api.get(f"/audit/{aid}", headers=who)))
    assert NOTE[:20] in trail(c.hr)
    for who in (api.as_("pyb"), api.as_("auditor", None), api.as_("head")):
        text = trail(who)
        assert NOTE[:20] not in text and "note=(withheld)" in text


def test_national_roles_read_a_plan_only_as_submitted_to_them(api: Any) -> None:
    from tests.support.planning import PLAN_YEAR
    from tests.support.seed import AGENCY, seed

    seed(api)  # a validated plan submitted to the Instansi Pembina
    plan = f"/plans/{AGENCY}/{PLAN_YEAR}"
    pyb, hr = api.as_("pyb"), api.as_("hr")
    pembina, lan, auditor = api.as_("pembina", None), api.as_("lan", None), api.as_("auditor", None)
    sent = ok(api.get(plan, headers=pembina))
    at = sent["as_submitted"]["position"]
    assert sent["as_submitted"]["recipient"] == "pembina" and sent["chain_head"]["position"] == at
    assert sent["submissions"][0]["chain_head"]["position"] == at and sent["submissions"][0]["chain_head"]["signature"]
    # The agency opens a revision and changes the draft: the Pembina still reads what it received.
    assert api.post(f"{plan}/revisions", json={"reason": "Perubahan anggaran"}, headers=pyb).status_code == 200
    draft = ok(api.get(plan, headers=hr))
    assert draft["version"] > sent["version"]
    assert ok(api.get(plan, headers=pembina)) == sent
    assert ok(api.get(plan, headers=auditor))["as_submitted"]["position"] == at
    # LAN received nothing: not the draft, not the Pembina's copy.
    r = api.get(plan, headers=lan)
    assert r.status_code == 404 and r.json()["code"] == "plan.not_submitted", r.text
    # As of a moment before the submission: nothing was submitted yet (never the draft of then).
    r = api.get(f"{plan}?as_of={at - 1}", headers=pembina)
    assert r.status_code == 404 and r.json()["code"] == "plan.not_submitted" and "yang disampaikan kepada Anda" in r.json()["detail"]
    assert ok(api.get(f"{plan}?as_of={at}", headers=pembina))["version"] == sent["version"]


def test_the_plan_list_shows_national_roles_only_what_was_submitted_to_them(api: Any) -> None:
    """BAB II.C: the list of plans, like the plan itself, shows a national body the plan as submitted to it —
    not the agency's current revision, status or version after the submission, and nothing it did not receive."""
    from tests.support.planning import PLAN_YEAR
    from tests.support.seed import AGENCY, seed

    seed(api)  # a validated plan submitted to the Instansi Pembina
    plan = f"/plans/{AGENCY}/{PLAN_YEAR}"
    pyb, hr = api.as_("pyb"), api.as_("hr")
    pembina, lan, bkn = api.as_("pembina", None), api.as_("lan", None), api.as_("bkn", None)
    before = ok(api.get("/plans/", headers=pembina))["items"]
    assert api.post(f"{plan}/revisions", json={"reason": "Perubahan anggaran"}, headers=pyb).status_code == 200
    own = {p["agency"]: p for p in ok(api.get("/plans/", headers=hr))["items"]}[AGENCY]
    assert own["revision"] == 2 and own["status"] != "submitted"  # the agency sees its working state
    listed = {p["agency"]: p for p in ok(api.get("/plans/", headers=pembina))["items"]}[AGENCY]
    assert ok(api.get("/plans/", headers=pembina))["items"] == before  # the draft changes nothing the Pembina sees
    assert (listed["revision"], listed["status"], listed["submitted"]) == (1, "submitted", True)
    assert "version" not in listed and [s["recipient"] for s in listed["submissions"]] == ["pembina"]
    # LAN received nothing from this agency: the plan is not in its list at all.
    assert AGENCY not in {p["agency"] for p in ok(api.get("/plans/", headers=lan))["items"]}
    # BKN and auditors read what was submitted to either body.
    assert {p["agency"]: p for p in ok(api.get("/plans/", headers=bkn))["items"]}[AGENCY]["revision"] == 1
