"""Read model of the evaluations (BAB V): per activity Formulir 5.1 results and Formulir 5.2; per officer
and activity the ekspose with Formulir 5.3 and the 5.4 recap, and Formulir 5.5; per agency and year
the recap (V.D). Each document is built from its own aggregate's events only, so an as-of read replays
just that aggregate. Figures are stored as the events recorded them; nothing is recomputed here except
the provisional 5.4 recap shown before it is signed, which says so.
"""
from __future__ import annotations

import json
from typing import Any

import msgspec

from core.evaluation.administrative import ActivityEvaluation
from core.evaluation.facts import CELL_ITEMS, CELL_LABELS, Cell
from core.evaluation.impact import ImpactEvaluation
from core.evaluation.recap import YearlyRecap
from core.evaluation.result import ResultEvaluation
from core.evaluation.rules import FINAL_SCORE_RULE, OPEN_QUESTIONS, RULESET, recap_5_4
from projections.base import Projection, handles
from projections.store import Tx, ViewStore


def _json(value: Any) -> str:
    # msgspec encodes dates, UUIDs, decimals, records and tuples as to_builtins would give them.
    return msgspec.json.encode(value).decode()


def _b(value: Any) -> Any:
    return msgspec.to_builtins(value)


def _who(e: Any) -> dict[str, Any]:
    m = e.meta
    return {"subject": m.subject, "name": m.subject_name, "role": m.role, "on_behalf_of": m.on_behalf_of,
            "recorded_at": m.recorded_at.isoformat(), "effective_date": m.effective_date.isoformat()}


#: table -> the columns besides id, version and doc, each taken from the document.
_TABLES = {
    "ev_administrative": ("activity_id", "agency", "year"),
    "ev_results": ("activity_id", "officer_id", "agency", "year"),
    "ev_impacts": ("activity_id", "officer_id", "agency", "year"),
    "ev_recaps": ("agency", "year", "submitted"),
}


class EvaluationBook(Projection):
    name = "evaluations"
    version = 1
    tables = {
        "ev_administrative": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                             "version INTEGER NOT NULL, doc TEXT NOT NULL",
        "ev_results": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, "
                      "year INTEGER NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL",
        "ev_impacts": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, "
                      "year INTEGER NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL",
        "ev_recaps": "id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, submitted INTEGER NOT NULL, "
                     "version INTEGER NOT NULL, doc TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ev_administrative_activity_idx ON ev_administrative (activity_id)",
        "CREATE INDEX IF NOT EXISTS ev_administrative_year_idx ON ev_administrative (agency, year)",
        "CREATE INDEX IF NOT EXISTS ev_results_year_idx ON ev_results (agency, year)",
        "CREATE INDEX IF NOT EXISTS ev_impacts_year_idx ON ev_impacts (agency, year)",
        "CREATE INDEX IF NOT EXISTS ev_recaps_year_idx ON ev_recaps (agency, year)",
    )
    handler_indexes = ()

    # A document is read once per batch and written once, in ``end`` (same transaction); ``begin``
    # clears the buffer, so a rolled-back batch leaves nothing behind.

    def __init__(self) -> None:
        super().__init__()
        self._docs: dict[tuple[str, str], list[Any]] = {}  # (table, id) -> [doc, version, new]

    def begin(self, tx: Tx) -> None:
        self._docs.clear()

    def forget(self) -> None:
        self._docs.clear()

    def end(self, tx: Tx) -> None:
        docs, self._docs = self._docs, {}
        for (table, key), (doc, version, new) in docs.items():
            cols = _TABLES[table]
            values = [doc[c] if c != "submitted" else int(bool(doc["submission"])) for c in cols]
            if new:
                tx.execute(f"INSERT INTO {table} (id, {', '.join(cols)}, version, doc) VALUES (?, {', '.join('?' for _ in cols)}, ?, ?)",
                           (key, *values, version, _json(doc)))
            else:
                tx.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)}, version = ?, doc = ? WHERE id = ?",
                           (*values, version, _json(doc), key))

    def _new(self, table: str, e: Any, doc: dict[str, Any]) -> None:
        self._docs[(table, str(e.originator_id))] = [doc, e.originator_version, True]

    def _doc(self, tx: Tx, table: str, e: Any) -> dict[str, Any]:
        key = (table, str(e.originator_id))
        entry = self._docs.get(key)
        if entry is None:
            row = tx.fetchone(f"SELECT doc FROM {table} WHERE id = ?", (key[1],))
            assert row is not None, f"{table} {key[1]} has no document"
            entry = self._docs[key] = [msgspec.json.decode(row["doc"]), e.originator_version, False]
        entry[1] = e.originator_version
        doc: dict[str, Any] = entry[0]
        return doc

    # -- Formulir 5.1 and 5.2 --------------------------------------------------------------------------------

    @handles(ActivityEvaluation.Opened)
    def admin_opened(self, tx: Tx, e: ActivityEvaluation.Opened, position: int) -> None:
        self._new("ev_administrative", e, {
            "id": str(e.originator_id), "activity_id": str(e.activity_id), "agency": e.agency, "year": e.year,
            "activity": {"id": str(e.activity_id), "title": e.title, "pathway": e.pathway, "provider": e.provider_name,
                         "competency": e.competency, "start": e.start.isoformat(), "end": e.end.isoformat()},
            "handed_in": [], "open_answers": {code: [] for code, _ in OPEN_QUESTIONS}, "results": None,
            "rows": {}, "row_order": [], "overrides": {}, "verification": None, "signature": None})

    @handles(ActivityEvaluation.QuestionnaireSubmitted)
    def questionnaire(self, tx: Tx, e: ActivityEvaluation.QuestionnaireSubmitted, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        doc["handed_in"].append({"officer_id": str(e.officer_id), "nip": e.nip, "submitted_on": e.submitted_on.isoformat(),
                                 "paper": e.paper, "recorded": _who(e)})
        for code, _ in OPEN_QUESTIONS:
            answer = getattr(e, code)
            if answer:
                doc["open_answers"][code] = sorted([*doc["open_answers"][code], answer])  # unattributed, not in order handed in

    @handles(ActivityEvaluation.QuestionnaireResultsComputed)
    def questionnaire_results(self, tx: Tx, e: ActivityEvaluation.QuestionnaireResultsComputed, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        doc["results"] = {"respondents": e.respondents, "items": _b(e.items), "elements": _b(e.elements),
                          "overall": _b(e.overall), "ruleset_version": e.ruleset_version, "computed": _who(e)}

    @handles(ActivityEvaluation.RowComputed)
    def row(self, tx: Tx, e: ActivityEvaluation.RowComputed, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        oid = str(e.officer_id)
        if oid not in doc["rows"]:
            doc["row_order"].append(oid)
        doc["rows"][oid] = {k: v for k, v in _b({k: getattr(e, k) for k in (
            "officer_id", "nip", "name", "position", "level", "golongan", "unit", "competency", "pathway", "form", "plan_id",
            "plan_row_id", "plan_revision", "cells", "ruleset_version")}).items()} | {"computed": _who(e)}

    @handles(ActivityEvaluation.CellOverridden)
    def override(self, tx: Tx, e: ActivityEvaluation.CellOverridden, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        doc["overrides"][f"{e.officer_id}/{e.cell}"] = {"sesuai": e.sesuai, "computed_sesuai": e.computed_sesuai,
                                                        "reason": e.reason, **_who(e)}

    @handles(ActivityEvaluation.Verified)
    def verified(self, tx: Tx, e: ActivityEvaluation.Verified, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        doc["verification"] = {"rows": e.rows, "respondents": e.respondents, "qualitative_summary": e.qualitative_summary,
                               **_who(e)}

    @handles(ActivityEvaluation.Signed)
    def signed(self, tx: Tx, e: ActivityEvaluation.Signed, position: int) -> None:
        doc = self._doc(tx, "ev_administrative", e)
        doc["signature"] = {"name": e.name, "nip": e.nip, "capacity": e.capacity, "place": e.place,
                            "signed_on": e.signed_on.isoformat(), "recorded": _who(e)}

    # -- ekspose, Formulir 5.3 and 5.4 --------------------------------------------------------------------------

    @handles(ResultEvaluation.EksposeScheduled)
    def ekspose(self, tx: Tx, e: ResultEvaluation.EksposeScheduled, position: int) -> None:
        self._new("ev_results", e, {
            "id": str(e.originator_id), "activity_id": str(e.activity_id), "officer_id": str(e.officer_id), "agency": e.agency,
            "year": e.year, "officer": {"nip": e.nip, "name": e.name, "position": e.position, "level": e.level, "unit": e.unit},
            "programme": e.programme, "pathway": e.pathway, "competency": e.competency, "activity_end": e.activity_end.isoformat(),
            "indicators": _b(e.indicators), "ekspose": {"held_on": e.held_on.isoformat(), "place": e.place, "scheduled": _who(e),
                                                         "reschedules": []},
            "assessments": [], "recap": None})

    @handles(ResultEvaluation.EksposeRescheduled)
    def rescheduled(self, tx: Tx, e: ResultEvaluation.EksposeRescheduled, position: int) -> None:
        doc = self._doc(tx, "ev_results", e)
        ek = doc["ekspose"]
        ek["reschedules"].append({"from": ek["held_on"], "reason": e.reason, **_who(e)})
        ek["held_on"], ek["place"] = e.held_on.isoformat(), e.place

    @handles(ResultEvaluation.AssessmentRecorded)
    def assessment(self, tx: Tx, e: ResultEvaluation.AssessmentRecorded, position: int) -> None:
        doc = self._doc(tx, "ev_results", e)
        doc["assessments"].append({
            "assessment_id": str(e.assessment_id), "assessor": {"name": e.assessor_name, "nip": e.assessor_nip,
                                                                "position": e.assessor_position, "capacity": e.capacity},
            "assessed_on": e.assessed_on.isoformat(),
            "scores": {i["indicator_id"]: s for i, s in zip(doc["indicators"], e.scores, strict=True)}, "recorded": _who(e)})

    @handles(ResultEvaluation.RecapSigned)
    def result_signed(self, tx: Tx, e: ResultEvaluation.RecapSigned, position: int) -> None:
        doc = self._doc(tx, "ev_results", e)
        doc["recap"] = {"indicators": _b(e.indicators), "final_score": str(e.final_score), "assessors": e.assessors,
                        "rule": e.rule, "ruleset_version": e.ruleset_version,
                        "signature": {"name": e.signer_name, "nip": e.signer_nip, "position": e.signer_position,
                                      "signed_on": e.signed_on.isoformat(), "recorded": _who(e)}}

    # -- Formulir 5.5 ---------------------------------------------------------------------------------------------

    @handles(ImpactEvaluation.Opened)
    def impact_opened(self, tx: Tx, e: ImpactEvaluation.Opened, position: int) -> None:
        self._new("ev_impacts", e, {
            "id": str(e.originator_id), "activity_id": str(e.activity_id), "officer_id": str(e.officer_id), "agency": e.agency,
            "year": e.year, "officer": {"nip": e.nip, "name": e.name, "supervisor_nip": e.supervisor_nip},
            "programme": e.programme, "pathway": e.pathway, "competency": e.competency, "activity_end": e.activity_end.isoformat(),
            "files": [], "self": None, "self_revisions": [], "supervisor": None, "dialogue": [], "signatures": {}, "voided": []})

    @handles(ImpactEvaluation.EvidenceAttached)
    def evidence(self, tx: Tx, e: ImpactEvaluation.EvidenceAttached, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        doc["files"].append({"sha256": e.sha256, "content_type": e.content_type, "size": e.size, "filename": e.filename,
                             "attached": _who(e)})

    @handles(ImpactEvaluation.SelfAssessed)
    def self_assessed(self, tx: Tx, e: ImpactEvaluation.SelfAssessed, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        doc["self"] = {"revision": e.revision, "competency": e.competency, "activity": e.activity, "obstacles": e.obstacles,
                       "items": _b(e.items), "written": _who(e)}
        doc["self_revisions"].append({"revision": e.revision, "written": _who(e)})

    @handles(ImpactEvaluation.SupervisorAssessed)
    def supervisor_assessed(self, tx: Tx, e: ImpactEvaluation.SupervisorAssessed, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        doc["supervisor"] = {"note": e.note, "added": _b(e.added), "removed": _b(e.removed), "assessed": _who(e)}

    @handles(ImpactEvaluation.DialogueItemConfirmed, ImpactEvaluation.DialogueItemAdded, ImpactEvaluation.DialogueItemRemoved,
             ImpactEvaluation.DialogueNoteAdded)
    def dialogue(self, tx: Tx, e: Any, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        entry: dict[str, Any] = {"held_on": e.held_on.isoformat(), "recorded": _who(e)}
        if isinstance(e, ImpactEvaluation.DialogueItemConfirmed):
            entry |= {"action": "confirm", "item_id": e.item_id}
        elif isinstance(e, ImpactEvaluation.DialogueItemAdded):
            entry |= {"action": "add", "item": _b(e.item)}
        elif isinstance(e, ImpactEvaluation.DialogueItemRemoved):
            entry |= {"action": "remove", "item_id": e.item_id, "reason": e.reason}
        else:
            entry |= {"action": "note", "note": e.note}
        doc["dialogue"].append(entry)

    @handles(ImpactEvaluation.Signed)
    def impact_signed(self, tx: Tx, e: ImpactEvaluation.Signed, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        doc["signatures"][e.party] = {"name": e.name, "nip": e.nip, **_who(e)}

    @handles(ImpactEvaluation.SignaturesVoided)
    def impact_voided(self, tx: Tx, e: ImpactEvaluation.SignaturesVoided, position: int) -> None:
        doc = self._doc(tx, "ev_impacts", e)
        doc["voided"].append({"signatures": doc["signatures"], "reason": e.reason, **_who(e)})
        doc["signatures"] = {}

    # -- the yearly recap -------------------------------------------------------------------------------------------

    @handles(YearlyRecap.Opened)
    def recap_opened(self, tx: Tx, e: YearlyRecap.Opened, position: int) -> None:
        self._new("ev_recaps", e, {"id": str(e.originator_id), "agency": e.agency, "year": e.year, "computed": None,
                                   "computations": 0, "finalisation": None, "submission": None})

    @handles(YearlyRecap.Computed)
    def recap_computed(self, tx: Tx, e: YearlyRecap.Computed, position: int) -> None:
        doc = self._doc(tx, "ev_recaps", e)
        doc["computations"] += 1
        doc["computed"] = {k: _b(getattr(e, k)) for k in (
            "activities", "participants", "questionnaires", "results_signed", "impacts_agreed", "by_kind_and_pathway", "patterns",
            "programmes", "providers", "by_level", "ruleset_version")} | {"recorded": _who(e)}

    @handles(YearlyRecap.Finalised)
    def recap_finalised(self, tx: Tx, e: YearlyRecap.Finalised, position: int) -> None:
        doc = self._doc(tx, "ev_recaps", e)
        doc["finalisation"] = {"analysis": e.analysis, "overrides": _b(e.overrides), "finalised_on": e.finalised_on.isoformat(),
                               "recorded": _who(e)}

    @handles(YearlyRecap.Submitted)
    def recap_submitted(self, tx: Tx, e: YearlyRecap.Submitted, position: int) -> None:
        doc = self._doc(tx, "ev_recaps", e)
        doc["submission"] = {"recipient": e.recipient, "submitted_on": e.submitted_on.isoformat(), "recorded": _who(e)}


# -- queries ------------------------------------------------------------------------------------------------------


def _load(store: ViewStore, table: str, where: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    row = store.fetchone(f"SELECT doc, version FROM {table} WHERE {where}", params)
    if row is None:
        return None
    doc: dict[str, Any] = json.loads(row["doc"])
    doc["version"] = row["version"]
    return doc


def administrative(store: ViewStore, activity_id: str) -> dict[str, Any] | None:
    """Formulir 5.1 results and Formulir 5.2 of one activity."""
    doc = _load(store, "ev_administrative", "activity_id = ?", (activity_id,))
    if doc is None:
        return None
    rows = []
    for n, oid in enumerate(doc["row_order"], start=1):
        r = doc["rows"][oid]
        cells = []
        for c in r["cells"]:
            over = doc["overrides"].get(f"{oid}/{c['cell']}")
            value = over["sesuai"] if over else c["sesuai"]
            cells.append({"cell": c["cell"], "label": CELL_LABELS[Cell(c["cell"])], "item": CELL_ITEMS[Cell(c["cell"])],
                          "value": "sesuai" if value else "tidak", "computed": {k: v for k, v in c.items() if k != "cell"},
                          "override": over})
        handed = next((h for h in doc["handed_in"] if h["officer_id"] == oid), None)
        rows.append({"no": n, "officer_id": oid, "nama_pemangku_jf": {"name": r["name"], "nip": r["nip"]},
                     "jabatan_tingkatan_golongan": {"position": r["position"], "level": r["level"], "golongan": r["golongan"],
                                                    "unit": r["unit"]},
                     "kompetensi_dikembangkan": r["competency"],
                     "bentuk_pengembangan": {"jenis": r["form"], "jalur": r["pathway"]},
                     "plan_row": {"plan_id": r["plan_id"], "row_id": r["plan_row_id"], "revision": r["plan_revision"]}
                     if r["plan_row_id"] else None,
                     "kesesuaian": cells, "questionnaire_handed_in": handed["submitted_on"] if handed else None,
                     "computed": r["computed"], "ruleset_version": r["ruleset_version"]})
    results = doc["results"]
    return {
        "activity_id": doc["activity_id"], "agency": doc["agency"], "year": doc["year"], "activity": doc["activity"],
        "version": doc["version"],
        "formulir_5_1": {
            "respondents": len(doc["handed_in"]), "handed_in": doc["handed_in"], "results": results,
            "open_answers": [{"question": q, "code": code, "answers": doc["open_answers"][code]} for code, q in OPEN_QUESTIONS],
        },
        "formulir_5_2": {
            "nama_instansi": doc["agency"], "rows": rows,
            "evaluasi_kualitas_program": {"kuantitatif": results["overall"] if results else None,
                                          "kualitatif": (doc["verification"] or {}).get("qualitative_summary")},
            "verification": doc["verification"], "signature": doc["signature"],
            "status": "signed" if doc["signature"] else "verified" if doc["verification"] else "draft" if rows else "open",
        },
    }


def administrative_list(store: ViewStore, *, agency: str | None, year: int | None) -> list[dict[str, Any]]:
    where, params = ["1 = 1"], []
    for col, val in (("agency", agency), ("year", year)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    rows = store.fetchall(f"SELECT activity_id FROM ev_administrative WHERE {' AND '.join(where)} ORDER BY year, activity_id", params)
    return [doc for r in rows if (doc := administrative(store, r["activity_id"])) is not None]


def result(store: ViewStore, activity_id: str, officer_id: str) -> dict[str, Any] | None:
    """The ekspose, every Formulir 5.3 and the Formulir 5.4 recap (provisional until signed) of one officer."""
    doc = _load(store, "ev_results", "activity_id = ? AND officer_id = ?", (activity_id, officer_id))
    if doc is None:
        return None
    recap = doc.pop("recap")
    forms = [a["scores"] for a in doc["assessments"]]
    if recap is not None:
        f54 = {"status": "signed", **recap}
    elif forms:
        rows, final = recap_5_4([(i["indicator_id"], i["text"]) for i in doc["indicators"]], forms)
        f54 = {"status": "provisional", "indicators": _b(rows), "final_score": str(final), "assessors": len(forms),
               "rule": FINAL_SCORE_RULE, "ruleset_version": RULESET, "signature": None}
    else:
        f54 = {"status": "no assessments yet", "indicators": [], "final_score": None, "assessors": 0, "signature": None}
    doc["formulir_5_3"] = [{"no": n, **a} for n, a in enumerate(doc.pop("assessments"), start=1)]
    doc["formulir_5_4"] = f54
    return doc


def _removed_ids(removals: list[dict[str, Any]]) -> dict[str, str]:
    return {r["item_id"]: r["reason"] for r in removals}


def impact(store: ViewStore, activity_id: str, officer_id: str) -> dict[str, Any] | None:
    """Formulir 5.5 read three ways: as the officer wrote it, as the supervisor assessed it, as agreed."""
    doc = _load(store, "ev_impacts", "activity_id = ? AND officer_id = ?", (activity_id, officer_id))
    if doc is None:
        return None
    own = doc["self"]
    written = None if own is None else {"competency": own["competency"], "activity": own["activity"],
                                        "obstacles": own["obstacles"], "items": own["items"], "written": own["written"]}
    assessed = None
    agreed = None
    if own is not None and doc["supervisor"] is not None:
        sup = doc["supervisor"]
        removed = _removed_ids(sup["removed"])
        items = [{**i, "origin": "officer", "status": "removed" if i["item_id"] in removed else "kept",
                  "removal_reason": removed.get(i["item_id"])} for i in own["items"]]
        items += [{**i, "origin": "supervisor", "status": "added", "removal_reason": None} for i in sup["added"]]
        assessed = {"items": items, "note": sup["note"], "assessed": sup["assessed"]}
        current = {i["item_id"]: dict(i) for i in items if i["status"] != "removed"}
        gone = [dict(i) for i in items if i["status"] == "removed"]
        notes = []
        for d in doc["dialogue"]:
            if d["action"] == "confirm" and d["item_id"] in current:
                current[d["item_id"]]["confirmed_on"] = d["held_on"]
            elif d["action"] == "add":
                current[d["item"]["item_id"]] = {**d["item"], "origin": "dialogue", "status": "added", "removal_reason": None,
                                                 "confirmed_on": d["held_on"]}
            elif d["action"] == "remove" and d["item_id"] in current:
                item = current.pop(d["item_id"])
                gone.append({**item, "status": "removed in the dialogue", "removal_reason": d["reason"]})
            elif d["action"] == "note":
                notes.append({"note": d["note"], "held_on": d["held_on"]})
        if doc["dialogue"]:
            agreed = {"items": [{"confirmed_on": None, **i} for i in current.values()], "removed": gone, "notes": notes,
                      "held_on": sorted({d["held_on"] for d in doc["dialogue"]})}
    both = {"officer", "supervisor"} <= set(doc["signatures"])
    return {
        "formulir": "5.5", "id": doc["id"], "activity_id": doc["activity_id"], "officer_id": doc["officer_id"],
        "agency": doc["agency"], "year": doc["year"], "officer": doc["officer"], "programme": doc["programme"],
        "pathway": doc["pathway"], "competency": own["competency"] if own else doc["competency"], "version": doc["version"],
        "evidence_files": doc["files"], "as_written": written, "self_revisions": doc["self_revisions"],
        "as_assessed": assessed, "as_agreed": agreed, "dialogue": doc["dialogue"], "signatures": doc["signatures"],
        "voided_signatures": doc["voided"],
        "status": "agreed" if both else "in dialogue" if doc["dialogue"] else "assessed" if assessed else
                  "written" if written else "opened",
    }


def recap(store: ViewStore, agency: str, year: int) -> dict[str, Any] | None:
    doc = _load(store, "ev_recaps", "agency = ? AND year = ?", (agency, year))
    if doc is None:
        return None
    computed = doc["computed"]
    final = doc["finalisation"]
    if computed is not None:
        overrides = {(o["kind"], o["key"]): o for o in (final or {}).get("overrides", [])}
        for kind in ("programmes", "providers"):
            for r in computed[kind]:
                o = overrides.get((r["kind"], r["key"]))
                r["final_recommendation"] = (o["recommendation"] if o else r["recommendation"]) if final else None
                r["override"] = o
    doc["status"] = "submitted" if doc["submission"] else "finalised" if final else "computed" if computed else "opened"
    return doc


def recaps(store: ViewStore, *, agency: str | None, year: int | None, submitted_only: bool) -> list[dict[str, Any]]:
    where, params = ["1 = 1"], []
    for col, val in (("agency", agency), ("year", year)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if submitted_only:
        where.append("submitted = 1")
    rows = store.fetchall(f"SELECT id, agency, year, submitted, version FROM ev_recaps WHERE {' AND '.join(where)} "
                          "ORDER BY year, agency", params)
    return [{**r, "submitted": bool(r["submitted"])} for r in rows]


def submitted_recap(store: ViewStore, agency: str, year: int) -> bool:
    row = store.fetchone("SELECT submitted FROM ev_recaps WHERE agency = ? AND year = ?", (agency, year))
    return bool(row and row["submitted"])


__all__ = ["EvaluationBook", "administrative", "administrative_list", "impact", "recap", "recaps", "result", "submitted_recap"]
