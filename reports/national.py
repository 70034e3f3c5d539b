"""Exports of the national recaps (:mod:`projections.national_recap`), the SIASN-shaped course export and
the officer list in the bulk-import layout."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from core.agencies import KIND_LABELS, PROVINCES
from core.deadlines import Step
from core.errors import NotFound
from core.events import derived_id
from core.i18n import msg
from projections.national_recap import STAGE_LABELS, STAGES, Scope, agency_officers, gap_officers, national_recap
from projections.store import ViewStore
from reports.document import DATE, DECIMAL, INT, MONEY, PERCENT, Column, Document, Section
from reports.forms import agency_label, competency_name, day, level_label, pathway_label
from reports.source import At

STEP_LABELS = {Step.PROFILE: "Profil (Formulir 2.2)", Step.COMPETENCY_GAP: "Analisis kesenjangan kompetensi (180°)",
               Step.PERFORMANCE_GAP: "Analisis kesenjangan kinerja (Formulir 2.5)",
               Step.PLAN_COMPOSED: "Penyusunan rencana (Formulir 2.6 ditandatangani)",
               Step.SUBMITTED_PEMBINA: "Penyampaian ke Instansi Pembina", Step.SUBMITTED_LAN: "Penyampaian ke LAN"}
STATE_LABELS = {"done": "tepat waktu", "done_late": "terlambat", "due": "belum jatuh tempo", "overdue": "lewat tenggat"}
PLAN_STATUS = {"inventory": "inventarisasi", "draft": "verifikasi", "signed": "ditandatangani", "validated": "divalidasi"}


def scope_of(p: dict[str, Any]) -> Scope:
    return Scope(year=int(p["year"]), agency=p.get("agency"), kind=p.get("kind"), province=p.get("province"))


def _filters(p: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("Tahun", int(p["year"])), ("Instansi", p.get("agency") or "semua"),
            ("Jenis Instansi", KIND_LABELS.get(p["kind"]) if p.get("kind") else "semua"),
            ("Provinsi", PROVINCES.get(p["province"]) if p.get("province") else "semua")]


AGENCY_COLUMNS = (
    Column("Kode Instansi", width=16), Column("Nama Instansi", width=30), Column("Jenis Instansi", width=20),
    Column("Provinsi", width=18), Column("Kabupaten/Kota", width=18), Column("Dalam Direktori", width=9),
    Column("Jumlah Pengantar Kerja", None, INT, 10), Column("PNS", None, INT, 7), Column("PPPK", None, INT, 7),
    Column("Status Rencana", width=14), Column("Revisi Disampaikan", None, INT, 9),
    *[Column(f"Lama Tahap {STAGE_LABELS[s]} (hari)", None, INT, 12) for s in STAGES],
    Column(f"Tenggat: {STEP_LABELS[Step.PLAN_COMPOSED]}", width=16), Column(f"Tenggat: {STEP_LABELS[Step.SUBMITTED_PEMBINA]}", width=16),
    Column(f"Tenggat: {STEP_LABELS[Step.SUBMITTED_LAN]}", width=16),
    Column("PNS dengan JP ≥ 20", None, INT, 10), Column("Persentase PNS dengan JP ≥ 20 (%)", None, PERCENT, 12),
    Column("PPPK dengan JP > 24", None, INT, 10), Column("JP Direncanakan", None, INT, 10), Column("JP Diakui", None, INT, 10),
    Column("Anggaran Tersedia", None, MONEY, 16), Column("Anggaran Direncanakan", None, MONEY, 16),
    Column("Anggaran Terealisasi", None, MONEY, 16), Column("Penilaian 180° Ditutup", None, INT, 10),
    Column("Pegawai dengan Kesenjangan Kompetensi", None, INT, 12), Column("Kegiatan Dievaluasi (Formulir 5.1)", None, INT, 10),
    Column("Bobot Rata-rata Formulir 5.1 (%)", None, DECIMAL, 10), Column("Kesesuaian Formulir 5.2 (%)", None, PERCENT, 10),
    Column("Rekap Formulir 5.4 Ditandatangani", None, INT, 10), Column("Nilai Akhir Kompetensi Rata-rata", None, DECIMAL, 10),
    Column("Evaluasi Dampak Disepakati (Formulir 5.5)", None, INT, 10), Column("Status Rekap Evaluasi", width=12),
)


def agency_row(a: dict[str, Any]) -> list[Any]:
    plan = a["plan"] or {}
    dl = a["deadlines"]
    jp, b, g, ev = a["jp"], a["budget"], a["gap_analysis"], a["evaluation"]

    def state(step: Step) -> str:
        d = dl[step.value]
        return STATE_LABELS[d["status"]] + (f" ({d['days_late']} hari)" if d["days_late"] else "")

    return [a["code"], a["name"], a["kind_label"], a["province_name"], a["regency"], a["in_directory"],
            a["officers"]["total"], a["officers"]["pns"], a["officers"]["pppk"],
            PLAN_STATUS.get(plan.get("status") or "", plan.get("status")) if plan else "belum ada",
            plan.get("submitted_revision"), *[a["stage_days"][s] for s in STAGES],
            state(Step.PLAN_COMPOSED), state(Step.SUBMITTED_PEMBINA), state(Step.SUBMITTED_LAN),
            jp["pns_at_least_20"], jp["pns_share_at_least_20"], jp["pppk_over_24"], jp["planned_jp"], jp["credited_jp"],
            Decimal(b["registered"]), Decimal(b["planned"]), Decimal(b["realised"]), g["closed"], g["with_gap"],
            ev["activities_evaluated"], ev["mean_weight"], ev["share_sesuai_5_2"], ev["results_signed"], ev["mean_final_score"],
            ev["impacts_agreed"], ev["recap_status"]]


GAP_COLUMNS = (Column("Kompetensi", width=34), Column("Jenjang", width=14), Column("Pegawai Dinilai", None, INT, 10),
               Column("Pegawai dengan Kesenjangan", None, INT, 12), Column("Persentase dengan Kesenjangan (%)", None, PERCENT, 12),
               Column("Rata-rata Nilai Gabungan", None, DECIMAL, 10), Column("Rata-rata Standar (SKJ)", None, DECIMAL, 10),
               Column("Rata-rata Kesenjangan", None, DECIMAL, 10))


def gap_rows(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for r in rows:
        yield [r["competency_name"], r["level_label"], r["assessed"], r["with_gap"], r["share_with_gap"], r["mean_combined"],
               r["mean_target"], r["mean_gap"]]


def national_recap_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    doc = national_recap(store, scope_of(p), at.reference)
    n = doc["national"]
    stats = (Column("Tahap", width=22), Column("Instansi", None, INT, 9), Column("Minimum", None, DECIMAL, 9),
             Column("Persentil 25", None, DECIMAL, 9), Column("Median", None, DECIMAL, 9), Column("Persentil 75", None, DECIMAL, 9),
             Column("Persentil 90", None, DECIMAL, 9), Column("Maksimum", None, DECIMAL, 9))
    deadline_cols = (Column("Tahap", width=40), *[Column(f"Jumlah {STATE_LABELS[s]}", None, INT, 12) for s in STATE_LABELS])
    jp_cols = (Column("Jalur Pengembangan", width=26), Column("JP Direncanakan", None, INT, 12), Column("JP Diakui", None, INT, 12))
    comp_cols = (Column("Jenis Kompetensi", width=34), Column("JP Direncanakan", None, INT, 12), Column("JP Diakui", None, INT, 12))
    budget_cols = (Column("Sumber Dana", width=12), Column("Anggaran Tersedia", None, MONEY, 16),
                   Column("Anggaran Direncanakan", None, MONEY, 16), Column("Anggaran Terealisasi", None, MONEY, 16))
    level_cols = (Column("Jenjang", width=16), Column("PNS", None, INT, 8), Column("PPPK", None, INT, 8))
    ev = n["evaluation"]
    ev_cols = (Column("Ukuran", width=46), Column("Nilai", None, DECIMAL, 12))
    ev_rows = [["Kegiatan dievaluasi (Formulir 5.1)", ev["activities_evaluated"]], ["Bobot rata-rata Formulir 5.1 (%)", ev["mean_weight"]],
               *[[f"Kriteria Tabel 5.1 {b['band']}: kegiatan", b["activities"]] for b in ev["bands"]],
               *[[f"Formulir 5.2 {c['cell']}: kesesuaian (%)", c["share_sesuai"]] for c in ev["form_5_2"]],
               ["Rekap Formulir 5.4 ditandatangani", ev["results_signed"]], ["Nilai akhir kompetensi rata-rata", ev["mean_final_score"]],
               ["Evaluasi dampak (Formulir 5.5)", ev["impacts"]], ["Evaluasi dampak disepakati", ev["impacts_agreed"]],
               *[[f"Rekap evaluasi berstatus {r['status']}", r["agencies"]] for r in ev["recaps"]]]
    jp = n["jp"]
    summary = [("Instansi", n["agencies"]), ("Pengantar Kerja", n["officers"]["total"]), ("PNS", n["officers"]["pns"]),
               ("PPPK", n["officers"]["pppk"]), ("PNS dengan JP ≥ 20", jp["pns_at_least_20"]),
               ("Persentase PNS dengan JP ≥ 20 (%)", jp["pns_share_at_least_20"]), ("PPPK dengan JP > 24", jp["pppk_over_24"]),
               ("JP Direncanakan", jp["planned_jp"]), ("JP Diakui", jp["credited_jp"])]
    return Document(
        kind="national-recap", params=p, form="Rekapitulasi Nasional", at=at,
        title="Rekapitulasi Nasional Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja",
        header=[*_filters(p), *summary],
        sections=[
            Section(AGENCY_COLUMNS, (agency_row(a) for a in doc["agencies"]), title="Per Instansi"),
            Section(level_cols, ([lv["level_label"], lv["pns"], lv["pppk"]] for lv in n["officers"]["by_level"]),
                    title="Pengantar Kerja per Jenis Pegawai dan Jenjang", sheet="Pegawai"),
            Section(stats, ([STAGE_LABELS[s], d["n"], d["min"], d["p25"], d["median"], d["p75"], d["p90"], d["max"]]
                            for s, d in n["stage_days"].items()), title="Lama Tahapan Perencanaan (hari), Nasional", sheet="Tahapan"),
            Section(deadline_cols, ([STEP_LABELS[Step(step)], *[counts[s] for s in STATE_LABELS]] for step, counts in n["deadlines"].items()),
                    title="Pemenuhan Tenggat", sheet="Tenggat"),
            Section(jp_cols, ([r["label"], r["planned_jp"], r["credited_jp"]] for r in jp["by_pathway"]), title="JP per Jalur Pengembangan",
                    sheet="JP"),
            Section(comp_cols, ([r["label"], r["planned_jp"], r["credited_jp"]] for r in jp["by_competency"]), title="JP per Jenis Kompetensi"),
            Section(budget_cols, ([b["funding_source"].upper(), Decimal(b["registered"]), Decimal(b["planned"]), Decimal(b["realised"])]
                                  for b in n["budget"]), title="Anggaran per Sumber Dana", sheet="Anggaran"),
            Section(GAP_COLUMNS, gap_rows(n["gap_analysis"]), title="Analisis Kesenjangan Kompetensi 180° per Kompetensi dan Jenjang",
                    sheet="Analisis 180"),
            Section(ev_cols, iter(ev_rows), title="Hasil Evaluasi (BAB V)", sheet="Evaluasi"),
        ],
        notes=["Tanggal acuan: tenggat dinilai pada tanggal peristiwa terakhir pada posisi log ini dicatat.",
               "JP dan anggaran direncanakan: revisi rencana terakhir yang disampaikan ke Instansi Pembina atau LAN."],
        filename=f"rekap-nasional-{p['year']}", sheet="Rekap Instansi")


OFFICER_COLUMNS = (Column("No", None, INT, 5), Column("NIP", width=20), Column("Nama", width=26), Column("Jenis Pegawai", width=8),
                   Column("Jenjang", width=14), Column("Jabatan", width=28), Column("Unit Kerja", width=26),
                   Column("JP Direncanakan", None, INT, 10), Column("JP Diakui", None, INT, 10), Column("Kegiatan Selesai", None, INT, 9),
                   Column("Kurang dari 20 JP (PNS)", width=9), Column("Lebih dari 24 JP (PPPK)", width=9),
                   Column("Kompetensi dengan Kesenjangan (180°)", width=40), Column("Rekap Formulir 5.4 Ditandatangani", None, INT, 9),
                   Column("Nilai Akhir Kompetensi Rata-rata", None, DECIMAL, 10))


def officer_row_values(n: int, o: dict[str, Any]) -> list[Any]:
    return [n, o["nip"], o["name"], o["employee_type"], o["level_label"], o["position"], o["unit"], o["planned_jp"], o["credited_jp"],
            o["courses_completed"], o["below_pns_minimum"], o["over_pppk_cap"],
            ", ".join(competency_name(c) or c for c in o["competency_gaps"]) or None, o["results_signed"], o["mean_final_score"]]


def national_agency_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    code, year = p["agency"], int(p["year"])
    recap = national_recap(store, Scope(year=year, agency=code), at.reference)
    if not recap["agencies"]:
        raise NotFound(msg("Agency {code} has recorded nothing and is not in the directory at log position {position}.", code=code, position=at.position))

    def officers() -> Iterator[list[Any]]:
        offset, page, n = 0, 1000, 0
        while True:
            rows, total = agency_officers(store, code, year, limit=page, offset=offset)
            for o in rows:
                n += 1
                yield officer_row_values(n, o)
            offset += page
            if offset >= total or not rows:
                return

    return Document(kind="national-agency", params=p, form="Rekapitulasi Instansi", at=at,
                    title="Rekapitulasi Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja per Instansi",
                    header=[("Instansi", agency_label(store, code)), ("Tahun", year)],
                    sections=[Section(AGENCY_COLUMNS, iter([agency_row(recap["agencies"][0])]), title="Ringkasan Instansi"),
                              Section(OFFICER_COLUMNS, officers(), title="Per Pengantar Kerja", sheet="Pegawai")],
                    filename=f"rekap-{code}-{year}", sheet="Instansi")


def national_gaps_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    from projections.national_recap import agencies, gap_table

    scope = scope_of(p)
    codes = [a["code"] for a in agencies(store, scope)]
    cols = (Column("Kode Instansi", width=16), Column("NIP", width=20), Column("Nama", width=26), Column("Jenjang", width=14),
            Column("Kompetensi", width=34), Column("Nilai Gabungan", None, DECIMAL, 10), Column("Standar (SKJ)", None, DECIMAL, 10),
            Column("Kesenjangan", None, DECIMAL, 10), Column("Ada Kesenjangan", width=9))

    def officers() -> Iterator[list[Any]]:
        offset, page = 0, 2000
        while True:
            rows, total = gap_officers(store, scope, level=p.get("level"), competency_code=p.get("competency"), limit=page, offset=offset)
            for r in rows:
                yield [r["agency"], r["nip"], r["name"], r["level_label"], r["competency_name"], Decimal(r["combined"]),
                       Decimal(r["target"]), Decimal(r["gap"]), r["has_gap"]]
            offset += page
            if offset >= total or not rows:
                return

    table = [r for r in gap_table(store, codes, scope.year)
             if (p.get("level") is None or r["level"] == p["level"]) and (p.get("competency") is None or r["competency"] == p["competency"])]
    return Document(kind="national-gaps", params=p, form="Analisis Kesenjangan Kompetensi 180°", at=at,
                    title="Data Hasil Analisis Kesenjangan Kompetensi Jabatan Fungsional Pengantar Kerja (Instansi Pembina)",
                    header=[*_filters(p), ("Jenjang", level_label(p.get("level")) or "semua"),
                            ("Kompetensi", competency_name(p.get("competency")) or "semua")],
                    sections=[Section(GAP_COLUMNS, gap_rows(table), title="Per Kompetensi dan Jenjang"),
                              Section(cols, officers(), title="Per Pengantar Kerja dan Kompetensi", sheet="Per Pegawai")],
                    filename=f"analisis-180-{p['year']}", sheet="Analisis 180")


# -- SIASN -------------------------------------------------------------------------------------------------------

#: The fields of a course line (riwayat kursus) as BKN's SIASN takes them, and the export's own stable id.
SIASN_FIELDS = ("id", "nipBaru", "namaPegawai", "instansi", "jenisKursus", "namaKursus", "institusiPenyelenggara", "tanggalKursus",
                "tanggalSelesaiKursus", "jumlahJam", "nomorSertipikat", "tahunKursus", "pengkomKegiatanId", "pengkomPegawaiId")
SIASN_COLUMNS = (Column("id", width=36), Column("nipBaru", width=20), Column("namaPegawai", width=26), Column("instansi", width=16),
                 Column("jenisKursus", width=20), Column("namaKursus", width=34), Column("institusiPenyelenggara", width=26),
                 Column("tanggalKursus", None, DATE, 12), Column("tanggalSelesaiKursus", None, DATE, 12), Column("jumlahJam", None, INT, 9),
                 Column("nomorSertipikat", width=20), Column("tahunKursus", None, INT, 8), Column("pengkomKegiatanId", width=36),
                 Column("pengkomPegawaiId", width=36))


def siasn_line_id(activity_id: str, officer_id: str) -> str:
    """The line's id: the same officer and activity always give the same id, so a re-send never duplicates."""
    return str(derived_id("siasn-course", activity_id, officer_id))


def siasn_lines(store: ViewStore, p: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One line per officer and completed activity (JP credited) in the period, ordered by completion."""
    where, params = ["p.active = 1", "p.credited_jp IS NOT NULL", "p.completed_on >= ?", "p.completed_on <= ?"], [p["from"], p["to"]]
    if p.get("agency"):
        where.append("p.agency = ?")
        params.append(p["agency"])
    sql = ("SELECT p.activity_id, p.officer_id, p.nip, p.name, p.agency, a.pathway, a.title, a.provider, a.start_date, a.end_date, "
           "p.credited_jp, p.certificate_number, p.certificate_issued_on, p.completed_on FROM nat_participants p "
           f"JOIN nat_activities a ON a.activity_id = p.activity_id WHERE {' AND '.join(where)} "
           "ORDER BY p.completed_on, p.activity_id, p.officer_id")
    with store.snapshot() as snap:
        for r in snap.stream(sql, params):  # type: ignore[attr-defined]
            (aid, oid, nip, name, agency, pathway, title, provider, start, end, jp, cert, issued, completed) = r
            yield {"id": siasn_line_id(aid, oid), "nipBaru": nip, "namaPegawai": name, "instansi": agency,
                   "jenisKursus": pathway_label(pathway), "namaKursus": title, "institusiPenyelenggara": provider,
                   "tanggalKursus": day(start), "tanggalSelesaiKursus": day(end), "jumlahJam": int(jp), "nomorSertipikat": cert,
                   "tahunKursus": int((issued or completed)[:4]), "pengkomKegiatanId": aid, "pengkomPegawaiId": oid}


def siasn_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    return Document(kind="siasn", params=p, form="Ekspor Riwayat Kursus SIASN", at=at,
                    title="Riwayat kursus Pengantar Kerja untuk SIASN (BKN): satu baris per pegawai dan kegiatan selesai",
                    header=[("Instansi", agency_label(store, p["agency"]) if p.get("agency") else "semua"),
                            ("Periode selesai", f"{p['from']} s.d. {p['to']}")],
                    sections=[Section(SIASN_COLUMNS, ([line[f] for f in SIASN_FIELDS] for line in siasn_lines(store, p)))],
                    notes=["Kolom id tetap untuk pegawai dan kegiatan yang sama: pengiriman ulang tidak menggandakan riwayat.",
                           "jumlahJam adalah JP yang telah dikonversi (Peraturan LAN No. 10/2018)."],
                    filename=f"siasn-kursus-{p.get('agency') or 'nasional'}-{p['from']}-{p['to']}", sheet="Riwayat Kursus")


# -- officers in the import layout --------------------------------------------------------------------------------


def officers_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    from reports.importer import OFFICER_COLUMNS as IMPORT_COLUMNS

    sql = ("SELECT nip, name, birth_place, birth_date, sex, employee_type, position, level, golongan, unit, supervisor_nip, "
           "supervisor_name FROM officers WHERE agency = ? AND withdrawn = 0 ORDER BY name, nip")

    def rows() -> Iterator[list[Any]]:
        with store.snapshot() as snap:
            for r in snap.stream(sql, (p["agency"],)):  # type: ignore[attr-defined]
                values = list(r)
                values[3] = day(values[3])
                yield values

    cols = tuple(Column(c.heading, None, DATE if c.field == "birth_date" else "text", 18) for c in IMPORT_COLUMNS)
    return Document(kind="officers", params=p, form="Formulir 2.2", title="Daftar Pengantar Kerja (format impor Formulir 2.2)", at=at,
                    header=[("Instansi", agency_label(store, p["agency"]))], sections=[Section(cols, rows())],
                    filename=f"pengantar-kerja-{p['agency']}", sheet="Formulir 2.2")

