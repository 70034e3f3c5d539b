"""A lean reader of XLSX worksheets for bulk imports: cell values row by row, streamed from the ZIP with the
standard library's C XML parser — several times faster than a general spreadsheet library on a large file,
in constant memory (one row at a time; the shared-string table is the only thing held).

It reads what an import needs: text (shared, inline, formula results), numbers, booleans. Dates are numbers
in an XLSX file (their display format is a style), so a date column arrives as the Excel serial number;
:func:`excel_date` turns it into a date (the 1900 date system every current spreadsheet program writes).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from typing import IO, Any
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import unescape

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]+)(\d+)")
_EPOCH = date(1899, 12, 30)


def excel_date(serial: float) -> date:
    """An Excel serial day number (1900 date system) as a date."""
    return _EPOCH + timedelta(days=int(serial))


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _shared(z: zipfile.ZipFile) -> list[str]:
    try:
        f = z.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    with f:
        parts: list[str] = []
        for event, el in iterparse(f, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{_NS}si":
                    parts = []
                continue
            if tag == f"{_NS}t":
                parts.append(el.text or "")
            elif tag == f"{_NS}si":
                out.append("".join(parts))
                el.clear()
    return out


def sheets(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, path in the archive) of every worksheet, in workbook order."""
    if True:
        rels = {}
        with z.open("xl/_rels/workbook.xml.rels") as f:
            for _, el in iterparse(f):
                if el.tag == f"{_PKG_REL}Relationship":
                    target = el.get("Target") or ""
                    rels[el.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out = []
        with z.open("xl/workbook.xml") as f:
            for _, el in iterparse(f):
                if el.tag == f"{_NS}sheet":
                    out.append((el.get("name") or "", rels.get(el.get(f"{_REL}id"), "")))
        return out


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'\s(r|t)="([^"]*)"')
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_T = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t\s*/>", re.S)
_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_NUM = re.compile(rb'\sr="(\d+)"')


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return unescape(text) if "&" in text else text


#: The cell shape spreadsheet programs and XlsxWriter write (``r`` first, then optional ``s`` and ``t``, one ``<v>``):
#: a row made only of such cells is read with one ``findall`` (about three times faster than cell by cell).
_FAST = re.compile(rb'<c r="([A-Z]{1,3})\d+"(?: s="\d+")?(?: t="(s|n|b|str|e)")?(?:/>|><v>([^<]*)</v></c>|></c>)')
_CELL_OPEN = re.compile(rb"<c[\s/>]")
_COLUMNS: dict[bytes, int] = {}


def _column_of(letters: bytes) -> int:
    n = _COLUMNS.get(letters)
    if n is None:
        n = _COLUMNS[letters] = _column(letters.decode())
    return n


def _cells(body: bytes, shared: list[str]) -> list[Any]:
    found = _FAST.findall(body)
    if len(found) == len(_CELL_OPEN.findall(body)):
        out: list[Any] = []
        for letters, kind, v in found:
            if not v and kind in (b"", b"n"):
                continue  # an empty cell (a style only)
            col = _column_of(letters)
            if col >= len(out):
                out.extend([None] * (col + 1 - len(out)))
            if kind == b"s":
                out[col] = shared[int(v)] if v else None
            elif kind == b"b":
                out[col] = v == b"1"
            elif kind in (b"str", b"e"):
                out[col] = _text(v) if v else None
            else:
                number = float(v)
                out[col] = int(number) if number.is_integer() and b"E" not in v and b"e" not in v else number
        return out
    return _cells_general(body, shared)


def _cells_general(body: bytes, shared: list[str]) -> list[Any]:
    values: dict[int, Any] = {}
    for m in _CELL.finditer(body):
        attrs = dict(_ATTR.findall(m.group(1)))
        inner = m.group(2) or b""
        ref = _REF.match(attrs.get(b"r", b"").decode())
        col = _column(ref.group(1)) if ref else len(values)
        kind = attrs.get(b"t", b"")
        v = _V.search(inner)
        if kind == b"s":
            values[col] = shared[int(v.group(1))] if v else None
        elif kind == b"inlineStr":
            values[col] = "".join(_text(t.group(1) or b"") for t in _T.finditer(inner))
        elif kind in (b"str", b"e"):
            values[col] = _text(v.group(1)) if v else None
        elif kind == b"b":
            values[col] = bool(v and v.group(1) == b"1")
        elif v is not None:
            text = v.group(1).decode()
            number = float(text)
            values[col] = int(number) if number.is_integer() and "E" not in text and "e" not in text else number
    return [values.get(i) for i in range(max(values) + 1)] if values else []


def rows(z: zipfile.ZipFile, path: str, shared: list[str]) -> Iterator[list[Any]]:
    """The sheet's rows as lists of values (gaps as None); an absent row is yielded empty, so row numbers hold.

    The sheet's XML is machine-written and regular, so it is scanned with compiled regular expressions a
    megabyte at a time (several times faster than an XML tree parser), one ``<row>`` at a time.
    """
    expected = 1
    with z.open(path) as f:
        buf = b""
        pos = 0
        eof = False
        while True:
            start = _ROW_START.search(buf, pos)
            close = -1
            if start is not None and start.group(2) != b"/":
                close = buf.find(b"</row>", start.end())
            if start is None or (start.group(2) != b"/" and close < 0):
                if eof:
                    return
                chunk = f.read(1 << 20)
                eof = not chunk
                buf = (buf[start.start():] if start is not None else buf[max(pos, len(buf) - 64):]) + chunk
                pos = 0
                continue
            num = _ROW_NUM.search(start.group(1))
            number = int(num.group(1)) if num else expected
            if start.group(2) == b"/":
                body, pos = b"", start.end()
            else:
                body, pos = buf[start.end():close], close + 6
            while expected < number:
                yield []
                expected += 1
            yield _cells(body, shared)
            expected = number + 1


def read(data: IO[bytes] | Any) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    """Every worksheet as (name, rows)."""
    with zipfile.ZipFile(data) as z:
        shared = _shared(z)
        for name, path in sheets(z):
            yield name, rows(z, path, shared)
