"""Result evaluation (BAB V.B) of one officer's activity: the HR unit schedules the ekspose (a
presentation in a group meeting) with the competency indicators to be scored; each assessor —
supervisor, colleague or HR representative, their position recorded — fills Formulir 5.3 (0–10 per
indicator); the HR official signs the Formulir 5.4 recap: per indicator the total and the average over
assessors, and the final competency score (the mean of the indicator averages), recorded with the rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.catalogue import competency as catalogue_competency
from core.cycle import check_version, is_direct_supervisor, long_text, text
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.evaluation import rules
from core.evaluation.common import as_hr, completed, load_activity, officer_of, plan_links, plan_row
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import msg
from core.inputs import LINE_MAX, REASON_MAX


def result_id(activity_id: UUID, officer_id: UUID) -> UUID:
    return derived_id("evaluation-result", activity_id, officer_id)


class Capacity:
    """In which capacity an assessor scores (V.B.4: atasan, rekan kerja, perwakilan Unit Pengelola SDM Aparatur)."""

    SUPERVISOR = "supervisor"
    COLLEAGUE = "colleague"
    HR_REPRESENTATIVE = "hr_representative"
    ALL = (SUPERVISOR, COLLEAGUE, HR_REPRESENTATIVE)


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    text: str


class ResultEvaluation(PengkomAggregate):
    TOPIC = "pengkom.evaluation.ResultEvaluation"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.evaluation.ResultEvaluationEvent"

    class EksposeScheduled(Event, PengkomAggregate.Created):
        """V.B.5.a: the HR unit sets the ekspose and prepares Formulir 5.3 (items 2–7)."""

        TOPIC = "pengkom.evaluation.EksposeScheduled"
        activity_id: UUID
        officer_id: UUID
        agency: str
        year: int
        nip: str
        name: str
        position: str
        level: str
        unit: str
        programme: str
        pathway: str
        competency: str
        indicators: tuple[Indicator, ...]
        held_on: date
        place: str
        activity_end: date

    class EksposeRescheduled(Event):
        TOPIC = "pengkom.evaluation.EksposeRescheduled"
        held_on: date
        place: str
        reason: str

        def apply(self, a: ResultEvaluation) -> None:
            a.held_on = self.held_on

    class AssessmentRecorded(Event):
        """One Formulir 5.3: the assessor, their position (item 1) and capacity, a score 0–10 per indicator (item 8)."""

        TOPIC = "pengkom.evaluation.AssessmentRecorded"
        assessment_id: UUID
        assessor_name: str
        assessor_nip: str | None
        assessor_position: str
        capacity: str
        assessed_on: date
        scores: tuple[int, ...]

        def apply(self, a: ResultEvaluation) -> None:
            a.assessments.append({"nip": self.assessor_nip, "name": self.assessor_name, "position": self.assessor_position,
                                  "scores": self.scores})

    class RecapSigned(Event):
        """Formulir 5.4 items (7)–(11): the totals, averages and final score as computed, signed by the HR official."""

        TOPIC = "pengkom.evaluation.ResultRecapSigned"
        indicators: tuple[rules.IndicatorRecap, ...]
        final_score: Decimal
        assessors: int
        rule: str
        ruleset_version: str
        signer_name: str
        signer_nip: str | None
        signer_position: str
        signed_on: date

        def apply(self, a: ResultEvaluation) -> None:
            a.signed_on = self.signed_on
            a.final_score = self.final_score

    def __init__(self, activity_id: UUID, officer_id: UUID, agency: str, year: int, nip: str, name: str, position: str,
                 level: str, unit: str, programme: str, pathway: str, competency: str, indicators: tuple[Indicator, ...],
                 held_on: date, place: str, activity_end: date) -> None:
        self.activity_id = activity_id
        self.officer_id = officer_id
        self.agency = agency
        self.name = name
        self.nip = nip
        self.indicators = tuple(indicators)
        self.held_on = held_on
        self.assessments: list[dict[str, Any]] = []
        self.signed_on: date | None = None
        self.final_score: Decimal | None = None

    def check_unsigned(self, what: str) -> None:
        if self.signed_on is not None:
            raise Conflict(msg("The Formulir 5.4 recap of {name} ({nip}) was signed on {signed_on}; {what} can no longer be "
                               "recorded.", name=self.name, nip=self.nip, signed_on=self.signed_on, what=what))


def _nip(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    nip = value.replace(" ", "")
    if not (nip.isdigit() and len(nip) == 18):
        raise Invalid(msg("NIP {value!r} must be 18 digits.", value=value), field=field)
    return nip


def _held_on(value: Any, today: date, earliest: date) -> date:
    if not isinstance(value, date):
        raise Invalid("held_on is the date of the ekspose (YYYY-MM-DD).", field="held_on")
    if value < earliest:
        raise Invalid(msg("The ekspose presents what was learnt, so it is held after the activity: {value} is before {earliest}.",
                          value=value, earliest=earliest),
                      field="held_on")
    if value > today + timedelta(days=366):
        raise Invalid(msg("The ekspose date {value} is more than a year ahead; schedule it within the year.", value=value), field="held_on")
    return value


@dataclass(frozen=True)
class ResultCommands:
    app: Any

    def get(self, activity_id: UUID, officer_id: UUID) -> ResultEvaluation:
        agg = self.app.get(result_id(activity_id, officer_id))
        if not isinstance(agg, ResultEvaluation):
            raise NotFound(msg("No ekspose is scheduled for officer {officer_id} on activity {activity_id}; the HR unit schedules "
                               "it first.", officer_id=officer_id, activity_id=activity_id))
        return agg

    def schedule(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, held_on: date, place: str,
                 indicators: list[str] | None = None, competency: str | None = None,
                 expected_version: int | None = None) -> ResultEvaluation:
        activity = load_activity(self.app, activity_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, activity.agency, "schedule the ekspose (result evaluation)"))
        officer = officer_of(self.app, officer_id, activity.agency)
        p = completed(activity, officer_id, "a result evaluation")
        if self.app.get(result_id(activity_id, officer_id)) is not None:
            raise Conflict(msg("The ekspose of {name} for {title!r} is already scheduled; reschedule it instead.", name=p.name, title=activity.title))
        if expected_version not in (None, 0):
            check_version("result evaluation", 0, expected_version)
        row = plan_row(self.app, *plan_links(self.app, activity_id).get(officer_id, (None, None)))
        code = competency or activity.competency or (row.competency if row else None)
        if code is None:
            raise Invalid(msg("{title!r} names no competency; give the competency developed (Formulir 5.3 item 6).", title=activity.title),
                          field="competency")
        code = catalogue_competency(code).code
        if indicators is not None and not isinstance(indicators, (list, tuple)):
            raise Invalid("indicators is a list of the competency indicators to be scored.", field="indicators")
        texts = rules.DEFAULT_INDICATORS if not indicators else tuple(indicators)
        if not 1 <= len(texts) <= 20:
            raise Invalid("Give 1 to 20 competency indicators (Formulir 5.3 item 7), or none for the guideline's three criteria.",
                          field="indicators")
        cleaned = tuple(text(t, "indicators", max_len=LINE_MAX) or "" for t in texts)
        if len(set(cleaned)) != len(cleaned):
            raise Invalid("An indicator is listed twice.", field="indicators")
        earliest = min(activity.end, p.completed_on or activity.end)
        when = _held_on(held_on, ctx.now.date(), earliest)
        meta = ctx.provenance(on_behalf_of=p.nip)
        return ResultEvaluation._create(
            ResultEvaluation.EksposeScheduled, id=result_id(activity_id, officer_id), meta=meta, timestamp=meta.recorded_at,
            activity_id=activity_id, officer_id=officer_id, agency=activity.agency, year=activity.year, nip=officer.nip,
            name=officer.name, position=officer.position, level=officer.level, unit=officer.unit, programme=activity.title,
            pathway=activity.pathway, competency=code,
            indicators=tuple(Indicator(f"I{n}", t) for n, t in enumerate(cleaned, start=1)), held_on=when,
            place=text(place, "place") or "", activity_end=activity.end)

    def reschedule(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, held_on: date, place: str, reason: str,
                   expected_version: int | None = None) -> ResultEvaluation:
        agg = self.get(activity_id, officer_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, agg.agency, "reschedule the ekspose"))
        check_version("result evaluation", agg.version, expected_version)
        if agg.assessments:
            raise Conflict(msg("The ekspose of {name} was held: {len_assessments} Formulir 5.3 are recorded.",
                               name=agg.name, len_assessments=len(agg.assessments)))
        activity = load_activity(self.app, activity_id)
        when = _held_on(held_on, ctx.now.date(), activity.start)
        agg.record(ResultEvaluation.EksposeRescheduled, ctx.provenance(on_behalf_of=agg.nip), held_on=when,
                   place=text(place, "place") or "", reason=long_text(reason, "reason", max_len=REASON_MAX) or "")
        return agg

    def record_assessment(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, assessor_name: str, assessor_position: str,
                          capacity: str, scores: Any, assessor_nip: str | None = None,
                          expected_version: int | None = None) -> tuple[ResultEvaluation, UUID]:
        """Formulir 5.3 of one assessor: entered by the HR unit from the collected forms (V.B.5.b.3–4), or by the
        assessor themself; a supervisor assessing as such must be the officer's direct supervisor."""
        agg = self.get(activity_id, officer_id)
        officer = self.app.officers.get(officer_id)
        nip = _nip(assessor_nip, "assessor_nip")
        if capacity not in Capacity.ALL:
            raise Invalid(msg("capacity {capacity!r} is not one of {ALL} (V.B.4: atasan, rekan kerja, perwakilan Unit Pengelola "
                              "SDM Aparatur).", capacity=capacity, ALL=', '.join(Capacity.ALL)), field="capacity")
        actor = ctx.actor
        if access.HR in actor.roles and actor.agency == agg.agency:
            role = access.HR
        elif nip is not None and actor.nip == nip and actor.agency == agg.agency and actor.has(access.SUPERVISOR, access.OFFICER):
            role = access.SUPERVISOR if access.SUPERVISOR in actor.roles else access.OFFICER
        else:
            raise Forbidden("Formulir 5.3 is entered by the HR unit from the collected forms, or by the assessor themself "
                            "(token NIP = assessor_nip).")
        if capacity == Capacity.SUPERVISOR and nip is not None and nip != officer.supervisor_nip:
            raise Invalid(msg("NIP {nip} is not the direct supervisor of {name} (the profile names {officer_supervisor_nip_o}); "
                              "record them as a colleague.",
                              nip=nip, name=officer.name, officer_supervisor_nip_o=officer.supervisor_nip or 'no supervisor'), field="capacity")
        if role == access.SUPERVISOR and capacity == Capacity.SUPERVISOR and not is_direct_supervisor(actor, officer):
            raise Forbidden(msg("Only the direct supervisor of {name} assesses in the supervisor capacity.", name=officer.name))
        ctx = ctx.acting_as(role)
        check_version("result evaluation", agg.version, expected_version)
        agg.check_unsigned("a Formulir 5.3")
        if nip is not None and nip == agg.nip:
            raise Invalid(msg("{name} presents at the ekspose and cannot assess themself.", name=agg.name), field="assessor_nip")
        name = text(assessor_name, "assessor_name") or ""
        position = text(assessor_position, "assessor_position") or ""
        for a in agg.assessments:
            if (nip is not None and a["nip"] == nip) or (nip is None and a["nip"] is None and a["name"] == name
                                                         and a["position"] == position):
                raise Conflict(msg("{name} ({position}) already filled Formulir 5.3 for {name2}; each assessor fills it once.",
                                   name=name, position=position, name2=agg.name),
                               field="assessor_nip" if nip else "assessor_name")
        values = self._scores(agg, scores)
        if agg.held_on > ctx.now.date():
            raise Conflict(msg("The ekspose of {name} is scheduled for {held_on}; the audience fills Formulir 5.3 at it.",
                               name=agg.name, held_on=agg.held_on))
        aid = uuid4()
        agg.record(ResultEvaluation.AssessmentRecorded, ctx.provenance(on_behalf_of=nip or name, effective_date=agg.held_on),
                   assessment_id=aid, assessor_name=name, assessor_nip=nip, assessor_position=position, capacity=capacity,
                   assessed_on=agg.held_on, scores=values)
        return agg, aid

    @staticmethod
    def _scores(agg: ResultEvaluation, scores: Any) -> tuple[int, ...]:
        if not isinstance(scores, dict):
            raise Invalid("scores maps each indicator id (I1, I2 …) to a score from 0 to 10.", field="scores")
        known = {i.indicator_id for i in agg.indicators}
        unknown = sorted(set(map(str, scores)) - known)
        if unknown:
            raise Invalid(msg("No indicator {unknown} on this Formulir 5.3; the indicators are {sorted_known}.",
                              unknown=', '.join(unknown), sorted_known=', '.join(sorted(known))),
                          field="scores")
        out = []
        for i in agg.indicators:
            if i.indicator_id not in scores:
                raise Invalid(msg("Indicator {indicator_id} ({text!r}) has no score; every indicator is scored.", indicator_id=i.indicator_id, text=i.text),
                              field=f"scores.{i.indicator_id}")
            v = scores[i.indicator_id]
            if isinstance(v, bool) or not isinstance(v, int) or not rules.SCORE_MIN <= v <= rules.SCORE_MAX:
                raise Invalid(msg("The score of indicator {indicator_id} ({text!r}) is {v!r}; Formulir 5.3 scores are whole numbers "
                                  "from {SCORE_MIN} (not competent) to {SCORE_MAX} (competent).",
                                  indicator_id=i.indicator_id, text=i.text, v=v, SCORE_MIN=rules.SCORE_MIN, SCORE_MAX=rules.SCORE_MAX),
                              field=f"scores.{i.indicator_id}")
            out.append(v)
        return tuple(out)

    def sign_recap(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, name: str, position: str,
                   nip: str | None = None, expected_version: int | None = None) -> ResultEvaluation:
        """Formulir 5.4 item (11): the HR official (pejabat pengelola SDM) signs the recap as computed."""
        agg = self.get(activity_id, officer_id)
        ctx = ctx.acting_as(as_hr(ctx.actor, agg.agency, "sign the Formulir 5.4 recap"))
        check_version("result evaluation", agg.version, expected_version)
        agg.check_unsigned("a signature")
        if not agg.assessments:
            raise Conflict(msg("No Formulir 5.3 is recorded for {name}; the recap is signed after the assessors' forms.", name=agg.name))
        meta = ctx.provenance(on_behalf_of=agg.nip)
        if meta.effective_date < agg.held_on:
            raise Invalid(msg("The recap cannot be signed on {effective_date}, before the ekspose on {held_on}.",
                              effective_date=meta.effective_date, held_on=agg.held_on),
                          field="effective_date")
        forms = [{i.indicator_id: s for i, s in zip(agg.indicators, a["scores"], strict=True)} for a in agg.assessments]
        recap, final = rules.recap_5_4([(i.indicator_id, i.text) for i in agg.indicators], forms)
        agg.record(ResultEvaluation.RecapSigned, meta, indicators=recap, final_score=final, assessors=len(forms),
                   rule=rules.FINAL_SCORE_RULE, ruleset_version=rules.RULESET, signer_name=text(name, "name") or "",
                   signer_nip=_nip(nip or ctx.actor.nip, "nip"), signer_position=text(position, "position") or "",
                   signed_on=meta.effective_date)
        return agg


__all__ = ["Capacity", "Indicator", "ResultCommands", "ResultEvaluation", "result_id"]
