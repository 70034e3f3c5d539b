"""Narratives (BAB III.E belajar mandiri, III.F komunitas belajar; Formulir 3.3 by the direct
supervisor; docs/guideline.md "at most 2 JP per day"): the officer's own schedule, material from the HR unit;
a community across levels with topics, discussion notes and a group report."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok


def test_belajar_mandiri_own_schedule_supervisor_monitoring(api):
    c = cast(api)
    start = month_start(3)
    end = start + timedelta(days=20)
    other_sup = api.as_("supervisor", nip="197202022000031004", subject="sup-lain")

    # Self-study is not a class (III.E.4): klasikal is refused.
    r = api.post("/activities/", json={"pathway": "belajar_mandiri", "title": "x", "method": "klasikal",
                                       "provider_kind": "hr_unit", "provider_name": "Biro SDM", "place": "kantor",
                                       "start": start.isoformat(), "end": end.isoformat(), "planned_jp": 6}, headers=c.hr)
    assert r.status_code == 422 and "III.E" in r.json()["detail"]
    aid = c.create(pathway="belajar_mandiri", title="Belajar mandiri regulasi penempatan", method="blended",
                   provider_kind="hr_unit", provider_name="Biro SDM", place="tempat kerja", start=start.isoformat(),
                   end=end.isoformat(), planned_jp=6, competency="penempatan_tk_dan_perluasan_kesempatan_kerja")
    # The PyB assigns (III.E.5.a.3); no provider approval for self-study.
    c.prepare(aid, [c.pk], approve=False, letter=False)
    c.post(aid, "materials", {"items": ["Permenaker 39/2016", "Modul e-book penempatan"], "note": "dibagikan via surel"})

    # The officer sets her own schedule (III.E.5.b.1); another officer cannot; nor can the HR unit be bypassed.
    assert api.post(f"/activities/{aid}/sessions", json={"dates": days(start, 1)}, headers=c.pk2_h).status_code == 403
    c.post(aid, "sessions", {"dates": days(start + timedelta(days=1), 3), "minutes": 120}, who=c.pk_h)

    # Her direct supervisor fills Formulir 3.3 (III.E.5.c); another supervisor may not.
    d1, d2, d3 = days(start + timedelta(days=1), 3)
    r = api.post(f"/activities/{aid}/attendance", json={"officer_id": c.pk, "session_date": d1, "status": "hadir_full"},
                 headers=other_sup)
    assert r.status_code == 403 and "menjadi atasan peserta" in r.json()["detail"]
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d1, "status": "hadir_full"}, who=c.sup)
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d2, "status": "hadir_tidak_full", "minutes_attended": 60},
           who=c.sup)
    c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d3, "status": "hadir_full", "minutes_attended": 90},
           who=c.sup)
    events = ok(api.get(f"/activities/{aid}/events", headers=c.sup))["events"]
    assert {e["provenance"]["role"] for e in events if e["type"].endswith("AttendanceRecorded")} == {"supervisor"}

    c.post(aid, "reports", {"officer_id": c.pk, "title": "Laporan belajar mandiri", "summary": "Ringkasan regulasi."}, who=c.pk_h)
    done = c.complete(aid)
    # 120 min full → 2, 60 min → 1, 90 min → 2: 5 JP (at most 2 a day).
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert credit["jp"] == 5 and credit["rule"].startswith("belajar mandiri: at most 2 JP per day")
    assert c.ledger(c.pk, start.year, who=c.pk_h)["credited_jp"] == 5


def test_komunitas_belajar_members_topics_notes_group_report(api):
    c = cast(api)
    start = month_start(2)
    end = start + timedelta(days=25)
    aid = c.create(pathway="komunitas_belajar", title="Komunitas Praktisi Antar Kerja", method="hybrid", provider_kind="hr_unit",
                   provider_name="Biro SDM", place="Ruang rapat 3", start=start.isoformat(), end=end.isoformat(),
                   planned_jp=4, competency="kerja_sama")
    # Members from two levels (III.F.1), assigned by letter.
    c.prepare(aid, [c.pk, c.pk2], approve=False, letter=False)
    c.post(aid, "materials", {"items": ["Bahan diskusi layanan AKL"]})
    # The community sets its topics and schedule (III.F.5.b.1): a member does it.
    c.post(aid, "topics", {"topics": ["Layanan AKL", "Job fair daring"]}, who=c.pk2_h)
    c.post(aid, "sessions", {"dates": days(start + timedelta(days=5), 2), "minutes": 150}, who=c.pk_h)
    for d in days(start + timedelta(days=5), 2):
        for oid in (c.pk, c.pk2):
            c.post(aid, "attendance", {"officer_id": oid, "session_date": d, "status": "hadir_full"}, who=c.sup)

    # Notes must be about the community's topics.
    r = api.post(f"/activities/{aid}/discussion-notes", json={"topic": "Lain-lain", "held_on": start.isoformat(),
                                                               "notes": "x"}, headers=c.pk_h)
    assert r.status_code == 422 and "topik komunitas" in r.json()["detail"]
    c.post(aid, "discussion-notes", {"topic": "Layanan AKL", "held_on": days(start + timedelta(days=5), 1)[0],
                                     "notes": "Tantangan verifikasi dokumen."}, who=c.pk_h)
    # Completion waits for notes on every topic and the group report.
    for oid, who in ((c.pk, c.pk_h), (c.pk2, c.pk2_h)):
        c.post(aid, "reports", {"officer_id": oid, "title": "Laporan", "summary": "Hasil diskusi."}, who=who)
    r = api.post(f"/activities/{aid}/completion", json={}, headers=c.hr)
    assert r.status_code == 422 and "laporan kelompok" in r.json()["detail"]
    c.post(aid, "group-report", {"summary": "Laporan kelompok komunitas praktisi."}, who=c.pk2_h)
    r = api.post(f"/activities/{aid}/completion", json={}, headers=c.hr)
    assert r.status_code == 422 and "Job fair daring" in r.json()["detail"] and r.json()["problems"]
    c.post(aid, "discussion-notes", {"topic": "Job fair daring", "held_on": days(start + timedelta(days=6), 1)[0],
                                     "notes": "Platform dan kurasi lowongan."}, who=c.sup)

    m = c.monitoring(aid, today=end)
    assert m["monitored_by"] == "supervisor" and len(m["formulir_3_3"]) == 2 and m["findings"] == []
    done = c.complete(aid)
    credits = {e["data"]["officer_id"]: e["data"]["jp"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"}
    assert credits == {c.pk: 4, c.pk2: 4}  # 150 minutes → 3, at most 2 a day; two days
    summary = ok(api.get(f"/ledger/agency?year={start.year}", headers=c.hr))
    assert summary["by_pathway"] == [{"pathway": "komunitas_belajar", "pathway_label": "Komunitas Belajar (Community Practices)", "activities": 1,
                                      "participants": 2, "credited_jp": 8}]
