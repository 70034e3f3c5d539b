"""JP ledger read model: per officer and year, the JP planned and credited by activity and pathway,
with the PNS minimum (20 JP) and the PPPK cap (24 JP) flagged; and its agency summary.

Credited JP are the recorded decisions (``JpCredited``): sums are plain arithmetic over them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core.activities import Activity
from core.catalogue import PNS_MIN_JP_PER_YEAR, PPPK_MAX_JP_PER_YEAR, jp_year_standing
from projections.base import Projection, handles
from projections.queries import Query, Rows, run
from projections.store import Tx, ViewStore


class JpLedger(Projection):
    name = "jp_ledger"
    version = 1
    tables = {
        "jp_ledger_activities": (
            "activity_id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, pathway TEXT NOT NULL, "
            "title TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL, planned_jp INTEGER NOT NULL"
        ),
        "jp_ledger_entries": (
            "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, nip TEXT NOT NULL, name TEXT NOT NULL, "
            "employee_type TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, pathway TEXT NOT NULL, "
            "title TEXT NOT NULL, planned_jp INTEGER NOT NULL, plan_id TEXT, plan_row_id TEXT, active INTEGER NOT NULL, "
            "credited_jp INTEGER, rule TEXT, ruleset_version TEXT, jp_table_version TEXT, plugin TEXT, plugin_version TEXT, "
            "completed_on TEXT, PRIMARY KEY (activity_id, officer_id)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS jp_ledger_officer_idx ON jp_ledger_entries (officer_id, year)",
        "CREATE INDEX IF NOT EXISTS jp_ledger_agency_idx ON jp_ledger_entries (agency, year)",
    )

    # Selecting a participant copies the activity's agency, year, pathway and title. Activities are
    # only ever inserted, so what this batch inserted or already read is kept (per batch: ``begin``
    # clears it) instead of being read again — each read in the batched transaction first sends
    # every buffered write.

    def __init__(self) -> None:
        super().__init__()
        self._activities: dict[str, tuple[str, int, str, str]] = {}

    def begin(self, tx: Tx) -> None:
        self._activities.clear()

    def end(self, tx: Tx) -> None:
        self._activities.clear()

    @handles(Activity.Created)
    def created(self, tx: Tx, e: Activity.Created, position: int) -> None:
        aid = str(e.originator_id)
        tx.execute(
            "INSERT INTO jp_ledger_activities (activity_id, agency, year, pathway, title, start_date, end_date, planned_jp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (aid, e.agency, e.year, e.pathway, e.title, e.start.isoformat(), e.end.isoformat(), e.planned_jp),
        )
        self._activities[aid] = (e.agency, e.year, e.pathway, e.title)

    @handles(Activity.ParticipantSelected)
    def selected(self, tx: Tx, e: Activity.ParticipantSelected, position: int) -> None:
        aid = str(e.originator_id)
        a = self._activities.get(aid)
        if a is None:
            row = tx.fetchone("SELECT agency, year, pathway, title FROM jp_ledger_activities WHERE activity_id = ?", (aid,))
            assert row is not None
            a = self._activities[aid] = (row["agency"], row["year"], row["pathway"], row["title"])
        tx.execute("DELETE FROM jp_ledger_entries WHERE activity_id = ? AND officer_id = ?", (aid, str(e.officer_id)))
        tx.execute(
            "INSERT INTO jp_ledger_entries (activity_id, officer_id, nip, name, employee_type, agency, year, pathway, title, "
            "planned_jp, plan_id, plan_row_id, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (aid, str(e.officer_id), e.nip, e.name, e.employee_type, *a, e.planned_jp, e.plan_id, e.plan_row_id),
        )

    @handles(Activity.ParticipantDeselected)
    def deselected(self, tx: Tx, e: Activity.ParticipantDeselected, position: int) -> None:
        tx.execute("UPDATE jp_ledger_entries SET active = 0 WHERE activity_id = ? AND officer_id = ?",
                   (str(e.originator_id), str(e.officer_id)))

    @handles(Activity.JpCredited)
    def credited(self, tx: Tx, e: Activity.JpCredited, position: int) -> None:
        tx.execute(
            "UPDATE jp_ledger_entries SET credited_jp = ?, rule = ?, ruleset_version = ?, jp_table_version = ?, plugin = ?, "
            "plugin_version = ?, completed_on = ? WHERE activity_id = ? AND officer_id = ?",
            (e.jp, e.rule, e.ruleset_version, e.jp_table_version, e.plugin, e.plugin_version, e.completed_on.isoformat(),
             str(e.originator_id), str(e.officer_id)),
        )


# -- queries ----------------------------------------------------------------------------------------


def _plan_planned(store: ViewStore, agency: str, year: int) -> dict[str, int] | None:
    """Planned JP per officer from the validated plan (planning area), or None where plans are not built."""
    try:
        from projections.plans import planned_jp_by_officer
    except ImportError:
        return None
    try:
        return planned_jp_by_officer(store, agency=agency, year=year)
    except Exception:
        return None


def _planned_query(agency: str, year: int, officers: tuple[str, tuple[Any, ...]]) -> tuple[str, tuple[Any, ...]]:
    from projections.plans import planned_jp_query

    return planned_jp_query(agency, year, officers)


@lru_cache(maxsize=4096)
def _flags(employee_type: str, credited: int) -> dict[str, Any]:
    # Few distinct (type, JP) pairs in an agency: the rule is applied once per pair. Callers copy the dict.
    return flags(employee_type, credited)


def flags(employee_type: str, credited: int) -> dict[str, Any]:
    """BAB I.E angka 7 (the catalogue's one JP-limits rule): a PNS has the right to at least 20 JP a year; a PPPK at most 24."""
    s = jp_year_standing(employee_type, credited)
    return {"below_pns_minimum": s.below_pns_minimum, "shortfall_jp": s.shortfall_jp,
            "over_pppk_cap": s.over_pppk_cap, "excess_jp": s.excess_jp}


def _officer_row(o: Any, sums: Any, planned_plan: int | None) -> dict[str, Any]:
    """One officer's line of the agency ledger (the whole ledger and its pages alike): the officer, the sums of
    the officer's ledger entries and the JP the validated plan gives the officer (None: no plan)."""
    credited = int(sums.get("credited") or 0)
    return {"officer_id": o["id"], "nip": o["nip"], "name": o["name"], "employee_type": o["employee_type"],
            "activities": int(sums.get("activities") or 0), "planned_jp_activities": int(sums.get("planned") or 0),
            "planned_jp_plan": planned_plan, "credited_jp": credited, **_flags(o["employee_type"], credited)}


_ENTRY_COLS = ("activity_id, officer_id, nip, name, employee_type, agency, year, pathway, title, planned_jp, plan_id, "
               "plan_row_id, credited_jp, rule, ruleset_version, jp_table_version, plugin, plugin_version, completed_on")


def officer_ledger(store: ViewStore, *, officer_id: str, year: int, agency: str, employee_type: str,
                   nip: str, name: str) -> dict[str, Any]:
    rows = store.fetchall(f"SELECT {_ENTRY_COLS} FROM jp_ledger_entries WHERE officer_id = ? AND year = ? AND active = 1 "
                          "ORDER BY completed_on, title, activity_id", (officer_id, year))
    credited = sum(r["credited_jp"] or 0 for r in rows)
    planned = sum(r["planned_jp"] for r in rows)
    by_pathway: dict[str, dict[str, int]] = {}
    for r in rows:
        b = by_pathway.setdefault(r["pathway"], {"planned_jp": 0, "credited_jp": 0, "activities": 0})
        b["planned_jp"] += r["planned_jp"]
        b["credited_jp"] += r["credited_jp"] or 0
        b["activities"] += 1
    plan = _plan_planned(store, agency, year)
    return {
        "officer_id": officer_id, "nip": nip, "name": name, "agency": agency, "year": year, "employee_type": employee_type,
        "entries": [{**r, "status": "credited" if r["credited_jp"] is not None else "in_progress"} for r in rows],
        "by_pathway": by_pathway,
        "planned_jp_activities": planned,
        "planned_jp_plan": None if plan is None else plan.get(officer_id, 0),
        "credited_jp": credited,
        **flags(employee_type, credited),
        "pns_min_jp": PNS_MIN_JP_PER_YEAR, "pppk_max_jp": PPPK_MAX_JP_PER_YEAR,
    }


def agency_ledger(store: ViewStore, *, agency: str, year: int) -> dict[str, Any]:
    """Every registered officer of the agency (an officer with no activity is a PNS shortfall too)."""
    officers = store.fetchall("SELECT id, nip, name, employee_type FROM officers WHERE agency = ? AND withdrawn = 0 "
                              "ORDER BY name, nip", (agency,))
    sums = {r["officer_id"]: r for r in store.fetchall(
        "SELECT officer_id, COALESCE(SUM(planned_jp), 0) AS planned, COALESCE(SUM(credited_jp), 0) AS credited, "
        "COUNT(*) AS activities FROM jp_ledger_entries WHERE agency = ? AND year = ? AND active = 1 GROUP BY officer_id",
        (agency, year))}
    plan = _plan_planned(store, agency, year)
    rows = [_officer_row(o, sums.get(o["id"], {}), None if plan is None else plan.get(o["id"], 0)) for o in officers]
    by_pathway = store.fetchall(
        "SELECT pathway, COUNT(DISTINCT activity_id) AS activities, COUNT(*) AS participants, "
        "COALESCE(SUM(credited_jp), 0) AS credited_jp FROM jp_ledger_entries WHERE agency = ? AND year = ? AND active = 1 "
        "GROUP BY pathway ORDER BY pathway", (agency, year))
    for b in by_pathway:
        for k in ("activities", "participants", "credited_jp"):
            b[k] = int(b[k])
    return {
        "agency": agency, "year": year, "officers": rows, "by_pathway": by_pathway,
        "credited_jp": sum(r["credited_jp"] for r in rows),
        "pns_below_minimum": sum(1 for r in rows if r["below_pns_minimum"]),
        "pppk_over_cap": sum(1 for r in rows if r["over_pppk_cap"]),
        "pns_min_jp": PNS_MIN_JP_PER_YEAR, "pppk_max_jp": PPPK_MAX_JP_PER_YEAR,
    }


# -- the agency ledger, a page at a time ----------------------------------------------------------------


_LIVE = "agency = ? AND withdrawn = 0"
_ENTRIES = "agency = ? AND year = ? AND active = 1"


@dataclass(frozen=True)
class AgencyLedgerPage:
    """A page of the agency ledger: the officers after ``after`` (their name and NIP) in name order, each with
    its sums; the agency's totals (credited JP, PNS below the minimum, PPPK over the cap, per pathway) over
    every officer on every page. Its queries run on the synchronous stores (:func:`agency_ledger_page`) and in
    one statement through asyncpg (api/pgreads.py); :meth:`shape` makes the same document of either's rows."""

    agency: str
    year: int
    limit: int
    after: tuple[str, str] | None = None

    def queries(self) -> dict[str, Query]:
        keyset, key = ("", ()) if self.after is None else (" AND (name > ? OR (name = ? AND nip > ?))",
                                                          (self.after[0], self.after[0], self.after[1]))
        page = f"SELECT id, nip, name, employee_type FROM officers WHERE {_LIVE}{keyset} ORDER BY name, nip LIMIT ?"
        page_params = (self.agency, *key, self.limit + 1)
        ids = f"SELECT id FROM officers WHERE {_LIVE}{keyset} ORDER BY name, nip LIMIT ?"
        return {
            "officers": Query(page, page_params),
            "sums": Query("SELECT officer_id, COALESCE(SUM(planned_jp), 0) AS planned, COALESCE(SUM(credited_jp), 0) AS credited, "
                          f"COUNT(*) AS activities FROM jp_ledger_entries WHERE {_ENTRIES} AND officer_id IN ({ids}) "
                          "GROUP BY officer_id", (self.agency, self.year, *page_params)),
            # Every officer's credited JP, counted by (employee type, credited JP): the totals of the whole agency.
            "standing": Query("SELECT o.employee_type, COALESCE(s.credited, 0) AS credited, COUNT(*) AS n FROM officers o "
                              "LEFT JOIN (SELECT officer_id, SUM(credited_jp) AS credited FROM jp_ledger_entries "
                              f"WHERE {_ENTRIES} GROUP BY officer_id) s ON s.officer_id = o.id "
                              "WHERE o.agency = ? AND o.withdrawn = 0 GROUP BY o.employee_type, COALESCE(s.credited, 0) "
                              "ORDER BY o.employee_type, COALESCE(s.credited, 0)", (self.agency, self.year, self.agency)),
            "by_pathway": Query("SELECT pathway, COUNT(DISTINCT activity_id) AS activities, COUNT(*) AS participants, "
                                f"COALESCE(SUM(credited_jp), 0) AS credited_jp FROM jp_ledger_entries WHERE {_ENTRIES} "
                                "GROUP BY pathway ORDER BY pathway", (self.agency, self.year)),
            "planned": Query(*_planned_query(self.agency, self.year, (ids, page_params))),
        }

    def shape(self, found: Rows) -> tuple[dict[str, Any], tuple[str, str] | None]:
        """The page's document and the keyset of its last officer when a page follows (else None)."""
        officers = found["officers"][:self.limit]
        more = len(found["officers"]) > self.limit
        sums = {r["officer_id"]: r for r in found["sums"]}
        plan = {r["officer_id"]: int(r["jp"]) for r in found["planned"]}
        rows = [_officer_row(o, sums.get(o["id"], {}), plan.get(o["id"], 0)) for o in officers]
        by_pathway = [{"pathway": b["pathway"], **{k: int(b[k]) for k in ("activities", "participants", "credited_jp")}}
                      for b in found["by_pathway"]]
        standing = [(_flags(g["employee_type"], int(g["credited"])), int(g["credited"]), int(g["n"])) for g in found["standing"]]
        doc = {
            "agency": self.agency, "year": self.year, "officers": rows, "by_pathway": by_pathway,
            "credited_jp": sum(credited * n for _, credited, n in standing),
            "pns_below_minimum": sum(n for f, _, n in standing if f["below_pns_minimum"]),
            "pppk_over_cap": sum(n for f, _, n in standing if f["over_pppk_cap"]),
            "pns_min_jp": PNS_MIN_JP_PER_YEAR, "pppk_max_jp": PPPK_MAX_JP_PER_YEAR,
            "officers_total": sum(n for _, _, n in standing),
        }
        last = (officers[-1]["name"], officers[-1]["nip"]) if more and officers else None
        return doc, last


def agency_ledger_page(store: ViewStore, page: AgencyLedgerPage) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """A page of the agency ledger on a synchronous store (the request's snapshot, or a store as of a moment)."""
    return page.shape(run(store, page.queries()))
