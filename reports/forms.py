"""The forms of BAB II as exports: Formulir 2.1, 2.2, 2.3/2.4, 2.5 and 2.6, with the guideline's Indonesian
headings and item numbers ("(4)"), built from the same read-model queries as the JSON routes.

Where the paper form puts two facts in one column (Nama Pegawai dan NIP, Jadwal & Waktu Pelaksanaan,
Jenis & Jalur Pengembangan) the export gives each its own typed column under the same heading and number,
so a date is a date and an amount a number.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import zip_longest
from typing import Any
from uuid import UUID

from core.assessment import assessment_id
from core.catalogue import LEVEL_LABELS, PATHWAY_LABELS, Level, Pathway, competency
from core.errors import NotFound
from core.i18n import msg
from core.performance import review_id
from core.planning import plan_id
from core.proposal import proposal_id
from projections.assessments import assessment_forms, proposal_doc, review_doc
from projections.officers import formulir_2_2, officer_row
from projections.plans import formulir_2_6
from projections.store import ViewStore
from reports.document import DATE, INT, MONEY, Column, Document, Section
from reports.source import At


def agency_label(store: ViewStore, code: str) -> str:
    """``Kementerian Ketenagakerjaan (kemnaker)`` from the directory, or the code alone."""
    try:
        row = store.fetchone("SELECT name FROM nat_agencies WHERE code = ?", (code,))
    except Exception:  # the national read model is not part of this read
        row = None
    return f"{row['name']} ({code})" if row else code


def level_label(level: str | None) -> str | None:
    if level is None:
        return None
    try:
        return LEVEL_LABELS[Level(level)]
    except ValueError:
        return level


def pathway_label(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return PATHWAY_LABELS[Pathway(code)]
    except ValueError:
        return code


def competency_name(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return competency(code).name
    except Exception:
        return code


def day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# -- Formulir 2.6 ------------------------------------------------------------------------------------------

COLUMNS_2_6 = (
    Column("No", "(3)", INT, 5),
    Column("Nama Pegawai dan NIP: Nama", "(4)", width=26),
    Column("Nama Pegawai dan NIP: NIP", "(4)", width=20),
    Column("Jabatan", "(5)", width=28),
    Column("Jenis Kompetensi", "(6)", width=30),
    Column("Jenis & Jalur Pengembangan: Jenis", "(7)", width=28),
    Column("Jenis & Jalur Pengembangan: Jalur", "(7)", width=18),
    Column("Penyelenggara", "(8)", width=24),
    Column("Jadwal & Waktu Pelaksanaan: Mulai", "(9)", DATE, 12),
    Column("Jadwal & Waktu Pelaksanaan: Selesai", "(9)", DATE, 12),
    Column("Anggaran", "(10)", MONEY, 16),
    Column("Anggaran: Sumber Dana", "(10)", width=12),
    Column("Jumlah JP", "(11)", INT, 9),
    Column("Target Kenaikan Angka Kredit/Th", "(12)", MONEY, 12),
)


def _rows_2_6(doc: dict[str, Any]) -> Iterator[list[Any]]:
    for r in doc["rows"]:
        j = r["jabatan"]
        w = r["jadwal_dan_waktu_pelaksanaan"]
        a = r["anggaran"]
        yield [r["no"], r["nama_pegawai_dan_nip"]["name"], r["nama_pegawai_dan_nip"]["nip"],
               f"{j['position']} ({j['level_label']})", r["jenis_kompetensi"]["name"],
               r["jenis_dan_jalur_pengembangan"]["programme"], r["jenis_dan_jalur_pengembangan"]["pathway_label"],
               r["penyelenggara"], day(w["start"]), day(w["end"]), amount(a["amount"]), (a["funding_source"] or "").upper(),
               r["jumlah_jp"], amount(r["target_kenaikan_angka_kredit"]["value"])]


def formulir_2_6_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    agency, year, revision = p["agency"], int(p["year"]), p.get("revision")
    doc = formulir_2_6(store, str(plan_id(agency, year)), revision)
    if doc is None:
        what = f"revision {revision} of " if revision else ""
        raise NotFound(msg("No {what}Formulir 2.6 of agency {agency} for {year} is recorded at log position {position}.",
                           what=what, agency=agency, year=year, position=at.position))
    totals = doc["totals"]
    budget_total = sum((Decimal(v) for v in totals["budget_by_source"].values()), Decimal(0))
    total_rows: list[list[Any]] = [["", "Jumlah", "", "", "", "", "", "", None, None, budget_total, "", totals["jp"], None]]
    for source, value in sorted(totals["budget_by_source"].items()):
        total_rows.append(["", f"Jumlah anggaran {source.upper()}", "", "", "", "", "", "", None, None, Decimal(value), source.upper(),
                           None, None])
    for source, value in sorted(totals["budget_registered"].items()):
        total_rows.append(["", f"Anggaran tersedia {source.upper()}", "", "", "", "", "", "", None, None, Decimal(value),
                           source.upper(), None, None])
    sig = doc.get("kepala_satuan_kerja")
    signed_on = sig["recorded"]["effective_date"] if sig else None
    signature: list[list[Any]] = [[f"{sig['place'] if sig else '.....'}, {signed_on or 'Tanggal/Bulan/Tahun'} (13)"], ["Kepala Satuan Kerja"],
                 ["Nama Pejabat (14)", sig["name"] if sig else None], ["NIP", sig["nip"] if sig else None]]
    status = doc.get("status")
    return Document(
        kind="formulir-2.6", params=p, form="Formulir 2.6", title="Formulir Rencana Pengembangan Kompetensi Teknis JF", at=at,
        header=[("Instansi (1)", agency_label(store, agency)), ("Tahun (2)", year), ("Revisi", doc["revision"]),
                ("Status", status)],
        sections=[Section(COLUMNS_2_6, _rows_2_6(doc), totals=total_rows)], signature=signature,
        filename=f"formulir-2.6-{agency}-{year}" + (f"-rev{revision}" if revision else ""), sheet="Formulir 2.6")


# -- Formulir 2.2 ------------------------------------------------------------------------------------------

COLUMNS_2_2 = (
    Column("No", "(7)", INT, 5),
    Column("Riwayat Jabatan: Nama Jabatan", "(8)", width=28), Column("Riwayat Jabatan: Thn", "(9)", INT, 7),
    Column("Riwayat Pengembangan Kompetensi: Jenis Kompetensi", "(10)", width=28),
    Column("Riwayat Pengembangan Kompetensi: Bentuk dan Jalur Pengembangan", "(11)", width=28),
    Column("Riwayat Pengembangan Kompetensi: Thn", "(12)", INT, 7),
    Column("Riwayat Hasil Penilaian Kinerja: Hasil Penilaian Kinerja", "(13)", width=18),
    Column("Riwayat Hasil Penilaian Kinerja: Thn", "(14)", INT, 7),
    Column("Riwayat Angka Kredit: Angka Kredit", "(15)", MONEY, 12), Column("Riwayat Angka Kredit: Thn", "(16)", INT, 7),
)


def _dev(e: dict[str, Any]) -> str:
    form = e.get("form") or ""
    return f"{form} / {pathway_label(e['pathway'])}" if e.get("pathway") else form


def formulir_2_2_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    doc = formulir_2_2(store, p["officer_id"])
    if doc is None:
        raise NotFound(msg("Officer {officer_id} is not registered at log position {position}.", officer_id=p['officer_id'], position=at.position))
    idt, job = doc["identitas"], doc["jabatan"]

    def rows() -> Iterator[list[Any]]:
        lists = (doc["riwayat_jabatan"], doc["riwayat_pengembangan_kompetensi"], doc["riwayat_hasil_penilaian_kinerja"],
                 doc["riwayat_angka_kredit"])
        for n, (pos, dev, perf, cp) in enumerate(zip_longest(*lists), start=1):
            yield [n, pos and pos["position"], pos and pos["year"],
                   dev and competency_name(dev["competency"]), dev and _dev(dev), dev and dev["year"],
                   perf and perf["predikat"], perf and perf["year"],
                   cp and Decimal(cp["credit_points"]), cp and cp["year"]]

    return Document(
        kind="formulir-2.2", params=p, form="Formulir 2.2", title="Profil Jabatan Fungsional Pengantar Kerja", at=at,
        header=[("Nama JF (1)", idt["name"]), ("NIP (2)", idt["nip"]),
                ("Tempat dan Tanggal Lahir (3)", f"{idt['birth_place']}, {idt['birth_date']}"),
                ("Jenis Kelamin (4)", {"L": "Laki-laki", "P": "Perempuan"}.get(idt["sex"], idt["sex"])),
                ("Jabatan JF/Golongan (5)", f"{job['position']} ({level_label(job['level'])}) / {job['golongan']}"),
                ("Unit Kerja (6)", job["unit"]), ("Instansi", agency_label(store, job["agency"])),
                ("Jenis Pegawai", idt["employee_type"])],
        sections=[Section(COLUMNS_2_2, rows())],
        signature=[[".....,  Tanggal/Bulan/Tahun"], ["Pengantar Kerja (17)"], [idt["name"]]],
        filename=f"formulir-2.2-{idt['nip']}", sheet="Formulir 2.2")


# -- Formulir 2.1 ------------------------------------------------------------------------------------------


def formulir_2_1_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    oid, year = p["officer_id"], int(p["plan_year"])
    doc = proposal_doc(store, str(proposal_id(UUID(oid), year)))
    officer = officer_row(store, oid)
    if doc is None or officer is None:
        raise NotFound(msg("No {year} proposal (Formulir 2.1) of officer {oid} is recorded at log position {position}.",
                           year=year, oid=oid, position=at.position))
    sup, pk = doc["identitas_atasan"], doc["identitas_pengantar_kerja"]
    hist = formulir_2_2(store, oid) or {}
    credits = hist.get("riwayat_angka_kredit") or []
    perf = hist.get("riwayat_hasil_penilaian_kinerja") or []
    last_cp = max(credits, key=lambda e: e["year"]) if credits else None
    last_perf = max(perf, key=lambda e: e["year"]) if perf else None
    competency_cols = (Column("Nama Kompetensi", "(8)", width=30), Column("Indikator Perilaku", "(9)", width=30),
                       Column("Bentuk", "(10)", width=24), Column("Jalur", "(11)", width=18),
                       Column("Waktu Pemenuhan", "(12)", width=18), Column("Ket", "(13)", width=18))
    performance_cols = (Column("Standar Capaian Kinerja yang belum terpenuhi", "(14)", width=36), Column("Bentuk", "(15)", width=24),
                        Column("Jalur", "(16)", width=18), Column("Waktu Pemenuhan", "(17)", width=18), Column("Ket", "(18)", width=18))
    sig_pk, sig_sup = doc["tanda_tangan_pengantar_kerja"], doc["tanda_tangan_atasan"]
    return Document(
        kind="formulir-2.1", params=p, form="Formulir 2.1",
        title="Inventarisasi Usulan Pengembangan Kompetensi Pemangku Jabatan Fungsional Pengantar Kerja", at=at,
        header=[("Identitas Atasan Pengantar Kerja: Nama (1)", sup["name"]),
                ("Identitas Atasan Pengantar Kerja: Jabatan (2)", "Atasan Langsung"),
                ("Identitas Atasan Pengantar Kerja: Unit Kerja (3)", sup["unit"]),
                ("Identitas Pengantar Kerja: Nama (4)", pk["name"]),
                ("Identitas Pengantar Kerja: Jenis dan Jenjang Jabatan (5)", f"{officer['position']} ({level_label(pk['level'])})"),
                ("Identitas Pengantar Kerja: Tahun dan AK terakhir (6)",
                 f"{last_cp['year']}: {last_cp['credit_points']}" if last_cp else None),
                ("Identitas Pengantar Kerja: Hasil Penilaian Kerja (7)",
                 f"{last_perf['year']}: {last_perf['predikat']}" if last_perf else None),
                ("NIP Pengantar Kerja", pk["nip"]), ("Tahun Rencana", year)],
        sections=[
            Section(competency_cols, ([competency_name(i["competency"]), i["behaviour_indicator"], i["form"], pathway_label(i["pathway"]),
                                       i["target_time"], i["remark"]] for i in doc["kesenjangan_kompetensi"]),
                    title="Hasil Identifikasi Kesenjangan Kompetensi dan Kebutuhan Pengembangan Kompetensi"),
            Section(performance_cols, ([i["performance_standard"], i["form"], pathway_label(i["pathway"]), i["target_time"], i["remark"]]
                                       for i in doc["kesenjangan_kinerja"]),
                    title="Hasil Identifikasi Kesenjangan Kinerja dan Kebutuhan Pengembangan Kompetensi"),
        ],
        signature=[[".....,  Tanggal/Bulan/Tahun"],
                   ["Pengantar Kerja (19)", pk["name"], "ditandatangani", day(sig_pk["effective_date"]) if sig_pk else None],
                   ["Atasan Langsung PK (20)", sup["name"], "ditandatangani", day(sig_sup["effective_date"]) if sig_sup else None]],
        filename=f"formulir-2.1-{pk['nip']}-{year}", sheet="Formulir 2.1")


# -- Formulir 2.3 / 2.4 ----------------------------------------------------------------------------------------


def formulir_2_3_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    oid, year = p["officer_id"], int(p["year"])
    officer = officer_row(store, oid)
    doc = assessment_forms(store, str(assessment_id(UUID(oid), year)), officer) if officer else None
    if doc is None or officer is None:
        raise NotFound(msg("No {year} competency assessment of officer {oid} is recorded at log position {position}.",
                           year=year, oid=oid, position=at.position))
    sup, own = doc["formulir_2_3"], doc["formulir_2_4"]
    own_scores = {q["question_id"]: q["score"] for part in ("soal_kompetensi_manajerial_sosiokultural", "soal_kompetensi_teknis")
                  for q in own[part]}

    def rows(part: str) -> Iterator[list[Any]]:
        for n, q in enumerate(sup[part], start=1):
            yield [n, competency_name(q["competency"]), q["text"], q["score"], own_scores.get(q["question_id"])]

    def cols(items: tuple[str, str]) -> tuple[Column, ...]:
        return (Column("No", None, INT, 5), Column("Kompetensi", None, width=28), Column(items[0], items[1], width=50),
                Column("Penilaian Perilaku Kerja Berdasarkan Soal Kompetensi: Atasan (Formulir 2.3)", None, INT, 16),
                Column("Penilaian Perilaku Kerja Berdasarkan Soal Kompetensi: Mandiri (Formulir 2.4)", None, INT, 16))

    sections = [Section(cols(("Soal Kompetensi Manajerial & Sosio-Kultural", "(8)/(9)")), rows("soal_kompetensi_manajerial_sosiokultural"),
                        title="Kompetensi Manajerial & Sosio-Kultural"),
                Section(cols(("Soal Kompetensi Teknis", "(10)/(11)")), rows("soal_kompetensi_teknis"), title="Kompetensi Teknis")]
    gap = doc["analisis_kesenjangan_kompetensi"]
    if gap:
        sections.append(Section(
            (Column("Kompetensi", width=30), Column("Jumlah Soal", None, INT, 8), Column("Rata-rata Atasan", None, MONEY, 10),
             Column("Rata-rata Mandiri", None, MONEY, 10), Column("Nilai Gabungan", None, MONEY, 10),
             Column("Standar (SKJ)", None, MONEY, 10), Column("Kesenjangan", None, MONEY, 10), Column("Ada Kesenjangan", width=10)),
            ([competency_name(r["competency"]), r["questions"], Decimal(r["supervisor_mean"]), Decimal(r["self_mean"]),
              Decimal(r["combined"]), Decimal(r["target"]), Decimal(r["gap"]), r["has_gap"]] for r in gap["rows"]),
            title="Data Hasil Analisis Kesenjangan Kompetensi"))
    idt = doc["identitas"]
    return Document(
        kind="formulir-2.3", params=p, form="Formulir 2.3 / 2.4",
        title="Penilaian Atasan dan Penilaian Mandiri atas Kompetensi Manajerial, Sosio Kultural dan Teknis Jabatan Fungsional "
              "Pengantar Kerja", at=at,
        header=[("Identitas Atasan Pengantar Kerja: Nama (1)", idt["supervisor_name"]),
                ("Identitas Atasan Pengantar Kerja: Jabatan (2)", "Atasan Langsung"),
                ("Identitas Atasan Pengantar Kerja: Unit Kerja (3)", idt["unit"]), ("Identitas Pengantar Kerja: Nama (4)", idt["name"]),
                ("Identitas Pengantar Kerja: Jenis dan Jenjang Jabatan (5)", f"{idt['position']} ({level_label(idt['level'])})"),
                ("NIP Pengantar Kerja", idt["nip"]), ("Tahun Penilaian", year),
                ("Instrumen", f"{doc['instrument']['code']} versi {doc['instrument']['version']}")],
        sections=sections,
        signature=[[".....,  Tanggal/Bulan/Tahun"], ["Atasan Langsung PK (12)", idt["supervisor_name"]]],
        filename=f"formulir-2.3-2.4-{idt['nip']}-{year}", sheet="Formulir 2.3-2.4")


# -- Formulir 2.5 ------------------------------------------------------------------------------------------------


def formulir_2_5_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    oid, year = p["officer_id"], int(p["year"])
    doc = review_doc(store, str(review_id(UUID(oid), year)))
    officer = officer_row(store, oid)
    if doc is None or officer is None:
        raise NotFound(msg("No Formulir 2.5 of officer {oid} for {year} is recorded at log position {position}.", oid=oid, year=year, position=at.position))
    cols = (Column("No", None, INT, 5), Column("Sasaran Kerja Pengantar Kerja", "(6)", width=40),
            Column("Status Pencapaian Kinerja", "(7)", width=14), Column("Hambatan", "(8)", width=30),
            Column("Bukti Kinerja", "(9)", width=30))
    rows = ([n, t.get("description"), "Tercapai" if t.get("achieved") else "Tidak Tercapai", t.get("obstacles"), t.get("evidence")]
            for n, t in enumerate(doc["sasaran_kerja"], start=1))
    signed = doc["tanda_tangan_atasan"]
    return Document(
        kind="formulir-2.5", params=p, form="Formulir 2.5", title="Formulir Isian Identifikasi Kesenjangan Kinerja JF", at=at,
        header=[("Nama Pengantar Kerja", officer["name"]), ("NIP", officer["nip"]),
                ("Jabatan", f"{officer['position']} ({level_label(officer['level'])})"), ("Unit Kerja", officer["unit"]),
                ("Tahun Kinerja", year), ("Hasil Kerja", doc["hasil_kerja"]), ("Perilaku Kerja", doc["perilaku_kerja"]),
                ("Hasil Penilaian Kinerja (10)", doc["predikat"]), ("Tingkat Kesenjangan Kinerja (11)", doc["tingkat_kesenjangan_kinerja"])],
        sections=[Section(cols, rows)],
        signature=[[".....,  Tanggal/Bulan/Tahun"], ["Atasan Langsung (12)", officer["supervisor_name"],
                                                      "ditandatangani", day(signed["effective_date"]) if signed else None]],
        filename=f"formulir-2.5-{officer['nip']}-{year}", sheet="Formulir 2.5")
