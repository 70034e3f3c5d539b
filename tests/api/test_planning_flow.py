"""Narrative (BAB II): one agency runs the whole planning half for a plan year — profiles, the 180°
assessment (Formulir 2.3/2.4) and its gap analysis, Formulir 2.5, proposals (Formulir 2.1),
verification with checks a–f, Formulir 2.6, validation, submission, a revision — on SQLite and
PostgreSQL. Officers at the four Ahli levels, PNS and PPPK; one PNS short of 20 JP, one PPPK over
24, one row off Tabel 3.1, one funding source over budget; every finding resolved."""
from __future__ import annotations

from projections.plans import planned_jp_by_officer
from tests.support.planning import (
    ASSESSMENT_YEAR,
    OFFICERS,
    PERFORMANCE_YEAR,
    PLAN_YEAR,
    SUP,
    TODAY,
    assert_problem,
    head,
    instrument_body,
    register_officers,
    scores,
)


def test_planning_half_for_one_agency(api):
    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani", name="Ani (Biro SDM)")
    sup = api.as_("supervisor", nip=SUP, subject="sup-budi", name="Budi Santoso")
    pyb = api.as_("pyb", subject="pyb-rina", name="Rina (PyB)")
    head_ = api.as_("head", nip="196901011990031001", subject="head-joko", name="Joko (Kepala Satker)")
    ppk = api.as_("ppk", subject="ppk-sekjen", name="Sekretaris Jenderal")
    verifier = api.as_("verifier", subject="ver-tono", name="Tono (Biro Perencanaan)")
    pembina = api.as_("pembina", agency=None, subject="pembina-pk", name="Direktorat Bina Pengantar Kerja")
    lan = api.as_("lan", agency=None, subject="lan-1", name="LAN")
    plan = f"/plans/kemnaker/{PLAN_YEAR}"

    # Profiles (Formulir 2.2): the HR unit registers the four officers, one per Ahli level; one is a PPPK.
    ids = register_officers(api, hr)
    officer = {k: api.as_("officer", nip=o["nip"].replace(" ", ""), subject=f"pk-{k}") for k, o in OFFICERS.items()}

    # The Instansi Pembina publishes the 180° instrument: questions per competency and level, standard scores.
    r = api.post("/instruments/skj-pk/versions", json=instrument_body(), headers=pembina)
    assert r.status_code == 201, r.text
    assert r.json()["instrument_version"] == 1

    # The 180° assessment of the cycle year: the supervisor fills 2.3, each officer 2.4; the HR unit closes the gap analysis.
    for key in OFFICERS:
        r = api.post(f"/assessments/{ids[key]}/{ASSESSMENT_YEAR}/supervisor",
                     json={"instrument": "skj-pk", "scores": scores(key, (8, 7, 5, 6))}, headers=sup)
        assert r.status_code == 200, r.text
        r = api.post(f"/assessments/{ids[key]}/{ASSESSMENT_YEAR}/self", json={"scores": scores(key, (9, 8, 7, 6))},
                     headers=officer[key])
        assert r.status_code == 200, r.text
        r = api.post(f"/assessments/{ids[key]}/{ASSESSMENT_YEAR}/gap-analysis", json={}, headers=hr)
        assert r.status_code == 200, r.text
        closed = r.json()["events"][0]["data"]
        assert closed["instrument_code"] == "skj-pk" and closed["instrument_version"] == 1 and closed["ruleset_version"]
    r = api.get(f"/assessments/{ids['pertama']}/{ASSESSMENT_YEAR}", headers=officer["pertama"])
    gap = {g["competency"]: g for g in r.json()["analisis_kesenjangan_kompetensi"]["rows"]}
    # integritas: supervisor 7.5, self 8.5, combined 8.00 vs target 8 → no gap; technical: 5.5 / 6.5 / 6.00 → gap 2.00.
    assert (gap["integritas"]["combined"], gap["integritas"]["has_gap"]) == ("8.00", False)
    tech = gap[OFFICERS["pertama"]["competency"]]
    assert (tech["supervisor_mean"], tech["self_mean"], tech["combined"], tech["gap"], tech["has_gap"]) == ("5.50", "6.50", "6.00", "2.00", True)

    # Formulir 2.5 about the previous year, filled and signed by the supervisor.
    for key in OFFICERS:
        r = api.post(f"/performance-reviews/{ids[key]}/{PERFORMANCE_YEAR}", json={
            "targets": [{"description": "Penempatan 120 pencari kerja", "achieved": key != "madya",
                         "obstacles": "Data lowongan terlambat" if key == "madya" else None, "evidence": "Laporan bulanan"}],
            "hasil_kerja": "di_bawah" if key == "madya" else "sesuai", "perilaku_kerja": "sesuai"}, headers=sup)
        assert r.status_code == 200, r.text
        assert api.post(f"/performance-reviews/{ids[key]}/{PERFORMANCE_YEAR}/signature", json={}, headers=sup).status_code == 200
    r = api.get(f"/performance-reviews/{ids['madya']}/{PERFORMANCE_YEAR}", headers=hr).json()
    assert (r["predikat"], r["tingkat_kesenjangan_kinerja"]) == ("butuh_perbaikan", "sedang")

    # Proposals (Formulir 2.1): the supervisor drafts, both sign, a higher official considers, the supervisor forwards.
    items = {}
    for key, o in OFFICERS.items():
        r = api.post(f"/proposals/{ids[key]}/{PLAN_YEAR}/items", json={
            "source": "competency", "competency": o["competency"], "behaviour_indicator": "Menyusun rencana antar kerja",
            "form": "Pelatihan teknis", "pathway": "pelatihan", "target_time": f"Triwulan II {PLAN_YEAR}"}, headers=sup)
        assert r.status_code == 201, r.text
        items[key] = r.json()["item_id"]
        proposal_id = r.json()["id"]
        for who in (officer[key], sup):
            assert api.post(f"/proposals/{ids[key]}/{PLAN_YEAR}/signatures", json={}, headers=who).status_code == 200
        r = api.post(f"/proposals/{ids[key]}/{PLAN_YEAR}/considerations",
                     json={"position": "Direktur Penempatan", "note": "Disetujui"}, headers=head_)
        assert r.status_code == 200, r.text
        assert api.post(f"/proposals/{ids[key]}/{PLAN_YEAR}/forwarding", json={}, headers=sup).status_code == 200
        items[key] = (proposal_id, items[key])
    forwarded = api.get(f"/proposals/?plan_year={PLAN_YEAR}", headers=hr).json()["items"]
    assert len(forwarded) == 4 and all(p["diteruskan_ke_pyb"] for p in forwarded)

    # The Instansi Pembina registers curriculum standards (check c); the agency registers its budget (check e).
    for key, code in (("pertama", "KUR-PTK-AP"), ("muda", "KUR-PPAK-AM"), ("madya", "KUR-PAK-AMD"), ("utama", "KUR-TKA-AU")):
        r = api.post("/curriculum-standards/", json={"competency": OFFICERS[key]["competency"], "level": OFFICERS[key]["level"],
                                                     "code": code, "title": f"Kurikulum {code}"}, headers=pembina)
        assert r.status_code == 201, r.text
    for source, amount in (("apbn", "100000000"), ("apbd", "10000000")):
        assert api.post(f"{plan}/budgets", json={"funding_source": source, "amount": amount}, headers=hr).status_code == 200

    # The HR unit recaps the forwarded proposals into plan rows.
    def row(key, **over):
        o = OFFICERS[key]
        body = {"officer_id": ids[key], "competency": o["competency"], "pathway": "pelatihan", "programme": "Pelatihan teknis",
                "provider": "Pusat Pelatihan Kemnaker", "start": f"{PLAN_YEAR}-04-01", "end": f"{PLAN_YEAR}-04-05",
                "budget": "5000000", "funding_source": "apbn", "programme_jp": 24,
                "proposal_id": items[key][0], "proposal_item_id": items[key][1]}
        body.update(over)
        return body

    rows = {}
    for name, body in {
        "pertama": row("pertama", programme_jp=16, curriculum_code="KUR-PTK-AP"),  # PNS short of 20 JP
        "muda": row("muda", pathway="bimtek", curriculum_code="KUR-PPAK-AM"),
        "muda_off": row("muda", competency="pengembangan_antar_kerja", pathway="seminar", programme="Seminar Nasional Antar Kerja",
                        days=2, programme_jp=None, budget="3000000", proposal_id=None, proposal_item_id=None),  # off Tabel 3.1
        "madya": row("madya", programme_jp=30, budget="25000000", funding_source="apbd", curriculum_code="KUR-PAK-AMD"),  # over APBD
        "utama_bench": row("utama", pathway="patok_banding", programme="Patok banding ke Kemnaker RI", programme_jp=None,
                           curriculum_code="KUR-TKA-AU", budget="15000000"),
        "utama_sem": row("utama", pathway="seminar", programme="Seminar TKA", days=5, programme_jp=None,
                         curriculum_code="KUR-TKA-AU", budget="4000000", proposal_id=None, proposal_item_id=None),  # PPPK over 24
    }.items():
        r = api.post(f"{plan}/rows", json=body, headers=hr)
        assert r.status_code == 201, r.text
        rows[name] = r.json()["row_id"]
    added = api.get(f"/plans/kemnaker/{PLAN_YEAR}", headers=hr).json()
    by_id = {x["row_id"]: x for x in added["rows"]}
    assert by_id[rows["muda_off"]]["jumlah_jp"] == 8 and by_id[rows["muda_off"]]["jp_conversion"]["rule"] == "seminar/per_day/domestic"
    assert by_id[rows["utama_bench"]]["jumlah_jp"] == 10
    assert by_id[rows["pertama"]]["target_kenaikan_angka_kredit"]["value"] == "12.5"

    # The automatic checks found exactly the planted problems, each naming its rule, citation and rule-set version.
    findings = [f for f in added["findings"] if f["blocking"]]
    assert sorted(f["rule"] for f in findings) == ["a", "c", "d", "d", "e"], [f["message"] for f in findings]
    assert all(f["citation"].startswith("Pedoman") and f["ruleset_version"] for f in findings)
    by_rule = {(f["rule"], f["row_id"] or f["officer_id"]): f for f in findings}
    assert ("a", rows["muda_off"]) in by_rule and ("c", rows["muda_off"]) in by_rule
    assert "16 JP" in by_rule[("d", ids["pertama"])]["message"] and "30 JP" in by_rule[("d", ids["utama"])]["message"]
    # Findings are recorded once and read in the reader's language: Bahasa Indonesia, or English when asked.
    assert "memiliki 16 JP yang direncanakan untuk tahun ini; PNS berhak atas sekurang-kurangnya 20 JP" in \
        by_rule[("d", ids["pertama"])]["message"]
    english = api.get(f"/plans/kemnaker/{PLAN_YEAR}", headers={**hr, "Accept-Language": "en"}).json()["findings"]
    assert any("has 16 JP planned for the year; a PNS has the right to at least 20 JP" in f["message"] for f in english)
    assert {f["finding_id"] for f in english} == {f["finding_id"] for f in added["findings"]}  # the same findings, ids and codes
    # So is how the JP of a row were converted (recorded once, in English).
    assert by_id[rows["muda_off"]]["jp_conversion"]["basis"] == "4 JP/hari × 2 hari"

    # The PyB forms the verification team; the team meets.
    for name, unit in (("Tono", "Biro Perencanaan"), ("Sari", "Biro Keuangan"), ("Ani", "Biro SDM")):
        assert api.post(f"{plan}/team", json={"name": name, "unit_represented": unit}, headers=pyb).status_code == 201
    r = api.post(f"{plan}/meetings", json={"held_on": TODAY.isoformat(), "attendees": ["Rina", "Tono", "Sari", "Ani"],
                                           "minutes": "Membahas hasil verifikasi awal PyB."}, headers=verifier)
    assert r.status_code == 201, r.text

    # Validation is refused while findings are open.
    assert_problem(api.post(f"{plan}/validation", json={}, headers=ppk), 409, "masih terbuka")

    # The PyB resolves each finding: change rows (checks rerun) or accept with a written reason.
    fix = {k: v for k, v in row("pertama", curriculum_code="KUR-PTK-AP").items()} | {"reason": "Program diperpanjang menjadi 24 JP"}
    assert api.post(f"{plan}/rows/{rows['pertama']}", json=fix, headers=pyb).status_code == 200
    fix = row("madya", programme_jp=30, budget="8000000", funding_source="apbd", curriculum_code="KUR-PAK-AMD") | {"reason": "Disesuaikan dengan pagu APBD"}
    assert api.post(f"{plan}/rows/{rows['madya']}", json=fix, headers=pyb).status_code == 200
    fix = row("utama", pathway="seminar", programme="Seminar TKA", days=3, programme_jp=None, curriculum_code="KUR-TKA-AU",
              budget="4000000", proposal_id=None, proposal_item_id=None) | {"reason": "Dikurangi agar tidak melebihi 24 JP PPPK"}
    assert api.post(f"{plan}/rows/{rows['utama_sem']}", json=fix, headers=pyb).status_code == 200
    current = api.get(plan, headers=pyb).json()
    open_ = [f for f in current["findings"] if f["status"] == "open"]
    assert sorted(f["rule"] for f in open_) == ["a", "c"]
    for f in open_:
        r = api.post(f"{plan}/findings/{f['finding_id']}/acceptance",
                     json={"reason": "Instansi memutuskan: kebutuhan unit mengharuskan kompetensi ini (teks di bawah Tabel 3.1)."},
                     headers=pyb)
        assert r.status_code == 200, r.text
    assert api.get(plan, headers=pyb).json()["open_findings"] == 0

    # The head of the work unit signs Formulir 2.6; the PPK validates it; revision 1 is locked.
    assert api.post(f"{plan}/signature", json={"name": "Joko", "place": "Jakarta"}, headers=head_).status_code == 200
    r = api.post(f"{plan}/validation", json={}, headers=ppk)
    assert r.status_code == 200, r.text
    validated = r.json()["events"][0]["data"]
    assert validated["revision"] == 1 and validated["rows"] == 6 and validated["total_jp"] == 24 + 24 + 8 + 30 + 10 + 12
    before = head(api)
    assert_problem(api.post(f"{plan}/rows", json=row("pertama"), headers=hr), 409, "divalidasi", "buka revisi")
    assert head(api) == before

    # Submission to the Instansi Pembina and to LAN, each with its date.
    for to in ("pembina", "lan"):
        r = api.post(f"{plan}/submissions", json={"recipient": to, "submitted_on": TODAY.isoformat()}, headers=ppk)
        assert r.status_code == 200, r.text
    sent_to_lan_at = r.json()["events"][-1]["position"]
    as_sent = api.get(plan, headers=lan)
    assert as_sent.json()["chain_head"]["position"] == sent_to_lan_at

    # Formulir 2.6, read by the agency and nationally by the Instansi Pembina and LAN.
    f26 = api.get(f"{plan}/revisions/1", headers=pembina).json()
    assert f26["formulir"] == "2.6" and f26["instansi"] == "kemnaker" and f26["tahun"] == PLAN_YEAR
    assert len(f26["rows"]) == 6 and f26["open_findings"] == 0 and f26["kepala_satuan_kerja"]["name"] == "Joko"
    first = f26["rows"][0]
    assert first["nama_pegawai_dan_nip"]["nip"] == OFFICERS["pertama"]["nip"].replace(" ", "")
    assert first["jumlah_jp"] == 24 and first["anggaran"] == {"amount": "5000000", "funding_source": "apbn", "funding_source_label": "APBN"}
    assert api.get(plan, headers=lan).json()["submissions"][1]["recipient"] == "lan"
    assert [p["agency"] for p in api.get("/plans/", headers=lan).json()["items"]] == ["kemnaker"]
    jp = planned_jp_by_officer(api.services.views, agency="kemnaker", year=PLAN_YEAR)
    assert jp == {ids["pertama"]: 24, ids["muda"]: 32, ids["madya"]: 30, ids["utama"]: 22}

    # A later change opens revision 2 with a reason, is verified, signed and validated again; revision 1 stays readable.
    assert api.post(f"{plan}/revisions", json={"reason": "Penyelenggara berganti"}, headers=pyb).status_code == 200
    fix = row("muda", pathway="bimtek", curriculum_code="KUR-PPAK-AM", provider="BBPLK Bekasi") | {"reason": "Penyelenggara berganti"}
    assert api.post(f"{plan}/rows/{rows['muda']}", json=fix, headers=pyb).status_code == 200
    assert api.post(f"{plan}/signature", json={"name": "Joko", "place": "Jakarta"}, headers=head_).status_code == 200
    assert api.post(f"{plan}/validation", json={}, headers=ppk).status_code == 200
    v1 = api.get(f"{plan}/revisions/1", headers=hr).json()
    v2 = api.get(f"{plan}/revisions/2", headers=hr).json()
    provider = {v: {x["row_id"]: x["penyelenggara"] for x in d["rows"]}[rows["muda"]] for v, d in ((1, v1), (2, v2))}
    assert provider == {1: "Pusat Pelatihan Kemnaker", 2: "BBPLK Bekasi"}

    # As of the moment it was sent to LAN, the plan reads exactly as LAN received it, although revised since;
    # the answer is the same every time and carries the chain head of that position.
    then = api.get(f"{plan}?as_of={sent_to_lan_at}", headers=lan)
    assert then.status_code == 200, then.text
    received = {k: v for k, v in as_sent.json().items() if k != "chain_head"}
    assert {k: v for k, v in then.json().items() if k not in ("chain_head", "as_of")} == received
    assert then.json()["chain_head"] == as_sent.json()["chain_head"]
    assert then.headers["x-pengkom-chain-head"] == f"{sent_to_lan_at}:{as_sent.json()['chain_head']['digest']}:{as_sent.json()['chain_head']['signature']}"
    assert api.get(f"{plan}?as_of={sent_to_lan_at}", headers=lan).json() == then.json()
    # LAN reads the plan as it was submitted to LAN (revision 2 is validated but not sent yet); the agency reads it as it stands.
    assert api.get(plan, headers=lan).json() == as_sent.json()
    now = api.get(plan, headers=hr).json()
    assert now["version"] > received["version"] and len(now["revisions"]) > len(received["revisions"])
    assert [s["chain_head"]["position"] for s in now["submissions"]] == [s["position"] for s in now["submissions"]]
    assert now["submissions"][-1]["position"] == sent_to_lan_at and now["submissions"][-1]["chain_head"]["signature"]
    from uuid import UUID

    from core.planning import plan_id, validated_plan_row
    ref = validated_plan_row(api.services.app, plan_id("kemnaker", PLAN_YEAR), UUID(rows["muda"]))
    assert ref is not None and ref.revision == 2 and ref.provider == "BBPLK Bekasi" and ref.planned_jp == 24

    # Deadlines: every step of this plan year is listed with its due date and status.
    d = api.get(f"/deadlines/?plan_year={PLAN_YEAR}", headers=hr).json()
    steps = {(i["step"], i.get("officer_id")): i for i in d["items"]}
    assert steps[("competency_gap", ids["pertama"])]["done_on"] == TODAY.isoformat()
    assert steps[("plan_composed", None)]["due"] == f"{PLAN_YEAR - 1}-06-30"
    assert steps[("submitted_lan", None)]["status"] in ("done", "done_late")
