"""The 180° competency assessment (BAB II.A.2; Formulir 2.3 supervisor, 2.4 self) and the
Instansi Pembina's versioned assessment instrument it is scored against.

An :class:`Instrument` holds, per published version, the questions per competency and level and
the standard (target) score per competency × level on the 0–10 scale. A
:class:`CompetencyAssessment` (one per officer and year) keeps the supervisor's and the officer's
scores as separate records and is closed by the competency-gap analysis, an event that carries the
weights, the instrument version and the rule-set version that produced it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from core import access
from core.catalogue import RULESET_VERSION, Level, competency
from core.cycle import as_agency_role, as_direct_supervisor, as_officer_self, load
from core.errors import Conflict, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import CODE_MAX, check_version, choice, long_text, text, year_in

SCORE_MIN, SCORE_MAX = 0, 10
#: Default weights of the combined score: the guideline names no weighting, so equal (docs/guideline.md).
DEFAULT_WEIGHTS = (Decimal("0.5"), Decimal("0.5"))
_CENT = Decimal("0.01")


def instrument_id(code: str) -> UUID:
    return derived_id("instrument", code)


def assessment_id(officer_id: UUID, year: int) -> UUID:
    return derived_id("assessment", officer_id, year)


@dataclass(frozen=True)
class Question:
    """One question of the instrument, asked about ``competency`` of officers at ``level``."""

    question_id: str
    competency: str
    level: str
    text: str


@dataclass(frozen=True)
class StandardScore:
    """The standard (target) score on 0–10 of a competency at a level (the job's SKJ)."""

    competency: str
    level: str
    target: Decimal


@dataclass(frozen=True)
class Score:
    question_id: str
    score: int


@dataclass(frozen=True)
class GapRow:
    """One competency of the gap analysis: means, combined score, target and gap (target − combined)."""

    competency: str
    questions: int
    supervisor_mean: Decimal
    self_mean: Decimal
    combined: Decimal
    target: Decimal
    gap: Decimal
    has_gap: bool


class Instrument(PengkomAggregate):
    TOPIC = "pengkom.assessment.Instrument"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.assessment.InstrumentEvent"

    class Created(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.assessment.InstrumentCreated"
        code: str
        title: str

    class VersionPublished(Event):
        """A complete, immutable version: its questions and its standard scores."""

        TOPIC = "pengkom.assessment.InstrumentVersionPublished"
        version: int
        title: str
        note: str | None
        questions: tuple[Question, ...]
        standards: tuple[StandardScore, ...]

        def apply(self, aggregate: Instrument) -> None:
            aggregate.title = self.title
            aggregate.versions[self.version] = (self.questions, self.standards)

    def __init__(self, code: str, title: str) -> None:
        self.code = code
        self.title = title
        self.versions: dict[int, tuple[tuple[Question, ...], tuple[StandardScore, ...]]] = {}

    @property
    def latest(self) -> int:
        return max(self.versions, default=0)

    def questions_for(self, version: int, level: str) -> list[Question]:
        return [q for q in self.versions[version][0] if q.level == level]

    def standards_for(self, version: int, level: str) -> dict[str, Decimal]:
        return {s.competency: s.target for s in self.versions[version][1] if s.level == level}


class CompetencyAssessment(PengkomAggregate):
    TOPIC = "pengkom.assessment.CompetencyAssessment"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.assessment.Event"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.assessment.Opened"
        officer_id: UUID
        nip: str
        agency: str
        level: str
        year: int
        instrument_code: str
        instrument_version: int

    class SupervisorScored(Event):
        """Formulir 2.3: the direct supervisor's score for every question (a later one supersedes)."""

        TOPIC = "pengkom.assessment.SupervisorScored"
        supervisor_nip: str
        scores: tuple[Score, ...]

        def apply(self, aggregate: CompetencyAssessment) -> None:
            aggregate.supervisor_scores = {s.question_id: s.score for s in self.scores}

    class SelfScored(Event):
        """Formulir 2.4: the officer's own score for every question (a later one supersedes)."""

        TOPIC = "pengkom.assessment.SelfScored"
        scores: tuple[Score, ...]

        def apply(self, aggregate: CompetencyAssessment) -> None:
            aggregate.self_scores = {s.question_id: s.score for s in self.scores}

    class GapAnalysisClosed(Event):
        """The competency-gap analysis (Data Hasil Analisis Kesenjangan Kompetensi), a decision."""

        TOPIC = "pengkom.assessment.GapAnalysisClosed"
        weight_supervisor: Decimal
        weight_self: Decimal
        rows: tuple[GapRow, ...]
        instrument_code: str
        instrument_version: int
        ruleset_version: str

        def apply(self, aggregate: CompetencyAssessment) -> None:
            aggregate.closed = True

    def __init__(self, officer_id: UUID, nip: str, agency: str, level: str, year: int, instrument_code: str,
                 instrument_version: int) -> None:
        self.officer_id = officer_id
        self.nip = nip
        self.agency = agency
        self.level = level
        self.year = year
        self.instrument_code = instrument_code
        self.instrument_version = instrument_version
        self.supervisor_scores: dict[str, int] = {}
        self.self_scores: dict[str, int] = {}
        self.closed = False

    def check_open(self) -> None:
        if self.closed:
            raise Conflict(msg("The {year} competency-gap analysis of officer {nip} is closed; its scores can no longer change.",
                               year=self.year, nip=self.nip))


# -- rules (pure) ------------------------------------------------------------------------------------


def check_scores(questions: Sequence[Question], all_questions: Sequence[Question], raw: Iterable[Mapping[str, Any]],
                 *, form: str, instrument: str, level: str) -> tuple[Score, ...]:
    """Formulir 2.3 items (9)/(11) and Formulir 2.4: every question of the officer's level scored
    once, each a whole number 0–10. ``all_questions`` are the instrument version's questions for
    every level, to tell "another level" from "not in this instrument"."""
    wanted = {q.question_id: q for q in questions}
    known = {q.question_id: q for q in all_questions}
    seen: dict[str, int] = {}
    for item in raw:
        qid, value = item.get("question_id"), item.get("score")
        if not isinstance(qid, str) or not qid:
            raise Invalid(msg("{form}: every score names its question_id.", form=form), field="scores")
        if qid in seen:
            raise Invalid(msg("{form}: question {qid} is scored twice; score each question once.", form=form, qid=qid), field="scores")
        if qid not in wanted:
            if qid in known:
                raise Invalid(msg("{form}: question {qid} is asked of level {level}, not of this officer's level {level2}.",
                                  form=form, qid=qid, level=known[qid].level, level2=level), field="scores")
            raise Invalid(msg("{form}: question {qid} is not a question of instrument {instrument}.",
                              form=form, qid=qid, instrument=instrument), field="scores")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(msg("{form}: score {value!r} for question {qid} is not a number; scores are whole numbers 0–10.",
                              form=form, value=value, qid=qid), field="scores")
        if isinstance(value, float) and not value.is_integer():
            raise Invalid(msg("{form}: score {value} for question {qid} is not a whole number; scores are whole numbers 0–10.",
                              form=form, value=value, qid=qid), field="scores")
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise Invalid(msg("{form}: score {value:g} for question {qid} is outside 0–10.", form=form, value=value, qid=qid), field="scores")
        seen[qid] = int(value)
    missing = [qid for qid in wanted if qid not in seen]
    if missing:
        raise Invalid(msg("{form}: {len_missing} question(s) not scored: {missing}. Score every question of the form.",
                          form=form, len_missing=len(missing), missing=', '.join(missing)), field="scores")
    return tuple(Score(qid, seen[qid]) for qid in wanted)


def check_weights(weight_supervisor: Any, weight_self: Any) -> tuple[Decimal, Decimal]:
    """The combined score's weights: each 0–1, summing to exactly 1."""
    out = []
    for name, w in (("weight_supervisor", weight_supervisor), ("weight_self", weight_self)):
        try:
            d = Decimal(str(w))
        except InvalidOperation:
            raise Invalid(msg("{name} {w!r} is not a number.", name=name, w=w), field=name) from None
        if isinstance(w, bool) or not d.is_finite() or not 0 <= d <= 1:
            raise Invalid(msg("{name} {w} must be from 0 to 1.", name=name, w=w), field=name)
        out.append(d)
    if out[0] + out[1] != 1:
        raise Invalid(msg("The weights {out_0} (supervisor) and {out_1} (self) add up to {out_0_out_1}; they must add up to 1.",
                          out_0=out[0], out_1=out[1], out_0_out_1=out[0] + out[1]), field="weight_supervisor")
    return out[0], out[1]


def _mean(values: list[int]) -> Decimal:
    return Decimal(sum(values)) / Decimal(len(values))


def gap_analysis(questions: Sequence[Question], standards: Mapping[str, Decimal], supervisor: Mapping[str, int],
                 self_scores: Mapping[str, int], weights: tuple[Decimal, Decimal] = DEFAULT_WEIGHTS) -> tuple[GapRow, ...]:
    """Per competency: supervisor mean, self mean, combined = w_sup·sup + w_self·self, target, gap.

    Means and the combined score are rounded half-up to 2 decimals; the gap is target − the
    rounded combined score, so the figures on the form add up. A positive gap is a shortfall.
    """
    by_comp: dict[str, list[Question]] = {}
    for q in questions:
        by_comp.setdefault(q.competency, []).append(q)
    rows = []
    for comp, qs in by_comp.items():
        sup = _mean([supervisor[q.question_id] for q in qs])
        own = _mean([self_scores[q.question_id] for q in qs])
        combined = (weights[0] * sup + weights[1] * own).quantize(_CENT, ROUND_HALF_UP)
        target = standards[comp]
        gap = target - combined
        rows.append(GapRow(comp, len(qs), sup.quantize(_CENT, ROUND_HALF_UP), own.quantize(_CENT, ROUND_HALF_UP),
                           combined, target, gap, gap > 0))
    return tuple(rows)


def _instrument_content(raw_questions: Iterable[Mapping[str, Any]], raw_standards: Iterable[Mapping[str, Any]]
                        ) -> tuple[tuple[Question, ...], tuple[StandardScore, ...]]:
    questions: list[Question] = []
    ids: set[str] = set()
    for q in raw_questions:
        qid = text(q.get("question_id"), "question_id", max_len=CODE_MAX)
        if qid in ids:
            raise Invalid(msg("Question id {qid} is used twice; each question needs its own id.", qid=qid), field="questions")
        ids.add(qid)
        questions.append(Question(qid, competency(q.get("competency")).code, choice(Level, q.get("level"), "level"),
                                  long_text(q.get("text"), "text") or ""))
    if not questions:
        raise Invalid("An instrument version needs at least one question.", field="questions")
    pairs = {(q.competency, q.level) for q in questions}
    standards: dict[tuple[str, str], StandardScore] = {}
    for s in raw_standards:
        comp, lvl = competency(s.get("competency")).code, choice(Level, s.get("level"), "level")
        if (comp, lvl) in standards:
            raise Invalid(msg("The standard score of {comp} at {lvl} is given twice.", comp=comp, lvl=lvl), field="standards")
        if (comp, lvl) not in pairs:
            raise Invalid(msg("A standard score is given for {comp} at {lvl}, but no question asks about it.", comp=comp, lvl=lvl), field="standards")
        try:
            target = Decimal(str(s.get("target")))
        except InvalidOperation:
            raise Invalid(msg("The standard score of {comp} at {lvl} ({s_get_target!r}) is not a number.",
                              comp=comp, lvl=lvl, s_get_target=s.get('target')), field="standards") from None
        if isinstance(s.get("target"), bool) or not target.is_finite() or not 0 <= target <= 10 or int(target.as_tuple().exponent) < -2:
            raise Invalid(msg("The standard score of {comp} at {lvl} is {s_get_target}; it must lie on the 0–10 scale with at most "
                              "2 decimals.", comp=comp, lvl=lvl, s_get_target=s.get('target')), field="standards")
        standards[(comp, lvl)] = StandardScore(comp, lvl, target)
    missing = sorted(pairs - set(standards))
    if missing:
        listed = ", ".join(f"{c} at {lvl}" for c, lvl in missing)
        raise Invalid(msg("Every competency asked about needs its standard score at that level; missing: {listed}.", listed=listed), field="standards")
    return tuple(questions), tuple(standards.values())


@dataclass(frozen=True)
class AssessmentCommands:
    """Domain verbs of the instrument (Instansi Pembina) and of the 180° assessment."""

    app: Any

    # -- instrument ---------------------------------------------------------------------------------

    def instrument(self, code: str) -> Instrument:
        return load(self.app, instrument_id(code), Instrument, msg("No assessment instrument {code!r} is published.", code=code))

    def publish_instrument(self, ctx: Context, *, code: str, title: str, questions: Iterable[Mapping[str, Any]],
                           standards: Iterable[Mapping[str, Any]], note: str | None = None) -> Instrument:
        ctx = ctx.acting_as(access.require_role(ctx.actor, [access.PEMBINA], N_("publish an assessment instrument")))
        code = text(code, "code", max_len=CODE_MAX) or ""
        title = text(title, "title") or ""
        qs, ss = _instrument_content(questions, standards)
        meta = ctx.provenance()
        inst = self.app.get(instrument_id(code))
        if inst is None:
            inst = Instrument._create(Instrument.Created, id=instrument_id(code), meta=meta, timestamp=meta.recorded_at,
                                      code=code, title=title)
        inst.record(Instrument.VersionPublished, meta, version=inst.latest + 1, title=title,
                    note=long_text(note, "note", required=False), questions=qs, standards=ss)
        return inst

    # -- assessment ---------------------------------------------------------------------------------

    def get(self, officer_id: UUID, year: int) -> CompetencyAssessment:
        return load(self.app, assessment_id(officer_id, year), CompetencyAssessment,
                    msg("No {year} competency assessment of officer {officer_id} has been started.", year=year, officer_id=officer_id))

    def _open(self, ctx: Context, officer: Any, year: int, code: str | None, version: int | None
              ) -> tuple[CompetencyAssessment, Instrument]:
        year = year_in(year)
        today = ctx.now.date()
        if year > today.year:
            raise Invalid(msg("The {year} assessment cannot be scored before {year} begins.", year=year), field="year")
        if officer.withdrawn:
            raise Conflict(msg("The registration of NIP {nip} was withdrawn; nothing more can be recorded on it.", nip=officer.nip))
        existing = self.app.get(assessment_id(officer.id, year))
        if existing is not None:
            existing.check_open()
            if code is not None and code != existing.instrument_code or version is not None and version != existing.instrument_version:
                raise Conflict(msg("This assessment uses instrument {instrument_code} version {instrument_version}; score it with that "
                                   "version.",
                                   instrument_code=existing.instrument_code, instrument_version=existing.instrument_version), field="instrument_version")
            return existing, self.instrument(existing.instrument_code)
        if code is None:
            raise Invalid("Name the instrument (its code) the first form of this assessment is scored with.", field="instrument")
        inst = self.instrument(code)
        version = version or inst.latest
        if version not in inst.versions:
            raise Invalid(msg("Instrument {code} has versions 1–{latest}, not {version}.",
                              code=code, latest=inst.latest, version=version), field="instrument_version")
        if not inst.questions_for(version, officer.level):
            raise Invalid(msg("Instrument {code} version {version} has no questions for level {level}.",
                              code=code, version=version, level=officer.level), field="instrument")
        meta = ctx.provenance(on_behalf_of=officer.nip)
        agg = CompetencyAssessment._create(
            CompetencyAssessment.Opened, id=assessment_id(officer.id, year), meta=meta, timestamp=meta.recorded_at,
            officer_id=officer.id, nip=officer.nip, agency=officer.agency, level=officer.level, year=year,
            instrument_code=code, instrument_version=version)
        return agg, inst

    def _scores(self, agg: CompetencyAssessment, inst: Instrument, raw: Iterable[Mapping[str, Any]], form: str) -> tuple[Score, ...]:
        v = agg.instrument_version
        return check_scores(inst.questions_for(v, agg.level), inst.versions[v][0], raw, form=form,
                            instrument=f"{inst.code} version {v}", level=agg.level)

    def score_as_supervisor(self, ctx: Context, officer_id: UUID, year: int, *, scores: Iterable[Mapping[str, Any]],
                            instrument: str | None = None, instrument_version: int | None = None,
                            expected_version: int | None = None) -> CompetencyAssessment:
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_direct_supervisor(ctx.actor, officer, N_("fill the supervisor assessment (Formulir 2.3)")))
        agg, inst = self._open(ctx, officer, year, instrument, instrument_version)
        check_version("assessment", agg.version, expected_version)
        clean = self._scores(agg, inst, scores, "Formulir 2.3")
        agg.record(CompetencyAssessment.SupervisorScored, ctx.provenance(on_behalf_of=officer.nip),
                   supervisor_nip=ctx.actor.nip, scores=clean)
        return agg

    def score_self(self, ctx: Context, officer_id: UUID, year: int, *, scores: Iterable[Mapping[str, Any]],
                   instrument: str | None = None, instrument_version: int | None = None,
                   expected_version: int | None = None) -> CompetencyAssessment:
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_officer_self(ctx.actor, officer, N_("fill the self-assessment (Formulir 2.4)")))
        agg, inst = self._open(ctx, officer, year, instrument, instrument_version)
        check_version("assessment", agg.version, expected_version)
        clean = self._scores(agg, inst, scores, "Formulir 2.4")
        agg.record(CompetencyAssessment.SelfScored, ctx.provenance(on_behalf_of=officer.nip), scores=clean)
        return agg

    def close_gap_analysis(self, ctx: Context, officer_id: UUID, year: int, *, weight_supervisor: Any = DEFAULT_WEIGHTS[0],
                           weight_self: Any = DEFAULT_WEIGHTS[1], expected_version: int | None = None) -> CompetencyAssessment:
        try:
            agg = self.get(officer_id, year)
        except NotFound:
            raise NotFound(msg("No {year} competency assessment of officer {officer_id} has been started; the supervisor and the "
                               "officer score it first.", year=year, officer_id=officer_id)) from None
        if access.PEMBINA in ctx.actor.roles:
            role = access.PEMBINA  # the Instansi Pembina processes and analyses the forms (BAB II.A.2.e.3)
        else:
            role = as_agency_role(ctx.actor, agg.agency, [access.HR], N_("close the competency-gap analysis"))
        ctx = ctx.acting_as(role)
        check_version("assessment", agg.version, expected_version)
        agg.check_open()
        missing = [f for f, s in (("Formulir 2.3 (supervisor)", agg.supervisor_scores), ("Formulir 2.4 (self)", agg.self_scores)) if not s]
        if missing:
            raise Conflict(msg("The gap analysis needs both parts of the 180° assessment; not yet filled: {missing}.", missing=' and '.join(missing)))
        weights = check_weights(weight_supervisor, weight_self)
        inst = self.instrument(agg.instrument_code)
        v = agg.instrument_version
        rows = gap_analysis(inst.questions_for(v, agg.level), inst.standards_for(v, agg.level), agg.supervisor_scores,
                            agg.self_scores, weights)
        agg.record(CompetencyAssessment.GapAnalysisClosed, ctx.provenance(on_behalf_of=agg.nip),
                   weight_supervisor=weights[0], weight_self=weights[1], rows=rows,
                   instrument_code=agg.instrument_code, instrument_version=v, ruleset_version=RULESET_VERSION)
        return agg
