"""Narratives (BAB III.A; Formulir 3.3): a workshop (docs/guideline.md: 5 JP per day) with an attendance correction,
and a bimbingan teknis (programme JP) attended only in part."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok


def test_workshop_three_days_with_attendance_correction(api):
    c = cast(api)
    start = month_start(4) + timedelta(days=2)
    end = start + timedelta(days=2)

    # Created unplanned, prepared, scheduled over three days.
    aid = c.create(pathway="workshop", title="Lokakarya Penyusunan Informasi Pasar Kerja", method="hybrid",
                   provider_kind="independent", provider_name="LPK Mitra Kerja", accreditation_ref="BNSP-LPK-88",
                   place="Bandung", start=start.isoformat(), end=end.isoformat(), planned_jp=15, budget="0")
    c.prepare(aid, [c.pk])
    c.post(aid, "sessions", {"dates": days(start, 3), "minutes": 420})

    # Day 2 is first recorded absent, then corrected with a reason: a new event, the old one kept.
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": days(start, 3)[0], "status": "hadir_full"})
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": days(start, 3)[1], "status": "tidak_hadir"})
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": days(start, 3)[2], "status": "hadir_full"})
    m = c.monitoring(aid, today=end)
    assert [f["code"] for f in m["findings"]] == ["absent"]
    c.post(aid, "attendance/corrections", {"officer_id": c.pk, "session_date": days(start, 3)[1], "status": "hadir_full",
                                           "reason": "Daftar hadir penyelenggara diterima terlambat"})
    m = c.monitoring(aid, today=end)
    assert m["findings"] == [] and m["formulir_3_3"][0]["kehadiran_jf"] == "hadir_full"
    assert m["formulir_3_3"][0]["sessions"][1]["correction_reason"] == "Daftar hadir penyelenggara diterima terlambat"
    types = [e["type"].rsplit(".", 1)[1] for e in ok(api.get(f"/activities/{aid}/events", headers=c.hr))["events"]]
    assert types.count("AttendanceRecorded") == 3 and types.count("AttendanceCorrected") == 1

    # Two weeks after the end without report and certificate: findings (BAB V.A two-week rule).
    late = c.monitoring(aid, today=end + timedelta(days=15))
    assert sorted(f["code"] for f in late["findings"]) == ["certificate_missing", "report_missing"]

    c.post(aid, "reports", {"officer_id": c.pk, "title": "Laporan lokakarya", "summary": "Produk: draf informasi pasar kerja."},
           who=c.pk_h)
    c.certificate(aid, c.pk, issued_on=end, content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, ctype="image/png")
    done = c.complete(aid)
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert credit["jp"] == 15 and credit["rule"].startswith("workshop: 5 JP per day fully attended")
    assert c.ledger(c.pk, start.year)["credited_jp"] == 15


def test_bimtek_partly_attended_credits_minutes(api):
    c = cast(api)
    start = month_start(5) + timedelta(days=3)
    end = start + timedelta(days=1)
    aid = c.create(pathway="bimtek", title="Bimtek Aplikasi Antar Kerja", method="klasikal", provider_kind="own_unit",
                   provider_name="Pusdatin Kemnaker", accreditation_ref="LAN-AKR-2022-05", place="Jakarta",
                   start=start.isoformat(), end=end.isoformat(), planned_jp=16, budget="1500000", funding_source="apbn")
    c.prepare(aid, [c.pk2])
    c.post(aid, "sessions", {"dates": days(start, 2), "minutes": 360})

    # Day 1 full (360 minutes), day 2 only 180 minutes: (360 + 180) ÷ 45 = 12 JP, under the certificate's 16.
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": start.isoformat(), "status": "hadir_full"})
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": end.isoformat(), "status": "hadir_tidak_full",
                               "minutes_attended": 180, "note": "tugas mendesak"})
    c.post(aid, "reports", {"officer_id": c.pk2, "title": "Laporan bimtek", "summary": "Penggunaan aplikasi."}, who=c.pk2_h)
    c.certificate(aid, c.pk2, who=c.pk2_h, issued_on=end, programme_jp=16)
    done = c.complete(aid)
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert credit["jp"] == 12 and credit["detail"]["minutes_attended"] == 540 and credit["detail"]["fully_attended"] is False
    led = c.ledger(c.pk2, start.year)
    assert (led["planned_jp_activities"], led["credited_jp"], led["shortfall_jp"]) == (16, 12, 8)
