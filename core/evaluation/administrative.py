"""Administrative evaluation (BAB V.A) of one activity: the participants' Formulir 5.1 questionnaires
with the weights banded by Tabel 5.1, and Formulir 5.2 — per participant, *Sesuai/Tidak* on jenis,
jalur, penyelenggara, jadwal dan waktu, anggaran and jam pelajaran, computed from the recorded events
(the validated plan row against the activity), verified by the HR unit and signed by the PPK or the
head of the agency.

Nothing is recomputed on replay: the questionnaire results and every 5.2 cell are recorded with the
rule set (and, where a pathway plugin decided a cell, the plugin and its rule-set version). An override
by the HR unit is its own event with its reason; the computed value stays beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from core import access
from core.activities import Activity
from core.cycle import check_version, long_text, text
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.evaluation import rules
from core.evaluation.common import (
    as_hr,
    as_self_or_hr,
    completed,
    load_activity,
    officer_of,
    plan_links,
    plan_row,
)
from core.evaluation.facts import CELL_LABELS, Cell, EvaluationCell, PlanRowFacts
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import LONG_MAX, REASON_MAX
from core.pathways import ActivityFacts, ParticipantFacts, PathwayDefinition


def evaluation_id(activity_id: UUID) -> UUID:
    return derived_id("evaluation-administrative", activity_id)


@dataclass(frozen=True)
class ComputedCell:
    """A Formulir 5.2 cell as computed, with the rule that decided it."""

    cell: str
    sesuai: bool
    planned: str
    actual: str
    reason: str | None
    decided_by: str  # "core" or the pathway plugin's name
    ruleset_version: str
    plugin_version: str | None


@dataclass(frozen=True)
class CellDecision:
    """A pathway plugin's answer for one cell, with who gave it under which rule set."""

    cell: EvaluationCell
    plugin: str
    plugin_version: str
    ruleset_version: str


class EvaluationRules(Protocol):
    """The narrow face of the plugin manager the 5.2 computation uses."""

    def definition(self, code: str) -> PathwayDefinition | None: ...

    def evaluation_cell(self, activity: ActivityFacts, cell: str, plan_row: PlanRowFacts | None,
                        participant: ParticipantFacts) -> CellDecision | None: ...


class ActivityEvaluation(PengkomAggregate):
    TOPIC = "pengkom.evaluation.ActivityEvaluation"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.evaluation.ActivityEvaluationEvent"

    class Opened(Event, PengkomAggregate.Created):
        """The administrative evaluation of one activity, with what the forms print about it."""

        TOPIC = "pengkom.evaluation.ActivityEvaluationOpened"
        activity_id: UUID
        agency: str
        year: int
        pathway: str
        title: str
        provider_name: str
        competency: str | None
        start: date
        end: date

    class QuestionnaireSubmitted(Event):
        """Formulir 5.1 of one participant: part A in the form's order (1–4 each), part B's open answers."""

        TOPIC = "pengkom.evaluation.QuestionnaireSubmitted"
        officer_id: UUID
        nip: str
        submitted_on: date
        answers: tuple[int, ...]
        suka_tidak_suka: str | None
        perbaikan: str | None
        lainnya: str | None
        paper: bool

        def apply(self, a: ActivityEvaluation) -> None:
            a.questionnaires[self.officer_id] = self.answers

    class QuestionnaireResultsComputed(Event):
        """The weights per item, per element and for the activity, each banded by Tabel 5.1."""

        TOPIC = "pengkom.evaluation.QuestionnaireResultsComputed"
        respondents: int
        items: tuple[rules.Weight, ...]
        elements: tuple[rules.Weight, ...]
        overall: rules.Weight
        ruleset_version: str

    class RowComputed(Event):
        """One Formulir 5.2 row: the officer (items 3–4), the competency and form followed (5–6), the six cells."""

        TOPIC = "pengkom.evaluation.RowComputed"
        officer_id: UUID
        nip: str
        name: str
        position: str
        level: str
        golongan: str
        unit: str
        competency: str | None
        pathway: str
        form: str
        plan_id: str | None
        plan_row_id: str | None
        plan_revision: int | None
        cells: tuple[ComputedCell, ...]
        ruleset_version: str

        def apply(self, a: ActivityEvaluation) -> None:
            a.rows[self.officer_id] = {c.cell: c.sesuai for c in self.cells}

    class CellOverridden(Event):
        """The HR unit sets a cell otherwise than computed, with its reason; the computed value stays beside it."""

        TOPIC = "pengkom.evaluation.CellOverridden"
        officer_id: UUID
        cell: str
        computed_sesuai: bool
        sesuai: bool
        reason: str

        def apply(self, a: ActivityEvaluation) -> None:
            a.overrides[(self.officer_id, self.cell)] = self.sesuai

    class Verified(Event):
        """The HR unit verified the reports, questionnaires and the matrix (V.A.5.b.1)."""

        TOPIC = "pengkom.evaluation.AdministrativeVerified"
        rows: int
        respondents: int
        qualitative_summary: str | None

        def apply(self, a: ActivityEvaluation) -> None:
            a.verified = True

    class Signed(Event):
        """Formulir 5.2 signed: by the PPK (item 15) or the head of the agency (V.A.2), and in which capacity."""

        TOPIC = "pengkom.evaluation.AdministrativeSigned"
        name: str
        nip: str | None
        capacity: str
        place: str
        signed_on: date

        def apply(self, a: ActivityEvaluation) -> None:
            a.signed_on = self.signed_on

    def __init__(self, activity_id: UUID, agency: str, year: int, pathway: str, title: str, provider_name: str,
                 competency: str | None, start: date, end: date) -> None:
        self.activity_id = activity_id
        self.agency = agency
        self.year = year
        self.title = title
        self.end = end
        self.questionnaires: dict[UUID, tuple[int, ...]] = {}
        self.rows: dict[UUID, dict[str, bool]] = {}
        self.overrides: dict[tuple[UUID, str], bool] = {}
        self.verified = False
        self.signed_on: date | None = None

    def check_unsigned(self, what: str) -> None:
        if self.signed_on is not None:
            raise Conflict(msg("The administrative evaluation (Formulir 5.2) of {title!r} was signed on {signed_on}; {what} can no "
                               "longer be recorded.", title=self.title, signed_on=self.signed_on, what=what))


#: Who signs Formulir 5.2, by the role acted in: the form names the PPK, the text of V.A.2 the head.
CAPACITIES = {access.PPK: "Pejabat Pembina Kepegawaian (Formulir 5.2 item 15)",
              access.HEAD: "Pimpinan Instansi (BAB V.A.2)"}


def can_sign_5_2(actor: Any, agency: str) -> str:
    role = access.require_role(actor, [access.PPK, access.HEAD], N_("sign Formulir 5.2"))
    access.require_agency(actor, agency, N_("sign another agency's Formulir 5.2"))
    return role


@dataclass(frozen=True)
class AdministrativeCommands:
    app: Any

    def get(self, activity_id: UUID) -> ActivityEvaluation | None:
        agg = self.app.get(evaluation_id(activity_id))
        return agg if isinstance(agg, ActivityEvaluation) else None

    def _open(self, ctx: Context, activity: Activity, expected_version: int | None) -> ActivityEvaluation:
        agg = self.get(activity.id)
        if agg is not None:
            check_version("administrative evaluation", agg.version, expected_version)
            return agg
        if expected_version is not None:
            check_version("administrative evaluation", 0, expected_version)
        meta = ctx.provenance()
        return ActivityEvaluation._create(
            ActivityEvaluation.Opened, id=evaluation_id(activity.id), meta=meta, timestamp=meta.recorded_at,
            activity_id=activity.id, agency=activity.agency, year=activity.year, pathway=activity.pathway, title=activity.title,
            provider_name=activity.provider_name, competency=activity.competency, start=activity.start, end=activity.end)

    # -- Formulir 5.1 --------------------------------------------------------------------------------------

    def submit_questionnaire(self, ctx: Context, activity_id: UUID, *, officer_id: UUID, answers: Any,
                             suka_tidak_suka: str | None = None, perbaikan: str | None = None, lainnya: str | None = None,
                             expected_version: int | None = None) -> ActivityEvaluation:
        """The officer hands in their own questionnaire; the HR unit may enter a paper one on their behalf."""
        activity = load_activity(self.app, activity_id)
        officer = officer_of(self.app, officer_id, activity.agency)
        ctx = ctx.acting_as(as_self_or_hr(ctx.actor, officer, "hand in the Formulir 5.1 questionnaire"))
        p = completed(activity, officer_id, "a questionnaire (Formulir 5.1)")
        agg = self._open(ctx, activity, expected_version)
        agg.check_unsigned("a questionnaire")
        if officer_id in agg.questionnaires:
            raise Conflict(msg("{name} ({nip}) already handed in the questionnaire for {title!r}; each participant answers Formulir "
                               "5.1 once.", name=p.name, nip=p.nip, title=activity.title), field="officer_id")
        values = rules.check_answers(answers)
        meta = ctx.provenance(on_behalf_of=p.nip)
        if meta.effective_date < activity.start:
            raise Invalid(msg("A questionnaire handed in on {effective_date} predates the activity ({start}).",
                              effective_date=meta.effective_date, start=activity.start),
                          field="effective_date")
        agg.record(ActivityEvaluation.QuestionnaireSubmitted, meta, officer_id=officer_id, nip=p.nip,
                   submitted_on=meta.effective_date, answers=values,
                   suka_tidak_suka=long_text(suka_tidak_suka, "suka_tidak_suka", max_len=REASON_MAX, required=False),
                   perbaikan=long_text(perbaikan, "perbaikan", max_len=REASON_MAX, required=False),
                   lainnya=long_text(lainnya, "lainnya", max_len=REASON_MAX, required=False), paper=ctx.role == access.HR)
        results = rules.questionnaire_results(list(agg.questionnaires.values()))
        agg.record(ActivityEvaluation.QuestionnaireResultsComputed, ctx.provenance(), respondents=results.respondents,
                   items=results.items, elements=results.elements, overall=results.overall, ruleset_version=rules.RULESET)
        return agg

    # -- Formulir 5.2 ----------------------------------------------------------------------------------------

    def compute_rows(self, ctx: Context, activity_id: UUID, evaluation_rules: EvaluationRules, *,
                     expected_version: int | None = None) -> ActivityEvaluation:
        """Compute (or recompute, before verification) the 5.2 row of every participant who completed."""
        activity = load_activity(self.app, activity_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, activity.agency, "compute Formulir 5.2"))
        agg = self._open(ctx, activity, expected_version)
        agg.check_unsigned("the matrix")
        if agg.verified:
            raise Conflict(msg("Formulir 5.2 of {title!r} is verified; it is signed as it stands.", title=activity.title))
        facts = activity.facts()
        done = [p for p in facts.participants if p.completed_on is not None]
        if not done:
            raise Conflict(msg("No participant of {title!r} has completed yet; Formulir 5.2 covers participants who did.", title=activity.title))
        links = plan_links(self.app, activity_id)
        rows = {p.officer_id: plan_row(self.app, *links.get(p.officer_id, (None, None))) for p in done}
        planned_budget = sum((r.budget for r in rows.values() if r is not None), Decimal(0))
        planned_sources = frozenset(r.funding_source for r in rows.values() if r is not None)
        definition = evaluation_rules.definition(activity.pathway)
        actual_form = definition.jp_form if definition is not None else activity.pathway
        changed = False
        for p in done:
            row = rows[p.officer_id]
            cells = tuple(self._cell(evaluation_rules, facts, Cell(c), row, p, actual_form, planned_budget, planned_sources)
                          for c in Cell)
            officer = self.app.officers.get(p.officer_id)
            content = dict(officer_id=p.officer_id, nip=p.nip, name=p.name, position=officer.position, level=officer.level,
                           golongan=officer.golongan, unit=officer.unit, competency=activity.competency or (row and row.competency),
                           pathway=activity.pathway, form=actual_form, plan_id=row and str(row.plan_id),
                           plan_row_id=row and str(row.row_id), plan_revision=row and row.revision, cells=cells,
                           ruleset_version=rules.RULESET)
            if agg.rows.get(p.officer_id) == {c.cell: c.sesuai for c in cells} and p.officer_id in agg.rows:
                continue  # already computed so; recomputing records nothing new
            agg.record(ActivityEvaluation.RowComputed, ctx.provenance(on_behalf_of=p.nip), **content)
            changed = True
        if not changed:
            raise Conflict(msg("Formulir 5.2 of {title!r} is already computed from the current record; nothing changed.", title=activity.title))
        return agg

    @staticmethod
    def _cell(evaluation_rules: EvaluationRules, facts: ActivityFacts, cell: Cell, row: PlanRowFacts | None,
              p: ParticipantFacts, actual_form: str, planned_budget: Decimal, planned_sources: frozenset[str]) -> ComputedCell:
        decision = evaluation_rules.evaluation_cell(facts, cell.value, row, p)
        if decision is not None:
            c = decision.cell
            return ComputedCell(cell.value, c.sesuai, c.planned, c.actual, c.reason, decision.plugin, decision.ruleset_version,
                                decision.plugin_version)
        c = rules.default_cell(cell, row, facts, p, actual_form=actual_form, planned_budget=planned_budget,
                               planned_sources=planned_sources)
        return ComputedCell(cell.value, c.sesuai, c.planned, c.actual, c.reason, "core", rules.RULESET, None)

    def override_cell(self, ctx: Context, activity_id: UUID, *, officer_id: UUID, cell: str, sesuai: bool, reason: str,
                      expected_version: int | None = None) -> ActivityEvaluation:
        activity = load_activity(self.app, activity_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, activity.agency, "override a Formulir 5.2 cell"))
        agg = self.get(activity_id)
        if agg is None or officer_id not in agg.rows:
            raise NotFound(msg("Formulir 5.2 of {title!r} has no computed row for officer {officer_id}; compute it first.",
                               title=activity.title, officer_id=officer_id),
                           field="officer_id")
        check_version("administrative evaluation", agg.version, expected_version)
        agg.check_unsigned("an override")
        if agg.verified:
            raise Conflict(msg("Formulir 5.2 of {title!r} is verified; it is signed as it stands.", title=activity.title))
        try:
            c = Cell(cell).value
        except ValueError:
            raise Invalid(msg("Formulir 5.2 has no cell {cell!r}; the cells are {x_value_for_x_in_cell}.",
                              cell=cell, x_value_for_x_in_cell=', '.join(x.value for x in Cell)), field="cell") from None
        if not isinstance(sesuai, bool):
            raise Invalid("sesuai is true (Sesuai) or false (Tidak).", field="sesuai")
        current = agg.overrides.get((officer_id, c), agg.rows[officer_id][c])
        if current == sesuai:
            raise Conflict(msg("The {cell_labels_cell_c} cell already reads {sesuai_if_sesuai_else_ti}.",
                               cell_labels_cell_c=CELL_LABELS[Cell(c)], sesuai_if_sesuai_else_ti='Sesuai' if sesuai else 'Tidak'), field="sesuai")
        why = long_text(reason, "reason", max_len=REASON_MAX) or ""
        if len(why) < 10:
            raise Invalid("An override needs a written reason of at least 10 characters; it is printed beside the computed value.",
                          field="reason")
        officer = self.app.officers.get(officer_id)
        agg.record(ActivityEvaluation.CellOverridden, ctx.provenance(on_behalf_of=officer.nip), officer_id=officer_id, cell=c,
                   computed_sesuai=agg.rows[officer_id][c], sesuai=sesuai, reason=why)
        return agg

    def verify(self, ctx: Context, activity_id: UUID, *, qualitative_summary: str | None = None,
               expected_version: int | None = None) -> ActivityEvaluation:
        activity = load_activity(self.app, activity_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, activity.agency, "verify Formulir 5.2"))
        agg = self.get(activity_id)
        if agg is None or not agg.rows:
            raise Conflict(msg("Formulir 5.2 of {title!r} has not been computed yet; compute it before verifying.", title=activity.title))
        check_version("administrative evaluation", agg.version, expected_version)
        agg.check_unsigned("a verification")
        if agg.verified:
            raise Conflict(msg("Formulir 5.2 of {title!r} is already verified.", title=activity.title))
        missing = [p.name for p in activity.facts().participants if p.completed_on is not None and p.officer_id not in agg.rows]
        if missing:
            raise Conflict(msg("{missing} completed after Formulir 5.2 was computed; compute it again before verifying.", missing=', '.join(missing)))
        agg.record(ActivityEvaluation.Verified, ctx.provenance(), rows=len(agg.rows), respondents=len(agg.questionnaires),
                   qualitative_summary=long_text(qualitative_summary, "qualitative_summary", max_len=LONG_MAX, required=False))
        return agg

    def sign(self, ctx: Context, activity_id: UUID, *, name: str, place: str, nip: str | None = None,
             expected_version: int | None = None) -> ActivityEvaluation:
        activity = load_activity(self.app, activity_id)
        role = can_sign_5_2(ctx.actor, activity.agency)
        ctx = ctx.acting_as(role)
        agg = self.get(activity_id)
        if agg is None or not agg.verified:
            raise Conflict(msg("Formulir 5.2 of {title!r} is not verified by the HR unit yet; it is signed after verification.", title=activity.title))
        check_version("administrative evaluation", agg.version, expected_version)
        if agg.signed_on is not None:
            raise Conflict(msg("Formulir 5.2 of {title!r} was already signed on {signed_on}; it is signed once.",
                               title=activity.title, signed_on=agg.signed_on))
        nip = (nip or ctx.actor.nip or "").replace(" ", "") or None
        if nip is not None and not (nip.isdigit() and len(nip) == 18):
            raise Invalid(msg("NIP {nip!r} of the signer must be 18 digits.", nip=nip), field="nip")
        meta = ctx.provenance()
        agg.record(ActivityEvaluation.Signed, meta, name=text(name, "name") or "", nip=nip, capacity=CAPACITIES[role],
                   place=text(place, "place") or "", signed_on=meta.effective_date)
        return agg


def can_read_evaluation(actor: Any, activity: Activity) -> str:
    """The activity's readers read its administrative evaluation (respondents' answers are shown unattributed)."""
    from core.activities import can_read_activity

    try:
        return can_read_activity(actor, activity)
    except Forbidden:
        raise Forbidden("The administrative evaluation is read by the agency's HR side, the participants, their supervisors "
                        "and national roles.") from None


__all__ = ["CAPACITIES", "ActivityEvaluation", "AdministrativeCommands", "CellDecision", "ComputedCell", "EvaluationRules",
           "can_read_evaluation", "can_sign_5_2", "evaluation_id"]
