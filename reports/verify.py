"""``pengkom verify --export FILE``: is this file exactly what pengkom produced?

The file's stamp names the export, its parameters, the log position and the chain head. Verification
(1) checks that the stored hash chain still holds that head at that position — the record the file was
computed from was not rewritten since; (2) rebuilds the read models the export reads from the event log up
to that position, produces the export again in the file's format, and compares: the same bytes means the
file is exactly what pengkom produced; otherwise the first cell that differs is named (sheet, cell, column
heading, the file's value and pengkom's). A file whose every cell matches but whose bytes differ was
re-saved by another program: it says so.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from projections.chain import chain_head
from reports.document import STAMP_EXPORT, STAMP_HEAD, STAMP_POSITION, parse_params
from reports.registry import KINDS
from reports.source import at, rebuilt
from reports.writers import CSV, XLSX, to_bytes


@dataclass
class Stamp:
    kind: str
    params: dict[str, Any]
    position: int
    digest: str
    fmt: str


@dataclass
class Verdict:
    ok: bool
    message: str
    stamp: Stamp | None = None
    details: list[str] = field(default_factory=list)


class NotAnExport(ValueError):
    """The file carries no pengkom stamp (or a malformed one)."""


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        out = []
        for ws in book.worksheets:
            out.append((ws.title, [list(r) for r in ws.iter_rows(values_only=True)]))
        return out
    finally:
        book.close()


def _stamp_from(rows: list[list[Any]], fmt: str) -> Stamp:
    kind = params = position = digest = None
    for r in rows[:12]:
        if not r:
            continue
        if r[0] == STAMP_EXPORT and len(r) >= 3:
            kind, params = r[1], parse_params(str(r[2]))
        elif r[0] == STAMP_POSITION and len(r) >= 4 and r[2] == STAMP_HEAD:
            position, digest = int(float(r[1])), str(r[3])
    if kind is None or params is None or position is None or digest is None:
        raise NotAnExport("this file carries no pengkom export stamp (the rows 'Ekspor pengkom' and 'Posisi log' near its top)")
    return Stamp(str(kind), params, position, digest, fmt)


def read_stamp(data: bytes) -> Stamp:
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            sheets = _xlsx_sheets(data)
        except Exception as e:
            raise NotAnExport(f"this file is a ZIP archive but not a readable XLSX workbook ({type(e).__name__})") from e
        if not sheets:
            raise NotAnExport("this workbook has no sheets")
        return _stamp_from(sheets[0][1], XLSX)
    try:
        return _stamp_from(_csv_rows(data), CSV)
    except UnicodeDecodeError as e:
        raise NotAnExport("this file is neither an XLSX workbook nor UTF-8 CSV text") from e


def _norm(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _first_difference(fmt: str, mine: bytes, theirs: bytes) -> str | None:
    """The first differing cell, as a sentence; None when every cell is the same."""
    if fmt == CSV:
        sheets_a = [("CSV", _csv_rows(mine))]
        sheets_b = [("CSV", _csv_rows(theirs))]
    else:
        sheets_a, sheets_b = _xlsx_sheets(mine), _xlsx_sheets(theirs)
    for n, ((name_a, rows_a), (name_b, rows_b)) in enumerate(zip(sheets_a, sheets_b, strict=False)):
        if name_a != name_b:
            return f"sheet {n + 1} is named {name_b!r} in the file but {name_a!r} in what pengkom produced"
        heading: list[Any] = []
        for r in range(max(len(rows_a), len(rows_b))):
            ra = rows_a[r] if r < len(rows_a) else []
            rb = rows_b[r] if r < len(rows_b) else []
            if ra and ra[0] in ("No", "No.", "Kode Instansi", "Tahap", "Posisi", "id", "Jenjang", "Kompetensi", "Kegiatan",
                                "Jalur Pengembangan", "Sumber Dana", "Ukuran", "Jenis Kompetensi", "Elemen / Pernyataan", "Nama"):
                heading = ra
            for c in range(max(len(ra), len(rb))):
                va = _norm(ra[c] if c < len(ra) else None)
                vb = _norm(rb[c] if c < len(rb) else None)
                if va != vb:
                    where = f"cell {_col(c)}{r + 1}" + (f" of sheet {name_a!r}" if fmt == XLSX else f" (row {r + 1}, column {c + 1})")
                    col = f" — column {heading[c]!r}" if c < len(heading) and heading[c] and r > 0 else ""
                    return f"{where}{col}: the file has {vb!r}, pengkom produced {va!r}"
    if len(sheets_a) != len(sheets_b):
        return f"the file has {len(sheets_b)} sheets, pengkom produced {len(sheets_a)}"
    return None


def verify_export(app: Any, views: Any, data: bytes) -> Verdict:
    """The verdict on one export file (see the module docstring)."""
    try:
        stamp = read_stamp(data)
    except NotAnExport as e:
        return Verdict(False, f"not a pengkom export: {e}.")
    kind = KINDS.get(stamp.kind)
    if kind is None:
        return Verdict(False, f"the file names an export pengkom does not know ({stamp.kind!r}).", stamp)
    head = app.recorder.max_notification_id() or 0
    if stamp.position < 1 or stamp.position > head:
        return Verdict(False, f"the file names log position {stamp.position}, which this record does not have (its last event is "
                              f"at position {head}).", stamp)
    kept = chain_head(views, upto=stamp.position)
    if kept is None:
        return Verdict(False, f"the hash chain does not reach position {stamp.position} yet; run `pengkom follow --once` and retry.",
                       stamp)
    details = []
    if kept.digest != stamp.digest:
        details.append(f"the chain head in the file ({stamp.digest[:16]}…) is not the one stored at position {kept.position} "
                       f"({kept.digest[:16]}…): either the file's stamp was edited or the record was rewritten "
                       "(`pengkom verify --chain` tells which).")
    store = rebuilt(app, kind.models, stamp.position, aggregate_ids=kind.aggregates(stamp.params))
    try:
        doc = kind.build(store, at(app, stamp.position, kept), stamp.params)
        mine = to_bytes(doc, stamp.fmt)
    finally:
        store.close()
    if mine == data and not details:
        return Verdict(True, f"the file is exactly the {stamp.kind} export pengkom produced at log position {stamp.position} "
                             f"(chain head {kept.digest}).", stamp)
    diff = _first_difference(stamp.fmt, mine, data)
    if diff is None and mine != data and not details:
        return Verdict(False, "every cell matches what pengkom produced at that position, but the file's bytes differ: it was "
                              "re-saved by another program, so it is not the file pengkom produced.", stamp)
    if diff is None and details:
        return Verdict(False, details[0], stamp, details)
    return Verdict(False, f"the file differs from what pengkom produced at log position {stamp.position}: {diff}.", stamp,
                   details)


def iter_lines(verdict: Verdict) -> Iterator[str]:
    yield verdict.message
    yield from verdict.details[1:] if verdict.details and verdict.message == verdict.details[0] else verdict.details
