"""Officer files for the bulk-import tests and benchmark: N officers of one agency (valid NIPs, four Ahli levels,
PNS and PPPK) and, optionally, history rows for each — as CSV text or an XLSX workbook."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

OFFICER_HEADINGS = ["NIP", "Nama", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin (L/P)", "Jenis Pegawai (PNS/PPPK)", "Jabatan",
                    "Jenjang", "Golongan", "Unit Kerja", "NIP Atasan Langsung", "Nama Atasan Langsung"]
HISTORY_HEADINGS = ["NIP", "Jenis Riwayat", "Tahun", "Nama Jabatan", "Jenjang", "Unit Kerja", "Jenis Kompetensi", "Bentuk Pengembangan",
                    "Jalur Pengembangan", "JP", "Penyelenggara", "Hasil Penilaian Kinerja", "Angka Kredit"]
LEVELS = (("ahli_pertama", "III/a"), ("ahli_muda", "III/c"), ("ahli_madya", "IV/a"), ("ahli_utama", "IV/d"))
SUPERVISOR = "197503032000011003"


def nip(i: int, *, pppk: bool = False) -> str:
    """A valid, distinct NIP (PNS) or NI PPPK for officer ``i`` (0 ≤ i < 36,500)."""
    born = date(1970, 1, 1) + timedelta(days=i % 9000)
    sex = 1 + (i % 2)
    serial = 1 + i // 9000
    if pppk:
        return f"{born:%Y%m%d}{born.year + 25}01{sex}{serial:03d}"
    appointed = born.replace(day=1) + timedelta(days=365 * 25)
    return f"{born:%Y%m%d}{appointed:%Y%m}{sex}{serial:03d}"


def officer_rows(n: int, *, start: int = 0) -> list[list[Any]]:
    rows = []
    for i in range(start, start + n):
        pppk = i % 10 == 9
        number = nip(i, pppk=pppk)
        level, golongan = LEVELS[i % 4]
        born = f"{number[:4]}-{number[4:6]}-{number[6:8]}"
        rows.append([number, f"Pegawai {i:05d}", "Bandung", born, "L" if number[14] == "1" else "P", "PPPK" if pppk else "PNS",
                     f"Pengantar Kerja {level.replace('_', ' ').title()}", level, golongan, f"Bidang Penempatan {i % 7}",
                     SUPERVISOR, "Budi Santoso"])
    return rows


def history_rows(officers: list[list[Any]]) -> list[list[Any]]:
    """Two entries per officer: a development entry (with its provider) and the credit points of last year."""
    out = []
    for o in officers:
        out.append([o[0], "pengembangan", 2024, None, None, None, "integritas", "Pelatihan Integritas", "pelatihan", 24,
                    "Pusdiklat Kemnaker", None, None])
        out.append([o[0], "angka_kredit", 2024, None, None, None, None, None, None, None, None, None, "12.5"])
    return out


def to_csv(headings: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(headings)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(officers: list[list[Any]], histories: list[list[Any]] | None = None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    for name, headings, rows in (("Formulir 2.2", OFFICER_HEADINGS, officers), ("Riwayat", HISTORY_HEADINGS, histories or [])):
        if name == "Riwayat" and histories is None:
            continue
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headings)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if c == 0 or isinstance(v, str):
                    ws.write_string(r, c, str(v), text if c == 0 else None)
                else:
                    ws.write_number(r, c, v)
    book.close()
    return buf.getvalue()
