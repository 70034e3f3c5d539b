"""Writing a :class:`~reports.document.Document` as CSV or XLSX into a temporary file, row by row, then
handing the file out in chunks: neither the rows nor the file are ever held in memory whole.

- **CSV**: UTF-8 with a byte-order mark (so spreadsheet programs read the Indonesian text right), comma
  separated (RFC 4180); dates ISO (YYYY-MM-DD), amounts as plain decimals.
- **XLSX**: XlsxWriter in constant-memory mode (each row is flushed to disk as the next begins); typed
  cells (dates as dates, money and JP as numbers); the form's title, header fields, stamp, headings with the
  form's item numbers (frozen), rows, totals and the signature block. The stamp is also in the workbook's
  custom properties (``pengkom_export``, ``pengkom_params``, ``pengkom_position``, ``pengkom_chain_head``).
  The file is deterministic: its creation date is the moment the last event at its position was recorded,
  so the same export at the same position is the same bytes (what ``pengkom verify --export`` relies on).
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from reports.document import DECIMAL, INT, MONEY, PERCENT, Column, Document, Section, plain

CSV = "csv"
XLSX = "xlsx"
MEDIA = {CSV: "text/csv; charset=utf-8", XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 64 * 1024
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def write(doc: Document, fmt: str) -> IO[bytes]:
    """The document written in ``fmt`` to an anonymous temporary file, rewound."""
    out = tempfile.TemporaryFile()
    try:
        if fmt == CSV:
            _csv(doc, out)
        else:
            _xlsx(doc, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes in chunks; the file is closed (and so removed) at the end or when the reader stops."""
    try:
        while block := file.read(CHUNK):
            yield block
    finally:
        file.close()


def to_bytes(doc: Document, fmt: str) -> bytes:
    """The whole file (for verification and tests; the API streams :func:`write`'s file instead)."""
    with write(doc, fmt) as f:
        return f.read()


# -- CSV -------------------------------------------------------------------------------------------------


def _csv(doc: Document, out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    w = csv.writer(text, lineterminator="\r\n")
    row = w.writerow

    def line(values: Sequence[Any]) -> None:
        row([plain(v) for v in values])

    line([doc.form])
    line([doc.title])
    for r in doc.stamp_rows():
        line(r)
    for label, value in doc.header:
        line([label, value])
    for n, s in enumerate(doc.sections):
        line([])
        if s.sheet and n:
            line([f"Lembar: {s.sheet}"])
        if s.title:
            line([s.title])
        line([c.heading for c in s.columns])
        if any(c.number for c in s.columns):
            line([c.number or "" for c in s.columns])
        for data in s.rows:
            line(data)
        for total in s.totals:
            line(total)
        if s.note:
            line([s.note])
    if doc.signature:
        line([])
        for sig in doc.signature:
            line(sig)
    for note in doc.notes:
        line([note])
    text.flush()
    text.detach()


# -- XLSX ------------------------------------------------------------------------------------------------


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("-", name)[:31] or "Lembar"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


class _Sheet:
    """One worksheet being written top to bottom (constant-memory mode needs rows in order)."""

    def __init__(self, book: Any, name: str, fmts: dict[str, Any]) -> None:
        self.ws = book.add_worksheet(name)
        self.fmts = fmts
        self.r = 0
        self.widths: dict[int, int] = {}
        self.frozen = False

    def cell(self, c: int, value: Any, kind: str | None = None, fmt: Any = None) -> None:
        ws, f, r = self.ws, self.fmts, self.r
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_string(r, c, "Ya" if value else "Tidak", fmt)
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value.astimezone(UTC).replace(tzinfo=None), fmt or f["datetime"])
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt or f["date"])
        elif isinstance(value, (int, float, Decimal)):
            number_fmt = fmt or (f["money"] if kind == MONEY else f["decimal"] if kind in (DECIMAL, PERCENT) else
                                 f["int"] if kind == INT else None)
            ws.write_number(r, c, float(value), number_fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def line(self, values: Sequence[Any], kinds: Sequence[str] | None = None, fmt: Any = None) -> None:
        for c, v in enumerate(values):
            self.cell(c, v, kinds[c] if kinds and c < len(kinds) else None, fmt)
        self.r += 1

    def columns(self, cols: Sequence[Column]) -> None:
        for c, col in enumerate(cols):
            if col.width > self.widths.get(c, 0):
                self.widths[c] = col.width
                self.ws.set_column(c, c, col.width)


def _xlsx(doc: Document, out: IO[bytes]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False, "tmpdir": tempfile.gettempdir(),
                                     "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    created = (doc.at.recorded_at or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    book.set_properties({"title": f"{doc.form} — {doc.title}", "subject": doc.kind, "author": "pengkom", "company": "pengkom",
                         "comments": f"{doc.kind} {doc.params_text()} @ {doc.at.stamp()}", "created": created})
    book.set_custom_property("pengkom_export", doc.kind)
    book.set_custom_property("pengkom_params", doc.params_text())
    book.set_custom_property("pengkom_position", str(doc.at.position))
    book.set_custom_property("pengkom_chain_head", doc.at.stamp())
    fmts = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "subtitle": book.add_format({"bold": True}),
        "label": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top", "bg_color": "#E7E6E6"}),
        "number": book.add_format({"italic": True, "border": 1, "align": "center"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "decimal": book.add_format({"num_format": "0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "total": book.add_format({"bold": True, "top": 1}),
    }
    used: set[str] = set()
    sheet = _Sheet(book, _sheet_name(doc.sheet, used), fmts)

    def opening(s: _Sheet) -> None:
        s.line([doc.form], fmt=fmts["title"])
        s.line([doc.title], fmt=fmts["subtitle"])
        for r in doc.stamp_rows():
            s.line(r)
        for label, value in doc.header:
            s.cell(0, label, fmt=fmts["label"])
            s.cell(1, value)
            s.r += 1

    opening(sheet)
    for n, sec in enumerate(doc.sections):
        if sec.sheet and n:
            sheet = _Sheet(book, _sheet_name(sec.sheet, used), fmts)
            opening(sheet)
        _section(sheet, sec, fmts)
    if doc.signature:
        sheet.r += 1
        for sig in doc.signature:
            sheet.line(sig)
    for note in doc.notes:
        sheet.line([note])
    book.close()


def _section(s: _Sheet, sec: Section, fmts: dict[str, Any]) -> None:
    s.r += 1
    if sec.title:
        s.line([sec.title], fmt=fmts["subtitle"])
    s.columns(sec.columns)
    s.line([c.heading for c in sec.columns], fmt=fmts["head"])
    if any(c.number for c in sec.columns):
        s.line([c.number or "" for c in sec.columns], fmt=fmts["number"])
    if not s.frozen:
        s.ws.freeze_panes(s.r, 0)
        s.frozen = True
    kinds = [c.kind for c in sec.columns]
    for r in sec.rows:
        s.line(r, kinds)
    for t in sec.totals:
        for c, v in enumerate(t):
            kind = kinds[c] if c < len(kinds) else None
            if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                s.cell(c, v, kind, fmts["total"] if kind not in (MONEY,) else None)
            else:
                s.cell(c, v, kind, fmts["total"])
        s.r += 1
    if sec.note:
        s.line([sec.note])


__all__ = ["CSV", "MEDIA", "XLSX", "chunks", "to_bytes", "write"]
