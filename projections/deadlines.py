"""Deadline read model (BAB II and V; docs/guideline.md): per agency and plan year, what is due, what is done
(and whether late) and what is overdue by how many days — the planning half here, the evaluation half (BAB V)
from :mod:`projections.evaluation_deadlines`, mixed in. The due dates come from :mod:`core.deadlines`
and :mod:`core.evaluation.deadlines`; the handlers record when each step was done (its effective date)."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.assessment import CompetencyAssessment
from core.deadlines import Step, due_dates, status
from core.officers import Officer
from core.performance import PerformanceReview
from core.planning import DevelopmentPlan
from projections import evaluation_deadlines as ev
from projections.base import Projection, handles
from projections.queries import in_lists
from projections.store import Tx, ViewStore


class DeadlineLedger(ev.EvaluationDeadlineHandlers, Projection):
    name = "deadlines"
    version = 2
    tables = {
        "dl_officers": "officer_id TEXT PRIMARY KEY, agency TEXT NOT NULL, nip TEXT NOT NULL, name TEXT NOT NULL, "
                       "registered_on TEXT NOT NULL, withdrawn INTEGER NOT NULL",
        "dl_records": "id TEXT PRIMARY KEY, kind TEXT NOT NULL, agency TEXT NOT NULL, subject TEXT NOT NULL, year INTEGER NOT NULL",
        "dl_done": "agency TEXT NOT NULL, plan_year INTEGER NOT NULL, step TEXT NOT NULL, subject TEXT NOT NULL, "
                   "done_on TEXT NOT NULL, PRIMARY KEY (agency, plan_year, step, subject)",
        **ev.TABLES,
    }
    indexes = ("CREATE INDEX IF NOT EXISTS dl_officers_agency_idx ON dl_officers (agency)", *ev.INDEXES)

    @handles(Officer.Registered)
    def registered(self, tx: Tx, e: Officer.Registered, position: int) -> None:
        tx.execute("INSERT INTO dl_officers (officer_id, agency, nip, name, registered_on, withdrawn) VALUES (?, ?, ?, ?, ?, 0)",
                   (str(e.originator_id), e.agency, e.nip, e.name, e.meta.effective_date.isoformat()))

    @handles(Officer.RegistrationWithdrawn)
    def withdrawn(self, tx: Tx, e: Officer.RegistrationWithdrawn, position: int) -> None:
        tx.execute("UPDATE dl_officers SET withdrawn = 1 WHERE officer_id = ?", (str(e.originator_id),))

    # A step done is recorded once (its first completion stands): an INSERT … ON CONFLICT DO NOTHING,
    # in log order. Resolving a completion needs its record's agency/subject/year, and a lookup in the
    # batched transaction first sends every buffered write: so the handlers only note the completion and
    # :meth:`end` reads the records the batch needs in one query per 500, then inserts the batch's
    # completions together. dl_records is only ever inserted into, so resolving later in the same
    # transaction gives the same rows. ``begin`` clears what a failed (rolled back) batch may have left.

    def __init__(self) -> None:
        super().__init__()
        #: Records opened in this batch: id -> (agency, subject, year).
        self._records: dict[str, tuple[str, str, int]] = {}
        #: Completions noted in this batch, in log order: (record id, step, years to the plan year, done on).
        self._completions: list[tuple[str, str, int, str]] = []

    def begin(self, tx: Tx) -> None:
        self.forget()

    def forget(self) -> None:
        self._records.clear()
        self._completions.clear()

    def end(self, tx: Tx) -> None:
        completions, self._completions = self._completions, []
        records, self._records = self._records, {}
        if not completions:
            return
        need = list({rid: None for rid, _, _, _ in completions if rid not in records})
        for marks, ids in in_lists(need):
            for r in tx.fetchall(f"SELECT id, agency, subject, year FROM dl_records WHERE id IN ({marks})", ids):
                records[r["id"]] = (r["agency"], r["subject"], r["year"])
        rows = []
        for rid, step, plan_year_of, done_on in completions:
            rec = records.get(rid)
            assert rec is not None, f"deadline record {rid} is not in the ledger"
            rows.append((rec[0], rec[2] + plan_year_of, step, rec[1], done_on))
        tx.executemany("INSERT INTO dl_done (agency, plan_year, step, subject, done_on) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (agency, plan_year, step, subject) DO NOTHING", rows)

    def _remember(self, tx: Tx, e: Any, kind: str, agency: str, subject: str, year: int) -> None:
        rid = str(e.originator_id)
        tx.execute("INSERT INTO dl_records (id, kind, agency, subject, year) VALUES (?, ?, ?, ?, ?)",
                   (rid, kind, agency, subject, year))
        self._records[rid] = (agency, subject, year)

    def _done(self, tx: Tx, e: Any, step: Step, plan_year_of: int = 0) -> None:
        self._completions.append((str(e.originator_id), step.value, plan_year_of, e.meta.effective_date.isoformat()))

    @handles(CompetencyAssessment.Opened)
    def assessment(self, tx: Tx, e: CompetencyAssessment.Opened, position: int) -> None:
        self._remember(tx, e, "assessment", e.agency, str(e.officer_id), e.year)

    @handles(CompetencyAssessment.GapAnalysisClosed)
    def assessment_closed(self, tx: Tx, e: CompetencyAssessment.GapAnalysisClosed, position: int) -> None:
        self._done(tx, e, Step.COMPETENCY_GAP, 1)  # the assessment of year Y feeds the plan for Y + 1

    @handles(PerformanceReview.Opened)
    def review(self, tx: Tx, e: PerformanceReview.Opened, position: int) -> None:
        self._remember(tx, e, "review", e.agency, str(e.officer_id), e.year)

    @handles(PerformanceReview.Signed)
    def review_signed(self, tx: Tx, e: PerformanceReview.Signed, position: int) -> None:
        self._done(tx, e, Step.PERFORMANCE_GAP, 2)  # the 2.5 measuring year Y feeds the plan for Y + 2

    @handles(DevelopmentPlan.Opened)
    def plan(self, tx: Tx, e: DevelopmentPlan.Opened, position: int) -> None:
        self._remember(tx, e, "plan", e.agency, str(e.originator_id), e.year)

    @handles(DevelopmentPlan.SignedByHead)
    def plan_signed(self, tx: Tx, e: DevelopmentPlan.SignedByHead, position: int) -> None:
        self._done(tx, e, Step.PLAN_COMPOSED)

    @handles(DevelopmentPlan.Submitted)
    def plan_submitted(self, tx: Tx, e: DevelopmentPlan.Submitted, position: int) -> None:
        self._done(tx, e, Step.SUBMITTED_PEMBINA if e.recipient == "pembina" else Step.SUBMITTED_LAN)


def deadlines(store: ViewStore, *, agency: str, plan_year: int, today: date) -> dict[str, Any]:
    """Every step of the planning half for ``agency``'s plan ``plan_year``: due date, done date, status, days late."""
    officers = store.fetchall("SELECT officer_id, nip, name, registered_on FROM dl_officers WHERE agency = ? AND withdrawn = 0 "
                              "ORDER BY name, nip", (agency,))
    done = {(r["step"], r["subject"]): date.fromisoformat(r["done_on"]) for r in store.fetchall(
        "SELECT step, subject, done_on FROM dl_done WHERE agency = ? AND plan_year = ?", (agency, plan_year))}
    items = []
    for d in due_dates(plan_year):
        subjects: list[tuple[str, dict[str, Any]]]
        if d.per_officer:
            subjects = [(o["officer_id"], {"officer_id": o["officer_id"], "nip": o["nip"], "name": o["name"]}) for o in officers]
        else:
            subjects = [("plan", {"plan": f"{agency} {plan_year}"})]
        for key, who in subjects:
            done_on: date | None
            if d.step == Step.PROFILE:
                done_on = next(date.fromisoformat(o["registered_on"]) for o in officers if o["officer_id"] == key)
            elif key == "plan":
                done_on = next((v for (step, _), v in done.items() if step == d.step.value), None)
            else:
                done_on = done.get((d.step.value, key))
            state, days = status(d.due, done_on, today)
            items.append({"step": d.step.value, **who, "due": d.due.isoformat(), "done_on": done_on.isoformat() if done_on else None,
                          "status": state, "days_late": days, "citation": d.citation})
    evaluation = ev.evaluation_items(store, agency=agency, year=plan_year, today=today)  # BAB V, for the activities of the plan year
    items += evaluation
    summary = {s: sum(1 for i in items if i["status"] == s) for s in ("due", "overdue", "done", "done_late", "recommended")}
    return {"agency": agency, "plan_year": plan_year, "today": today.isoformat(), "summary": summary, "items": items,
            "findings": ev.evaluation_findings(evaluation)}
