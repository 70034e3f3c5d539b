"""The evaluation half of the deadline read model (BAB V): per activity of the plan year and participant,
the report + Formulir 5.1 (two weeks), the result evaluation (one month), impact monitoring (from three
months) and Formulir 5.5 (by January of the next year); per agency the recap (Q1 of the next year).

:class:`EvaluationDeadlineHandlers` is mixed into :class:`projections.deadlines.DeadlineLedger`, so the
planning and the evaluation deadlines are one read model (``deadlines``); its tables are listed in
:data:`TABLES`. The due dates come from :mod:`core.evaluation.deadlines`; this module records when each
step was done (its effective date).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from core.activities import Activity
from core.evaluation.administrative import ActivityEvaluation
from core.evaluation.deadlines import (
    Step,
    finding,
    impact_due,
    impact_monitoring_from,
    item,
    recap_due,
    report_due,
    result_due,
)
from core.evaluation.impact import ImpactEvaluation
from core.evaluation.recap import YearlyRecap
from core.evaluation.result import ResultEvaluation
from projections.base import handles
from projections.store import Tx, ViewStore

TABLES = {
    "dl_ev_activities": "activity_id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, title TEXT NOT NULL, "
                        "end_date TEXT NOT NULL, needs_report INTEGER NOT NULL",
    "dl_ev_participants": "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, nip TEXT NOT NULL, name TEXT NOT NULL, "
                          "active INTEGER NOT NULL, PRIMARY KEY (activity_id, officer_id)",
    "dl_ev_records": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL",
    "dl_ev_done": "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, step TEXT NOT NULL, done_on TEXT NOT NULL, "
                  "PRIMARY KEY (activity_id, officer_id, step)",
    "dl_ev_recaps": "agency TEXT NOT NULL, year INTEGER NOT NULL, submitted_on TEXT NOT NULL, PRIMARY KEY (agency, year)",
}
INDEXES = ("CREATE INDEX IF NOT EXISTS dl_ev_activities_year_idx ON dl_ev_activities (agency, year)",)


class EvaluationDeadlineHandlers:
    """Handlers of the evaluation steps; every completion is recorded once (the first stands)."""

    def _ev_done(self, tx: Tx, activity_id: str, officer_id: str, step: str, on: date) -> None:
        # The first completion stands: no read (which would first send every buffered write), a conflict does nothing.
        tx.execute("INSERT INTO dl_ev_done (activity_id, officer_id, step, done_on) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (activity_id, officer_id, step) DO NOTHING", (activity_id, officer_id, step, on.isoformat()))

    def _ev_record(self, tx: Tx, e: Any, step: str, on: date) -> None:
        row = tx.fetchone("SELECT activity_id, officer_id FROM dl_ev_records WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        self._ev_done(tx, row["activity_id"], row["officer_id"], step, on)

    @handles(Activity.Created)
    def ev_activity(self, tx: Tx, e: Activity.Created, position: int) -> None:
        tx.execute("INSERT INTO dl_ev_activities (activity_id, agency, year, title, end_date, needs_report) VALUES (?, ?, ?, ?, ?, ?)",
                   (str(e.originator_id), e.agency, e.year, e.title, e.end.isoformat(), int("report" in e.evidence_required)))

    @handles(Activity.ParticipantSelected)
    def ev_participant(self, tx: Tx, e: Activity.ParticipantSelected, position: int) -> None:
        # A participant selected again is active again (as first recorded otherwise): one upsert, no read.
        tx.execute("INSERT INTO dl_ev_participants (activity_id, officer_id, nip, name, active) VALUES (?, ?, ?, ?, 1) "
                   "ON CONFLICT (activity_id, officer_id) DO UPDATE SET active = 1",
                   (str(e.originator_id), str(e.officer_id), e.nip, e.name))

    @handles(Activity.ParticipantDeselected)
    def ev_deselected(self, tx: Tx, e: Activity.ParticipantDeselected, position: int) -> None:
        tx.execute("UPDATE dl_ev_participants SET active = 0 WHERE activity_id = ? AND officer_id = ?",
                   (str(e.originator_id), str(e.officer_id)))

    @handles(Activity.ReportSubmitted)
    def ev_report(self, tx: Tx, e: Activity.ReportSubmitted, position: int) -> None:
        self._ev_done(tx, str(e.originator_id), str(e.officer_id), "report", e.submitted_on)

    @handles(ActivityEvaluation.Opened)
    def ev_admin(self, tx: Tx, e: ActivityEvaluation.Opened, position: int) -> None:
        tx.execute("INSERT INTO dl_ev_records (id, activity_id, officer_id) VALUES (?, ?, '')",
                   (str(e.originator_id), str(e.activity_id)))

    @handles(ActivityEvaluation.QuestionnaireSubmitted)
    def ev_questionnaire(self, tx: Tx, e: ActivityEvaluation.QuestionnaireSubmitted, position: int) -> None:
        row = tx.fetchone("SELECT activity_id FROM dl_ev_records WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        self._ev_done(tx, row["activity_id"], str(e.officer_id), "questionnaire", e.submitted_on)

    @handles(ResultEvaluation.EksposeScheduled, ImpactEvaluation.Opened)
    def ev_officer_record(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute("INSERT INTO dl_ev_records (id, activity_id, officer_id) VALUES (?, ?, ?)",
                   (str(e.originator_id), str(e.activity_id), str(e.officer_id)))

    @handles(ResultEvaluation.RecapSigned)
    def ev_result(self, tx: Tx, e: ResultEvaluation.RecapSigned, position: int) -> None:
        self._ev_record(tx, e, "result", e.signed_on)

    @handles(ImpactEvaluation.SelfAssessed)
    def ev_impact_started(self, tx: Tx, e: ImpactEvaluation.SelfAssessed, position: int) -> None:
        self._ev_record(tx, e, "impact_started", e.meta.effective_date)

    @handles(ImpactEvaluation.Signed)
    def ev_impact_signed(self, tx: Tx, e: ImpactEvaluation.Signed, position: int) -> None:
        self._ev_record(tx, e, f"impact_signed_{e.party}", e.meta.effective_date)

    @handles(ImpactEvaluation.SignaturesVoided)
    def ev_impact_voided(self, tx: Tx, e: ImpactEvaluation.SignaturesVoided, position: int) -> None:
        row = tx.fetchone("SELECT activity_id, officer_id FROM dl_ev_records WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        tx.execute("DELETE FROM dl_ev_done WHERE activity_id = ? AND officer_id = ? AND step IN (?, ?)",
                   (row["activity_id"], row["officer_id"], "impact_signed_officer", "impact_signed_supervisor"))

    @handles(YearlyRecap.Opened)
    def ev_recap(self, tx: Tx, e: YearlyRecap.Opened, position: int) -> None:
        tx.execute("INSERT INTO dl_ev_records (id, activity_id, officer_id) VALUES (?, ?, ?)",
                   (str(e.originator_id), e.agency, str(e.year)))

    @handles(YearlyRecap.Submitted)
    def ev_recap_submitted(self, tx: Tx, e: YearlyRecap.Submitted, position: int) -> None:
        row = tx.fetchone("SELECT activity_id, officer_id FROM dl_ev_records WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        tx.execute("INSERT INTO dl_ev_recaps (agency, year, submitted_on) VALUES (?, ?, ?)",
                   (row["activity_id"], int(row["officer_id"]), e.submitted_on.isoformat()))


def evaluation_activities(store: ViewStore, *, agency: str, year: int) -> list[str]:
    """The ids of the agency's activities of ``year`` (the recap covers them)."""
    return [r["activity_id"] for r in store.fetchall(
        "SELECT activity_id FROM dl_ev_activities WHERE agency = ? AND year = ? ORDER BY activity_id", (agency, year))]


def evaluation_items(store: ViewStore, *, agency: str, year: int, today: date,
                     activity_id: str | None = None) -> list[dict[str, Any]]:
    """Every evaluation step of ``agency``'s activities of ``year`` (or of one activity), with due date and status."""
    where, params = "a.agency = ? AND a.year = ?", [agency, year]
    if activity_id is not None:
        where += " AND a.activity_id = ?"
        params.append(activity_id)
    rows = store.fetchall(
        "SELECT a.activity_id, a.title, a.end_date, a.needs_report, p.officer_id, p.nip, p.name FROM dl_ev_activities a "
        f"JOIN dl_ev_participants p ON p.activity_id = a.activity_id WHERE {where} AND p.active = 1 "
        "ORDER BY a.end_date, a.title, p.name, p.nip", params)
    done: dict[tuple[str, str], dict[str, date]] = {}
    for d in store.fetchall("SELECT d.activity_id, d.officer_id, d.step, d.done_on FROM dl_ev_done d JOIN dl_ev_activities a "
                            f"ON a.activity_id = d.activity_id WHERE {where}", params):
        done.setdefault((d["activity_id"], d["officer_id"]), {})[d["step"]] = date.fromisoformat(d["done_on"])
    items = []
    for r in rows:
        end = date.fromisoformat(r["end_date"])
        steps = done.get((r["activity_id"], r["officer_id"]), {})
        who = {"activity_id": r["activity_id"], "activity_title": r["title"], "officer_id": r["officer_id"], "nip": r["nip"],
               "name": r["name"]}
        needed = {"questionnaire": "the questionnaire (Formulir 5.1)"} | ({"report": "the report"} if r["needs_report"] else {})
        missing = [what for step, what in sorted(needed.items(), reverse=True) if step not in steps]
        handed = None if missing else max(steps[s] for s in needed)
        items.append(item(Step.REPORT_QUESTIONNAIRE, report_due(end), handed, today, **who, missing=missing))
        items.append(item(Step.RESULT, result_due(end), steps.get("result"), today, **who))
        items.append(item(Step.IMPACT_MONITORING, impact_monitoring_from(end), steps.get("impact_started"), today, **who))
        signed = [steps.get("impact_signed_officer"), steps.get("impact_signed_supervisor")]
        items.append(item(Step.IMPACT, impact_due(year), max(signed) if all(signed) else None, today, **who))  # type: ignore[type-var]
    if activity_id is None:
        sub = store.fetchone("SELECT submitted_on FROM dl_ev_recaps WHERE agency = ? AND year = ?", (agency, year))
        items.append(item(Step.RECAP, recap_due(year), date.fromisoformat(sub["submitted_on"]) if sub else None, today,
                          agency=agency, year=year))
    return items


def evaluation_findings(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for it in items if (f := finding(it)) is not None]


__all__ = ["INDEXES", "TABLES", "EvaluationDeadlineHandlers", "evaluation_activities", "evaluation_findings", "evaluation_items"]
