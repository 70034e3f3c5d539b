"""Narrative (BAB III.A, Formulir 3.3; docs/guideline.md "seminar 4 JP per day"): an unplanned seminar from
preparation through attendance, reports, certificates and completion; the JP credited and the ledger."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok


def test_seminar_two_days_full_and_partial_attendance(api):
    c = cast(api)
    start = month_start(3) + timedelta(days=1)
    year = start.year

    # The HR unit creates the activity: an accredited provider, two days, planned 8 JP, APBN budget.
    aid = c.create(pathway="seminar", title="Seminar Nasional Pasar Kerja", method="klasikal", provider_kind="other_agency",
                   provider_name="Pusdiklat Kemnaker", accreditation_ref="LAN-AKR-2024-17", place="Jakarta",
                   start=start.isoformat(), end=(start + timedelta(days=1)).isoformat(), planned_jp=8,
                   competency="perencanaan_pelaksanaan_antar_kerja", budget="2500000", funding_source="APBN")
    created = ok(api.get(f"/activities/{aid}/events", headers=c.hr))["events"][0]["data"]
    assert created["plugin"] == "seminar" and created["ruleset_version"] == "pedoman-pk-2023/seminar-r1"
    assert created["monitoring_form"] == "3.3" and created["evidence_required"] == ["certificate", "report"]

    # Preparation (III.A.5.a): the head approves the provider, the proposal letter, two participants by urgency,
    # one surat penugasan each; the schedule matches the provider's calendar.
    c.prepare(aid, [c.pk, c.pk2])
    c.post(aid, "sessions", {"dates": days(start, 2), "minutes": 360, "agreed_with_provider": True})

    # Monitoring (Formulir 3.3) by the HR unit: Siti attends fully; Dewi leaves early on day 2 (120 minutes).
    for d in days(start, 2):
        c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d, "status": "hadir_full"})
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": days(start, 2)[0], "status": "hadir_full"})
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": days(start, 2)[1], "status": "hadir_tidak_full",
                               "minutes_attended": 120, "note": "izin sakit siang hari"})

    # Reporting: each officer hands in their report and uploads the certificate; the HR unit recaps.
    end = start + timedelta(days=1)
    for oid, who in ((c.pk, c.pk_h), (c.pk2, c.pk2_h)):
        c.post(aid, "reports", {"officer_id": oid, "title": "Laporan seminar", "summary": "Ringkasan materi dan rencana tindak lanjut.",
                                "effective_date": (end + timedelta(days=5)).isoformat()}, who=who)
        up = c.certificate(aid, oid, who=who, issued_on=end, number=f"SEM-{oid[:4]}")
        assert len(up["sha256"]) == 64 and up["content_type"] == "application/pdf"
    c.post(aid, "recap", {"summary": "Dua peserta mengikuti seminar; satu hadir tidak penuh."})

    # The monitoring read model: Formulir 3.3 rows and the findings (partial attendance).
    m = c.monitoring(aid, today=end + timedelta(days=30))
    rows = {r["nip"]: r for r in m["formulir_3_3"]}
    assert rows["199001012015011001"]["kehadiran_jf"] == "hadir_full"
    assert rows["198505052010032002"]["kehadiran_label"] == "Hadir tidak full"
    assert rows["198505052010032002"]["keterangan"].endswith("izin sakit siang hari")
    assert [f["code"] for f in m["findings"]] == ["partial_attendance"]

    # Completion: the plugin credits 4 JP per full day; a partial day its minutes ÷ 45 (120 → 2).
    done = c.complete(aid)
    credits = {e["data"]["officer_id"]: e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"}
    assert credits[c.pk]["jp"] == 8 and credits[c.pk2]["jp"] == 6
    assert credits[c.pk]["rule"].startswith("seminar: 4 JP per day fully attended")
    assert credits[c.pk]["jp_table_version"] == "perlan-10-2018-lampiran-ii/r1"  # the LAN defaults, unconfigured
    assert done["events"][-1]["type"] == "pengkom.activity.Completed"

    # The ledger: 8 JP credited of 8 planned; a PNS below 20 JP is flagged with the shortfall.
    led = c.ledger(c.pk, year)
    assert led["credited_jp"] == 8 and led["planned_jp_activities"] == 8
    assert led["below_pns_minimum"] is True and led["shortfall_jp"] == 12
    assert led["by_pathway"] == {"seminar": {"planned_jp": 8, "credited_jp": 8, "activities": 1}}
    [entry] = led["entries"]
    assert entry["rule"].startswith("seminar:") and entry["plugin"] == "seminar" and entry["status"] == "credited"

    summary = ok(api.get(f"/ledger/agency?year={year}", headers=c.hr))
    assert summary["credited_jp"] == 14 and summary["pns_below_minimum"] == 2
    assert summary["chain_head"]["position"] == api.services.app.recorder.max_notification_id()

    # As of the moment before completion, the ledger stood at 0 JP credited (the same answer every time).
    before = done["events"][0]["position"] - 1
    then = ok(api.get(f"/ledger/officers/{c.pk}?year={year}&as_of={before}", headers=c.hr))
    assert then["credited_jp"] == 0 and then["entries"][0]["status"] == "in_progress" and then["as_of"]["position"] == before
    assert ok(api.get(f"/ledger/agency?year={year}&as_of={before}", headers=c.hr))["credited_jp"] == 0

    # Nothing more can be recorded on a completed activity.
    r = api.post(f"/activities/{aid}/attendance", json={"officer_id": c.pk, "session_date": days(start, 1)[0],
                                                        "status": "tidak_hadir"}, headers=c.hr)
    assert r.status_code == 409 and "telah selesai" in r.json()["detail"]
