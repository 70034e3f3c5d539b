"""Exports of BAB III and V and of the records around them: Formulir 3.3 and 3.4 (monitoring), the JP
ledgers, the audit trail, Formulir 5.1 with 5.2, 5.3 with 5.4, 5.5, and the yearly evaluation recap (V.D)."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from core.errors import NotFound
from core.i18n import msg
from projections.audit import search_audit
from projections.evaluations import administrative, impact, recap, result
from projections.ledger import agency_ledger, officer_ledger
from projections.monitoring import activity_row, formulir_3_3, formulir_3_4
from projections.officers import officer_row
from projections.store import ViewStore
from reports.document import DATE, DECIMAL, INT, Column, Document, Section
from reports.forms import agency_label, competency_name, day, level_label, pathway_label
from reports.source import At

# -- Formulir 3.3 and 3.4 -------------------------------------------------------------------------------------


def _activity(store: ViewStore, at: At, activity_id: str) -> dict[str, Any]:
    a = activity_row(store, activity_id)
    if a is None:
        raise NotFound(msg("No activity {activity_id} is recorded at log position {position}.", activity_id=activity_id, position=at.position))
    return a


def _activity_header(store: ViewStore, a: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("Satuan Kerja (1)", agency_label(store, a["agency"])), ("Kegiatan", a["title"]),
            ("Jalur Pengembangan", pathway_label(a["pathway"])), ("Tahun", a["year"])]


def formulir_3_3_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    a = _activity(store, at, p["activity_id"])
    rows = formulir_3_3(store, p["activity_id"])
    shown = set(p.get("notes_for") or [])
    cols = (Column("No", "(2)", INT, 5), Column("Nama JF", "(3)", width=24), Column("NIP", "(4)", width=20),
            Column("Jabatan", "(5)", width=26), Column("Jenis & Jalur Pengembangan", "(6)", width=22),
            Column("Unit/Lembaga Penyelenggara", "(7)", width=24), Column("Tempat dan Waktu", "(8)", width=30),
            Column("Jumlah JP", "(9)", INT, 9), Column("Kehadiran JF", "(10)", width=16), Column("Keterangan", "(11)", width=30))
    body = ([r["no"], r["nama_jf"], r["nip"], r["jabatan"], r["jenis_dan_jalur_pengembangan"], r["unit_lembaga_penyelenggara"],
             r["tempat_dan_waktu"], r["jumlah_jp"], r["kehadiran_label"],
             r["keterangan"] if r["officer_id"] in shown else ("(dirahasiakan)" if r["keterangan"] else None)] for r in rows)
    return Document(kind="formulir-3.3", params=p, form="Formulir 3.3",
                    title="Monitoring Pelaksanaan Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja", at=at,
                    header=_activity_header(store, a), sections=[Section(cols, body)],
                    filename=f"formulir-3.3-{p['activity_id']}", sheet="Formulir 3.3")


def formulir_3_4_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    a = _activity(store, at, p["activity_id"])
    rows = formulir_3_4(store, p["activity_id"])
    cols = (Column("No", "(2)", INT, 5), Column("Nama JF", "(3)", width=24), Column("NIP", "(4)", width=20),
            Column("Jabatan", "(5)", width=26), Column("Coach/ Mentor", "(6)", width=22),
            Column("Unit/Lembaga Penyelenggara", "(7)", width=24), Column("Jumlah pertemuan yang disepakati", "(8)", INT, 12),
            Column("Jumlah pertemuan yang teralisasi", "(9)", INT, 12), Column("Keterangan", "(10)", width=24))
    body = ([r["no"], r["nama_jf"], r["nip"], r["jabatan"], r["coach_mentor"], r["unit_lembaga_penyelenggara"],
             r["jumlah_pertemuan_disepakati"], r["jumlah_pertemuan_terealisasi"], r["keterangan"]] for r in rows)
    return Document(kind="formulir-3.4", params=p, form="Formulir 3.4",
                    title="Monitoring Pelaksanaan Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja Melalui Jalur "
                          "Coaching/Mentoring", at=at,
                    header=_activity_header(store, a), sections=[Section(cols, body)],
                    filename=f"formulir-3.4-{p['activity_id']}", sheet="Formulir 3.4")


# -- JP ledgers ----------------------------------------------------------------------------------------------


def ledger_officer_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    o = officer_row(store, p["officer_id"])
    if o is None:
        raise NotFound(msg("Officer {officer_id} is not registered at log position {position}.", officer_id=p['officer_id'], position=at.position))
    year = int(p["year"])
    doc = officer_ledger(store, officer_id=p["officer_id"], year=year, agency=o["agency"], employee_type=o["employee_type"],
                         nip=o["nip"], name=o["name"])
    cols = (Column("No", None, INT, 5), Column("Kegiatan", width=34), Column("Jalur Pengembangan", width=18),
            Column("JP Direncanakan", None, INT, 10), Column("JP Diakui", None, INT, 10), Column("Selesai", None, DATE, 12),
            Column("Status", width=12), Column("Aturan Konversi", width=40), Column("Versi Aturan", width=22),
            Column("Versi Tabel JP", width=14))
    rows = ([n, e["title"], pathway_label(e["pathway"]), e["planned_jp"], e["credited_jp"], day(e["completed_on"]),
             "diakui" if e["status"] == "credited" else "berjalan", e["rule"], e["ruleset_version"], e["jp_table_version"]]
            for n, e in enumerate(doc["entries"], start=1))
    return Document(kind="ledger-officer", params=p, form="Buku JP Pegawai", title="Rekapitulasi Jam Pelajaran (JP) Pengembangan "
                    "Kompetensi per Pegawai", at=at,
                    header=[("Nama", o["name"]), ("NIP", o["nip"]), ("Jenis Pegawai", o["employee_type"]),
                            ("Instansi", agency_label(store, o["agency"])), ("Tahun", year),
                            ("JP Direncanakan (rencana tervalidasi)", doc["planned_jp_plan"]), ("JP Diakui", doc["credited_jp"]),
                            ("Kurang dari 20 JP (PNS)", doc["below_pns_minimum"]), ("Lebih dari 24 JP (PPPK)", doc["over_pppk_cap"])],
                    sections=[Section(cols, rows)], filename=f"buku-jp-{o['nip']}-{year}", sheet="Buku JP")


def ledger_agency_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    agency, year = p["agency"], int(p["year"])
    doc = agency_ledger(store, agency=agency, year=year)
    cols = (Column("No", None, INT, 5), Column("Nama", width=26), Column("NIP", width=20), Column("Jenis Pegawai", width=10),
            Column("Jumlah Kegiatan", None, INT, 10), Column("JP Direncanakan (kegiatan)", None, INT, 12),
            Column("JP Direncanakan (rencana tervalidasi)", None, INT, 12), Column("JP Diakui", None, INT, 10),
            Column("Kurang dari 20 JP (PNS)", width=10), Column("Kekurangan JP", None, INT, 10),
            Column("Lebih dari 24 JP (PPPK)", width=10), Column("Kelebihan JP", None, INT, 10))
    rows = ([n, r["name"], r["nip"], r["employee_type"], r["activities"], r["planned_jp_activities"], r["planned_jp_plan"],
             r["credited_jp"], r["below_pns_minimum"], r["shortfall_jp"], r["over_pppk_cap"], r["excess_jp"]]
            for n, r in enumerate(doc["officers"], start=1))
    by_path = (Column("Jalur Pengembangan", width=24), Column("Kegiatan", None, INT, 10), Column("Peserta", None, INT, 10),
               Column("JP Diakui", None, INT, 10))
    return Document(kind="ledger-agency", params=p, form="Buku JP Instansi",
                    title="Rekapitulasi Jam Pelajaran (JP) Pengembangan Kompetensi Instansi", at=at,
                    header=[("Instansi", agency_label(store, agency)), ("Tahun", year), ("JP Diakui", doc["credited_jp"]),
                            ("PNS kurang dari 20 JP", doc["pns_below_minimum"]), ("PPPK lebih dari 24 JP", doc["pppk_over_cap"])],
                    sections=[Section(cols, rows, title="Per Pegawai"),
                              Section(by_path, ([pathway_label(b["pathway"]), b["activities"], b["participants"], b["credited_jp"]]
                                                for b in doc["by_pathway"]), title="Per Jalur Pengembangan")],
                    filename=f"buku-jp-{agency}-{year}", sheet="Buku JP Instansi")


# -- the audit trail -------------------------------------------------------------------------------------------


def _note_redactor(reader: dict[str, Any]) -> Any:
    """The audit trail's attendance notes, withheld as the JSON route withholds them (api/reading.py) for the reader
    the export's parameters name (the HR unit's agency, the officer's NIP)."""
    from api.reading import redact_audit_item
    from core.events import Actor

    roles = {r for r, v in (("hr", reader.get("hr_agency")), ("officer", reader.get("nip"))) if v}
    actor = Actor("export-reader", "export reader", frozenset(roles), agency=reader.get("hr_agency"), nip=reader.get("nip"))
    return lambda item: redact_audit_item(item, actor)


def audit_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    cols = (Column("Posisi", None, INT, 8), Column("Dicatat pada (UTC)", width=24), Column("Tanggal berlaku", None, DATE, 12),
            Column("Instansi", width=16), Column("Jenis Rekaman", width=16), Column("ID Rekaman", width=36), Column("Versi", None, INT, 6),
            Column("Peristiwa", width=34), Column("Pelaku", width=22), Column("Peran", width=10), Column("Atas nama (NIP)", width=20),
            Column("ID Permintaan", width=20), Column("Ringkasan", width=60))

    redact = _note_redactor(p.get("reader") or {})

    def rows() -> Iterator[list[Any]]:
        offset, page = 0, 2000
        while True:
            items, total = search_audit(store, agency=p.get("agency"), all_agencies=bool(p.get("all_agencies")),
                                        aggregate_id=p.get("aggregate_id"), on_behalf_of=p.get("on_behalf_of"),
                                        upto=at.position, limit=page, offset=offset)
            for i in map(redact, items):
                yield [i["position"], i["recorded_at"], day(i["effective_date"]), i["aggregate"]["agency"], i["aggregate"]["type"],
                       i["aggregate"]["id"], i["aggregate"]["version"], i["event_type"], i["actor"]["name"], i["actor"]["role"],
                       i["on_behalf_of"], i["request_id"], i["summary"]]
            offset += page
            if offset >= total or not items:
                return

    header: list[tuple[str, Any]] = [("Instansi", agency_label(store, p["agency"]) if p.get("agency") else "semua instansi")]
    if p.get("aggregate_id"):
        header.append(("ID Rekaman", p["aggregate_id"]))
    return Document(kind="audit", params=p, form="Jejak Audit", title="Jejak Audit: siapa mencatat apa, dalam peran apa, atas nama "
                    "siapa, kapan", at=at, header=header, sections=[Section(cols, rows())], filename="jejak-audit", sheet="Jejak Audit")


# -- BAB V ----------------------------------------------------------------------------------------------------

CELL_HEADINGS = {"jenis": ("Jenis Pengembangan", "(7)"), "jalur": ("Jalur Pengembangan", "(8)"),
                 "penyelenggara": ("Penyelenggara", "(9)"), "jadwal": ("Jadwal dan Waktu", "(10)"),
                 "anggaran": ("Anggaran", "(11)"), "jam_pelajaran": ("Jam Pelajaran", "(12)")}


def formulir_5_2_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    doc = administrative(store, p["activity_id"])
    if doc is None:
        raise NotFound(msg("No administrative evaluation of activity {activity_id} is recorded at log position {position}.",
                           activity_id=p['activity_id'], position=at.position))
    f51, f52 = doc["formulir_5_1"], doc["formulir_5_2"]
    res = f51["results"]
    q_cols = (Column("No", None, INT, 5), Column("Elemen / Pernyataan", width=50), Column("Jumlah Nilai", None, INT, 10),
              Column("Nilai Maksimal", None, INT, 10), Column("Responden", None, INT, 10), Column("Bobot (%)", None, DECIMAL, 10),
              Column("Kriteria (Tabel 5.1)", width=14), Column("Interpretasi", width=50))

    def weights() -> Iterator[list[Any]]:
        if res is None:
            return
        n = 0
        for w in [*res["items"], *res["elements"], res["overall"]]:
            n += 1
            yield [n, w["label"], w["total"], w["maximum"], w["respondents"], Decimal(str(w["weight"])), w["band_range"], w["interpretation"]]

    cell_cols = [Column(f"Kesesuaian Rencana dan Pelaksanaan: {h} (Sesuai/Tdk)", n, width=14) for h, n in CELL_HEADINGS.values()]
    cols = (Column("No", "(2)", INT, 5), Column("Nama Pemangku JF", "(3)", width=24), Column("NIP", "(3)", width=20),
            Column("Nama Jabatan, Tingkatan, & Golongan", "(4)", width=30), Column("Kompetensi Teknis yang telah dikembangkan", "(5)", width=28),
            Column("Bentuk Pengembangan kompetensi", "(6)", width=24), *cell_cols,
            Column("Evaluasi Kualitas Program: Kuantitatif (%)", "(13)", DECIMAL, 12), Column("Evaluasi Kualitatif", "(14)", width=30))
    quant = f52["evaluasi_kualitas_program"]["kuantitatif"]
    qual = f52["evaluasi_kualitas_program"]["kualitatif"]

    def rows() -> Iterator[list[Any]]:
        for r in f52["rows"]:
            cells = {c["cell"]: ("Sesuai" if c["value"] == "sesuai" else "Tdk") for c in r["kesesuaian"]}
            j = r["jabatan_tingkatan_golongan"]
            yield [r["no"], r["nama_pemangku_jf"]["name"], r["nama_pemangku_jf"]["nip"],
                   f"{j['position']}, {level_label(j['level'])}, {j['golongan']}", competency_name(r["kompetensi_dikembangkan"]),
                   f"{r['bentuk_pengembangan']['jenis']} / {pathway_label(r['bentuk_pengembangan']['jalur'])}",
                   *(cells.get(k) for k in CELL_HEADINGS), Decimal(str(quant["weight"])) if quant else None, qual]

    sig = f52["signature"]
    capacity = {"ppk": "Pejabat Pembina Kepegawaian (15)", "head": "Pimpinan Instansi (15)"}.get(
        str((sig or {}).get("capacity")), "Pejabat Pembina Kepegawaian (15)")
    act = doc["activity"]
    return Document(kind="formulir-5.2", params=p, form="Formulir 5.1 / 5.2", title="Kuesioner Evaluasi Kualitas Program dan "
                    "Formulir Evaluasi Administratif", at=at,
                    header=[("Nama Instansi/Satuan Kerja (1)", agency_label(store, doc["agency"])), ("Kegiatan", act["title"]),
                            ("Jalur Pengembangan", pathway_label(act["pathway"])), ("Penyelenggara", act["provider"]),
                            ("Waktu", f"{act['start']} s.d. {act['end']}"), ("Tahun", doc["year"]),
                            ("Responden Formulir 5.1", f51["respondents"]), ("Status", f52["status"])],
                    sections=[Section(q_cols, weights(), title="Formulir 5.1: Bobot per Pernyataan, Elemen dan Keseluruhan (Tabel 5.1)",
                                      sheet="Formulir 5.1"),
                              Section(cols, rows(), title="Formulir 5.2: Evaluasi Administratif", sheet="Formulir 5.2")],
                    signature=[[f"{(sig or {}).get('place') or '.....'}, {(sig or {}).get('signed_on') or 'Tanggal/Bulan/Tahun'}"],
                               [capacity, (sig or {}).get("name")], ["NIP", (sig or {}).get("nip")]],
                    filename=f"formulir-5.1-5.2-{p['activity_id']}", sheet="Formulir 5.1")


def formulir_5_4_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    doc = result(store, p["activity_id"], p["officer_id"])
    if doc is None:
        raise NotFound(msg("No result evaluation of officer {officer_id} in activity {activity_id} is recorded at log position "
                           "{position}.", officer_id=p['officer_id'], activity_id=p['activity_id'], position=at.position))
    indicators = doc["indicators"]
    f53 = doc["formulir_5_3"]
    f54 = doc["formulir_5_4"]
    cols = (Column("No.", "(4)", INT, 5), Column("Identitas Pejabat Penilai", "(5)", width=36),
            *[Column(f"Penilaian Indikator Kompetensi: {i['text']}", "(6)", INT, 16) for i in indicators])
    rows = ([a["no"], f"{a['assessor']['name']} ({a['assessor']['position']}; {a['assessor']['capacity']})",
             *[a["scores"].get(i["indicator_id"]) for i in indicators]] for a in f53)
    by_id = {r["indicator_id"]: r for r in f54["indicators"]}
    totals = [["", "Total (7)", *[by_id.get(i["indicator_id"], {}).get("total") for i in indicators]],
              ["", "Rata rata (8)", *[_dec(by_id.get(i["indicator_id"], {}).get("average")) for i in indicators]],
              ["", "Nilai akhir kompetensi (9)", _dec(f54["final_score"])]]
    sig = f54.get("signature")
    o = doc["officer"]
    return Document(kind="formulir-5.4", params=p, form="Formulir 5.3 / 5.4", title="Formulir Rekapitulasi Penilaian Kompetensi "
                    "Pemangku JF", at=at,
                    header=[("Nama PK (1)", o["name"]), ("Jabatan PK (2)", f"{o['position']} ({level_label(o['level'])})"),
                            ("Unit Kerja (3)", o["unit"]), ("NIP", o["nip"]), ("Program Pengembangan Kompetensi", doc["programme"]),
                            ("Kompetensi", competency_name(doc["competency"])), ("Ekspose", doc["ekspose"]["held_on"]),
                            ("Status Rekapitulasi", f54["status"])],
                    sections=[Section(cols, rows, totals=totals)],
                    signature=[[f"....., {sig['signed_on'] if sig else 'Tanggal/Bulan/Tahun'} (10)"],
                               ["Pejabat pengelola SDM (11)", sig["name"] if sig else None]],
                    filename=f"formulir-5.4-{o['nip']}", sheet="Formulir 5.4")


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def formulir_5_5_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    doc = impact(store, p["activity_id"], p["officer_id"])
    if doc is None:
        raise NotFound(msg("No impact evaluation of officer {officer_id} in activity {activity_id} is recorded at log position "
                           "{position}.", officer_id=p['officer_id'], activity_id=p['activity_id'], position=at.position))
    view = p.get("view") or ("as_agreed" if doc["as_agreed"] else "as_assessed" if doc["as_assessed"] else "as_written")
    part = doc.get(view) or {"items": []}
    cols = (Column("No", None, INT, 5), Column("Kompetensi yang telah dikembangkan", "(5)", width=26),
            Column("Kegiatan pengembangan kompetensi", "(6)", width=26), Column("Perilaku kerja", "(7)", width=34),
            Column("Hambatan", "(8)", width=26), Column("Kontribusi terhadap kegiatan/IKU instansi", "(9)", width=30),
            Column("Kegiatan/IKU yang menjadi target", "(10)", width=26), Column("Bukti", "(11)", width=30),
            Column("Status", width=14))
    written = doc["as_written"] or {}
    rows = ([n, competency_name(doc["competency"]), doc["programme"], i.get("behaviour"), written.get("obstacles"),
             i.get("contribution"), i.get("target"), _evidence(i.get("evidence")), i.get("status")]
            for n, i in enumerate(part.get("items") or [], start=1))
    sigs = doc["signatures"]
    o = doc["officer"]
    return Document(kind="formulir-5.5", params={**p, "view": view}, form="Formulir 5.5",
                    title="Formulir Evaluasi Dampak Program Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja", at=at,
                    header=[("Nama PK", o["name"]), ("NIP", o["nip"]), ("Instansi", agency_label(store, doc["agency"])),
                            ("Tahun", doc["year"]), ("Tampilan", {"as_written": "sebagaimana ditulis PK", "as_assessed":
                                                                   "sebagaimana dinilai atasan", "as_agreed": "sebagaimana disepakati"}[view]),
                            ("Status", doc["status"])],
                    sections=[Section(cols, rows)],
                    signature=[["Pengantar Kerja (12)", (sigs.get("officer") or {}).get("name")],
                               ["Atasan Langsung (13)", (sigs.get("supervisor") or {}).get("name")]],
                    filename=f"formulir-5.5-{o['nip']}", sheet="Formulir 5.5")


def _evidence(items: Any) -> str | None:
    if not items:
        return None
    return "; ".join(e.get("description") or e.get("sha256") or e.get("kind") or "" for e in items)


def evaluation_recap_doc(store: ViewStore, at: At, p: dict[str, Any]) -> Document:
    agency, year = p["agency"], int(p["year"])
    doc = recap(store, agency, year)
    if doc is None or doc["computed"] is None:
        raise NotFound(msg("No computed evaluation recap of agency {agency} for {year} is recorded at log position {position}.",
                           agency=agency, year=year, position=at.position))
    c = doc["computed"]
    rec_cols = (Column("Jenis", width=12), Column("Nama", width=34), Column("Rekomendasi (dihitung)", width=16),
                Column("Rekomendasi (akhir)", width=16), Column("Alasan", width=50))

    def recs() -> Iterator[list[Any]]:
        for kind in ("programmes", "providers"):
            for r in c[kind]:
                yield [{"programmes": "program", "providers": "penyelenggara"}[kind], r["name"], r["recommendation"],
                       r.get("final_recommendation"), (r.get("override") or {}).get("reason") or r["reason"]]

    final = doc["finalisation"] or {}
    return Document(kind="evaluation-recap", params=p, form="Rekapitulasi Evaluasi (BAB V.D)",
                    title="Rekapitulasi dan Rekomendasi Hasil Evaluasi Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja",
                    at=at, header=[("Instansi", agency_label(store, agency)), ("Tahun", year), ("Status", doc["status"]),
                                   ("Kegiatan", _count(c.get("activities"))), ("Peserta", _count(c.get("participants"))),
                                   ("Analisis Unit Pengelola SDM Aparatur", final.get("analysis"))],
                    sections=[Section(rec_cols, recs(), title="Rekomendasi untuk perencanaan berikutnya")],
                    filename=f"rekap-evaluasi-{agency}-{year}", sheet="Rekap Evaluasi")


def _count(value: Any) -> Any:
    if isinstance(value, list):
        return len(value)
    return value

