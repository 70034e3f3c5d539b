"""Bulk import of an agency's existing records from CSV or XLSX: officers (Formulir 2.2 identity and
placement) and their histories (riwayat jabatan, pengembangan kompetensi, hasil penilaian kinerja, angka
kredit).

**Validate everything first.** Every row goes through the same checks as the API: the route's request
schema (types, lengths) and the domain verb itself (``OfficerCommands.register`` / ``record_history``: the
NIP and its layout, golongan for the level, competency codes, predikat …), run against a staging view of the
record. Every problem of every row is collected, with its sheet, row and column; if there is any, nothing is
recorded.

**Idempotent.** An officer already registered with the same details, or a history entry already recorded
(its id derives from the officer, kind, year and values), is skipped: importing the same file twice records
nothing new. An officer registered with *different* details is a problem of that row (correct the profile
instead).

**Recorded in batches**: :data:`BATCH` officers' events per transaction, each batch with its own
idempotency key derived from the file, through the command path's group commit (``api.commands.record_many``).

Why this module is slightly longer than ~500 lines: the reading, the row checks and the staging view of the
record are one validation pass whose parts share the row/column bookkeeping of the problems it reports.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from core.errors import DomainError
from core.events import Context, derived_id
from core.i18n import joined, msg, translate
from core.officers import Officer, OfficerCommands, officer_id
from reports import shards

#: Officers whose events go in one transaction.
BATCH = 250
#: Most problems listed in one answer (the error file lists them all).
MAX_LISTED = 1000


@dataclass(frozen=True)
class ImportColumn:
    field: str
    heading: str
    aliases: tuple[str, ...] = ()


OFFICER_COLUMNS = (
    ImportColumn("nip", "NIP", ("nip",)), ImportColumn("name", "Nama", ("nama pegawai", "nama jf", "name")),
    ImportColumn("birth_place", "Tempat Lahir", ("birth_place",)), ImportColumn("birth_date", "Tanggal Lahir", ("birth_date",)),
    ImportColumn("sex", "Jenis Kelamin (L/P)", ("jenis kelamin", "sex")),
    ImportColumn("employee_type", "Jenis Pegawai (PNS/PPPK)", ("jenis pegawai", "employee_type")),
    ImportColumn("position", "Jabatan", ("nama jabatan", "position")), ImportColumn("level", "Jenjang", ("level",)),
    ImportColumn("golongan", "Golongan", ("golongan",)), ImportColumn("unit", "Unit Kerja", ("unit",)),
    ImportColumn("supervisor_nip", "NIP Atasan Langsung", ("supervisor_nip",)),
    ImportColumn("supervisor_name", "Nama Atasan Langsung", ("supervisor_name",)),
)
HISTORY_COLUMNS = (
    ImportColumn("nip", "NIP", ("nip",)), ImportColumn("kind", "Jenis Riwayat", ("kind",)), ImportColumn("year", "Tahun", ("thn", "year")),
    ImportColumn("position", "Nama Jabatan", ("position",)), ImportColumn("level", "Jenjang", ("level",)),
    ImportColumn("unit", "Unit Kerja", ("unit",)), ImportColumn("competency", "Jenis Kompetensi", ("competency",)),
    ImportColumn("form", "Bentuk Pengembangan", ("bentuk dan jalur pengembangan", "form")),
    ImportColumn("pathway", "Jalur Pengembangan", ("pathway",)), ImportColumn("jp", "JP", ("jumlah jp", "jp")),
    ImportColumn("provider", "Penyelenggara", ("provider",)),
    ImportColumn("predikat", "Hasil Penilaian Kinerja", ("predikat",)), ImportColumn("credit_points", "Angka Kredit", ("credit_points",)),
)
#: Jenis Riwayat as written in the file -> the history kind of Formulir 2.2.
HISTORY_KINDS = {"jabatan": "position", "riwayat jabatan": "position", "position": "position",
                 "pengembangan": "development", "pengembangan kompetensi": "development", "development": "development",
                 "kinerja": "performance", "hasil penilaian kinerja": "performance", "performance": "performance",
                 "angka kredit": "credit_points", "angka_kredit": "credit_points", "credit_points": "credit_points"}
HISTORY_FIELDS = {"position": ("position", "level", "unit"), "development": ("competency", "form", "pathway", "jp", "provider"),
                  "performance": ("predikat",), "credit_points": ("credit_points",)}
OFFICERS, HISTORIES = "officers", "histories"
OFFICER_FIELDS = tuple(c.field for c in OFFICER_COLUMNS)
HISTORY_FIELDS_ALL = tuple(c.field for c in HISTORY_COLUMNS)


@dataclass(frozen=True)
class Problem:
    """One problem of the file: where (sheet, row, column) and what, as a sentence a clerk can act on."""

    sheet: str
    row: int
    column: str | None
    heading: str | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "heading": self.heading, "field": self.field,
                "message": self.message}


@dataclass
class Table:
    kind: str
    sheet: str
    header_row: int
    columns: dict[str, int]  # field -> 0-based column
    headings: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the sheet, cells)


@dataclass
class ImportPlan:
    """What a file would record: the officers (with their new events), counts, and every problem found."""

    digest: str
    agency: str
    aggregates: list[Officer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    officers_new: int = 0
    officers_known: int = 0
    histories_new: int = 0
    histories_known: int = 0
    rows: int = 0
    #: The events the file records (counted when validated; recording takes them from the aggregates).
    events: int = 0
    #: Events already taken and encoded by a second process (reports/shards.py), in its officers' order, and how
    #: many each of its officers has; its officers are in ``aggregates`` as :class:`shards.Checked` stand-ins.
    prepared: list[Any] = field(default_factory=list)
    prepared_counts: dict[UUID, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "officers_new": self.officers_new, "officers_already_recorded": self.officers_known,
                "histories_new": self.histories_new, "histories_already_recorded": self.histories_known, "events": self.events}


class NotATable(ValueError):
    """The file is not a CSV or XLSX table pengkom can read."""


# -- reading the file ------------------------------------------------------------------------------------------------


def _key(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().replace("\ufeff", "").split())


def _match(headings: Sequence[Any], columns: Sequence[ImportColumn]) -> dict[str, int]:
    found: dict[str, int] = {}
    for n, h in enumerate(headings):
        k = _key(h)
        k = k.split(" (")[0] if k not in {_key(c.heading) for c in columns} else k
        for c in columns:
            if c.field in found:
                continue
            names = {_key(c.heading), _key(c.heading).split(" (")[0], *(_key(a) for a in c.aliases)}
            if k in names:
                found[c.field] = n
                break
    return found


def _table(sheet: str, rows: Iterable[list[Any]]) -> Table | None:
    """The table in ``rows``: its heading row is the first that names NIP (title or stamp rows above are skipped)."""
    it = iter(rows)
    for number, cells in enumerate(it, start=1):
        keys = [_key(c) for c in cells]
        if "nip" not in keys:
            continue
        kind = HISTORIES if "jenis riwayat" in keys or "kind" in keys else OFFICERS
        columns = _match(cells, HISTORY_COLUMNS if kind == HISTORIES else OFFICER_COLUMNS)
        body = [(n, list(r)) for n, r in enumerate(it, start=number + 1)]
        return Table(kind, sheet, number, columns, [str(c or "") for c in cells], body)
    return None


def read_tables(data: bytes, *, sheet_name: str = "CSV") -> list[Table]:
    """The officer and history tables of a CSV or XLSX file."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        from reports import xlsxread

        try:
            tables = [t for name, rows in xlsxread.read(io.BytesIO(data)) if (t := _table(name, rows))]
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as e:
            raise NotATable(msg("The file is a ZIP archive but not a readable XLSX workbook ({error}).", error=type(e).__name__)) from e
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise NotATable(msg("The file is neither an XLSX workbook nor UTF-8 text (save the CSV as UTF-8).")) from None
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        table = _table(sheet_name, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        tables = [table] if table else []
    if not tables:
        raise NotATable(msg("No table with a heading row naming NIP was found. Use the headings of the import template "
                            "(GET /exports/officers?format=xlsx gives one filled with your agency's officers)."))
    return tables


# -- validating -----------------------------------------------------------------------------------------------------


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(value: Any) -> Any:
    """A cell as the API would receive it: text trimmed, empty as absent, a date as ISO text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        v = value.strip()
        return v or None
    return value


@dataclass(frozen=True)
class _ImportContext(Context):
    """The importing clerk's context for every row: the same role and provenance for every event recorded on
    behalf of one officer, made once (a context is immutable, so sharing it is safe)."""

    _provenances: dict[tuple[str | None, Any], Any] = field(default_factory=dict, compare=False, repr=False)

    def acting_as(self, role: str) -> Context:
        if role == self.role:
            return self
        return _ImportContext(actor=self.actor, request_id=self.request_id, role=role, effective_date=self.effective_date,
                              on_behalf_of=self.on_behalf_of, now=self.now)

    def provenance(self, *, on_behalf_of: str | None = None, effective_date: date | None = None) -> Any:
        key = (on_behalf_of, effective_date)
        found = self._provenances.get(key)
        if found is None:
            found = self._provenances[key] = super().provenance(on_behalf_of=on_behalf_of, effective_date=effective_date)
        return found


class _Staging:
    """The record as the domain verbs see it while a file is validated: which officers exist (asked of the
    event store in one query) and the aggregates this file creates or extends (nothing is saved)."""

    def __init__(self, app: Any, existing: set[UUID]) -> None:
        self.app = app
        self.existing = existing
        self.touched: dict[UUID, Officer] = {}
        #: Officers given new events since the last hand-over (``plan_import(on_events=…)``), in order.
        self.dirty: dict[UUID, None] = {}
        self.repository = self

    def exists(self, oid: UUID) -> bool:
        return oid in self.existing or oid in self.touched

    def absent(self, oid: UUID) -> bool:
        return not self.exists(oid)

    def get(self, oid: UUID, **_: Any) -> Any:
        agg = self.touched.get(oid)
        if agg is None:
            agg = self.touched[oid] = self.app.repository.get(oid)
        return agg


def recorded_ids(app: Any, ids: Sequence[UUID]) -> set[UUID]:
    """Which of ``ids`` have events in the event store (one query per 500 ids)."""
    rec = app.recorder
    found: set[UUID] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        if hasattr(rec, "events_table") and hasattr(rec.datastore, "pool"):
            with rec.datastore.pool.connection() as conn:
                rows = conn.execute(f"SELECT DISTINCT originator_id FROM {rec.events_table} WHERE originator_id = ANY(%s)",
                                    (chunk,)).fetchall()
            found |= {r["originator_id"] if isinstance(r["originator_id"], UUID) else UUID(str(r["originator_id"])) for r in rows}
        else:
            with rec.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT DISTINCT originator_id FROM {rec.events_table_name} WHERE originator_id IN "
                          f"({', '.join('?' * len(chunk))})", [i.hex for i in chunk])
                found |= {UUID(str(r[0])) for r in c.fetchall()}
    return found


_KINDS = {"int": "a whole number", "str": "text", "date": "a date (YYYY-MM-DD)", "decimal": "a number", "bool": "yes or no"}


def _schema_problem(e: msgspec.ValidationError) -> tuple[str | None, str]:
    """The field and a sentence for a request-schema refusal (the same schema the API route uses)."""
    from core.inputs import label

    text = str(e)
    where = text.rsplit("at `$.", 1)[-1].rstrip("`").split(".")[0].split("[")[0] if "at `$." in text else None
    what = text.split(" - at `")[0]
    missing = re.match(r"Object missing required field `(\w+)`", what)
    if missing:
        return missing.group(1), f"{label(missing.group(1))} is required; the row leaves it empty."
    name = label(where) if where else "A value"
    m = re.match(r"Expected `(\w+)`(?: of length)? ([<>]=) (\d+)", what)
    if m:
        kind, op, bound = m.groups()
        if "of length" in what:
            return where, f"{name} is {'longer' if op == '<=' else 'shorter'} than allowed ({'at most' if op == '<=' else 'at least'} {bound} characters)."
        return where, f"{name} must be {_KINDS.get(kind, kind)} {'of at most' if op == '<=' else 'of at least'} {bound}."
    m = re.match(r"Expected `([\w |]+)`, got `(\w+)`", what)
    if m:
        wanted = " or ".join(_KINDS.get(k.strip(), k.strip()) for k in m.group(1).split("|") if k.strip() != "null")
        return where, f"{name} must be {wanted}, not {m.group(2)}."
    return where, f"{name}: {what}."


def entry_id(nip: str, kind: str, year: int, values: dict[str, Any]) -> UUID:
    """A history entry's id from what it says: the same row imported again names the same entry."""
    # Many officers share an entry's values (the same training, the same year): each distinct set is hashed once.
    # The key is the values' exact spelling (repr), so 12.5 and 12.50, or 1 and True, never share a digest.
    key = tuple((k, repr(v)) for k, v in sorted(values.items()))
    digest = _DIGESTS.get(key)
    if digest is None:
        canon = json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in sorted(values.items())}, sort_keys=True)
        digest = hashlib.sha256(canon.encode()).hexdigest()[:32]
        if len(_DIGESTS) >= 4096:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return derived_id("history-import", nip, kind, year, digest)


_DIGESTS: dict[tuple[tuple[str, str], ...], str] = {}


#: Rows checked between two hand-overs of new events to ``on_events``.
HAND_OVER_ROWS = 250


def plan_import(app: Any, ctx: Context, data: bytes, *, agency: str, schemas: dict[str, Any],
                on_progress: Callable[[int, int], None] | None = None,
                on_events: Callable[[list[Officer]], None] | None = None) -> ImportPlan:
    """Read and validate the whole file; the officers to record with their new events, or the problems.

    ``on_events``: called every :data:`HAND_OVER_ROWS` rows, while no row has failed, with the officers that have
    new events since the last call; it must take (collect) their pending events — to stage them while the rest of
    the file is checked (:mod:`projections.bulkstage`). Nothing handed over may be recorded unless the returned
    plan has no problems. ``plan.aggregates`` then lists every officer with new events, handed over or not."""
    plan = ImportPlan(digest=hashlib.sha256(data).hexdigest(), agency=agency)
    # The verbs' guards grant the HR unit's role for every row (they still check it, row by row).
    ctx = _ImportContext(actor=ctx.actor, request_id=ctx.request_id, role="hr" if "hr" in ctx.actor.roles else ctx.role,
                         effective_date=ctx.effective_date, on_behalf_of=ctx.on_behalf_of, now=ctx.now)
    tables = read_tables(data)
    officers = [t for t in tables if t.kind == OFFICERS]
    histories = [t for t in tables if t.kind == HISTORIES]
    plan.rows = sum(len(t.rows) for t in tables)
    for t in tables:
        wanted = [c for c in (OFFICER_COLUMNS if t.kind == OFFICERS else HISTORY_COLUMNS)
                  if c.field in (("nip", "name", "birth_place", "birth_date", "sex", "employee_type", "position", "level", "golongan", "unit")
                                 if t.kind == OFFICERS else ("nip", "kind", "year"))]
        missing = [c.heading for c in wanted if c.field not in t.columns]
        if missing:
            plan.problems.append(Problem(t.sheet, t.header_row, None, None, None,
                                         f"The heading row has no column {', '.join(missing)}; the import template names every column."))
    if plan.problems:
        return plan
    # Which officers of the file are recorded already: one question to the event store.
    nips: dict[UUID, str] = {}
    for t in officers + histories:
        col = t.columns["nip"]
        for _, cells in t.rows:
            raw = _cell(cells[col]) if col < len(cells) else None
            if isinstance(raw, str):
                digits = raw.replace(" ", "")
                nips[officer_id(digits)] = digits
    staging = _Staging(app, recorded_ids(app, list(nips)))
    cmds = OfficerCommands(staging)
    handed: set[UUID] = set()

    def hand_over() -> None:
        if on_events is None or plan.problems or not staging.dirty:
            return
        ready = [staging.touched[oid] for oid in staging.dirty]
        staging.dirty.clear()
        plan.events += sum(len(a.pending_events) for a in ready)
        handed.update(a.id for a in ready)
        on_events(ready)

    # A large file whose officers are all new is checked in two processes on a machine with two cores or more:
    # the rows are split by NIP (an officer's own rows, and every duplicate of its NIP, stay in one process), the
    # second half is checked in a forked child which returns its problems and its encoded events (reports/shards.py).
    child = shards.start(app, plan, ctx, officers, histories, schemas) if (
        on_events is not None and not staging.existing and plan.rows >= shards.PARALLEL_ROWS and shards.available()) else None
    keep = shards.keeper(0) if child is not None else None
    _check_rows(plan, staging, cmds, ctx, officers, histories, schemas, on_progress, hand_over, keep)
    if child is not None:
        theirs = shards.finish(child)
        if theirs is None:  # the child failed: its half is checked here, as if there had been no child
            _check_rows(plan, staging, cmds, ctx, officers, histories, schemas, None, hand_over, shards.keeper(1))
        else:
            shards.merge(plan, theirs, tables)
        shards.in_file_order(plan, tables)
    if on_progress is not None:
        on_progress(plan.rows, plan.rows)
    if not plan.problems:
        hand_over()
        mine = [a for a in staging.touched.values() if a.pending_events or a.id in handed]
        plan.events += sum(len(a.pending_events) for a in mine)
        plan.aggregates = [*mine, *plan.aggregates]  # the child's officers (if any) after this process's own
    else:
        plan.events = 0
        plan.aggregates, plan.prepared, plan.prepared_counts = [], [], {}
    return plan


def _check_rows(plan: ImportPlan, staging: _Staging, cmds: OfficerCommands, ctx: Context, officers: list[Table],
                histories: list[Table], schemas: dict[str, Any], on_progress: Callable[[int, int], None] | None,
                hand_over: Callable[[], None], keep: Callable[[Table, list[Any]], bool] | None) -> None:
    """Every row (or, with ``keep``, this process's share of them) through the request schema and the domain verb."""
    done = 0
    total = plan.rows
    seen_nip: dict[str, int] = {}
    for t in officers:
        for number, cells in t.rows:
            done += 1
            if on_progress is not None and done % 200 == 0:
                on_progress(done, total)
            if done % HAND_OVER_ROWS == 0:
                hand_over()
            if not any(c not in (None, "") for c in cells) or (keep is not None and not keep(t, cells)):
                continue
            _officer_row(plan, staging, cmds, ctx, t, number, cells, seen_nip, schemas["officer"])
    seen_entry: dict[UUID, int] = {}
    for t in histories:
        for number, cells in t.rows:
            done += 1
            if on_progress is not None and done % 200 == 0:
                on_progress(done, total)
            if done % HAND_OVER_ROWS == 0:
                hand_over()
            if not any(c not in (None, "") for c in cells) or (keep is not None and not keep(t, cells)):
                continue
            _history_row(plan, staging, cmds, ctx, t, number, cells, seen_entry, schemas)


def _where(t: Table, f: str | None) -> tuple[str | None, str | None]:
    if f is None or f not in t.columns:
        return None, None
    n = t.columns[f]
    return _col(n), t.headings[n] if n < len(t.headings) else None


def _problem(plan: ImportPlan, t: Table, number: int, f: str | None, message: str) -> None:
    col, heading = _where(t, f)
    plan.problems.append(Problem(t.sheet, number, col, heading, f, message))


def _values(t: Table, cells: list[Any], fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    columns, width = t.columns, len(cells)
    for f in fields:
        n = columns.get(f)
        v = cells[n] if n is not None and n < width else None
        if v is not None and not isinstance(v, (int, float)):
            v = _cell(v)
        out[f] = v
    return out


def _officer_row(plan: ImportPlan, staging: _Staging, cmds: OfficerCommands, ctx: Context, t: Table, number: int,
                 cells: list[Any], seen: dict[str, int], schema: Any) -> None:
    raw = _values(t, cells, OFFICER_FIELDS)
    if isinstance(raw["nip"], (int, float)):
        _problem(plan, t, number, "nip", msg("NIP {nip!r} is stored as a number, which loses digits; format the NIP column as text.", nip=raw['nip']))
        return
    if isinstance(raw["birth_date"], (int, float)) and not isinstance(raw["birth_date"], bool):
        from reports.xlsxread import excel_date

        raw["birth_date"] = excel_date(raw["birth_date"]).isoformat()  # an XLSX date cell is a serial day number
    body = {k: v for k, v in raw.items() if v is not None} | {"agency": plan.agency}
    try:
        fields = msgspec.structs.asdict(msgspec.convert(body, schema, strict=False))
    except msgspec.ValidationError as e:
        where, what = _schema_problem(e)
        _problem(plan, t, number, where, what)
        return
    fields.pop("effective_date", None)
    nip = str(fields["nip"]).replace(" ", "")
    if nip in seen:
        _problem(plan, t, number, "nip", msg("NIP {nip} is also on row {seen_nip}; list each officer once.", nip=nip, seen_nip=seen[nip]))
        return
    seen[nip] = number
    oid = officer_id(nip)
    if oid in staging.existing:
        try:
            known = staging.get(oid)
        except Exception:
            known = None
        if isinstance(known, Officer):
            differs = _differences(known, fields)
            if differs:
                _problem(plan, t, number, differs[0][0], msg(
                    "NIP {nip} is already registered with other details ({differences}); correct the profile "
                    "(POST /officers/{{id}}/corrections) instead of importing it again.", nip=nip,
                    differences=joined([msg("{field}: {recorded!r} recorded, {given!r} in the file", field=k, recorded=a, given=b)
                                        for k, a, b in differs], "; ")))
            else:
                plan.officers_known += 1
            return
    try:
        officer = cmds.register(ctx, **fields)
    except DomainError as e:
        _problem(plan, t, number, e.field, e.message)
        return
    staging.touched[oid] = officer
    staging.dirty[oid] = None
    plan.officers_new += 1


def _differences(known: Officer, fields: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    out = []
    for k in ("name", "birth_place", "birth_date", "sex", "employee_type", "position", "level", "golongan", "agency", "unit",
              "supervisor_nip", "supervisor_name"):
        mine = getattr(known, k)
        theirs = fields.get(k)
        if k == "supervisor_nip" and theirs is not None:
            theirs = str(theirs).replace(" ", "")
        if isinstance(theirs, str) and k not in ("supervisor_nip",):
            theirs = " ".join(theirs.split())
        if k in ("sex", "employee_type") and isinstance(theirs, str):
            theirs = theirs.upper()
        if mine != theirs and not (mine is None and theirs in (None, "")):
            out.append((k, mine if not isinstance(mine, date) else mine.isoformat(), theirs if not isinstance(theirs, date) else theirs.isoformat()))
    return out


def _history_row(plan: ImportPlan, staging: _Staging, cmds: OfficerCommands, ctx: Context, t: Table, number: int,
                 cells: list[Any], seen: dict[UUID, int], schemas: dict[str, Any]) -> None:
    raw = _values(t, cells, HISTORY_FIELDS_ALL)
    nip_raw = raw["nip"]
    if not isinstance(nip_raw, str):
        _problem(plan, t, number, "nip", msg("NIP is required, as text (format the NIP column as text)."))
        return
    nip = nip_raw.replace(" ", "")
    kind = HISTORY_KINDS.get(_key(raw["kind"]))
    if kind is None:
        _problem(plan, t, number, "kind", msg("Jenis Riwayat {kind!r} is not one of jabatan, pengembangan, kinerja, angka_kredit.", kind=raw['kind']))
        return
    body = {k: raw[k] for k in ("year", *HISTORY_FIELDS[kind]) if raw[k] is not None}
    if isinstance(body.get("year"), str) and body["year"].isdigit():
        body["year"] = int(body["year"])
    if isinstance(body.get("jp"), str) and body["jp"].isdigit():
        body["jp"] = int(body["jp"])
    if isinstance(body.get("year"), float) and body["year"].is_integer():
        body["year"] = int(body["year"])
    if isinstance(body.get("jp"), float) and body["jp"].is_integer():
        body["jp"] = int(body["jp"])
    if "credit_points" in body:
        body["credit_points"] = str(body["credit_points"])
    others = sorted(f for f in ("position", "level", "unit", "competency", "form", "pathway", "jp", "provider", "predikat", "credit_points")
                    if raw[f] is not None and f not in HISTORY_FIELDS[kind])
    if others:
        _problem(plan, t, number, others[0], msg("A {kind} entry has no {others}; leave those cells empty.", kind=raw['kind'], others=', '.join(others)))
        return
    try:
        entry = msgspec.structs.asdict(msgspec.convert(body, schemas[kind], strict=False))
    except msgspec.ValidationError as e:
        where, what = _schema_problem(e)
        _problem(plan, t, number, where, what)
        return
    entry.pop("effective_date", None)
    year = entry.pop("year")
    oid = officer_id(nip)
    if not staging.exists(oid):
        _problem(plan, t, number, "nip", msg("No officer with NIP {nip} is registered or listed in this file.", nip=nip))
        return
    eid = entry_id(nip, kind, year, entry)
    if eid in seen:
        _problem(plan, t, number, None, msg("This {kind} entry repeats row {seen_eid}; list each entry once.", kind=raw['kind'], seen_eid=seen[eid]))
        return
    seen[eid] = number
    officer = staging.get(oid)
    if isinstance(officer, Officer) and eid in officer.histories:
        plan.histories_known += 1
        return
    try:
        cmds.record_history(ctx, oid, kind, year=year, entry_id=eid, **entry)
    except DomainError as e:
        _problem(plan, t, number, e.field, e.message)
        return
    staging.dirty[oid] = None
    plan.histories_new += 1


# -- the error file --------------------------------------------------------------------------------------------------


def error_file(problems: Sequence[Problem], language: str = "id") -> bytes:
    """The problems as a CSV a clerk opens beside the file: sheet, row, column, heading, message (in ``language``;
    the headings are the template's, in Bahasa Indonesia)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["Lembar", "Baris", "Kolom", "Judul Kolom", "Kolom API", "Masalah"])
    for p in problems:
        w.writerow([p.sheet, p.row, p.column or "", p.heading or "", p.field or "", translate(p.message, language)])
    return out.getvalue().encode("utf-8-sig")


def batches(aggregates: Sequence[Officer], size: int = BATCH) -> Iterable[list[Officer]]:
    for start in range(0, len(aggregates), size):
        yield list(aggregates[start:start + size])
