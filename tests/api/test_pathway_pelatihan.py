"""Narrative (BAB III.A, Formulir 3.3; docs/guideline.md "pelatihan: the programme's JP"): a classical technical
training that implements a validated Formulir 2.6 row, from the plan through preparation,
attendance, report, certificate upload and completion; the JP credited, the ledger planned vs credited."""
from __future__ import annotations

from datetime import date, timedelta

from tests.support.activities import cast, days, ok


def plan_year_and_start() -> tuple[int, date]:
    """A plan for a year whose row dates are already past (early January of this year, or last year in January)."""
    today = date.today()
    year = today.year if today >= date(today.year, 1, 25) else today.year - 1
    return year, date(year, 1, 6)


def validated_plan_row(api, c, year: int, start: date) -> tuple[str, str]:
    """Run the planning API (issue 3): budget, one row for Siti, findings accepted, signed, validated by the PPK."""
    pyb = api.as_("pyb", subject="pyb-rina", name="Rina (PyB)")
    ppk = api.as_("ppk", subject="ppk-sekjen", name="Sekretaris Jenderal")
    head = api.as_("head", nip="196901011990031001", subject="head-joko", name="Joko (Kepala Satker)")
    plan = f"/plans/kemnaker/{year}"
    ok(api.post(f"{plan}/budgets", json={"funding_source": "apbn", "amount": "100000000"}, headers=c.hr))
    row = ok(api.post(f"{plan}/rows", json={
        "officer_id": c.pk, "competency": "penempatan_tk_dan_perluasan_kesempatan_kerja", "pathway": "pelatihan",
        "programme": "Pelatihan Teknis Penempatan Tenaga Kerja", "provider": "Pusat Pelatihan Kemnaker",
        "start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(), "budget": "5000000",
        "funding_source": "apbn", "programme_jp": 24}, headers=c.hr), 201)["row_id"]
    for f in ok(api.get(plan, headers=pyb))["findings"]:
        if f["status"] == "open":
            ok(api.post(f"{plan}/findings/{f['finding_id']}/acceptance",
                        json={"reason": "Diterima oleh PyB untuk keperluan uji alur pelaksanaan."}, headers=pyb))
    ok(api.post(f"{plan}/signature", json={"name": "Joko", "place": "Jakarta"}, headers=head))
    validated = ok(api.post(f"{plan}/validation", json={}, headers=ppk))
    return validated["id"], row


def test_pelatihan_from_a_validated_plan_row(api):
    c = cast(api)
    year, start = plan_year_and_start()
    plan_id, row_id = validated_plan_row(api, c, year, start)

    # The HR unit creates the activity from the validated row: pathway, dates, provider, budget and JP come from it.
    aid = c.create(plan_id=plan_id, plan_row_id=row_id, title="Pelatihan Teknis Penempatan TK Angkatan I", method="klasikal",
                   provider_kind="own_unit", accreditation_ref="LAN-AKR-PUSLAT-2023", place="Bekasi", variant="teknis")
    act = ok(api.get(f"/activities/{aid}", headers=c.hr))
    assert (act["pathway"], act["start"], act["planned_jp"], act["year"]) == ("pelatihan", start.isoformat(), 24, year)
    assert (act["plan_id"], act["plan_row_id"], act["funding_source"], act["provider_name"]) == (
        plan_id, row_id, "apbn", "Pusat Pelatihan Kemnaker")

    # A managerial variant cannot develop a technical competency (III.A.1): the plugin refuses, nothing recorded.
    r = api.post("/activities/", json={"plan_id": plan_id, "plan_row_id": row_id, "title": "Salah varian", "method": "klasikal",
                                       "provider_kind": "own_unit", "accreditation_ref": "X", "place": "Bekasi",
                                       "variant": "manajerial"}, headers=c.hr)
    assert r.status_code == 422 and "III.A.1" in r.json()["detail"] and r.json()["plugin"] == "pelatihan"

    # Preparation; the participant selected is the officer of the plan row, so the row is linked to her.
    c.prepare(aid, [c.pk])
    c.post(aid, "sessions", {"dates": days(start, 3), "minutes": 480, "agreed_with_provider": True})
    events = ok(api.get(f"/activities/{aid}/events", headers=c.hr))["events"]
    selected = next(e for e in events if e["type"] == "pengkom.activity.ParticipantSelected")["data"]
    assert (selected["plan_row_id"], selected["planned_jp"]) == (row_id, 24)

    # Attendance (Formulir 3.3), full on all three days; the report; the certificate states the programme's 24 JP.
    for d in days(start, 3):
        c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d, "status": "hadir_full"})
    end = start + timedelta(days=2)
    c.post(aid, "reports", {"officer_id": c.pk, "title": "Laporan pelatihan", "summary": "Materi penempatan dan praktik.",
                            "effective_date": (end + timedelta(days=3)).isoformat()}, who=c.pk_h)
    # Completion is refused while the certificate is missing (III.A.2).
    r = api.post(f"/activities/{aid}/completion", json={}, headers=c.hr)
    assert r.status_code == 422 and "sertifikat" in r.json()["detail"]
    up = c.certificate(aid, c.pk, who=c.pk_h, issued_on=end, programme_jp=24)
    f = api.get(f"/activities/{aid}/files/{up['sha256']}", headers=c.pk_h)
    assert f.status_code == 200 and f.content.startswith(b"%PDF") and f.headers["content-type"].startswith("application/pdf")

    # Completion: 24 JP, the certificate's programme JP, by the pelatihan plugin's rule.
    done = c.complete(aid)
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert credit["jp"] == 24 and credit["rule"].startswith("pelatihan: the programme's JP on the certificate")
    assert credit["ruleset_version"] == "pedoman-pk-2023/pelatihan-r1" and credit["year"] == year

    # The ledger: planned in the validated plan 24, credited 24, PNS above the 20 JP minimum.
    led = c.ledger(c.pk, year)
    assert (led["planned_jp_plan"], led["planned_jp_activities"], led["credited_jp"]) == (24, 24, 24)
    assert led["below_pns_minimum"] is False and led["entries"][0]["plan_row_id"] == row_id
