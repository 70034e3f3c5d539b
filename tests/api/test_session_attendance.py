"""Formulir 3.3 for a whole session in one request (BAB III, Tahap Monitoring; README "Everyday
shortcuts"): one AttendanceRecorded event per participant with its own provenance, every rule of the
one-at-a-time route checked for each, all or nothing — a bad row records nothing and is named."""
from __future__ import annotations

import uuid
from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA


def _workshop(c):
    start = month_start(3) + timedelta(days=3)
    aid = c.create(pathway="workshop", title="Lokakarya Antarkerja", method="klasikal", provider_kind="independent",
                   provider_name="LPK Mitra Kerja", accreditation_ref="BNSP-LPK-88", place="Bandung",
                   start=start.isoformat(), end=(start + timedelta(days=2)).isoformat(), planned_jp=15, budget="0")
    c.prepare(aid, [c.pk, c.pk2])
    c.post(aid, "sessions", {"dates": days(start, 3), "minutes": 420})
    return aid, days(start, 3)


def _events(api, c, aid):
    return ok(api.get(f"/activities/{aid}/events", headers=c.hr))["events"]


def test_formulir_3_3_whole_session_one_event_per_participant(api):
    c = cast(api)
    aid, dates = _workshop(c)
    r = api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr, json={"session_date": dates[0], "participants": [
        {"officer_id": c.pk, "status": "hadir_full"},
        {"officer_id": c.pk2, "status": "hadir_tidak_full", "minutes_attended": 300, "note": "izin siang"}]})
    body = ok(r, 201)
    assert [e["type"].rsplit(".", 1)[1] for e in body["events"]] == ["AttendanceRecorded", "AttendanceRecorded"]
    assert [e["provenance"]["on_behalf_of"] for e in body["events"]] == [PK_AHLI_PERTAMA.replace(" ", ""), PK_AHLI_MUDA.replace(" ", "")]
    assert all(e["provenance"]["effective_date"] == dates[0] for e in body["events"])
    assert body["still_missing"] == [] and body["recorded"] == 2 and r.headers["etag"] == f'"{body["version"]}"'
    rows = {row["officer_id"]: row for row in c.monitoring(aid)["formulir_3_3"]}
    assert rows[c.pk]["sessions"][0]["status"] == "hadir_full" and rows[c.pk2]["sessions"][0]["minutes_attended"] == 300

    # A partial session: who is still without attendance that day is said.
    body = ok(api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr,
                       json={"session_date": dates[1], "participants": [{"officer_id": c.pk, "status": "hadir_full"}]}), 201)
    assert body["still_missing"] == [c.pk2]


def test_formulir_3_3_whole_session_is_all_or_nothing_and_names_the_bad_row(api):
    c = cast(api)
    aid, dates = _workshop(c)
    before = len(_events(api, c, aid))
    stranger = str(uuid.uuid4())
    cases = [
        # Hadir tidak full without the minutes attended: row 1 (Dewi) named, row 0 (valid) not recorded either.
        ([{"officer_id": c.pk, "status": "hadir_full"}, {"officer_id": c.pk2, "status": "hadir_tidak_full"}],
         422, "participants[1].minutes_attended", "participants[1], Dewi Lestari (198505052010032002): Hadir tidak full needs"),
        ([{"officer_id": c.pk, "status": "hadir_full"}, {"officer_id": stranger, "status": "hadir_full"}],
         422, "participants[1].officer_id", f"participants[1], pegawai {stranger}: Pegawai {stranger} bukan peserta"),
        ([{"officer_id": c.pk, "status": "hadir_full"}, {"officer_id": c.pk, "status": "tidak_hadir"}],
         422, "participants[1].officer_id", "tercantum dua kali (pertama pada participants[0])"),
        ([{"officer_id": c.pk, "status": "present"}], 422, "participants[0].status", "participants[0], Siti Rahayu"),
    ]
    for rows, status, field, phrase in cases:
        r = api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr, json={"session_date": dates[0], "participants": rows})
        assert r.status_code == status, r.text
        problem = r.json()
        assert problem["field"] == field and phrase in problem["detail"], problem
        assert "Tidak ada bagian sesi ini yang dicatat" in problem["detail"] or "tercantum dua kali" in problem["detail"]
        assert len(_events(api, c, aid)) == before
    # A session date outside the activity is the whole request's fault: field session_date.
    r = api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr,
                 json={"session_date": month_start(6).isoformat(), "participants": [{"officer_id": c.pk, "status": "hadir_full"}]})
    assert r.status_code == 422 and r.json()["field"] == "session_date" and r.json()["participant_index"] == 0
    # One participant already recorded that day: 409 naming them; the other is not recorded alone.
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": dates[0], "status": "hadir_full"})
    r = api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr, json={"session_date": dates[0], "participants": [
        {"officer_id": c.pk, "status": "hadir_full"}, {"officer_id": c.pk2, "status": "hadir_full"}]})
    assert r.status_code == 409 and r.json()["participant"] == c.pk2 and "sudah tercatat" in r.json()["detail"]
    assert len(_events(api, c, aid)) == before + 1
    # If-Match: a stale version is 409, nothing recorded; the current one records.
    version = ok(api.get(f"/activities/{aid}", headers=c.hr))["version"]
    body = {"session_date": dates[1], "participants": [{"officer_id": c.pk, "status": "hadir_full"}]}
    r = api.post(f"/activities/{aid}/attendance/sessions", headers={**c.hr, "If-Match": f'"{version - 1}"'}, json=body)
    assert r.status_code == 409
    ok(api.post(f"/activities/{aid}/attendance/sessions", headers={**c.hr, "If-Match": f'"{version}"'}, json=body), 201)
    # An empty session and an unknown field are refused at the edge.
    assert api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr,
                    json={"session_date": dates[2], "participants": []}).status_code in (400, 422)
    r = api.post(f"/activities/{aid}/attendance/sessions", headers=c.hr,
                 json={"session_date": dates[2], "participants": [{"officer_id": c.pk, "status": "hadir_full", "jp": 5}]})
    assert r.status_code in (400, 422) and len(_events(api, c, aid)) == before + 2
