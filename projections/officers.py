"""Officer directory read model: one row per officer (Formulir 2.2 identity and placement) and one
row per history entry; lists, search and the Formulir 2.2 document are served from here."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from core.officers import Officer
from projections.base import Projection, handles
from projections.queries import Query, Rows, in_lists, run
from projections.store import Tx, ViewStore, like_pattern

_FIELDS = ("nip", "name", "birth_place", "birth_date", "sex", "employee_type", "position", "level",
           "golongan", "agency", "unit", "supervisor_nip", "supervisor_name")


_ENCODER = json.JSONEncoder(default=str, sort_keys=True, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)  # as json.dumps(value, default=str, sort_keys=True, separators=(",", ":"))


_FAST = msgspec.json.Encoder(order="sorted", decimal_format="string")


def _doc_json(value: dict[str, Any]) -> str:
    """:func:`_json` of a history entry's fields (str, int, Decimal, None), by msgspec: ~8x faster (0.2 µs
    instead of 1.8 µs for a 5-field entry, timeit). Its output is the same text except that it leaves
    non-ASCII characters and DEL unescaped — such a document is encoded by :func:`_json` instead."""
    out = _FAST.encode(value)
    if out.isascii() and b"\x7f" not in out:
        return out.decode()
    return _ENCODER.encode(value)


_KINDS = {
    Officer.PositionHistoryRecorded: "position",
    Officer.DevelopmentHistoryRecorded: "development",
    Officer.PerformanceHistoryRecorded: "performance",
    Officer.CreditPointsRecorded: "credit_points",
}
_HISTORY_SKIP = frozenset({"originator_id", "originator_version", "timestamp", "meta", "entry_id", "year"})
_INSERT_OFFICER = (f"INSERT INTO officers (id, {', '.join(_FIELDS)}, withdrawn, version, registered_at, updated_at, search) "
                   f"VALUES (?, {', '.join('?' * len(_FIELDS))}, 0, ?, ?, ?, ?)")
_INSERT_HISTORY = ("INSERT INTO officer_history (entry_id, officer_id, kind, year, doc, retracted, recorded_version, corrected_version) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_UPDATE_HISTORY = "UPDATE officer_history SET year = ?, doc = ?, retracted = ?, corrected_version = ? WHERE entry_id = ?"
_TOUCH = "UPDATE officers SET version = ?, updated_at = ? WHERE id = ?"


class _Entry:
    """A history row as a batch leaves it: written once, in ``end``."""

    __slots__ = ("officer_id", "kind", "year", "doc", "retracted", "recorded_version", "corrected_version", "new", "dirty")

    def __init__(self, officer_id: str | None, kind: str | None, year: Any, doc: str, retracted: int, recorded_version: int | None,
                 corrected_version: int | None, new: bool) -> None:
        self.officer_id, self.kind, self.year, self.doc = officer_id, kind, year, doc
        self.retracted, self.recorded_version, self.corrected_version = retracted, recorded_version, corrected_version
        self.new, self.dirty = new, new


class OfficerDirectory(Projection):
    name = "officers"
    version = 1
    tables = {
        "officers": (
            "id TEXT PRIMARY KEY, nip TEXT NOT NULL UNIQUE, name TEXT NOT NULL, birth_place TEXT NOT NULL, "
            "birth_date TEXT NOT NULL, sex TEXT NOT NULL, employee_type TEXT NOT NULL, position TEXT NOT NULL, "
            "level TEXT NOT NULL, golongan TEXT NOT NULL, agency TEXT NOT NULL, unit TEXT NOT NULL, "
            "supervisor_nip TEXT, supervisor_name TEXT, withdrawn INTEGER NOT NULL, version INTEGER NOT NULL, "
            "registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, search TEXT NOT NULL"
        ),
        "officer_history": (
            "entry_id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, kind TEXT NOT NULL, year INTEGER NOT NULL, "
            "doc TEXT NOT NULL, retracted INTEGER NOT NULL, recorded_version INTEGER NOT NULL, corrected_version INTEGER"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS officers_agency_idx ON officers (agency, name)",
        "CREATE INDEX IF NOT EXISTS officers_supervisor_idx ON officers (supervisor_nip)",
        "CREATE INDEX IF NOT EXISTS officer_history_officer_idx ON officer_history (officer_id, kind, year)",
    )
    handler_indexes = ()  # the handlers read by primary key only

    # Within a batch the handlers only note what each event changes; ``end`` (same transaction) reads what
    # it needs of rows written before the batch in one query per table, replays the batch's changes in
    # log order in memory and writes each touched row once: one INSERT per new history entry with its
    # final content, one UPDATE per touched officer or earlier entry — instead of a read, which first
    # sends every buffered write, and an UPDATE per correction. ``begin`` clears what a failed (rolled
    # back) batch may have left.

    def __init__(self) -> None:
        super().__init__()
        #: officer id -> (version, recorded_at) of the batch's last event of the officer (formatted once, in ``end``)
        self._touched: dict[str, tuple[int, Any]] = {}
        #: officer id -> the batch's changes of the officer's columns, in log order ("set" or "correct", columns)
        self._changes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        #: officer id -> NIP, for the officers registered in this batch
        self._nips: dict[str, str] = {}
        #: history entries recorded in this batch (entry id -> the row to insert), and the batch's
        #: corrections/retractions in log order
        self._entries: dict[str, tuple[Any, ...]] = {}
        self._entry_ops: list[tuple[str, str, dict[str, Any], int]] = []
        #: officer id -> (version, recorded_at) of the officer's last event so far, held across the batches of a
        #: staged rebuild and written once per officer by :meth:`finish` (on the 1 M-event benchmark log: 5,000
        #: UPDATEs instead of 270 k, one per officer and batch)
        self._held: dict[str, tuple[int, Any]] = {}

    @staticmethod
    def _search(nip: str, name: str) -> str:
        return f"{nip} {name}".lower()

    def begin(self, tx: Tx) -> None:
        self._clear_batch()

    def forget(self) -> None:
        self._clear_batch()
        self._held.clear()

    def _clear_batch(self) -> None:
        self._touched.clear()
        self._changes.clear()
        self._nips.clear()
        self._entries.clear()
        self._entry_ops.clear()

    def end(self, tx: Tx) -> None:
        try:
            self._end_history(tx)
            self._end_officers(tx)
        finally:
            self._clear_batch()

    def finish(self, tx: Tx) -> None:
        held, self._held = self._held, {}
        self._write_touches(tx, held)

    @staticmethod
    def _write_touches(tx: Tx, touched: dict[str, tuple[int, Any]]) -> None:
        if touched:
            tx.executemany(_TOUCH, [(version, at.isoformat(), oid) for oid, (version, at) in touched.items()])

    def _end_officers(self, tx: Tx) -> None:
        need = [oid for oid, ops in self._changes.items()
                if oid not in self._nips and any(kind == "correct" and "name" in cols for kind, cols in ops)]
        nips = dict(self._nips)
        for marks, ids in in_lists(need):
            for r in tx.fetchall(f"SELECT id, nip FROM officers WHERE id IN ({marks})", ids):
                nips[r["id"]] = r["nip"]
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for oid, ops in self._changes.items():
            merged: dict[str, Any] = {}
            nip = nips.get(oid)
            for kind, cols in ops:
                if kind == "correct" and "name" in cols:
                    assert nip is not None, f"officer {oid} is not in the directory"
                    merged["search"] = self._search(nip, cols["name"])
                merged.update(cols)
                if "nip" in cols:
                    nip = cols["nip"]
            if merged:
                updates.setdefault(tuple(merged), []).append((*merged.values(), oid))
        for columns, rows in updates.items():
            tx.executemany(f"UPDATE officers SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?", rows)
        if self.staging:  # no batch is committed alone: the version and time of each officer's last event, once
            self._held.update(self._touched)
        else:
            self._write_touches(tx, self._touched)

    def _end_history(self, tx: Tx) -> None:
        new = self._entries
        live: dict[str, _Entry] = {}
        if self._entry_ops:
            # Of an entry recorded before the batch only what an UPDATE writes back is read.
            need = list({eid for _, eid, _, _ in self._entry_ops if eid not in new})
            for marks, ids in in_lists(need):
                for r in tx.fetchall("SELECT entry_id, year, doc, retracted, corrected_version "
                                     f"FROM officer_history WHERE entry_id IN ({marks})", ids):
                    live[r["entry_id"]] = _Entry(None, None, r["year"], r["doc"], r["retracted"], None, r["corrected_version"], False)
            for op, eid, changes, version in self._entry_ops:
                entry = live.get(eid)
                if entry is None and (row := new.get(eid)) is not None:
                    entry = live[eid] = _Entry(row[1], row[2], row[3], row[4], row[5], row[6], row[7], True)
                if op == "retract":
                    if entry is not None:  # retracting an entry never recorded changes nothing
                        entry.retracted, entry.dirty = 1, True
                    continue
                assert entry is not None, f"history entry {eid} is not in the directory"
                changes = dict(changes)
                entry.year = changes.pop("year", entry.year)
                if changes:
                    entry.doc = _json(json.loads(entry.doc) | changes)
                entry.corrected_version, entry.dirty = version, True
            for eid, x in live.items():
                if x.new:  # recorded and changed in this batch: inserted as the batch leaves it
                    new[eid] = (eid, x.officer_id, x.kind, x.year, x.doc, x.retracted, x.recorded_version, x.corrected_version)
        if new:
            tx.executemany(_INSERT_HISTORY, list(new.values()))
        updates = [(x.year, x.doc, x.retracted, x.corrected_version, eid) for eid, x in live.items() if x.dirty and not x.new]
        if updates:
            tx.executemany(_UPDATE_HISTORY, updates)

    def _touch(self, e: Any, kind: str = "set", **changes: Any) -> None:
        oid = str(e.originator_id)
        if changes:
            self._changes.setdefault(oid, []).append((kind, changes))
        self._touched[oid] = (e.originator_version, e.meta.recorded_at)

    @handles(Officer.Registered)
    def registered(self, tx: Tx, e: Officer.Registered, position: int) -> None:
        values = [getattr(e, f) for f in _FIELDS]
        values[_FIELDS.index("birth_date")] = e.birth_date.isoformat()
        at = e.meta.recorded_at.isoformat()
        oid = str(e.originator_id)
        tx.execute(_INSERT_OFFICER, (oid, *values, e.originator_version, at, at, self._search(e.nip, e.name)))
        self._nips[oid] = e.nip

    @handles(Officer.ProfileCorrected)
    def corrected(self, tx: Tx, e: Officer.ProfileCorrected, position: int) -> None:
        # The search text takes the NIP as it stood before this correction (resolved in ``end``).
        self._touch(e, "correct", **{k: v for k, v in e.changes.items() if k in _FIELDS})

    @handles(Officer.PlacementChanged)
    def placement(self, tx: Tx, e: Officer.PlacementChanged, position: int) -> None:
        self._touch(e, position=e.position, level=e.level, golongan=e.golongan, unit=e.unit,
                    supervisor_nip=e.supervisor_nip, supervisor_name=e.supervisor_name)

    @handles(Officer.RegistrationWithdrawn)
    def withdrawn(self, tx: Tx, e: Officer.RegistrationWithdrawn, position: int) -> None:
        self._touch(e, withdrawn=1)

    @handles(Officer.PositionHistoryRecorded, Officer.DevelopmentHistoryRecorded,
             Officer.PerformanceHistoryRecorded, Officer.CreditPointsRecorded)
    def history(self, tx: Tx, e: Any, position: int) -> None:
        data = e.__dict__
        skip = _HISTORY_SKIP
        oid = str(e.originator_id)
        version = e.originator_version
        eid = str(e.entry_id)
        self._entries[eid] = (eid, oid, _KINDS[type(e)], e.year, _doc_json({k: v for k, v in data.items() if k not in skip}),
                              0, version, None)
        self._touched[oid] = (version, e.meta.recorded_at)

    @handles(Officer.HistoryEntryCorrected)
    def history_corrected(self, tx: Tx, e: Officer.HistoryEntryCorrected, position: int) -> None:
        self._entry_ops.append(("correct", str(e.entry_id), e.changes, e.originator_version))
        self._touch(e)

    @handles(Officer.HistoryEntryRetracted)
    def history_retracted(self, tx: Tx, e: Officer.HistoryEntryRetracted, position: int) -> None:
        self._entry_ops.append(("retract", str(e.entry_id), {}, e.originator_version))
        self._touch(e)


# -- queries ----------------------------------------------------------------------------------------

_LIST_COLUMNS = "id, nip, name, employee_type, position, level, golongan, agency, unit, supervisor_nip, withdrawn, version"


#: A query of this many digits or more is a whole NIP (18 digits) or a mistyped one: matched exactly, never as a part.
WHOLE_NIP_DIGITS = 17


def search_officers(store: ViewStore, *, agency: str | None, q: str | None = None, level: str | None = None,
                    unit: str | None = None, employee_type: str | None = None, supervisor_nip: str | None = None,
                    nip: str | None = None, include_withdrawn: bool = False, limit: int = 50,
                    offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Officers by filters; with ``q``, each hit says in ``matched_on`` what the query matched:
    ``nip`` (the whole NIP), ``nip_part`` (a part of it) or ``name_part`` (a part of the name)."""
    search = OfficerSearch(agency=agency, q=q, level=level, unit=unit, employee_type=employee_type,
                           supervisor_nip=supervisor_nip, nip=nip, include_withdrawn=include_withdrawn, limit=limit, offset=offset)
    return search.shape(run(store, search.queries()))


@dataclass(frozen=True)
class OfficerSearch:
    """The officer list's queries (``rows``: the page, ``total``: the count) and their shaping — run by
    :func:`search_officers` on the synchronous stores and in one statement by the async list (api/pgreads.py)."""

    agency: str | None
    q: str | None = None
    level: str | None = None
    unit: str | None = None
    employee_type: str | None = None
    supervisor_nip: str | None = None
    nip: str | None = None
    include_withdrawn: bool = False
    limit: int = 50
    offset: int = 0

    @property
    def _compact(self) -> str:
        return self.q.replace(" ", "") if self.q else ""

    @property
    def _whole_nip(self) -> bool:
        return self._compact.isdigit() and len(self._compact) >= WHOLE_NIP_DIGITS

    def queries(self) -> dict[str, Query]:
        where: list[str] = []
        params: list[Any] = []
        if self.agency is not None:
            where.append("agency = ?")
            params.append(self.agency)
        if self.nip is not None:
            where.append("nip = ?")
            params.append(self.nip)
        compact, q = self._compact, self.q
        if q and self._whole_nip:
            where.append("nip = ?")
            params.append(compact)
        elif q:
            where.append("search LIKE ? ESCAPE '!'")
            params.append(like_pattern(compact if compact.isdigit() else q))
        for col, val in (("level", self.level), ("unit", self.unit), ("employee_type", self.employee_type),
                         ("supervisor_nip", self.supervisor_nip)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        if not self.include_withdrawn:
            where.append("withdrawn = 0")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return {"rows": Query(f"SELECT {_LIST_COLUMNS} FROM officers{clause} ORDER BY agency, name, nip LIMIT ? OFFSET ?",
                              (*params, self.limit, self.offset)),
                "total": Query(f"SELECT COUNT(*) AS n FROM officers{clause}", tuple(params))}

    def shape(self, found: Rows) -> tuple[list[dict[str, Any]], int]:
        rows = found["rows"]
        for r in rows:
            r["withdrawn"] = bool(r["withdrawn"])
            if self.nip is not None or self.q:
                r["matched_on"] = _matched_on(r, self.nip, self.q, self._compact, self._whole_nip)
        return rows, int(found["total"][0]["n"])


def _matched_on(row: dict[str, Any], nip: str | None, q: str | None, compact: str, whole_nip: bool) -> list[str]:
    found = ["nip"] if nip is not None or whole_nip else []
    if q and not whole_nip:
        if compact.isdigit() and compact in row["nip"]:
            found.append("nip_part")
        elif q.lower() in row["name"].lower():
            found.append("name_part")
        elif q.lower() in row["nip"]:
            found.append("nip_part")
        if not found:  # the query spans the NIP and the name ("1990 siti")
            found += ["nip_part", "name_part"]
    return found


def officer_row(store: ViewStore, officer_id: str) -> dict[str, Any] | None:
    return store.fetchone("SELECT * FROM officers WHERE id = ?", (officer_id,))


#: The history rows of one officer, in the order Formulir 2.2 lists them (also the async read's, api/pgreads.py).
HISTORY_COLUMNS = "entry_id, kind, year, doc, retracted, recorded_version, corrected_version"
HISTORY_ORDER = "kind, year, recorded_version"


def formulir_2_2(store: ViewStore, officer_id: str) -> dict[str, Any] | None:
    """Formulir 2.2 (profil Pengantar Kerja) as JSON: identity, placement and the four histories."""
    row = officer_row(store, officer_id)
    if row is None:
        return None
    hist = store.fetchall(f"SELECT {HISTORY_COLUMNS} FROM officer_history WHERE officer_id = ? ORDER BY {HISTORY_ORDER}", (officer_id,))
    return formulir_2_2_document(row, hist)


def formulir_2_2_document(row: dict[str, Any], hist: list[dict[str, Any]]) -> dict[str, Any]:
    """Formulir 2.2 shaped from the officer's directory row and history rows (ordered by kind, year,
    recorded version) — the one shaping of the document, whichever store or path read the rows."""
    histories: dict[str, list[dict[str, Any]]] = {"position": [], "development": [], "performance": [], "credit_points": []}
    for h in hist:
        if h["retracted"]:
            continue
        doc = json.loads(h["doc"])
        if "credit_points" in doc:
            doc["credit_points"] = str(Decimal(str(doc["credit_points"])))
        histories[h["kind"]].append({"entry_id": h["entry_id"], "year": h["year"], **doc,
                                     "recorded_version": h["recorded_version"], "corrected_version": h["corrected_version"]})
    return {
        "formulir": "2.2",
        "judul": "Profil Pengantar Kerja",
        "id": row["id"],
        "version": row["version"],
        "identitas": {k: row[k] for k in ("nip", "name", "birth_place", "birth_date", "sex", "employee_type")},
        "jabatan": {k: row[k] for k in ("position", "level", "golongan", "agency", "unit", "supervisor_nip", "supervisor_name")},
        "withdrawn": bool(row["withdrawn"]),
        "riwayat_jabatan": histories["position"],
        "riwayat_pengembangan_kompetensi": histories["development"],
        "riwayat_hasil_penilaian_kinerja": histories["performance"],
        "riwayat_angka_kredit": histories["credit_points"],
        "registered_at": row["registered_at"],
        "updated_at": row["updated_at"],
    }
