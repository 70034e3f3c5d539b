"""What an export is, before it is written as CSV or XLSX: the form's title, its header fields (instansi,
tahun …), one or more tables with the guideline's Indonesian column headings and numbering, totals and the
signature block — as the paper form has them — and the stamp that makes it verifiable: which export with
which parameters, at which log position, under which chain head.

Rows are iterators: a writer consumes them one at a time, so a document of any length is never held in
memory whole.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from reports.source import At

#: The stamp's row labels (verify looks for them).
STAMP_EXPORT = "Ekspor pengkom"
STAMP_POSITION = "Posisi log"
STAMP_HEAD = "Kepala rantai (SHA-256)"
STAMP_REFERENCE = "Tanggal acuan"
TEXT, INT, MONEY, DECIMAL, DATE, PERCENT = "text", "int", "money", "decimal", "date", "percent"


@dataclass(frozen=True)
class Column:
    """A column: its Indonesian heading as the form prints it, the form's item number, and its kind."""

    heading: str
    number: str | None = None
    kind: str = TEXT
    width: int = 16


@dataclass
class Section:
    """A table of the form. ``sheet`` starts a new worksheet in XLSX (a titled block in CSV)."""

    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str | None = None
    totals: Sequence[Sequence[Any]] = ()
    sheet: str | None = None
    note: str | None = None


@dataclass
class Document:
    kind: str
    params: dict[str, Any]
    form: str
    title: str
    at: At
    header: Sequence[tuple[str, Any]] = ()
    sections: Sequence[Section] = ()
    signature: Sequence[Sequence[Any]] = ()
    filename: str = "pengkom"
    sheet: str = "Formulir"
    notes: Sequence[str] = field(default_factory=tuple)

    def params_text(self) -> str:
        return json.dumps(self.params, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

    def stamp_rows(self) -> list[list[Any]]:
        return [[STAMP_EXPORT, self.kind, self.params_text()],
                [STAMP_POSITION, self.at.position, STAMP_HEAD, self.at.head.digest, "posisi rantai", self.at.head.position],
                [STAMP_REFERENCE, self.at.reference]]


def plain(value: Any) -> str:
    """A cell as CSV text: dates ISO, amounts as written, yes/no in Indonesian, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_params(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("the export's parameters are not a JSON object")
    return value
