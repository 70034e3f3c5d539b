"""Narrative (BAB V): one agency closes the year N, on SQLite and PostgreSQL — completed activities of
three pathways (pelatihan, seminar, coaching) through Formulir 5.1 (several respondents, one a paper
form entered by the HR unit), Formulir 5.2 (computed *Tidak* cells with their reasons, one decided by
the coaching plugin, an override with its reason, verification, the PPK's signature), the ekspose with
three assessors (Formulir 5.3) and the signed 5.4 recap, Formulir 5.5 through self assessment,
supervisor assessment, dialogue and both signatures, the evaluation deadlines (one overdue), the recap
with a stop recommendation, its submission to the Instansi Pembina, and a year N+1 plan row that gets
the recap's verification finding. As-of reads of 5.2, 5.4, 5.5 and the recap along the way."""
from __future__ import annotations

from tests.support.activities import PDF, ok
from tests.support.evaluation import (
    AGENCY,
    PELATIHAN_PROGRAMME,
    PELATIHAN_PROVIDER,
    POOR,
    YEAR,
    build,
    d,
    questionnaire,
)
from tests.support.planning import OFFICERS, SUP, assert_problem, head


def test_evaluation_half_for_one_agency(api):
    w = build(api)
    pembina = api.as_("pembina", agency=None, subject="pembina-pk", name="Direktorat Bina Pengantar Kerja")
    lan, bkn = api.as_("lan", agency=None, subject="lan-1"), api.as_("bkn", agency=None, subject="bkn-1")
    pel, sem, coach = (w.activities[k] for k in ("pelatihan", "seminar", "coaching"))
    ev = f"/evaluations/activities/{pel}"

    # -- Formulir 5.1: each participant who completed answers once; the HR unit enters Agus's paper form ------------
    questionnaire(w, "pelatihan", "pertama", POOR["pertama"], on=d(4, 15), perbaikan="Ruang kelas terlalu panas.")
    questionnaire(w, "pelatihan", "muda", POOR["muda"], on=d(4, 16), suka_tidak_suka="Materi relevan, jadwal molor.")
    paper = questionnaire(w, "pelatihan", "madya", POOR["madya"], who=w.hr, on=d(4, 17), lainnya="Pengajar kurang siap.")
    submitted = paper["events"][0]
    assert submitted["type"] == "pengkom.evaluation.QuestionnaireSubmitted" and submitted["data"]["paper"] is True
    assert (submitted["provenance"]["role"], submitted["provenance"]["on_behalf_of"]) == ("hr", OFFICERS["madya"]["nip"].replace(" ", ""))
    questionnaire(w, "seminar", "muda", (4, 4, 4, 4, 4, 4, 4, 3), on=d(5, 20))
    questionnaire(w, "coaching", "madya", (3, 3, 3, 3, 3, 3, 3, 3), on=d(8, 5))

    # Per item, per element and overall: total ÷ (4 × respondents) × 100 %, banded by Tabel 5.1 with the rule set.
    f51 = ok(api.get(ev, headers=w.hr))["formulir_5_1"]
    assert f51["respondents"] == 3 and f51["results"]["ruleset_version"] == "pedoman-pk-2023/r1+evaluation-r1"
    items = {i["key"]: i for i in f51["results"]["items"]}
    assert (items["materi_kualitas"]["total"], items["materi_kualitas"]["weight"]) == (5, "41.67")  # 2+2+1 of 12
    assert items["sarana_ruang_kelas"]["weight"] == "50.00" and items["sarana_ruang_kelas"]["band"] == "better"
    overall = f51["results"]["overall"]
    assert (overall["total"], overall["maximum"], overall["weight"], overall["band"]) == (40, 96, "41.67", "poor")
    assert overall["interpretation"] == "Peserta menunjukkan reaksi yang kurang baik terhadap pelatihan"
    assert {e["key"]: e["weight"] for e in f51["results"]["elements"]}["materi"] == "45.83"  # 11 of 24
    assert f51["open_answers"][1]["answers"] == ["Ruang kelas terlalu panas."]

    # -- Formulir 5.2: computed from the events; every Tidak with its reason --------------------------------------
    assert_problem(api.post(f"{ev}/form-5-2/signature", json={"name": "Sekjen", "place": "Jakarta"}, headers=w.ppk), 409,
                   "belum diverifikasi")  # a signature before the HR unit verified: out of order, nothing recorded
    ok(api.post(f"{ev}/form-5-2", json={}, headers=w.hr))
    f52 = ok(api.get(ev, headers=w.hr))["formulir_5_2"]
    rows = {r["nama_pemangku_jf"]["name"]: r for r in f52["rows"]}
    siti = {c["cell"]: c for c in rows["Siti Rahayu"]["kesesuaian"]}
    assert [siti[c]["value"] for c in ("jenis", "jalur", "penyelenggara", "anggaran", "jam_pelajaran")] == ["sesuai"] * 5
    assert siti["jadwal"]["value"] == "tidak" and siti["jadwal"]["computed"]["decided_by"] == "core"
    assert siti["jadwal"]["computed"]["reason"] == f"It ran {d(4, 6)} – {d(4, 8)}, outside the planned {d(3, 2)} – {d(3, 4)}."
    assert rows["Siti Rahayu"]["plan_row"]["row_id"] == w.rows["pelatihan"]
    dewi = rows["Dewi Lestari"]["kesesuaian"]  # unplanned participant: every cell Tidak, saying so
    assert {c["value"] for c in dewi} == {"tidak"} and "not planned" in dewi[0]["computed"]["reason"]
    # The coaching plugin decides jadwal (meetings held vs agreed); core decides the JP cell.
    ok(api.post(f"/evaluations/activities/{coach}/form-5-2", json={}, headers=w.hr))
    agus = {c["cell"]: c for c in ok(api.get(f"/evaluations/activities/{coach}", headers=w.hr))["formulir_5_2"]["rows"][0]["kesesuaian"]}
    assert (agus["jadwal"]["value"], agus["jadwal"]["computed"]["decided_by"]) == ("tidak", "coaching_mentoring")
    assert agus["jadwal"]["computed"]["ruleset_version"] == "pedoman-pk-2023/coaching-mentoring-r2"
    assert agus["jadwal"]["computed"]["reason"].startswith("3 of the 4 meetings agreed were held")
    assert agus["jam_pelajaran"]["computed"]["reason"] == "6 JP credited, fewer than the 8 JP planned."

    # The HR unit overrides Siti's jadwal with a reason; the computed value stays beside it.
    before_override = head(api)
    ok(api.post(f"{ev}/form-5-2/overrides", json={"officer_id": w.ids["pertama"], "cell": "jadwal", "sesuai": True,
                                                    "reason": "Pergeseran jadwal disetujui PPK (nota dinas 12/2025)."}, headers=w.hr))
    ok(api.post(f"{ev}/form-5-2/verification", json={"qualitative_summary": "Peserta mengeluhkan sarana dan kesiapan pengajar."},
                headers=w.hr))
    signed = ok(api.post(f"{ev}/form-5-2/signature", json={"name": "Sekretaris Jenderal", "place": "Jakarta"}, headers=w.ppk))
    assert signed["events"][0]["data"]["capacity"] == "Pejabat Pembina Kepegawaian (Formulir 5.2 item 15)"
    assert_problem(api.post(f"{ev}/form-5-2/signature", json={"name": "Kepala", "place": "Jakarta"}, headers=w.head), 409,
                   "sudah ditandatangani")
    now = ok(api.get(ev, headers=w.hr))["formulir_5_2"]
    jadwal = next(c for c in now["rows"][0]["kesesuaian"] if c["cell"] == "jadwal")
    assert (jadwal["value"], jadwal["computed"]["sesuai"], jadwal["override"]["reason"]) == (
        "sesuai", False, "Pergeseran jadwal disetujui PPK (nota dinas 12/2025).")
    assert now["status"] == "signed" and now["evaluasi_kualitas_program"]["kuantitatif"]["weight"] == "41.67"
    # As of before the override, 5.2 reads as computed.
    then = ok(api.get(f"{ev}?as_of={before_override}", headers=w.hr))["formulir_5_2"]
    assert next(c for c in then["rows"][0]["kesesuaian"] if c["cell"] == "jadwal")["value"] == "tidak"
    assert then["status"] == "draft" and then["signature"] is None

    # -- Result evaluation: the ekspose, three assessors' Formulir 5.3, the signed 5.4 recap ------------------------
    res = f"/evaluations/results/{pel}/{w.ids['pertama']}"
    ok(api.post(f"{res}/ekspose", json={"held_on": d(4, 18).isoformat(), "place": "Ruang rapat Biro SDM"}, headers=w.hr), 201)
    assert_problem(api.post(f"{res}/signature", json={"name": "Ani", "position": "Kepala Biro SDM"}, headers=w.hr), 409,
                   "Belum ada Formulir 5.3")  # signed before any assessor's form: out of order
    sup_form = {"assessor_name": "Budi Santoso", "assessor_nip": SUP, "assessor_position": "Kepala Seksi Penempatan",
                "capacity": "supervisor", "scores": {"I1": 8, "I2": 7, "I3": 9}}
    ok(api.post(f"{res}/assessments", json=sup_form, headers=w.sup), 201)  # the direct supervisor fills their own
    ok(api.post(f"{res}/assessments", json={"assessor_name": "Dewi Lestari", "assessor_nip": OFFICERS["muda"]["nip"],
                                            "assessor_position": "Pengantar Kerja Ahli Muda", "capacity": "colleague",
                                            "scores": {"I1": 7, "I2": 7, "I3": 8}}, headers=w.hr), 201)
    ok(api.post(f"{res}/assessments", json={"assessor_name": "Ani", "assessor_position": "Analis SDM Aparatur",
                                            "capacity": "hr_representative", "scores": {"I1": 9, "I2": 6, "I3": 8}}, headers=w.hr), 201)
    before_sign = head(api)
    signed = ok(api.post(f"{res}/signature", json={"name": "Ani", "position": "Kepala Biro SDM",
                                                   "effective_date": d(4, 20).isoformat()}, headers=w.hr))["events"][0]["data"]
    assert signed["final_score"] == "7.67" and signed["assessors"] == 3 and signed["ruleset_version"]
    r54 = ok(api.get(res, headers=w.pk["pertama"]))
    assert [a["assessor"]["position"] for a in r54["formulir_5_3"]] == ["Kepala Seksi Penempatan", "Pengantar Kerja Ahli Muda",
                                                                       "Analis SDM Aparatur"]
    recap54 = r54["formulir_5_4"]
    assert recap54["status"] == "signed" and recap54["final_score"] == "7.67"
    assert [(i["total"], i["average"]) for i in recap54["indicators"]] == [(24, "8.00"), (20, "6.67"), (25, "8.33")]
    assert recap54["rule"].startswith("5.4/final = mean of the indicator averages")
    provisional = ok(api.get(f"{res}?as_of={before_sign}", headers=w.hr))["formulir_5_4"]
    assert provisional["status"] == "provisional" and provisional["signature"] is None

    # -- Formulir 5.5: self assessment, the supervisor's separate assessment, the dialogue, both signatures -----------
    imp = f"/evaluations/impact/{pel}/{w.ids['pertama']}"
    up = api.post(f"{imp}/evidence", files={"file": ("laporan-iku.pdf", PDF, "application/pdf")}, headers=w.pk["pertama"])
    assert up.status_code == 201, up.text
    sha = up.json()["sha256"]
    ok(api.post(f"{imp}/self-assessment", json={
        "obstacles": "Data lowongan dari perusahaan sering terlambat.",
        "items": [{"behaviour": "Menyusun peta pasar kerja kabupaten", "contribution": "Mendukung pencapaian IKU penempatan",
                   "target": "IKU 2: persentase pencari kerja yang ditempatkan", "evidence": [{"kind": "file", "sha256": sha}]},
                  {"behaviour": "Mendampingi bursa kerja", "evidence": [{"kind": "credit_points", "credit_points": "1.5"}]}]},
        headers=w.pk["pertama"]))
    assert_problem(api.post(f"{imp}/signatures", json={"name": "Siti Rahayu"}, headers=w.pk["pertama"]), 409, "belum ada dialog")
    before_supervisor = head(api)
    ok(api.post(f"{imp}/supervisor-assessment", json={
        "note": "Peta pasar kerja terbukti dipakai dalam rapat koordinasi.",
        "remove": [{"item_id": "S1.2", "reason": "Pendampingan bursa kerja sudah dilakukan sebelum pelatihan."}],
        "add": [{"behaviour": "Memimpin rapat koordinasi penempatan", "contribution": "Kegiatan penempatan AKL",
                 "target": "Kegiatan: Bursa Kerja Daerah", "evidence": [{"kind": "description", "description": "Notulen rapat"}]}]},
        headers=w.sup))
    dialogue = ok(api.post(f"{imp}/dialogue", json={
        "held_on": d(11, 20).isoformat(), "confirm": ["S1.1"],
        "add": [{"behaviour": "Menjadi narasumber sosialisasi pasar kerja"}],
        "remove": [{"item_id": "A1", "reason": "Disepakati: rapat dipimpin atasan, belum oleh Siti."}],
        "notes": ["Tingkatkan dokumentasi bukti kontribusi."]}, headers=w.sup))
    assert [e["type"].rsplit(".", 1)[1] for e in dialogue["events"]] == [
        "ImpactDialogueItemConfirmed", "ImpactDialogueItemRemoved", "ImpactDialogueItemAdded", "ImpactDialogueNoteAdded"]
    ok(api.post(f"{imp}/signatures", json={"name": "Budi Santoso"}, headers=w.sup))
    ok(api.post(f"{imp}/signatures", json={"name": "Siti Rahayu"}, headers=w.pk["pertama"]))
    f55 = ok(api.get(imp, headers=w.pk["pertama"]))
    assert f55["status"] == "agreed" and set(f55["signatures"]) == {"officer", "supervisor"}
    written = f55["as_written"]["items"]  # nothing the officer wrote is overwritten
    assert [i["behaviour"] for i in written] == ["Menyusun peta pasar kerja kabupaten", "Mendampingi bursa kerja"]
    assert written[0]["evidence"][0]["sha256"] == sha and written[1]["evidence"][0]["credit_points"] == "1.5"
    assessed = {i["item_id"]: i["status"] for i in f55["as_assessed"]["items"]}
    assert assessed == {"S1.1": "kept", "S1.2": "removed", "A1": "added"}
    agreed = f55["as_agreed"]
    assert [(i["item_id"], i["origin"]) for i in agreed["items"]] == [("S1.1", "officer"), ("D2", "dialogue")]
    assert agreed["items"][0]["confirmed_on"] == d(11, 20).isoformat()
    assert {i["item_id"] for i in agreed["removed"]} == {"S1.2", "A1"} and agreed["notes"][0]["note"].startswith("Tingkatkan")
    then55 = ok(api.get(f"{imp}?as_of={before_supervisor}", headers=w.hr))
    assert then55["as_assessed"] is None and then55["as_written"]["items"] == written
    assert api.get(f"{imp}/files/{sha}", headers=w.sup).content == PDF

    # -- Deadlines: every evaluation step of the year, one overdue with a finding a clerk can act on -----------------
    dl = ok(api.get(f"/deadlines/?plan_year={YEAR}", headers=w.hr))
    steps = {(i["step"], i.get("activity_id"), i.get("officer_id")): i for i in dl["items"]}
    mine = steps[("evaluation_report_questionnaire", pel, w.ids["pertama"])]
    assert (mine["due"], mine["done_on"], mine["status"]) == (d(4, 22).isoformat(), d(4, 15).isoformat(), "done")
    assert steps[("evaluation_result", pel, w.ids["pertama"])]["status"] == "done"  # signed 2025-04-20, due a month after the end
    assert steps[("evaluation_impact_monitoring", pel, w.ids["pertama"])]["status"] == "done"
    bambang = steps[("evaluation_report_questionnaire", sem, w.ids["utama"])]
    assert bambang["status"] == "overdue" and bambang["days_late"] > 0
    [finding] = [f for f in dl["findings"] if f["officer_id"] == w.ids["utama"] and f["step"] == "evaluation_report_questionnaire"]
    assert "belum menyerahkan laporan dan kuesioner (Formulir 5.1)" in finding["message"]
    assert "BAB V.A.8" in finding["message"]

    # -- Recap (V.D): computed, finalised with the HR unit's analysis, submitted to the Instansi Pembina -------------
    rec = f"/evaluations/recaps/{AGENCY}/{YEAR}"
    ok(api.post(f"{rec}/computation", json={}, headers=w.hr))
    assert api.get(rec, headers=pembina).status_code == 403  # not submitted yet
    doc = ok(api.get(rec, headers=w.hr))["computed"]
    assert (doc["activities"], doc["participants"], doc["questionnaires"], doc["results_signed"], doc["impacts_agreed"]) == (3, 5, 5, 1, 1)
    programmes = {p["name"]: p for p in doc["programmes"]}
    stop = programmes[PELATIHAN_PROGRAMME]
    assert (stop["recommendation"], stop["reaction_weight"], stop["band"], stop["respondents"]) == ("stop", "41.67", "poor", 3)
    assert "not to be continued" in stop["reason"] and stop["result_score"] == "7.67" and stop["impact_share"] == "100.00"
    assert programmes["Seminar Nasional Pasar Kerja"]["recommendation"] == "continue"
    assert {p["name"]: p["recommendation"] for p in doc["providers"]}[PELATIHAN_PROVIDER] == "stop"
    dominant = [p for p in doc["patterns"] if p["competency_kind"] is None and p["dominant"]]
    assert [p["pathway"] for p in dominant] == ["pelatihan"]
    assert {g["key"] for g in doc["by_kind_and_pathway"]} == {"teknis/pelatihan", "teknis/seminar", "manajerial/coaching"}
    assert {g["level"] for g in doc["by_level"]} == {"ahli_pertama", "ahli_muda", "ahli_madya"}
    before_final = head(api)
    ok(api.post(f"{rec}/finalisation", json={"analysis": "Pelatihan teknis penempatan tidak diulang: sarana dan kesiapan "
                                                        "pengajar dinilai kurang; seminar dan coaching dilanjutkan."}, headers=w.hr))
    ok(api.post(f"{rec}/submissions", json={}, headers=w.hr))
    for reader in (pembina, lan, bkn):
        got = ok(api.get(rec, headers=reader))
        assert got["status"] == "submitted" and got["submission"]["recipient"] == "pembina"
    assert [r["agency"] for r in ok(api.get("/evaluations/recaps/", headers=pembina))["items"]] == [AGENCY]
    assert ok(api.get(f"{rec}?as_of={before_final}", headers=w.hr))["status"] == "computed"
    recap_item = next(i for i in ok(api.get(f"/deadlines/?plan_year={YEAR}", headers=w.hr))["items"] if i["step"] == "evaluation_recap")
    assert recap_item["status"] in ("done", "done_late") and recap_item["due"] == f"{YEAR + 1}-03-31"

    # -- It feeds next year's plan: a row repeating the stopped programme gets a finding citing the recap ------------
    plan = f"/plans/{AGENCY}/{YEAR + 1}"
    ok(api.post(f"{plan}/budgets", json={"funding_source": "apbn", "amount": "50000000"}, headers=w.hr))
    again = ok(api.post(f"{plan}/rows", json={
        "officer_id": w.ids["pertama"], "competency": OFFICERS["pertama"]["competency"], "pathway": "pelatihan",
        "programme": PELATIHAN_PROGRAMME.upper(), "provider": "BBPLK Bekasi", "start": f"{YEAR + 1}-09-01",
        "end": f"{YEAR + 1}-09-03", "budget": "5000000", "funding_source": "apbn", "programme_jp": 24}, headers=w.hr), 201)["row_id"]
    findings = [f for f in ok(api.get(plan, headers=w.pyb))["findings"] if f["rule"] == "recap"]
    [f] = findings
    assert f["row_id"] == again and f["blocking"] and f["status"] == "open"
    assert f"direkomendasikan untuk tidak dilanjutkan oleh rekap evaluasi tahun {YEAR} {AGENCY}" in f["message"]
    assert "BAB V.D" in f["citation"] and ok(api.get(rec, headers=w.hr))["id"] in f["citation"]
    assert f["ruleset_version"] == "pedoman-pk-2023/r1+evaluation-r1"
