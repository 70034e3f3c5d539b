"""Narrative (BAB III.C; Formulir 3.3; docs/guideline.md "e-learning at most 3 JP per day"): two participants,
completed one at a time; the one not finished a year after the start is a finding (III.C.8)."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok


def test_e_learning_per_participant_completion_and_one_year_rule(api):
    c = cast(api)
    start = month_start(8) + timedelta(days=1)
    end = start + timedelta(days=120)

    # E-learning runs at most a year (III.C.8): a longer plan is refused by the plugin.
    r = api.post("/activities/", json={"pathway": "e_learning", "title": "MOOC", "method": "e_learning",
                                       "provider_kind": "other_agency", "provider_name": "LAN", "accreditation_ref": "LAN-1",
                                       "place": "daring", "start": start.isoformat(),
                                       "end": (start + timedelta(days=365)).isoformat(), "planned_jp": 12}, headers=c.hr)
    assert r.status_code == 422 and "III.C.8" in r.json()["detail"]
    # Only the e-learning method (III.C.4 / methods).
    r = api.post("/activities/", json={"pathway": "e_learning", "title": "MOOC", "method": "klasikal",
                                       "provider_kind": "other_agency", "provider_name": "LAN", "accreditation_ref": "LAN-1",
                                       "place": "daring", "start": start.isoformat(), "end": end.isoformat(), "planned_jp": 12},
                 headers=c.hr)
    assert r.status_code == 422 and r.json()["field"] == "method"

    aid = c.create(pathway="e_learning", title="E-learning Analisis Jabatan Pasar Kerja", method="e_learning",
                   provider_kind="other_agency", provider_name="LAN RI", accreditation_ref="LAN-AKR-EL-9",
                   place="daring (LMS LAN)", start=start.isoformat(), end=end.isoformat(), planned_jp=12)
    c.prepare(aid, [c.pk, c.pk2])

    # The LMS log gives minutes per day: 200 → 3 (cap), 100 → 2, full without minutes → 3, 30 → 0.
    for d, minutes in zip(days(start, 4), (200, 100, None, 30), strict=True):
        status = "hadir_full" if minutes != 30 else "hadir_tidak_full"
        body = {"officer_id": c.pk, "session_date": d, "status": status}
        if minutes:
            body["minutes_attended"] = minutes
        c.post(aid, "attendance", body)
    c.post(aid, "reports", {"officer_id": c.pk, "title": "Laporan e-learning", "summary": "Modul selesai."}, who=c.pk_h)
    c.certificate(aid, c.pk, who=c.pk_h, issued_on=start + timedelta(days=5), programme_jp=12)

    # Siti completes alone: 3 + 2 + 3 + 0 = 8 JP; the activity stays open for Dewi.
    done = c.complete(aid, officer_ids=[c.pk])
    assert [e["type"].rsplit(".", 1)[1] for e in done["events"]] == ["JpCredited"]
    assert done["events"][0]["data"]["jp"] == 8
    assert done["events"][0]["data"]["rule"].startswith("e-learning: at most 3 JP per day")

    # A year after the start, Dewi has not finished: a finding; Siti (finished) is not named.
    m = c.monitoring(aid, today=start + timedelta(days=366))
    unfinished = [f for f in m["findings"] if f["code"] == "e_learning_unfinished"]
    assert [f["officer_id"] for f in unfinished] == [c.pk2] and "III.C.8" in unfinished[0]["message"]

    # Dewi finishes: her credit closes the activity.
    for d in days(start + timedelta(days=10), 5):
        c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": d, "status": "hadir_full", "minutes_attended": 180})
    c.post(aid, "reports", {"officer_id": c.pk2, "title": "Laporan", "summary": "Selesai."}, who=c.pk2_h)
    c.certificate(aid, c.pk2, who=c.pk2_h, issued_on=start + timedelta(days=16), programme_jp=12, number="EL-2")
    done = c.complete(aid)
    # 5 days × 3 = 15, never more than the certificate's 12.
    assert done["events"][0]["data"]["jp"] == 12 and done["events"][-1]["type"] == "pengkom.activity.Completed"
    assert ok(api.get(f"/activities/{aid}", headers=c.hr))["status"] == "completed"
