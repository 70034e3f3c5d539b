"""National reporting (issue 11), as a narrative on both stores.

Three agencies of different kinds and provinces run parts of the cycle: a ministry in DKI Jakarta runs the
whole year N (plan validated and submitted, three activities, every evaluation — tests/support/evaluation.py),
a province in Jawa Barat imports its officers, runs the 180° assessment and submits a plan, a regency in Jawa
Timur only registers officers. Then BKN reads the national recap without naming an agency and drills down;
the Instansi Pembina reads the 180° analysis; every export is produced as CSV and XLSX, read back (openpyxl)
to the JSON's values and verified by ``pengkom verify --export``; an edited file is caught at its cell; the
SIASN export gives the same ids when run again; agency roles see only their own agency; national roles
cannot write agency data.
"""
from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from api.bootstrap import open_views
from api.heads import load_public_key, verify_signature
from projections.chain import ChainHead
from projections.registry import all_projections
from projections.verify import verify_read_models
from reports.verify import verify_export
from tests.support.activities import ok
from tests.support.data import officer_body
from tests.support.evaluation import AGENCY, YEAR, build, evaluate
from tests.support.planning import OFFICERS, SUP, instrument_body, scores

JABAR, SURABAYA = "disnaker-jabar", "disnaker-surabaya"
JABAR_OFFICERS = {"pertama": "19910202 201902 1 011", "muda": "19870303 201201 2 012"}
SURABAYA_NIP = "19930404 202001 1 021"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def table(rows: list[list[Any]], first: str) -> tuple[list[Any], list[list[Any]]]:
    """The heading row starting with ``first`` and the data rows under it (after the item-number row, if any)."""
    at = next(n for n, r in enumerate(rows) if r and r[0] == first)
    body = rows[at + 1:]
    if body and body[0] and str(body[0][0] or "").startswith("("):
        body = body[1:]
    out = []
    for r in body:
        if not r or all(v in (None, "") for v in r):
            break
        out.append(r)
    return rows[at], out


def stamp(rows: list[list[Any]]) -> tuple[int, str]:
    row = next(r for r in rows if r and r[0] == "Posisi log")
    return int(row[1]), str(row[3])


@pytest.fixture
def world(api):
    """The three agencies' records (see the module docstring)."""
    pembina = api.as_("pembina", None, subject="pembina-ditjen", name="Direktorat Bina Pengantar Kerja")
    for code, name, kind, province, regency in (
            (AGENCY, "Kementerian Ketenagakerjaan", "kementerian_lembaga", "DKI Jakarta", None),
            (JABAR, "Dinas Tenaga Kerja dan Transmigrasi Provinsi Jawa Barat", "provinsi", "jawa_barat", None),
            (SURABAYA, "Dinas Tenaga Kerja Kota Surabaya", "kabupaten_kota", "Jawa Timur", "Kota Surabaya")):
        body = {"code": code, "name": name, "kind": kind, "province": province, **({"regency": regency} if regency else {})}
        ok(api.post("/agencies/", json=body, headers=pembina), 201)
    w = build(api)
    evaluate(w)
    ok(api.post(f"/plans/{AGENCY}/{YEAR}/submissions", json={"recipient": "pembina", "submitted_on": f"{YEAR}-09-30"}, headers=w.ppk))

    # Jawa Barat: officers imported from a file, the 180° assessment of year N, a plan submitted.
    hr_b = api.as_("hr", JABAR, subject="hr-jabar", name="Asep (BKD Jabar)")
    lines = ["NIP,Nama,Tempat Lahir,Tanggal Lahir,Jenis Kelamin (L/P),Jenis Pegawai (PNS/PPPK),Jabatan,Jenjang,Golongan,Unit Kerja,"
             "NIP Atasan Langsung,Nama Atasan Langsung"]
    for key, nip in JABAR_OFFICERS.items():
        b = officer_body(nip, agency=JABAR, level=OFFICERS[key]["level"], golongan=OFFICERS[key]["golongan"], name=f"Pegawai {key}",
                         position=f"Pengantar Kerja {OFFICERS[key]['level'].replace('_', ' ').title()}")
        lines.append(",".join(str(b[k] or "") for k in ("nip", "name", "birth_place", "birth_date", "sex", "employee_type", "position",
                                                        "level", "golongan", "unit", "supervisor_nip", "supervisor_name")))
    imported = ok(api.post("/imports/officers", content="\r\n".join(lines).encode(), headers={**hr_b, "Content-Type": "text/csv"}), 201)
    assert imported["officers_new"] == 2
    ids_b = {r["nip"]: r["id"] for r in ok(api.get("/officers/", headers=hr_b))["items"]}
    ok(api.post("/instruments/skj-pk/versions", json=instrument_body(), headers=pembina), 201)
    sup_b = api.as_("supervisor", JABAR, nip=SUP, subject="sup-jabar")
    for key, nip in JABAR_OFFICERS.items():
        oid = ids_b[nip.replace(" ", "")]
        pk = api.as_("officer", JABAR, nip=nip.replace(" ", ""), subject=f"pk-jabar-{key}")
        ok(api.post(f"/assessments/{oid}/{YEAR}/supervisor", json={"instrument": "skj-pk", "scores": scores(key, (5, 6, 4, 5))},
                    headers=sup_b))
        ok(api.post(f"/assessments/{oid}/{YEAR}/self", json={"scores": scores(key, (7, 7, 6, 6))}, headers=pk))
        ok(api.post(f"/assessments/{oid}/{YEAR}/gap-analysis", json={}, headers=hr_b))
    plan = f"/plans/{JABAR}/{YEAR}"
    ok(api.post(f"{plan}/budgets", json={"funding_source": "apbd", "amount": "25000000"}, headers=hr_b))
    oid = ids_b[JABAR_OFFICERS["pertama"].replace(" ", "")]
    ok(api.post(f"{plan}/rows", json={"officer_id": oid, "competency": OFFICERS["pertama"]["competency"], "pathway": "pelatihan",
                                      "programme": "Pelatihan Antar Kerja Dasar", "provider": "UPTD Latihan Kerja Bandung",
                                      "start": f"{YEAR}-06-01", "end": f"{YEAR}-06-05", "budget": "7500000", "funding_source": "apbd",
                                      "programme_jp": 30}, headers=hr_b), 201)
    pyb_b = api.as_("pyb", JABAR, subject="pyb-jabar")
    for f in ok(api.get(plan, headers=pyb_b))["findings"]:
        if f["status"] == "open":
            ok(api.post(f"{plan}/findings/{f['finding_id']}/acceptance", json={"reason": "Kebutuhan unit kerja disetujui PyB."},
                        headers=pyb_b))
    ok(api.post(f"{plan}/signature", json={"name": "Dedi", "place": "Bandung"}, headers=api.as_("head", JABAR, subject="head-jabar")))
    ppk_b = api.as_("ppk", JABAR, subject="ppk-jabar")
    ok(api.post(f"{plan}/validation", json={}, headers=ppk_b))
    ok(api.post(f"{plan}/submissions", json={"recipient": "pembina", "submitted_on": f"{YEAR}-08-15"}, headers=ppk_b))

    # Surabaya: one officer, nothing else yet.
    hr_c = api.as_("hr", SURABAYA, subject="hr-sby")
    ok(api.post("/officers/", json=officer_body(SURABAYA_NIP, agency=SURABAYA, name="Budi Surabaya"), headers=hr_c), 201)
    return w, ids_b


def test_national_reporting_narrative(api, world, settings, tmp_path, monkeypatch, capsys):
    w, ids_b = world
    bkn = api.as_("bkn", None, subject="bkn-1")
    pembina = api.as_("pembina", None, subject="pembina-1")

    # -- BKN reads the country without naming an agency ------------------------------------------------------------
    r = api.get(f"/national/recap?year={YEAR}", headers=bkn)
    recap = ok(r)
    # The head the recap was computed at, signed with the deployment's key (issue 8: heads in every report).
    head = recap["chain_head"]
    assert r.headers["x-pengkom-chain-head"] == f"{head['position']}:{head['digest']}:{head['signature']}"
    public = load_public_key(api.get("/chain/public-key").json()["public_key_pem"].encode())
    assert verify_signature(public, ChainHead(head["position"], head["digest"]), head["signature"])
    rows = {a["code"]: a for a in recap["agencies"]}
    assert set(rows) == {AGENCY, JABAR, SURABAYA}
    kem, jab, sby = rows[AGENCY], rows[JABAR], rows[SURABAYA]
    assert (kem["kind"], kem["province"], jab["kind"], sby["regency"]) == ("kementerian_lembaga", "dki_jakarta", "provinsi", "Kota Surabaya")
    assert (kem["officers"]["total"], kem["officers"]["pppk"], jab["officers"]["total"], sby["officers"]["total"]) == (4, 1, 2, 1)
    # JP (BAB I.E angka 7): kemnaker's three PNS were credited (pelatihan 24, seminar, coaching); Bambang (PPPK) nothing.
    assert kem["jp"]["pns"] == 3 and kem["jp"]["credited_jp"] > 0
    assert kem["plan"]["submitted_revision"] == 1 and jab["plan"]["submitted_revision"] == 1 and sby["plan"] is None
    assert Decimal(kem["budget"]["planned"]) == Decimal("7000000") and Decimal(jab["budget"]["planned"]) == Decimal("7500000")
    assert Decimal(kem["budget"]["realised"]) >= 0 and Decimal(jab["budget"]["registered"]) == Decimal("25000000")
    assert all(kem["stage_days"][s] is not None for s in ("verification", "validation", "submission"))
    assert kem["deadlines"]["plan_composed"]["status"] in ("done", "done_late")
    assert kem["evaluation"]["activities_evaluated"] == 1 and kem["evaluation"]["results_signed"] == 1
    assert kem["evaluation"]["impacts_agreed"] == 1 and kem["evaluation"]["recap_status"] == "submitted"
    assert jab["gap_analysis"] == {"opened": 2, "closed": 2, "with_gap": 2}
    nat = recap["national"]
    assert nat["officers"]["total"] == 7 and nat["plans"]["submitted"] == 2
    assert nat["stage_days"]["validation"]["n"] == 2 and nat["stage_days"]["validation"]["median"] is not None
    assert {b["funding_source"] for b in nat["budget"]} >= {"apbn", "apbd"}
    assert any(p["pathway"] == "pelatihan" and p["planned_jp"] > 0 and p["credited_jp"] > 0 for p in nat["jp"]["by_pathway"])
    # Filters: kind and province.
    only = ok(api.get(f"/national/recap?year={YEAR}&kind=provinsi", headers=bkn))
    assert [a["code"] for a in only["agencies"]] == [JABAR]
    only = ok(api.get(f"/national/recap?year={YEAR}&province=jawa_timur", headers=bkn))
    assert [a["code"] for a in only["agencies"]] == [SURABAYA]
    # As of a past position: the same answer again; before Jawa Barat's plan there was no submission of it.
    again = ok(api.get(f"/national/recap?year={YEAR}&as_of={recap['position']}", headers=bkn))
    assert again["agencies"] == recap["agencies"] and again["chain_head"] == recap["chain_head"]

    # -- drill-down agency → officer -----------------------------------------------------------------------------
    drill = ok(api.get(f"/national/agencies/{AGENCY}?year={YEAR}", headers=bkn))
    by_nip = {o["nip"]: o for o in drill["officers"]}
    siti = by_nip[OFFICERS["pertama"]["nip"].replace(" ", "")]
    assert siti["credited_jp"] >= 24 and siti["planned_jp"] == 24 and siti["results_signed"] == 1
    assert by_nip[OFFICERS["utama"]["nip"].replace(" ", "")]["credited_jp"] == 0

    # -- the Pembina's 180° analysis ------------------------------------------------------------------------------
    gaps = ok(api.get(f"/national/gap-analysis?year={YEAR}", headers=pembina))
    assert {r["competency"] for r in gaps["by_competency_and_level"]} >= {"integritas", OFFICERS["pertama"]["competency"]}
    assert all(r["assessed"] >= 1 for r in gaps["by_competency_and_level"])
    assert {o["agency"] for o in gaps["officers"]} == {JABAR} and gaps["page"]["total"] == 4

    # -- agency roles see only their own agency; national roles cannot write agency data --------------------------
    hr_b = api.as_("hr", JABAR, subject="hr-jabar")
    own = ok(api.get(f"/national/recap?year={YEAR}", headers=hr_b))
    assert [a["code"] for a in own["agencies"]] == [JABAR]
    assert api.get(f"/national/recap?year={YEAR}&agency={AGENCY}", headers=hr_b).status_code == 403
    assert api.get(f"/national/agencies/{AGENCY}?year={YEAR}", headers=hr_b).status_code == 403
    assert api.get(f"/exports/national/recap?year={YEAR}&agency={AGENCY}", headers=hr_b).status_code == 403
    assert api.get(f"/national/recap?year={YEAR}", headers=api.as_("officer", JABAR, nip=JABAR_OFFICERS["muda"].replace(" ", ""))).status_code == 403
    for role in ("bkn", "lan", "auditor"):
        r = api.post("/officers/", json=officer_body("19940505 202201 1 031", agency=JABAR), headers=api.as_(role, None))
        assert r.status_code == 403, r.text
        r = api.post(f"/plans/{JABAR}/{YEAR}/budgets", json={"funding_source": "apbd", "amount": "1"}, headers=api.as_(role, None))
        assert r.status_code == 403, r.text
        assert api.post("/imports/officers", content=b"NIP\n", headers={**api.as_(role, None), "Content-Type": "text/csv"}).status_code == 403
        r = api.post("/agencies/", json={"code": "x", "name": "X", "kind": "provinsi", "province": "bali"}, headers=api.as_(role, None))
        assert r.status_code == 403
    assert api.post("/agencies/", json={"code": "x", "name": "X", "kind": "provinsi", "province": "bali"}, headers=hr_b).status_code == 403

    # -- every export, CSV and XLSX, read back to the JSON's values; stamped and verifiable --------------------------
    views = api.services.views

    def export(path: str, who: dict[str, str], fmt: str, *, accept: bool = False) -> bytes:
        headers = {**who, "Accept": XLSX if fmt == "xlsx" else "text/csv"} if accept else who
        sep = "&" if "?" in path else "?"
        r = api.get(path if accept else f"{path}{sep}format={fmt}", headers=headers)
        assert r.status_code == 200, (path, fmt, r.text)
        assert r.headers["content-type"].startswith("text/csv" if fmt == "csv" else XLSX)
        position, digest, signature = r.headers["x-pengkom-chain-head"].split(":")
        assert verify_signature(public, ChainHead(int(position), digest), signature)
        rows = csv_rows(r.content) if fmt == "csv" else next(iter(xlsx_sheets(r.content).values()))
        assert stamp(rows) == (int(r.headers["x-pengkom-position"]), digest) or int(position) <= int(r.headers["x-pengkom-position"])
        verdict = verify_export(api.services.app, views, r.content)
        assert verdict.ok, (path, fmt, verdict.message)
        return r.content

    hr = w.hr
    pel, sid = w.activities["pelatihan"], w.ids["pertama"]
    everything = [
        (f"/officers/{sid}", hr), (f"/proposals/{sid}/{YEAR + 1}", hr), (f"/assessments/{ids_b[JABAR_OFFICERS['pertama'].replace(' ', '')]}/{YEAR}", hr_b),
        (f"/plans/{AGENCY}/{YEAR}", hr), (f"/plans/{AGENCY}/{YEAR}/revisions/1", hr), (f"/activities/{pel}/monitoring", hr),
        (f"/activities/{w.activities['coaching']}/monitoring", hr), (f"/ledger/officers/{sid}?year={YEAR}", hr),
        (f"/ledger/agency?agency={AGENCY}&year={YEAR}", hr), (f"/audit?agency={AGENCY}", hr), (f"/evaluations/activities/{pel}", hr),
        (f"/evaluations/results/{pel}/{sid}", hr), (f"/evaluations/impact/{pel}/{sid}", hr), (f"/evaluations/recaps/{AGENCY}/{YEAR}", hr),
        (f"/national/recap?year={YEAR}", bkn), (f"/national/agencies/{AGENCY}?year={YEAR}", bkn), (f"/national/gap-analysis?year={YEAR}", pembina),
        (f"/exports/siasn?from={YEAR}-01-01&to={YEAR}-12-31", bkn), (f"/exports/officers?agency={JABAR}", hr_b),
        (f"/plans/{JABAR}/{YEAR}", bkn),
    ]
    files: dict[tuple[str, str], bytes] = {}
    for path, who in everything:
        if path.startswith("/proposals/"):
            if api.get(path, headers=who).status_code == 404:
                continue
        for fmt in ("csv", "xlsx"):
            files[(path, fmt)] = export(path, who, fmt)
    # Chosen by Accept on the JSON route as well.
    assert export(f"/plans/{AGENCY}/{YEAR}", hr, "xlsx", accept=True) == files[(f"/plans/{AGENCY}/{YEAR}", "xlsx")]
    assert export(f"/plans/{AGENCY}/{YEAR}", hr, "csv", accept=True) == files[(f"/plans/{AGENCY}/{YEAR}", "csv")]

    # Formulir 2.6: the rows and totals are the JSON's, typed (dates as dates, money as numbers) in XLSX.
    plan_json = ok(api.get(f"/plans/{AGENCY}/{YEAR}", headers=hr))
    heading, body = table(csv_rows(files[(f"/plans/{AGENCY}/{YEAR}", "csv")]), "No")
    assert heading[1] == "Nama Pegawai dan NIP: Nama" and heading[10] == "Anggaran"
    rows_json = plan_json["rows"]
    data_rows = [r for r in body if r[0].isdigit()]
    assert [(r[2], Decimal(r[10]), int(r[12])) for r in data_rows] == \
           [(j["nama_pegawai_dan_nip"]["nip"], Decimal(j["anggaran"]["amount"]), j["jumlah_jp"]) for j in rows_json]
    sheet = xlsx_sheets(files[(f"/plans/{AGENCY}/{YEAR}", "xlsx")])["Formulir 2.6"]
    assert sheet[0][0] == "Formulir 2.6" and any(r and r[0] == "Instansi (1)" and "Kementerian Ketenagakerjaan" in r[1] for r in sheet)
    _, xbody = table(sheet, "No")
    first = xbody[0]
    assert first[8].date().isoformat() == rows_json[0]["jadwal_dan_waktu_pelaksanaan"]["start"]
    assert isinstance(first[10], (int, float)) and Decimal(str(first[10])) == Decimal(rows_json[0]["anggaran"]["amount"])
    assert any(r and r[0] == "Nama Pejabat (14)" and r[1] == "Joko" for r in sheet)
    # A national role exports the plan as submitted to it, with the JSON's values (read as submitted too).
    assert b"Dedi" in files[(f"/plans/{JABAR}/{YEAR}", "csv")]
    as_sent = ok(api.get(f"/plans/{JABAR}/{YEAR}", headers=bkn))
    _, sent_rows = table(csv_rows(files[(f"/plans/{JABAR}/{YEAR}", "csv")]), "No")
    assert [(r[2], Decimal(r[10])) for r in sent_rows if r[0].isdigit()] == \
           [(j["nama_pegawai_dan_nip"]["nip"], Decimal(j["anggaran"]["amount"])) for j in as_sent["rows"]]
    assert stamp(csv_rows(files[(f"/plans/{JABAR}/{YEAR}", "csv")]))[0] == as_sent["as_submitted"]["position"]

    # The national recap: per agency rows equal the JSON.
    _, nrows = table(csv_rows(files[(f"/national/recap?year={YEAR}", "csv")]), "Kode Instansi")
    assert [(r[0], int(r[6]), int(r[8])) for r in nrows] == [(a["code"], a["officers"]["total"], a["officers"]["pppk"])
                                                            for a in recap["agencies"]]
    xsheets = xlsx_sheets(files[(f"/national/recap?year={YEAR}", "xlsx")])
    assert set(xsheets) >= {"Rekap Instansi", "Tahapan", "Analisis 180", "Anggaran", "Evaluasi"}
    _, xrows = table(xsheets["Rekap Instansi"], "Kode Instansi")
    credited_col = next(n for n, h in enumerate(table(xsheets["Rekap Instansi"], "Kode Instansi")[0]) if h == "JP Diakui")
    assert [int(r[credited_col]) for r in xrows] == [a["jp"]["credited_jp"] for a in recap["agencies"]]

    # The agency ledger: per officer credited JP as in the JSON.
    ledger = ok(api.get(f"/ledger/agency?agency={AGENCY}&year={YEAR}", headers=hr))
    _, lrows = table(csv_rows(files[(f"/ledger/agency?agency={AGENCY}&year={YEAR}", "csv")]), "No")
    assert [(r[2], int(r[7])) for r in lrows] == [(o["nip"], o["credited_jp"]) for o in ledger["officers"]]

    # -- pengkom verify --export: an untouched file verifies; an edited one names its cell ---------------------------
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("PENGKOM_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("PENGKOM_PG_SCHEMA", settings.pg_schema)
    from api.cli import main

    good = tmp_path / "formulir-2.6.xlsx"
    good.write_bytes(files[(f"/plans/{AGENCY}/{YEAR}", "xlsx")])
    capsys.readouterr()
    assert main(["verify", "--export", str(good)]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    book = openpyxl.load_workbook(good)
    ws = book["Formulir 2.6"]
    target = next(c for row in ws.iter_rows() for c in row if c.column == 11 and isinstance(c.value, (int, float)) and c.value > 0)
    target.value = target.value + 1000
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    assert main(["verify", "--export", str(edited)]) == 1
    err = capsys.readouterr().err
    assert f"cell K{target.row}" in err and "Anggaran" in err, err
    text = files[(f"/national/recap?year={YEAR}", "csv")].decode("utf-8-sig").replace(f"\r\n{AGENCY},", f"\r\n{AGENCY}X,", 1)
    bad_csv = tmp_path / "rekap.csv"
    bad_csv.write_bytes(text.encode("utf-8-sig"))
    assert main(["verify", "--export", str(bad_csv)]) == 1
    assert "column 'Kode Instansi'" in capsys.readouterr().err

    # -- SIASN: one line per officer and completed activity; the same ids when run again --------------------------------
    first_run = api.get(f"/exports/siasn?from={YEAR}-01-01&to={YEAR}-12-31&format=jsonl", headers=bkn)
    lines = [__import__("json").loads(x) for x in first_run.text.splitlines()]
    assert len(lines) == 5  # pelatihan ×3, seminar ×1, coaching ×1
    assert {x["nipBaru"] for x in lines} == {OFFICERS[k]["nip"].replace(" ", "") for k in ("pertama", "muda", "madya")}
    assert all(x["jumlahJam"] > 0 and x["tanggalKursus"] and x["institusiPenyelenggara"] for x in lines)
    assert any(x["nomorSertipikat"] == "SERT-pelatihan-pertama" for x in lines)
    second = api.get(f"/exports/siasn?from={YEAR}-01-01&to={YEAR}-12-31&format=jsonl", headers=bkn)
    assert [x["id"] for x in lines] == [__import__("json").loads(x)["id"] for x in second.text.splitlines()]
    assert len({x["id"] for x in lines}) == 5
    hr_siasn = api.get(f"/exports/siasn?from={YEAR}-01-01&to={YEAR}-12-31&format=jsonl", headers=hr_b)
    assert hr_siasn.status_code == 200 and hr_siasn.text == ""  # Jawa Barat completed nothing; kemnaker's lines are not its own

    # -- the national read model rebuilds identically from the log -------------------------------------------------------
    chosen = api.services.projector.resolve(["national"])
    scratch = open_views(settings, scratch="verify")
    try:
        reports = verify_read_models(api.services.app, api.services.views, scratch, chosen, fresh=all_projections)
    finally:
        scratch.discard()
    assert all(r.ok for r in reports), [t.lines for r in reports for t in r.tables]
    assert os.environ["PENGKOM_DATA_DIR"]


@pytest.mark.parametrize("agency", ["ËZQFYR", "dinas\u4e00", 'a"b'])
def test_an_export_named_after_an_agency_in_other_letters_downloads(api, agency):
    """Exports (BAB V.D reporting): the file name comes from the agency; one in other letters (found by the OpenAPI
    contract run, it answered 500) gets an ASCII filename and the exact one as filename* (RFC 6266)."""
    r = api.get("/exports/officers", params={"agency": agency}, headers=api.as_("auditor", None))
    assert r.status_code == 200, r.text
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="pengantar-kerja-') and disposition.isascii()
    assert "filename*=UTF-8''" in disposition
