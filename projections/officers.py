"""Officer directory read model: one row per officer (Formulir 2.2 identity and placement) and one
row per history entry; lists, search and the Formulir 2.2 document are served from here."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from core.officers import Officer
from projections.base import Projection, handles
from projections.store import Tx, ViewStore

_FIELDS = ("nip", "name", "birth_place", "birth_date", "sex", "employee_type", "position", "level",
           "golongan", "agency", "unit", "supervisor_nip", "supervisor_name")


def _json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True, separators=(",", ":"))


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
                   "VALUES (?, ?, ?, ?, ?, 0, ?, NULL)")
_TOUCH = "UPDATE officers SET version = ?, updated_at = ? WHERE id = ?"


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

    def __init__(self) -> None:
        super().__init__()
        # Every event moves its officer's version and updated_at: within a batch only the last one
        # per officer is written (in :meth:`end`, same transaction) instead of one UPDATE per event.
        self._touched: dict[str, tuple[int, str]] = {}

    @staticmethod
    def _search(nip: str, name: str) -> str:
        return f"{nip} {name}".lower()

    def begin(self, tx: Tx) -> None:
        self._touched.clear()

    def end(self, tx: Tx) -> None:
        if self._touched:
            touched, self._touched = self._touched, {}
            for oid, (version, at) in touched.items():
                tx.execute(_TOUCH, (version, at, oid))

    @handles(Officer.Registered)
    def registered(self, tx: Tx, e: Officer.Registered, position: int) -> None:
        values = [getattr(e, f) for f in _FIELDS]
        values[_FIELDS.index("birth_date")] = e.birth_date.isoformat()
        at = e.meta.recorded_at.isoformat()
        tx.execute(_INSERT_OFFICER, (str(e.originator_id), *values, e.originator_version, at, at, self._search(e.nip, e.name)))

    def _touch(self, tx: Tx, e: Any, **changes: Any) -> None:
        oid = str(e.originator_id)
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            tx.execute(f"UPDATE officers SET {sets} WHERE id = ?", (*changes.values(), oid))
        self._touched[oid] = (e.originator_version, e.meta.recorded_at.isoformat())

    @handles(Officer.ProfileCorrected)
    def corrected(self, tx: Tx, e: Officer.ProfileCorrected, position: int) -> None:
        changes = {k: v for k, v in e.changes.items() if k in _FIELDS}
        if "name" in changes:
            row = tx.fetchone("SELECT nip FROM officers WHERE id = ?", (str(e.originator_id),))
            assert row is not None
            changes["search"] = self._search(row["nip"], changes["name"])
        self._touch(tx, e, **changes)

    @handles(Officer.PlacementChanged)
    def placement(self, tx: Tx, e: Officer.PlacementChanged, position: int) -> None:
        self._touch(tx, e, position=e.position, level=e.level, golongan=e.golongan, unit=e.unit,
                    supervisor_nip=e.supervisor_nip, supervisor_name=e.supervisor_name)

    @handles(Officer.RegistrationWithdrawn)
    def withdrawn(self, tx: Tx, e: Officer.RegistrationWithdrawn, position: int) -> None:
        self._touch(tx, e, withdrawn=1)

    @handles(Officer.PositionHistoryRecorded, Officer.DevelopmentHistoryRecorded,
             Officer.PerformanceHistoryRecorded, Officer.CreditPointsRecorded)
    def history(self, tx: Tx, e: Any, position: int) -> None:
        data = e.__dict__
        skip = _HISTORY_SKIP
        oid = str(e.originator_id)
        tx.execute(_INSERT_HISTORY, (str(e.entry_id), oid, _KINDS[type(e)], e.year,
                                     _json({k: v for k, v in data.items() if k not in skip}), e.originator_version))
        self._touched[oid] = (e.originator_version, e.meta.recorded_at.isoformat())

    @handles(Officer.HistoryEntryCorrected)
    def history_corrected(self, tx: Tx, e: Officer.HistoryEntryCorrected, position: int) -> None:
        row = tx.fetchone("SELECT year, doc FROM officer_history WHERE entry_id = ?", (str(e.entry_id),))
        assert row is not None
        changes = dict(e.changes)
        year = changes.pop("year", row["year"])
        doc = json.loads(row["doc"]) | changes if changes else None
        tx.execute(
            "UPDATE officer_history SET year = ?, doc = ?, corrected_version = ? WHERE entry_id = ?",
            (year, row["doc"] if doc is None else _json(doc), e.originator_version, str(e.entry_id)),
        )
        self._touch(tx, e)

    @handles(Officer.HistoryEntryRetracted)
    def history_retracted(self, tx: Tx, e: Officer.HistoryEntryRetracted, position: int) -> None:
        tx.execute("UPDATE officer_history SET retracted = 1 WHERE entry_id = ?", (str(e.entry_id),))
        self._touch(tx, e)


# -- queries ----------------------------------------------------------------------------------------

_LIST_COLUMNS = "id, nip, name, employee_type, position, level, golongan, agency, unit, supervisor_nip, withdrawn, version"


def search_officers(store: ViewStore, *, agency: str | None, q: str | None = None, level: str | None = None,
                    unit: str | None = None, employee_type: str | None = None, supervisor_nip: str | None = None,
                    include_withdrawn: bool = False, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    where: list[str] = []
    params: list[Any] = []
    if agency is not None:
        where.append("agency = ?")
        params.append(agency)
    if q:
        where.append("search LIKE ?")
        params.append(f"%{q.lower().replace(' ', '')}%" if q.replace(' ', '').isdigit() else f"%{q.lower()}%")
    for col, val in (("level", level), ("unit", unit), ("employee_type", employee_type), ("supervisor_nip", supervisor_nip)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if not include_withdrawn:
        where.append("withdrawn = 0")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.fetchall(f"SELECT {_LIST_COLUMNS} FROM officers{clause} ORDER BY agency, name, nip LIMIT ? OFFSET ?", (*params, limit, offset))
    total = store.fetchall(f"SELECT COUNT(*) AS n FROM officers{clause}", params)[0]["n"]
    for r in rows:
        r["withdrawn"] = bool(r["withdrawn"])
    return rows, int(total)


def officer_row(store: ViewStore, officer_id: str) -> dict[str, Any] | None:
    return store.fetchone("SELECT * FROM officers WHERE id = ?", (officer_id,))


def formulir_2_2(store: ViewStore, officer_id: str) -> dict[str, Any] | None:
    """Formulir 2.2 (profil Pengantar Kerja) as JSON: identity, placement and the four histories."""
    row = officer_row(store, officer_id)
    if row is None:
        return None
    hist = store.fetchall(
        "SELECT entry_id, kind, year, doc, retracted, recorded_version, corrected_version FROM officer_history "
        "WHERE officer_id = ? ORDER BY kind, year, recorded_version", (officer_id,))
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
