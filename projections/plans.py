"""Read model of the agencies' development plans: Formulir 2.6 as it stands and as each validated
revision was validated, the findings of checks a–f with their resolutions, the team, meetings,
budgets and submissions; and the Instansi Pembina's curriculum standards. Findings are stored as
the plan's events recorded them: nothing is recomputed here."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec

from core.catalogue import LEVEL_LABELS, PATHWAY_LABELS, Level, Pathway, competency
from core.planning import CurriculumStandards, DevelopmentPlan
from projections.base import Projection, handles
from projections.store import Tx, ViewStore


def _json(value: Any) -> str:
    # msgspec encodes dates, UUIDs, decimals, records and tuples as to_builtins would give them.
    return msgspec.json.encode(value).decode()


def _who(e: Any) -> dict[str, Any]:
    m = e.meta
    return {"subject": m.subject, "name": m.subject_name, "role": m.role, "recorded_at": m.recorded_at.isoformat(),
            "effective_date": m.effective_date.isoformat()}


_ROW_SKIP = {"originator_id", "originator_version", "timestamp", "meta", "reason"}
_INSERT_FINDING = ("INSERT INTO plan_findings (plan_id, finding_id, rule, row_id, officer_id, blocking, doc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")


def _finding(pid: str, f: Any) -> tuple[Any, ...]:
    return (pid, str(f.finding_id), f.rule, None if f.row_id is None else str(f.row_id),
            None if f.officer_id is None else str(f.officer_id), 1 if f.blocking else 0, _json(f))


class PlanBook(Projection):
    name = "plans"
    #: 2: the findings in their own table (plan_findings), changed finding by finding, not in the head document.
    #: 3: a row's JP, budget and source, and a finding's row, officer and blocking flag in columns (paged reads
    #: count the whole plan's totals without reading its documents, projections/plan_pages.py).
    version = 3
    tables = {
        "plan_heads": "id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, revision INTEGER NOT NULL, "
                      "status TEXT NOT NULL, submitted INTEGER NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL",
        "plan_rows": "plan_id TEXT NOT NULL, row_id TEXT NOT NULL, seq BIGINT NOT NULL, officer_id TEXT NOT NULL, "
                     "planned_jp INTEGER NOT NULL, budget TEXT NOT NULL, funding_source TEXT NOT NULL, "
                     "doc TEXT NOT NULL, PRIMARY KEY (plan_id, row_id)",
        "plan_versions": "plan_id TEXT NOT NULL, revision INTEGER NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                         "validated_at TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (plan_id, revision)",
        "plan_version_rows": "plan_id TEXT NOT NULL, revision INTEGER NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                             "row_id TEXT NOT NULL, officer_id TEXT NOT NULL, planned_jp INTEGER NOT NULL, "
                             "PRIMARY KEY (plan_id, revision, row_id)",
        "plan_findings": "plan_id TEXT NOT NULL, finding_id TEXT NOT NULL, rule TEXT NOT NULL, row_id TEXT, officer_id TEXT, "
                         "blocking INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (plan_id, finding_id)",
        "plan_curriculum_ids": "id TEXT PRIMARY KEY, competency TEXT NOT NULL, level TEXT NOT NULL",
        "plan_curriculum": "competency TEXT NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL, "
                           "pathways TEXT NOT NULL, min_jp INTEGER, note TEXT, registered_at TEXT NOT NULL, "
                           "PRIMARY KEY (competency, level, code)",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS plan_heads_agency_idx ON plan_heads (agency, year)",
        "CREATE INDEX IF NOT EXISTS plan_version_rows_year_idx ON plan_version_rows (year, agency)",
        "CREATE INDEX IF NOT EXISTS plan_findings_row_idx ON plan_findings (plan_id, row_id)",
    )

    # -- helpers -----------------------------------------------------------------------------------------

    # A plan's head document is read once per batch (on the plan's first event in the batch, or
    # created by ``Opened``) and written once, in :meth:`end` (same transaction), instead of being
    # read, decoded, encoded and rewritten on every event. ``begin`` clears the buffer: a batch that
    # failed (and was rolled back) leaves nothing behind for the next one.

    def __init__(self) -> None:
        super().__init__()
        #: plan id -> [doc, version, new] (new: opened in this batch, so INSERT rather than UPDATE).
        self._heads: dict[str, list[Any]] = {}

    def begin(self, tx: Tx) -> None:
        self._heads.clear()

    def end(self, tx: Tx) -> None:
        if not self._heads:
            return
        heads, self._heads = self._heads, {}
        inserts, updates = [], []
        for pid, (doc, version, new) in heads.items():
            cols = (doc["revision"], doc["status"], 1 if doc["submissions"] else 0, version, _json(doc))
            if new:
                inserts.append((pid, doc["agency"], doc["year"], *cols))
            else:
                updates.append((*cols, pid))
        if inserts:
            tx.executemany("INSERT INTO plan_heads (id, agency, year, revision, status, submitted, version, doc) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", inserts)
        if updates:
            tx.executemany("UPDATE plan_heads SET revision = ?, status = ?, submitted = ?, version = ?, doc = ? WHERE id = ?", updates)

    def _entry(self, tx: Tx, e: Any) -> list[Any]:
        pid = str(e.originator_id)
        entry = self._heads.get(pid)
        if entry is None:
            row = tx.fetchone("SELECT doc, version FROM plan_heads WHERE id = ?", (pid,))
            assert row is not None
            entry = self._heads[pid] = [msgspec.json.decode(row["doc"]), row["version"], False]
        return entry

    def _head(self, tx: Tx, e: Any) -> dict[str, Any]:
        return self._entry(tx, e)[0]

    def _put(self, tx: Tx, e: Any, doc: dict[str, Any]) -> None:
        entry = self._entry(tx, e)
        entry[0] = doc
        entry[1] = e.originator_version

    # -- plan events ---------------------------------------------------------------------------------

    @handles(DevelopmentPlan.Opened)
    def opened(self, tx: Tx, e: DevelopmentPlan.Opened, position: int) -> None:
        doc = {"id": str(e.originator_id), "agency": e.agency, "year": e.year, "revision": 1, "status": "draft",
               "revisions": [{"revision": 1, "reason": None, **_who(e)}], "budgets": {}, "team": [], "meetings": [],
               "accepted": {}, "checks": None, "signature": None, "voided_signatures": [],
               "validations": [], "submissions": []}
        pid = str(e.originator_id)
        assert pid not in self._heads, f"plan {pid} opened twice"  # the INSERT in end() would fail too
        self._heads[pid] = [doc, e.originator_version, True]

    @handles(DevelopmentPlan.RowAdded, DevelopmentPlan.RowChanged)
    def row(self, tx: Tx, e: Any, position: int) -> None:
        doc = msgspec.to_builtins({k: v for k, v in vars(e).items() if k not in _ROW_SKIP})
        doc["last_change"] = {"reason": getattr(e, "reason", None), **_who(e)}
        sums = (doc["planned_jp"], str(doc["budget"]), doc["funding_source"])
        if isinstance(e, DevelopmentPlan.RowAdded):
            tx.execute("INSERT INTO plan_rows (plan_id, row_id, seq, officer_id, planned_jp, budget, funding_source, doc) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (str(e.originator_id), str(e.row_id), position, str(e.officer_id), *sums, _json(doc)))
        else:
            tx.execute("UPDATE plan_rows SET officer_id = ?, planned_jp = ?, budget = ?, funding_source = ?, doc = ? "
                       "WHERE plan_id = ? AND row_id = ?",
                       (str(e.officer_id), *sums, _json(doc), str(e.originator_id), str(e.row_id)))
        self._put(tx, e, self._head(tx, e))

    @handles(DevelopmentPlan.RowRemoved)
    def row_removed(self, tx: Tx, e: DevelopmentPlan.RowRemoved, position: int) -> None:
        tx.execute("DELETE FROM plan_rows WHERE plan_id = ? AND row_id = ?", (str(e.originator_id), str(e.row_id)))
        self._put(tx, e, self._head(tx, e))

    @handles(DevelopmentPlan.BudgetRegistered)
    def budget(self, tx: Tx, e: DevelopmentPlan.BudgetRegistered, position: int) -> None:
        doc = self._head(tx, e)
        doc["budgets"][e.funding_source] = {"amount": str(e.amount), "note": e.note, **_who(e)}
        self._put(tx, e, doc)

    # The findings live in plan_findings, one row each: a check run after a one-row change adds and
    # removes a few of them instead of rewriting every finding of the plan.

    @handles(DevelopmentPlan.ChecksRun)
    def checks(self, tx: Tx, e: DevelopmentPlan.ChecksRun, position: int) -> None:
        pid = str(e.originator_id)
        tx.execute("DELETE FROM plan_findings WHERE plan_id = ?", (pid,))
        tx.executemany(_INSERT_FINDING, [_finding(pid, f) for f in e.findings])
        doc = self._head(tx, e)
        doc["checks"] = {"trigger": e.trigger, "ruleset_version": e.ruleset_version, "jp_table_version": e.jp_table_version, **_who(e)}
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.ChecksUpdated)
    def checks_updated(self, tx: Tx, e: DevelopmentPlan.ChecksUpdated, position: int) -> None:
        pid = str(e.originator_id)
        gone = [(pid, str(fid)) for fid in e.removed] + [(pid, str(f.finding_id)) for f in e.added]
        if gone:
            tx.executemany("DELETE FROM plan_findings WHERE plan_id = ? AND finding_id = ?", gone)
        if e.added:
            tx.executemany(_INSERT_FINDING, [_finding(pid, f) for f in e.added])
        doc = self._head(tx, e)
        doc["checks"] = {"trigger": e.trigger, "scope": e.scope, "ruleset_version": e.ruleset_version,
                         "jp_table_version": e.jp_table_version, **_who(e)}
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.FindingAccepted)
    def accepted(self, tx: Tx, e: DevelopmentPlan.FindingAccepted, position: int) -> None:
        doc = self._head(tx, e)
        doc["accepted"][str(e.finding_id)] = {"reason": e.reason, "rule": e.rule, "message": e.message, **_who(e)}
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.TeamMemberAppointed)
    def member(self, tx: Tx, e: DevelopmentPlan.TeamMemberAppointed, position: int) -> None:
        doc = self._head(tx, e)
        doc["team"].append({"member_id": str(e.member_id), "name": e.name, "nip": e.nip, "unit_represented": e.unit_represented,
                            "team_role": e.team_role, "appointed": _who(e)})
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.TeamMemberReleased)
    def member_released(self, tx: Tx, e: DevelopmentPlan.TeamMemberReleased, position: int) -> None:
        doc = self._head(tx, e)
        doc["team"] = [m for m in doc["team"] if m["member_id"] != str(e.member_id)]
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.MeetingRecorded)
    def meeting(self, tx: Tx, e: DevelopmentPlan.MeetingRecorded, position: int) -> None:
        doc = self._head(tx, e)
        doc["meetings"].append({"meeting_id": str(e.meeting_id), "held_on": e.held_on.isoformat(),
                                "attendees": list(e.attendees), "minutes": e.minutes, "recorded": _who(e)})
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.SignedByHead)
    def signed(self, tx: Tx, e: DevelopmentPlan.SignedByHead, position: int) -> None:
        doc = self._head(tx, e)
        doc["signature"] = {"revision": e.revision, "name": e.name, "nip": e.nip, "place": e.place, "recorded": _who(e)}
        doc["status"] = "signed"
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.SignatureVoided)
    def voided(self, tx: Tx, e: DevelopmentPlan.SignatureVoided, position: int) -> None:
        doc = self._head(tx, e)
        doc["voided_signatures"].append({"signature": doc["signature"], "reason": e.reason, **_who(e)})
        doc["signature"] = None
        doc["status"] = "draft"
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.Validated)
    def validated(self, tx: Tx, e: DevelopmentPlan.Validated, position: int) -> None:
        doc = self._head(tx, e)
        validation = {"revision": e.revision, "rows": e.rows, "total_jp": e.total_jp, "total_budget": str(e.total_budget),
                      "ruleset_version": e.ruleset_version, "jp_table_version": e.jp_table_version, **_who(e)}
        doc["validations"].append(validation)
        doc["status"] = "validated"
        rows = _rows(tx, str(e.originator_id))
        snapshot = _formulir(doc, rows, _findings(tx, str(e.originator_id)))
        snapshot["validation"] = validation
        tx.execute("INSERT INTO plan_versions (plan_id, revision, agency, year, validated_at, doc) VALUES (?, ?, ?, ?, ?, ?)",
                   (str(e.originator_id), e.revision, doc["agency"], doc["year"], e.meta.recorded_at.isoformat(), _json(snapshot)))
        tx.executemany(
            "INSERT INTO plan_version_rows (plan_id, revision, agency, year, row_id, officer_id, planned_jp) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(str(e.originator_id), e.revision, doc["agency"], doc["year"], r["row_id"], r["officer_id"], r["planned_jp"]) for r in rows])
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.RevisionOpened)
    def revision(self, tx: Tx, e: DevelopmentPlan.RevisionOpened, position: int) -> None:
        doc = self._head(tx, e)
        doc["revision"] = e.revision
        doc["revisions"].append({"revision": e.revision, "reason": e.reason, **_who(e)})
        doc["status"] = "draft"
        doc["signature"] = None
        self._put(tx, e, doc)

    @handles(DevelopmentPlan.Submitted)
    def submitted(self, tx: Tx, e: DevelopmentPlan.Submitted, position: int) -> None:
        doc = self._head(tx, e)
        doc["submissions"].append({"revision": e.revision, "recipient": e.recipient, "submitted_on": e.submitted_on.isoformat(), **_who(e)})
        self._put(tx, e, doc)

    # -- curriculum standards ---------------------------------------------------------------------------

    @handles(CurriculumStandards.Created)
    def curriculum_created(self, tx: Tx, e: CurriculumStandards.Created, position: int) -> None:
        tx.execute("INSERT INTO plan_curriculum_ids (id, competency, level) VALUES (?, ?, ?)",
                   (str(e.originator_id), e.competency, e.level))

    def _pair(self, tx: Tx, e: Any) -> tuple[str, str]:
        row = tx.fetchone("SELECT competency, level FROM plan_curriculum_ids WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        return row["competency"], row["level"]

    @handles(CurriculumStandards.StandardRegistered)
    def curriculum_registered(self, tx: Tx, e: CurriculumStandards.StandardRegistered, position: int) -> None:
        comp, level = self._pair(tx, e)
        tx.execute("INSERT INTO plan_curriculum (competency, level, code, title, pathways, min_jp, note, registered_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (comp, level, e.code, e.title, json.dumps(list(e.pathways)), e.min_jp, e.note, e.meta.recorded_at.isoformat()))

    @handles(CurriculumStandards.StandardWithdrawn)
    def curriculum_withdrawn(self, tx: Tx, e: CurriculumStandards.StandardWithdrawn, position: int) -> None:
        comp, level = self._pair(tx, e)
        tx.execute("DELETE FROM plan_curriculum WHERE competency = ? AND level = ? AND code = ?", (comp, level, e.code))


# The documents are msgspec's JSON: msgspec decodes them to the same values as json.loads, in about a third of the time.


def _rows(tx: Any, plan_id: str) -> list[dict[str, Any]]:
    decode = msgspec.json.decode
    return [decode(r["doc"]) for r in tx.fetchall("SELECT doc FROM plan_rows WHERE plan_id = ? ORDER BY seq", (plan_id,))]


def _findings(tx: Any, plan_id: str) -> list[dict[str, Any]]:
    decode = msgspec.json.decode
    return [decode(r["doc"]) for r in tx.fetchall("SELECT doc FROM plan_findings WHERE plan_id = ?", (plan_id,))]


def _in_order(findings: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings in rule order (a–f, then the recap's), each rule's in the order of the rows they are about
    (an officer's check (d) finding at the officer's first row, after the rows when they have none), then
    by message."""
    place: dict[str, int] = {}
    for n, r in enumerate(rows):
        place.setdefault(r["row_id"], n)
        place.setdefault(r["officer_id"], n)
    last = len(rows)
    return sorted(findings, key=lambda f: (f["rule"], place.get(f["row_id"] or f["officer_id"] or "", last), f["message"]))


def _formulir(head: dict[str, Any], rows: list[dict[str, Any]], found: list[dict[str, Any]], start: int = 0) -> dict[str, Any]:
    """Formulir 2.6 with the guideline's columns (items 3–12) plus what verification recorded; ``start``: the
    rows before ``rows`` in the plan (a page's rows are numbered from ``start + 1``)."""
    accepted = head["accepted"]
    findings = [{**f, "resolution": accepted.get(f["finding_id"]),
                 "status": "note" if not f["blocking"] else ("accepted" if f["finding_id"] in accepted else "open")}
                for f in _in_order(found, rows)]
    by_row: dict[str, list[str]] = {}
    for f in findings:
        if f["row_id"]:
            by_row.setdefault(f["row_id"], []).append(f["finding_id"])
    out_rows = []
    for n, r in enumerate(rows, start=start + 1):
        out_rows.append({
            "no": n, "row_id": r["row_id"], "officer_id": r["officer_id"],
            "nama_pegawai_dan_nip": {"name": r["officer_name"], "nip": r["nip"]},
            "jabatan": {"position": r["position"], "level": r["level"], "level_label": LEVEL_LABELS[Level(r["level"])],
                        "employee_type": r["employee_type"], "unit": r["unit"]},
            "jenis_kompetensi": {"code": r["competency"], "name": competency(r["competency"]).name,
                                 "kind": competency(r["competency"]).kind.value},
            "jenis_dan_jalur_pengembangan": {"programme": r["programme"], "form": r["form"], "pathway": r["pathway"],
                                             "pathway_label": PATHWAY_LABELS[Pathway(r["pathway"])],
                                             "curriculum_code": r["curriculum_code"]},
            "penyelenggara": r["provider"],
            "jadwal_dan_waktu_pelaksanaan": {"start": r["start"], "end": r["end"]},
            "anggaran": {"amount": r["budget"], "funding_source": r["funding_source"]},
            "jumlah_jp": r["planned_jp"],
            "jp_conversion": {"rule": r["jp_rule"], "basis": r["jp_basis"], "table_version": r["jp_table_version"]},
            "target_kenaikan_angka_kredit": {"value": r["credit_target"], "source": r["credit_target_source"]},
            "proposal": {"proposal_id": r["proposal_id"], "item_id": r["proposal_item_id"]} if r["proposal_id"] else None,
            "findings": by_row.get(r["row_id"], []),
        })
    budget_planned: dict[str, Decimal] = {}
    for r in rows:
        budget_planned[r["funding_source"]] = budget_planned.get(r["funding_source"], Decimal(0)) + Decimal(r["budget"])
    return {
        "formulir": "2.6", "judul": "Formulir Rencana Pengembangan Kompetensi Teknis JF",
        "plan_id": head["id"], "instansi": head["agency"], "tahun": head["year"], "revision": head["revision"],
        "status": head["status"], "rows": out_rows,
        "totals": {"rows": len(rows), "jp": sum(r["planned_jp"] for r in rows),
                   "budget_by_source": {k: str(v) for k, v in budget_planned.items()},
                   "budget_registered": {k: v["amount"] for k, v in head["budgets"].items()}},
        "findings": findings,
        "open_findings": sum(1 for f in findings if f["status"] == "open"),
        "checks": head["checks"],
        "tim_verifikasi": head["team"], "rapat_tim_verifikasi": head["meetings"],
        "kepala_satuan_kerja": head["signature"],
    }


# -- queries ------------------------------------------------------------------------------------------


def plan_head(store: ViewStore, plan_id: str) -> dict[str, Any] | None:
    row = store.fetchone("SELECT doc, version, submitted FROM plan_heads WHERE id = ?", (plan_id,))
    if row is None:
        return None
    doc = json.loads(row["doc"])
    doc["version"] = row["version"]
    return doc


def formulir_2_6(store: ViewStore, plan_id: str, revision: int | None = None) -> dict[str, Any] | None:
    """Formulir 2.6: the working revision (``revision`` None) or a validated revision as validated."""
    head = plan_head(store, plan_id)
    if head is None:
        return None
    if revision is not None:
        row = store.fetchone("SELECT doc FROM plan_versions WHERE plan_id = ? AND revision = ?", (plan_id, revision))
        if row is None:
            return None
        doc = json.loads(row["doc"])
        doc["status"] = "validated"
        return doc
    doc = _formulir(head, _rows(store, plan_id), _findings(store, plan_id))
    doc.update(version=head["version"], revisions=head["revisions"], budgets=head["budgets"],
               validations=head["validations"], submissions=head["submissions"],
               voided_signatures=head["voided_signatures"])
    return doc


def list_plans(store: ViewStore, *, agency: str | None, year: int | None = None, submitted_only: bool = False) -> list[dict[str, Any]]:
    where: list[str] = []
    params: list[Any] = []
    if agency is not None:
        where.append("agency = ?")
        params.append(agency)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if submitted_only:
        where.append("submitted = 1")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.fetchall(f"SELECT id, agency, year, revision, status, submitted, version, doc FROM plan_heads{clause} ORDER BY year, agency", params)
    out = []
    for r in rows:
        doc = json.loads(r.pop("doc"))
        r["submitted"] = bool(r["submitted"])
        r["validated_revisions"] = [v["revision"] for v in doc["validations"]]
        r["submissions"] = doc["submissions"]
        out.append(r)
    return out


def planned_jp_by_officer(store: ViewStore, *, agency: str | None, year: int) -> dict[str, int]:
    """Officer id → planned JP in the latest validated revision of each plan for ``year``."""
    rows = store.fetchall(*planned_jp_query(agency, year))
    return {r["officer_id"]: int(r["jp"]) for r in rows}


def planned_jp_query(agency: str | None, year: int, officers: tuple[str, tuple[Any, ...]] | None = None) -> tuple[str, tuple[Any, ...]]:
    """The query of :func:`planned_jp_by_officer` (rows: officer_id, jp); ``officers``: only the officers whose
    ids that query (SQL, parameters) selects."""
    where = "year = ?"
    params: list[Any] = [year]
    if agency is not None:
        where += " AND agency = ?"
        params.append(agency)
    only = ""
    if officers is not None:
        only = f" WHERE r.officer_id IN ({officers[0]})"
        params.extend(officers[1])
    return (f"SELECT r.officer_id, SUM(r.planned_jp) AS jp FROM plan_version_rows r "
            f"JOIN (SELECT plan_id, MAX(revision) AS revision FROM plan_version_rows WHERE {where} GROUP BY plan_id) latest "
            f"ON r.plan_id = latest.plan_id AND r.revision = latest.revision{only} GROUP BY r.officer_id", tuple(params))


def curriculum_standards(store: ViewStore, *, competency_code: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if competency_code is not None:
        where.append("competency = ?")
        params.append(competency_code)
    if level is not None:
        where.append("level = ?")
        params.append(level)
    rows = store.fetchall(f"SELECT competency, level, code, title, pathways, min_jp, note, registered_at FROM plan_curriculum "
                          f"WHERE {' AND '.join(where)} ORDER BY competency, level, code", params)
    for r in rows:
        r["pathways"] = json.loads(r["pathways"])
    return rows

