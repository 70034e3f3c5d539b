"""The national read model (issue 11): the agency directory and flat, aggregate-friendly rows of what
every agency recorded — officers, the plan cycle's stage dates, the plan rows as validated, registered
budgets, activities and their participants (JP credited, certificates), the 180° gap analyses, the
performance reviews and the evaluation results of BAB V — from which :mod:`projections.national_queries`
computes the national recaps for the Instansi Pembina, LAN, BKN and auditors.

Every value is what an event recorded (money as decimal text, dates as ISO text): nothing is
recomputed here, and each row is built from its own aggregate's events, so the whole model rebuilds
identically from the log (``pengkom verify national``).
"""
from __future__ import annotations

from typing import Any

from core.activities import Activity
from core.agencies import Agency
from core.assessment import CompetencyAssessment
from core.evaluation.administrative import ActivityEvaluation
from core.evaluation.impact import ImpactEvaluation
from core.evaluation.recap import YearlyRecap
from core.evaluation.result import ResultEvaluation
from core.officers import Officer
from core.performance import PerformanceReview
from core.planning import DevelopmentPlan
from core.proposal import DevelopmentProposal
from projections.base import Projection, handles
from projections.queries import in_lists
from projections.store import Tx

_ROW_COLS = ("officer_id", "nip", "officer_name", "employee_type", "level", "competency", "pathway", "programme", "provider",
             "funding_source", "budget", "planned_jp")
_ROW_TABLE = ("plan_id TEXT NOT NULL, row_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, seq BIGINT NOT NULL, "
              "officer_id TEXT NOT NULL, nip TEXT NOT NULL, officer_name TEXT NOT NULL, employee_type TEXT NOT NULL, "
              "level TEXT NOT NULL, competency TEXT NOT NULL, pathway TEXT NOT NULL, programme TEXT NOT NULL, provider TEXT, "
              "funding_source TEXT NOT NULL, budget TEXT NOT NULL, planned_jp INTEGER NOT NULL")
#: The cycle of plan year Y begins with the 180° assessment of Y − 1 and the Formulir 2.5 measuring Y − 2.
ASSESSMENT_LEAD = 1
REVIEW_LEAD = 2




class NationalRecords(Projection):
    name = "national"
    version = 1
    tables = {
        "nat_agencies": "code TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, province TEXT NOT NULL, regency TEXT, "
                        "version INTEGER NOT NULL, registered_on TEXT NOT NULL, changed_on TEXT",
        "nat_officers": "officer_id TEXT PRIMARY KEY, agency TEXT NOT NULL, nip TEXT NOT NULL, name TEXT NOT NULL, "
                        "employee_type TEXT NOT NULL, level TEXT NOT NULL, position TEXT NOT NULL, unit TEXT NOT NULL, "
                        "registered_on TEXT NOT NULL, withdrawn INTEGER NOT NULL",
        "nat_cycles": "agency TEXT NOT NULL, plan_year INTEGER NOT NULL, inventory_on TEXT NOT NULL, PRIMARY KEY (agency, plan_year)",
        "nat_plans": "plan_id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL, "
                     "revision INTEGER NOT NULL, opened_on TEXT NOT NULL, signed_on TEXT, signer_name TEXT, signer_nip TEXT, "
                     "signer_place TEXT, validated_on TEXT, validated_revision INTEGER, submitted_on TEXT, "
                     "submitted_pembina_on TEXT, submitted_lan_on TEXT, submitted_revision INTEGER",
        "nat_plan_rows": _ROW_TABLE + ", PRIMARY KEY (plan_id, row_id)",
        "nat_plan_versions": "revision INTEGER NOT NULL, " + _ROW_TABLE + ", PRIMARY KEY (plan_id, revision, row_id)",
        "nat_budgets": "plan_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, funding_source TEXT NOT NULL, "
                       "amount TEXT NOT NULL, PRIMARY KEY (plan_id, funding_source)",
        "nat_activities": "activity_id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, pathway TEXT NOT NULL, "
                          "competency TEXT, title TEXT NOT NULL, provider TEXT NOT NULL, start_date TEXT NOT NULL, "
                          "end_date TEXT NOT NULL, budget TEXT, funding_source TEXT, completed_on TEXT",
        "nat_participants": "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                            "nip TEXT NOT NULL, name TEXT NOT NULL, employee_type TEXT NOT NULL, active INTEGER NOT NULL, "
                            "credited_jp INTEGER, completed_on TEXT, certificate_number TEXT, certificate_issued_on TEXT, "
                            "PRIMARY KEY (activity_id, officer_id)",
        "nat_assessments": "id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                           "level TEXT NOT NULL, closed_on TEXT",
        "nat_gaps": "assessment_id TEXT NOT NULL, competency TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, "
                    "year INTEGER NOT NULL, level TEXT NOT NULL, combined TEXT NOT NULL, target TEXT NOT NULL, gap TEXT NOT NULL, "
                    "has_gap INTEGER NOT NULL, PRIMARY KEY (assessment_id, competency)",
        "nat_reviews": "id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, signed_on TEXT",
        "nat_ev_admin": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, agency TEXT NOT NULL, year INTEGER NOT NULL, "
                        "respondents INTEGER, overall_weight TEXT, band TEXT, signed INTEGER NOT NULL",
        "nat_ev_cells": "id TEXT NOT NULL, officer_id TEXT NOT NULL, cell TEXT NOT NULL, sesuai INTEGER NOT NULL, "
                        "PRIMARY KEY (id, officer_id, cell)",
        "nat_ev_results": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, "
                          "year INTEGER NOT NULL, final_score TEXT",
        "nat_ev_impacts": "id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, agency TEXT NOT NULL, "
                          "year INTEGER NOT NULL, officer_signed INTEGER NOT NULL, supervisor_signed INTEGER NOT NULL",
        "nat_ev_recaps": "id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS nat_officers_agency_idx ON nat_officers (agency)",
        "CREATE INDEX IF NOT EXISTS nat_plans_year_idx ON nat_plans (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_plan_versions_year_idx ON nat_plan_versions (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_activities_year_idx ON nat_activities (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_participants_year_idx ON nat_participants (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_gaps_year_idx ON nat_gaps (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_assessments_year_idx ON nat_assessments (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_reviews_year_idx ON nat_reviews (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_ev_admin_year_idx ON nat_ev_admin (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_ev_results_year_idx ON nat_ev_results (year, agency)",
        "CREATE INDEX IF NOT EXISTS nat_ev_impacts_year_idx ON nat_ev_impacts (year, agency)",
    )
    # The handlers read by primary key only (nat_plan_rows by plan, for a validation's snapshot).
    handler_indexes = ()

    # A plan row carries its plan's agency and year, a gap row its assessment's officer, agency, year and
    # level: they are kept per batch (``begin`` clears them) instead of being read for every row event. A
    # closed gap analysis is written in ``end`` (nat_assessments' closed_on and nat_gaps, which no other
    # handler writes after an assessment is opened), the heads of the assessments opened before the batch
    # read in one query per 500 — not one read per analysis, which first sent every buffered write.

    def __init__(self) -> None:
        super().__init__()
        self._plans: dict[str, tuple[str, int]] = {}
        self._assessments: dict[str, tuple[str, str, int, str]] = {}
        #: assessment id -> (closed on, gap rows) of the batch's last closed gap analysis of the assessment
        self._gaps: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}

    def begin(self, tx: Tx) -> None:
        self.forget()

    def forget(self) -> None:
        self._plans.clear()
        self._assessments.clear()
        self._gaps.clear()

    def end(self, tx: Tx) -> None:
        try:
            self._end_gaps(tx)
        finally:
            self.forget()

    def _end_gaps(self, tx: Tx) -> None:
        gaps = self._gaps
        if not gaps:
            return
        heads = self._assessments
        need = [aid for aid in gaps if aid not in heads]
        for marks, ids in in_lists(need):
            for r in tx.fetchall(f"SELECT id, officer_id, agency, year, level FROM nat_assessments WHERE id IN ({marks})",
                                 ids):
                heads[r["id"]] = (r["officer_id"], r["agency"], r["year"], r["level"])
        closed, deletes, inserts = [], [], []
        for aid, (on, rows) in gaps.items():
            head = heads.get(aid)
            assert head is not None, f"assessment {aid} is not in the national records"
            closed.append((on, aid))
            deletes.append((aid,))
            officer_id, agency, year, level = head
            inserts += [(aid, competency, officer_id, agency, year, level, combined, target, gap, has_gap)
                        for competency, combined, target, gap, has_gap in rows]
        tx.executemany("UPDATE nat_assessments SET closed_on = ? WHERE id = ?", closed)
        tx.executemany("DELETE FROM nat_gaps WHERE assessment_id = ?", deletes)
        if inserts:
            tx.executemany("INSERT INTO nat_gaps (assessment_id, competency, officer_id, agency, year, level, combined, target, gap, "
                           "has_gap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts)

    # -- the agency directory ------------------------------------------------------------------------

    @handles(Agency.Registered)
    def agency_registered(self, tx: Tx, e: Agency.Registered, position: int) -> None:
        tx.execute("INSERT INTO nat_agencies (code, id, name, kind, province, regency, version, registered_on, changed_on) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                   (e.code, str(e.originator_id), e.name, e.kind, e.province, e.regency, e.originator_version, e.meta.effective_date.isoformat()))

    @handles(Agency.DetailsChanged)
    def agency_changed(self, tx: Tx, e: Agency.DetailsChanged, position: int) -> None:
        tx.execute("UPDATE nat_agencies SET name = ?, kind = ?, province = ?, regency = ?, version = ?, changed_on = ? "
                   "WHERE id = ?",
                   (e.name, e.kind, e.province, e.regency, e.originator_version, e.meta.effective_date.isoformat(),
                    str(e.originator_id)))

    # -- officers ------------------------------------------------------------------------------------

    @handles(Officer.Registered)
    def officer(self, tx: Tx, e: Officer.Registered, position: int) -> None:
        tx.execute("INSERT INTO nat_officers (officer_id, agency, nip, name, employee_type, level, position, unit, registered_on, "
                   "withdrawn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                   (str(e.originator_id), e.agency, e.nip, e.name, e.employee_type, e.level, e.position, e.unit,
                    e.meta.effective_date.isoformat()))

    @handles(Officer.ProfileCorrected)
    def officer_corrected(self, tx: Tx, e: Officer.ProfileCorrected, position: int) -> None:
        changes = {k: v for k, v in e.changes.items() if k in ("name", "employee_type", "level", "position", "unit")}
        if changes:
            tx.execute(f"UPDATE nat_officers SET {', '.join(f'{k} = ?' for k in changes)} WHERE officer_id = ?",
                       (*changes.values(), str(e.originator_id)))

    @handles(Officer.PlacementChanged)
    def officer_placed(self, tx: Tx, e: Officer.PlacementChanged, position: int) -> None:
        tx.execute("UPDATE nat_officers SET level = ?, position = ?, unit = ? WHERE officer_id = ?",
                   (e.level, e.position, e.unit, str(e.originator_id)))

    @handles(Officer.RegistrationWithdrawn)
    def officer_withdrawn(self, tx: Tx, e: Officer.RegistrationWithdrawn, position: int) -> None:
        tx.execute("UPDATE nat_officers SET withdrawn = 1 WHERE officer_id = ?", (str(e.originator_id),))

    # -- the inventory (BAB II.A): when each agency's cycle began ---------------------------------------

    def _cycle(self, tx: Tx, agency: str, plan_year: int, on: str) -> None:
        tx.execute("INSERT INTO nat_cycles (agency, plan_year, inventory_on) VALUES (?, ?, ?) "
                   "ON CONFLICT (agency, plan_year) DO UPDATE SET inventory_on = CASE "
                   "WHEN excluded.inventory_on < nat_cycles.inventory_on THEN excluded.inventory_on ELSE nat_cycles.inventory_on END",
                   (agency, plan_year, on))

    @handles(CompetencyAssessment.Opened)
    def assessment(self, tx: Tx, e: CompetencyAssessment.Opened, position: int) -> None:
        on = e.meta.effective_date.isoformat()
        tx.execute("INSERT INTO nat_assessments (id, officer_id, agency, year, level, closed_on) VALUES (?, ?, ?, ?, ?, NULL)",
                   (str(e.originator_id), str(e.officer_id), e.agency, e.year, e.level))
        self._assessments[str(e.originator_id)] = (str(e.officer_id), e.agency, e.year, e.level)
        self._cycle(tx, e.agency, e.year + ASSESSMENT_LEAD, on)

    @handles(CompetencyAssessment.GapAnalysisClosed)
    def gaps(self, tx: Tx, e: CompetencyAssessment.GapAnalysisClosed, position: int) -> None:
        # Written in ``end`` (an analysis replaces the assessment's gap rows: the batch's last one stands).
        self._gaps[str(e.originator_id)] = (e.meta.effective_date.isoformat(), [
            (r.competency, str(r.combined), str(r.target), str(r.gap), 1 if r.has_gap else 0) for r in e.rows])

    @handles(PerformanceReview.Opened)
    def review(self, tx: Tx, e: PerformanceReview.Opened, position: int) -> None:
        tx.execute("INSERT INTO nat_reviews (id, officer_id, agency, year, signed_on) VALUES (?, ?, ?, ?, NULL)",
                   (str(e.originator_id), str(e.officer_id), e.agency, e.year))
        self._cycle(tx, e.agency, e.year + REVIEW_LEAD, e.meta.effective_date.isoformat())

    @handles(PerformanceReview.Signed)
    def review_signed(self, tx: Tx, e: PerformanceReview.Signed, position: int) -> None:
        tx.execute("UPDATE nat_reviews SET signed_on = COALESCE(signed_on, ?) WHERE id = ?",
                   (e.meta.effective_date.isoformat(), str(e.originator_id)))

    @handles(DevelopmentProposal.Opened)
    def proposal(self, tx: Tx, e: DevelopmentProposal.Opened, position: int) -> None:
        self._cycle(tx, e.agency, e.plan_year, e.meta.effective_date.isoformat())

    # -- the plan (BAB II.B, II.C) ------------------------------------------------------------------------

    @handles(DevelopmentPlan.Opened)
    def plan_opened(self, tx: Tx, e: DevelopmentPlan.Opened, position: int) -> None:
        on = e.meta.effective_date.isoformat()
        tx.execute("INSERT INTO nat_plans (plan_id, agency, year, status, revision, opened_on) VALUES (?, ?, ?, 'draft', 1, ?)",
                   (str(e.originator_id), e.agency, e.year, on))
        self._plans[str(e.originator_id)] = (e.agency, e.year)
        self._cycle(tx, e.agency, e.year, on)

    @handles(DevelopmentPlan.RowAdded, DevelopmentPlan.RowChanged)
    def plan_row(self, tx: Tx, e: Any, position: int) -> None:
        pid, rid = str(e.originator_id), str(e.row_id)
        head = self._plans.get(pid)
        if head is None:
            row = tx.fetchone("SELECT agency, year FROM nat_plans WHERE plan_id = ?", (pid,))
            assert row is not None
            head = self._plans[pid] = (row["agency"], row["year"])
        values = (str(e.officer_id), e.nip, e.officer_name, e.employee_type, e.level, e.competency, e.pathway, e.programme,
                  e.provider, e.funding_source, str(e.budget), e.planned_jp)
        if isinstance(e, DevelopmentPlan.RowAdded):
            tx.execute(f"INSERT INTO nat_plan_rows (plan_id, row_id, agency, year, seq, {', '.join(_ROW_COLS)}) "
                       f"VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(_ROW_COLS))})", (pid, rid, *head, position, *values))
        else:
            tx.execute(f"UPDATE nat_plan_rows SET {', '.join(f'{c} = ?' for c in _ROW_COLS)} WHERE plan_id = ? AND row_id = ?",
                       (*values, pid, rid))

    @handles(DevelopmentPlan.RowRemoved)
    def plan_row_removed(self, tx: Tx, e: DevelopmentPlan.RowRemoved, position: int) -> None:
        tx.execute("DELETE FROM nat_plan_rows WHERE plan_id = ? AND row_id = ?", (str(e.originator_id), str(e.row_id)))

    @handles(DevelopmentPlan.BudgetRegistered)
    def plan_budget(self, tx: Tx, e: DevelopmentPlan.BudgetRegistered, position: int) -> None:
        pid = str(e.originator_id)
        tx.execute("DELETE FROM nat_budgets WHERE plan_id = ? AND funding_source = ?", (pid, e.funding_source))
        tx.execute("INSERT INTO nat_budgets (plan_id, agency, year, funding_source, amount) "
                   "SELECT plan_id, agency, year, ?, ? FROM nat_plans WHERE plan_id = ?", (e.funding_source, str(e.amount), pid))

    @handles(DevelopmentPlan.SignedByHead)
    def plan_signed(self, tx: Tx, e: DevelopmentPlan.SignedByHead, position: int) -> None:
        tx.execute("UPDATE nat_plans SET status = 'signed', signed_on = COALESCE(signed_on, ?), signer_name = ?, signer_nip = ?, "
                   "signer_place = ? WHERE plan_id = ?",
                   (e.meta.effective_date.isoformat(), e.name, e.nip, e.place, str(e.originator_id)))

    @handles(DevelopmentPlan.SignatureVoided)
    def plan_voided(self, tx: Tx, e: DevelopmentPlan.SignatureVoided, position: int) -> None:
        tx.execute("UPDATE nat_plans SET status = 'draft', signer_name = NULL, signer_nip = NULL, signer_place = NULL "
                   "WHERE plan_id = ?", (str(e.originator_id),))

    @handles(DevelopmentPlan.Validated)
    def plan_validated(self, tx: Tx, e: DevelopmentPlan.Validated, position: int) -> None:
        pid = str(e.originator_id)
        tx.execute("UPDATE nat_plans SET status = 'validated', validated_on = COALESCE(validated_on, ?), validated_revision = ? "
                   "WHERE plan_id = ?", (e.meta.effective_date.isoformat(), e.revision, pid))
        cols = f"plan_id, row_id, agency, year, seq, {', '.join(_ROW_COLS)}"
        tx.execute(f"INSERT INTO nat_plan_versions (revision, {cols}) SELECT ?, {cols} FROM nat_plan_rows WHERE plan_id = ?",
                   (e.revision, pid))

    @handles(DevelopmentPlan.RevisionOpened)
    def plan_revision(self, tx: Tx, e: DevelopmentPlan.RevisionOpened, position: int) -> None:
        tx.execute("UPDATE nat_plans SET status = 'draft', revision = ?, signer_name = NULL, signer_nip = NULL, signer_place = NULL "
                   "WHERE plan_id = ?", (e.revision, str(e.originator_id)))

    @handles(DevelopmentPlan.Submitted)
    def plan_submitted(self, tx: Tx, e: DevelopmentPlan.Submitted, position: int) -> None:
        on = e.submitted_on.isoformat()
        column = "submitted_pembina_on" if e.recipient == "pembina" else "submitted_lan_on"
        tx.execute(f"UPDATE nat_plans SET submitted_on = COALESCE(submitted_on, ?), {column} = COALESCE({column}, ?), "
                   "submitted_revision = ? WHERE plan_id = ?", (on, on, e.revision, str(e.originator_id)))

    # -- activities (BAB III) ----------------------------------------------------------------------------

    @handles(Activity.Created)
    def activity(self, tx: Tx, e: Activity.Created, position: int) -> None:
        tx.execute("INSERT INTO nat_activities (activity_id, agency, year, pathway, competency, title, provider, start_date, "
                   "end_date, budget, funding_source, completed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                   (str(e.originator_id), e.agency, e.year, e.pathway, e.competency, e.title, e.provider_name,
                    e.start.isoformat(), e.end.isoformat(), None if e.budget is None else str(e.budget), e.funding_source))

    @handles(Activity.ParticipantSelected)
    def participant(self, tx: Tx, e: Activity.ParticipantSelected, position: int) -> None:
        key = (str(e.originator_id), str(e.officer_id))
        tx.execute("DELETE FROM nat_participants WHERE activity_id = ? AND officer_id = ?", key)
        tx.execute("INSERT INTO nat_participants (activity_id, officer_id, agency, year, nip, name, employee_type, active) "
                   "SELECT activity_id, ?, agency, year, ?, ?, ?, 1 FROM nat_activities WHERE activity_id = ?",
                   (key[1], e.nip, e.name, e.employee_type, key[0]))

    @handles(Activity.ParticipantDeselected)
    def deselected(self, tx: Tx, e: Activity.ParticipantDeselected, position: int) -> None:
        tx.execute("UPDATE nat_participants SET active = 0 WHERE activity_id = ? AND officer_id = ?",
                   (str(e.originator_id), str(e.officer_id)))

    @handles(Activity.CertificateRecorded)
    def certificate(self, tx: Tx, e: Activity.CertificateRecorded, position: int) -> None:
        # The first certificate or statement recorded stands for the course line (SIASN takes one number).
        tx.execute("UPDATE nat_participants SET certificate_number = ?, certificate_issued_on = ? "
                   "WHERE activity_id = ? AND officer_id = ? AND certificate_number IS NULL",
                   (e.number, e.issued_on.isoformat(), str(e.originator_id), str(e.officer_id)))

    @handles(Activity.JpCredited)
    def credited(self, tx: Tx, e: Activity.JpCredited, position: int) -> None:
        tx.execute("UPDATE nat_participants SET credited_jp = ?, completed_on = ? WHERE activity_id = ? AND officer_id = ?",
                   (e.jp, e.completed_on.isoformat(), str(e.originator_id), str(e.officer_id)))

    @handles(Activity.Completed)
    def completed(self, tx: Tx, e: Activity.Completed, position: int) -> None:
        tx.execute("UPDATE nat_activities SET completed_on = ? WHERE activity_id = ?", (e.completed_on.isoformat(), str(e.originator_id)))

    # -- evaluations (BAB V) ----------------------------------------------------------------------------

    @handles(ActivityEvaluation.Opened)
    def ev_opened(self, tx: Tx, e: ActivityEvaluation.Opened, position: int) -> None:
        tx.execute("INSERT INTO nat_ev_admin (id, activity_id, agency, year, signed) VALUES (?, ?, ?, ?, 0)",
                   (str(e.originator_id), str(e.activity_id), e.agency, e.year))

    @handles(ActivityEvaluation.QuestionnaireResultsComputed)
    def ev_questionnaires(self, tx: Tx, e: ActivityEvaluation.QuestionnaireResultsComputed, position: int) -> None:
        tx.execute("UPDATE nat_ev_admin SET respondents = ?, overall_weight = ?, band = ? WHERE id = ?",
                   (e.respondents, str(e.overall.weight), e.overall.band, str(e.originator_id)))

    @handles(ActivityEvaluation.RowComputed)
    def ev_row(self, tx: Tx, e: ActivityEvaluation.RowComputed, position: int) -> None:
        key = (str(e.originator_id), str(e.officer_id))
        tx.execute("DELETE FROM nat_ev_cells WHERE id = ? AND officer_id = ?", key)
        tx.executemany("INSERT INTO nat_ev_cells (id, officer_id, cell, sesuai) VALUES (?, ?, ?, ?)",
                       [(*key, c.cell, 1 if c.sesuai else 0) for c in e.cells])

    @handles(ActivityEvaluation.CellOverridden)
    def ev_override(self, tx: Tx, e: ActivityEvaluation.CellOverridden, position: int) -> None:
        tx.execute("UPDATE nat_ev_cells SET sesuai = ? WHERE id = ? AND officer_id = ? AND cell = ?",
                   (1 if e.sesuai else 0, str(e.originator_id), str(e.officer_id), e.cell))

    @handles(ActivityEvaluation.Signed)
    def ev_signed(self, tx: Tx, e: ActivityEvaluation.Signed, position: int) -> None:
        tx.execute("UPDATE nat_ev_admin SET signed = 1 WHERE id = ?", (str(e.originator_id),))

    @handles(ResultEvaluation.EksposeScheduled)
    def ev_result(self, tx: Tx, e: ResultEvaluation.EksposeScheduled, position: int) -> None:
        tx.execute("INSERT INTO nat_ev_results (id, activity_id, officer_id, agency, year, final_score) VALUES (?, ?, ?, ?, ?, NULL)",
                   (str(e.originator_id), str(e.activity_id), str(e.officer_id), e.agency, e.year))

    @handles(ResultEvaluation.RecapSigned)
    def ev_result_signed(self, tx: Tx, e: ResultEvaluation.RecapSigned, position: int) -> None:
        tx.execute("UPDATE nat_ev_results SET final_score = ? WHERE id = ?", (str(e.final_score), str(e.originator_id)))

    @handles(ImpactEvaluation.Opened)
    def ev_impact(self, tx: Tx, e: ImpactEvaluation.Opened, position: int) -> None:
        tx.execute("INSERT INTO nat_ev_impacts (id, activity_id, officer_id, agency, year, officer_signed, supervisor_signed) "
                   "VALUES (?, ?, ?, ?, ?, 0, 0)", (str(e.originator_id), str(e.activity_id), str(e.officer_id), e.agency, e.year))

    @handles(ImpactEvaluation.Signed)
    def ev_impact_signed(self, tx: Tx, e: ImpactEvaluation.Signed, position: int) -> None:
        column = "officer_signed" if e.party == "officer" else "supervisor_signed"
        tx.execute(f"UPDATE nat_ev_impacts SET {column} = 1 WHERE id = ?", (str(e.originator_id),))

    @handles(ImpactEvaluation.SignaturesVoided)
    def ev_impact_voided(self, tx: Tx, e: ImpactEvaluation.SignaturesVoided, position: int) -> None:
        tx.execute("UPDATE nat_ev_impacts SET officer_signed = 0, supervisor_signed = 0 WHERE id = ?", (str(e.originator_id),))

    @handles(YearlyRecap.Opened)
    def ev_recap(self, tx: Tx, e: YearlyRecap.Opened, position: int) -> None:
        tx.execute("INSERT INTO nat_ev_recaps (id, agency, year, status) VALUES (?, ?, ?, 'opened')",
                   (str(e.originator_id), e.agency, e.year))

    @handles(YearlyRecap.Computed, YearlyRecap.Finalised, YearlyRecap.Submitted)
    def ev_recap_status(self, tx: Tx, e: Any, position: int) -> None:
        status = {YearlyRecap.Computed: "computed", YearlyRecap.Finalised: "finalised", YearlyRecap.Submitted: "submitted"}[type(e)]
        order = "CASE status WHEN 'opened' THEN 0 WHEN 'computed' THEN 1 WHEN 'finalised' THEN 2 ELSE 3 END"
        rank = {"computed": 1, "finalised": 2, "submitted": 3}[status]
        tx.execute(f"UPDATE nat_ev_recaps SET status = ? WHERE id = ? AND {order} < ?", (status, str(e.originator_id), rank))

