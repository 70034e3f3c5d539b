"""The yearly recap and recommendation (BAB V.D), per agency and year, and how it feeds the next plan.

The HR unit computes the recap from the three evaluations recorded for the year's activities
(Formulir 5.1 weights, the signed Formulir 5.4 final scores, the agreed Formulir 5.5 forms): which
competency kinds suit which development forms, the dominant development patterns, per programme and
per provider a recommendation whether to continue (low quality → not continued, with the figures
behind it), and the fit per position level. It finalises the recap with its own written analysis
(and may set a recommendation otherwise, with a reason kept beside the computed one) and submits it
to the Instansi Pembina in Q1 of the next year.

A plan row of a later year that repeats a programme or provider the recap recommended to stop gets a
verification finding citing the recap (:func:`recap_findings`, called by the plan's checks).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from core import access
from core.catalogue import LEVEL_LABELS, Level, competency
from core.cycle import as_agency_role, check_version, long_text, year_in
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.evaluation import rules
from core.evaluation.administrative import ActivityEvaluation, evaluation_id
from core.evaluation.common import load_activity, plan_links, plan_row
from core.evaluation.impact import ImpactEvaluation, impact_id
from core.evaluation.result import ResultEvaluation, result_id
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import LONG_MAX, REASON_MAX


def recap_id(agency: str, year: int) -> UUID:
    return derived_id("evaluation-recap", agency, year)


@dataclass(frozen=True)
class GroupFit:
    """The figures of a group of participations and its fit (see :func:`core.evaluation.rules.combined_fit`)."""

    key: str
    competency_kind: str | None
    level: str | None
    pathway: str
    activities: int
    participants: int
    respondents: int
    reaction_weight: Decimal | None
    result_score: Decimal | None
    results: int
    impact_share: Decimal | None
    impacts: int
    combined: Decimal | None
    band: str | None
    fit: str


@dataclass(frozen=True)
class Pattern:
    """How often a pathway was followed: the dominant development patterns (V.D angka 2)."""

    pathway: str
    competency_kind: str | None
    participants: int
    share: Decimal
    credited_jp: int
    dominant: bool


@dataclass(frozen=True)
class Recommendation:
    """Whether a programme or provider should run again next year (V.D angka 3), with the figures behind it."""

    kind: str  # "programme" or "provider"
    name: str
    key: str
    activities: tuple[str, ...]
    respondents: int
    reaction_weight: Decimal | None
    band: str | None
    result_score: Decimal | None
    impact_share: Decimal | None
    recommendation: str
    reason: str


@dataclass(frozen=True)
class RecommendationOverride:
    kind: str
    key: str
    name: str
    computed: str
    recommendation: str
    reason: str


class YearlyRecap(PengkomAggregate):
    TOPIC = "pengkom.evaluation.YearlyRecap"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.evaluation.YearlyRecapEvent"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.evaluation.RecapOpened"
        agency: str
        year: int

    class Computed(Event):
        """The recap as computed from the three evaluations; a later computation (before finalising) supersedes it."""

        TOPIC = "pengkom.evaluation.RecapComputed"
        activities: int
        participants: int
        questionnaires: int
        results_signed: int
        impacts_agreed: int
        by_kind_and_pathway: tuple[GroupFit, ...]
        patterns: tuple[Pattern, ...]
        programmes: tuple[Recommendation, ...]
        providers: tuple[Recommendation, ...]
        by_level: tuple[GroupFit, ...]
        ruleset_version: str

        def apply(self, a: YearlyRecap) -> None:
            a.computed = {(r.kind, r.key): r for r in (*self.programmes, *self.providers)}

    class Finalised(Event):
        """The HR unit's written analysis and final recommendations (overrides keep the computed one beside them)."""

        TOPIC = "pengkom.evaluation.RecapFinalised"
        analysis: str
        overrides: tuple[RecommendationOverride, ...]
        finalised_on: date

        def apply(self, a: YearlyRecap) -> None:
            a.finalised_on = self.finalised_on
            a.final = {k: r.recommendation for k, r in a.computed.items()}
            for o in self.overrides:
                a.final[(o.kind, o.key)] = o.recommendation

    class Submitted(Event):
        """Sent to the Instansi Pembina (V.D: triwulan pertama tahun berikutnya)."""

        TOPIC = "pengkom.evaluation.RecapSubmitted"
        recipient: str
        submitted_on: date

        def apply(self, a: YearlyRecap) -> None:
            a.submitted_on = self.submitted_on

    def __init__(self, agency: str, year: int) -> None:
        self.agency = agency
        self.year = year
        self.computed: dict[tuple[str, str], Recommendation] = {}
        self.final: dict[tuple[str, str], str] = {}
        self.finalised_on: date | None = None
        self.submitted_on: date | None = None


# -- computing the recap (pure over loaded records) ---------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    activity_id: str
    title: str
    programme: str
    provider: str
    pathway: str
    competency_kind: str | None
    level: str
    credited_jp: int
    result_score: Decimal | None
    impact_contributes: bool | None  # None: no agreed Formulir 5.5


def _figures(parts: Sequence[Participation], answers: Mapping[str, Sequence[Sequence[int]]]) -> tuple[Any, ...]:
    acts = sorted({p.activity_id for p in parts})
    pooled = [v for a in acts for s in answers.get(a, ()) for v in s]
    respondents = sum(len(answers.get(a, ())) for a in acts)
    reaction = rules.weight("group", "group", pooled, respondents) if pooled else None
    scores = [p.result_score for p in parts if p.result_score is not None]
    result = rules.round2(sum(scores, Decimal(0)) / len(scores)) if scores else None
    impacts = [p.impact_contributes for p in parts if p.impact_contributes is not None]
    share = rules.round2(Decimal(sum(impacts)) * 100 / len(impacts)) if impacts else None
    return acts, respondents, reaction, result, len(scores), share, len(impacts)


def _group(key: str, kind: str | None, level: str | None, pathway: str, parts: Sequence[Participation],
           answers: Mapping[str, Sequence[Sequence[int]]]) -> GroupFit:
    acts, respondents, reaction, result, n_results, share, n_impacts = _figures(parts, answers)
    percentages = [x for x in (reaction.weight if reaction else None, result * 10 if result is not None else None, share)
                   if x is not None]
    combined, band, fit = rules.combined_fit(percentages)
    return GroupFit(key, kind, level, pathway, len(acts), len(parts), respondents, reaction.weight if reaction else None,
                    result, n_results, share, n_impacts, combined, band, fit)


def _recommendations(kind: str, parts: Sequence[Participation], answers: Mapping[str, Sequence[Sequence[int]]]) -> tuple[Recommendation, ...]:
    groups: dict[str, list[Participation]] = defaultdict(list)
    names: dict[str, str] = {}
    for p in parts:
        name = p.programme if kind == "programme" else p.provider
        key = rules.key_of(name)
        groups[key].append(p)
        names.setdefault(key, name)
    out = []
    for key in sorted(groups):
        acts, respondents, reaction, result, _, share, _ = _figures(groups[key], answers)
        advice, reason = rules.recommendation(reaction)
        titles = tuple(sorted({p.title for p in groups[key]}))
        out.append(Recommendation(kind, names[key], key, titles, respondents, reaction.weight if reaction else None,
                                  reaction.band if reaction else None, result, share, advice, reason))
    return tuple(out)


def compute(parts: Sequence[Participation], answers: Mapping[str, Sequence[Sequence[int]]]) -> dict[str, Any]:
    """The recap's tables from the year's participations and the activities' questionnaire answers."""
    by_kp: dict[tuple[str | None, str], list[Participation]] = defaultdict(list)
    by_level: dict[tuple[str, str], list[Participation]] = defaultdict(list)
    for p in parts:
        by_kp[(p.competency_kind, p.pathway)].append(p)
        by_level[(p.level, p.pathway)].append(p)
    total = len(parts)
    counts = Counter(p.pathway for p in parts)
    top = max(counts.values(), default=0)
    patterns = [Pattern(pw, None, n, rules.round2(Decimal(n) * 100 / total), sum(p.credited_jp for p in parts if p.pathway == pw),
                        n == top) for pw, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    for kind in sorted({p.competency_kind for p in parts if p.competency_kind}):
        mine = [p for p in parts if p.competency_kind == kind]
        kc = Counter(p.pathway for p in mine)
        ktop = max(kc.values())
        patterns += [Pattern(pw, kind, n, rules.round2(Decimal(n) * 100 / len(mine)),
                             sum(p.credited_jp for p in mine if p.pathway == pw), n == ktop)
                     for pw, n in sorted(kc.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "by_kind_and_pathway": tuple(_group(f"{k or 'unknown'}/{pw}", k, None, pw, v, answers)
                                     for (k, pw), v in sorted(by_kp.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))),
        "patterns": tuple(patterns),
        "programmes": _recommendations("programme", parts, answers),
        "providers": _recommendations("provider", parts, answers),
        "by_level": tuple(_group(f"{lv}/{pw}", None, lv, pw, v, answers) for (lv, pw), v in sorted(by_level.items())),
    }


# -- guards and commands -------------------------------------------------------------------------------------


def can_read_recap(actor: Any, agency: str, *, submitted: bool) -> str:
    """The agency's HR side reads its recap; the Instansi Pembina, LAN and BKN once submitted; auditors always."""
    if access.AUDITOR in actor.roles:
        return access.AUDITOR
    national = sorted(actor.roles & {access.PEMBINA, access.LAN, access.BKN})
    if national:
        if submitted:
            return national[0]
        raise Forbidden(msg("The evaluation recap of {agency} has not been submitted to the Instansi Pembina yet; national roles "
                            "read submitted recaps.", agency=agency))
    if actor.agency == agency:
        for role in sorted(actor.roles & access.AGENCY_READERS):
            return role
    raise Forbidden("The evaluation recap is read by its agency's HR side, and once submitted by the Instansi Pembina, LAN "
                    "and BKN.")


@dataclass(frozen=True)
class RecapCommands:
    app: Any

    def get(self, agency: str, year: int) -> YearlyRecap:
        agg = self.app.get(recap_id(agency, year))
        if not isinstance(agg, YearlyRecap):
            raise NotFound(msg("{agency} has no evaluation recap for {year} yet; the HR unit computes it first.", agency=agency, year=year))
        return agg

    def participations(self, agency: str, year: int, activity_ids: Iterable[UUID]) -> tuple[list[Participation], dict[str, Any]]:
        parts: list[Participation] = []
        answers: dict[str, list[tuple[int, ...]]] = {}
        for aid in activity_ids:
            activity = load_activity(self.app, aid)
            if activity.agency != agency or activity.year != year:
                raise Invalid(msg("Activity {aid} is not one of {agency}'s activities of {year}.", aid=aid, agency=agency, year=year), field="activity_ids")
            ev = self.app.get(evaluation_id(aid))
            if isinstance(ev, ActivityEvaluation):
                answers[str(aid)] = list(ev.questionnaires.values())
            links = plan_links(self.app, aid)
            facts = activity.facts()
            rows = {p.officer_id: plan_row(self.app, *links.get(p.officer_id, (None, None))) for p in facts.participants}
            # The programme is the activity's: the programme of the plan rows it implements, else its title.
            programme = next((r.programme for r in rows.values() if r is not None and r.programme), activity.title)
            for p in facts.participants:
                if p.completed_on is None:
                    continue
                row = rows[p.officer_id]
                code = activity.competency or (row.competency if row else None)
                result = self.app.get(result_id(aid, p.officer_id))
                impact = self.app.get(impact_id(aid, p.officer_id))
                parts.append(Participation(
                    activity_id=str(aid), title=activity.title, programme=programme,
                    provider=activity.provider_name, pathway=activity.pathway,
                    competency_kind=competency(code).kind.value if code else None, level=p.level,
                    credited_jp=p.credited_jp or 0,
                    result_score=result.final_score if isinstance(result, ResultEvaluation) else None,
                    impact_contributes=(any(impact.contributing.values()) if isinstance(impact, ImpactEvaluation) and impact.agreed
                                        else None)))
        return parts, answers

    def compute(self, ctx: Context, agency: str, year: int, activity_ids: Sequence[UUID], *,
                expected_version: int | None = None) -> YearlyRecap:
        """Compute (or, before finalising, recompute) the recap from the year's recorded evaluations."""
        ctx = ctx.acting_as(as_agency_role(ctx.actor, agency, [access.HR], N_("compute the evaluation recap")))
        year = year_in(year)
        agg = self.app.get(recap_id(agency, year))
        if agg is None:
            if expected_version not in (None, 0):
                check_version("recap", 0, expected_version)
            meta = ctx.provenance()
            agg = YearlyRecap._create(YearlyRecap.Opened, id=recap_id(agency, year), meta=meta, timestamp=meta.recorded_at,
                                      agency=agency, year=year)
        else:
            check_version("recap", agg.version, expected_version)
        if agg.finalised_on is not None:
            raise Conflict(msg("The {year} evaluation recap of {agency} was finalised on {finalised_on}; it stands as finalised.",
                               year=year, agency=agency, finalised_on=agg.finalised_on))
        parts, answers = self.participations(agency, year, activity_ids)
        if not parts:
            raise Conflict(msg("No participant of {agency}'s {year} activities has completed; there is nothing to recap.", agency=agency, year=year))
        tables = compute(parts, answers)
        agg.record(YearlyRecap.Computed, ctx.provenance(), activities=len({p.activity_id for p in parts}), participants=len(parts),
                   questionnaires=sum(len(v) for v in answers.values()),
                   results_signed=sum(1 for p in parts if p.result_score is not None),
                   impacts_agreed=sum(1 for p in parts if p.impact_contributes is not None), ruleset_version=rules.RULESET,
                   **tables)
        return agg

    def finalise(self, ctx: Context, agency: str, year: int, *, analysis: str, overrides: Sequence[Mapping[str, Any]] = (),
                 expected_version: int | None = None) -> YearlyRecap:
        ctx = ctx.acting_as(as_agency_role(ctx.actor, agency, [access.HR], N_("finalise the evaluation recap")))
        agg = self.get(agency, year_in(year))
        check_version("recap", agg.version, expected_version)
        if agg.finalised_on is not None:
            raise Conflict(msg("The {year} evaluation recap of {agency} was already finalised on {finalised_on}.",
                               year=year, agency=agency, finalised_on=agg.finalised_on))
        if not agg.computed:
            raise Conflict("The recap has not been computed yet.")
        text_ = long_text(analysis, "analysis", max_len=LONG_MAX) or ""
        if len(text_) < 20:
            raise Invalid("The HR unit's written analysis (at least 20 characters) finalises the recap.", field="analysis")
        out = []
        for n, o in enumerate(overrides):
            where = f"overrides[{n}]"
            kind, name = o.get("kind"), o.get("name")
            found = agg.computed.get((str(kind), rules.key_of(str(name))))
            if found is None:
                raise Invalid(msg("{where}: the recap has no {kind} {name!r}.", where=where, kind=kind, name=name), field=where)
            advice = o.get("recommendation")
            if advice not in ("continue", "improve", "stop"):
                raise Invalid(msg("{where}: recommendation is continue, improve or stop, not {advice!r}.", where=where, advice=advice), field=where)
            if advice == found.recommendation:
                raise Invalid(msg("{where}: {kind} {name!r} is already recommended to {advice}.",
                                  where=where, kind=kind, name=name, advice=advice), field=where)
            reason = long_text(o.get("reason"), f"{where}.reason", max_len=REASON_MAX) or ""
            if len(reason) < 10:
                raise Invalid(msg("{where}: setting a recommendation otherwise needs a reason of at least 10 characters.", where=where),
                              field=f"{where}.reason")
            out.append(RecommendationOverride(found.kind, found.key, found.name, found.recommendation, advice, reason))
        if len({(o.kind, o.key) for o in out}) != len(out):
            raise Invalid("An override is listed twice.", field="overrides")
        meta = ctx.provenance()
        agg.record(YearlyRecap.Finalised, meta, analysis=text_, overrides=tuple(out), finalised_on=meta.effective_date)
        return agg

    def submit(self, ctx: Context, agency: str, year: int, *, submitted_on: date | None = None,
               expected_version: int | None = None) -> YearlyRecap:
        ctx = ctx.acting_as(as_agency_role(ctx.actor, agency, [access.HR], N_("submit the evaluation recap")))
        agg = self.get(agency, year_in(year))
        check_version("recap", agg.version, expected_version)
        if agg.finalised_on is None:
            raise Conflict("The recap is submitted once the HR unit has finalised it with its written analysis.")
        if agg.submitted_on is not None:
            raise Conflict(msg("The {year} evaluation recap was already submitted to the Instansi Pembina on {submitted_on}.",
                               year=year, submitted_on=agg.submitted_on))
        when = submitted_on or ctx.now.date()
        if when > ctx.now.date() or when < agg.finalised_on:
            raise Invalid(msg("The submission date {when} must lie between the finalisation ({finalised_on}) and today.",
                              when=when, finalised_on=agg.finalised_on),
                          field="submitted_on")
        agg.record(YearlyRecap.Submitted, ctx.provenance(effective_date=when), recipient="pembina", submitted_on=when)
        return agg


# -- feeding the next plan ------------------------------------------------------------------------------------

RECAP_RULE_ID = "verification.recap.stop_recommended"


def stop_recommendations(app: Any, agency: str, plan_year: int) -> dict[tuple[str, str], tuple[YearlyRecap, Recommendation]]:
    """The programmes and providers to stop by the finalised recaps of the two years before ``plan_year``
    (the plan for Y is composed in Y − 1, when Y − 2's recap is the latest; a revision during Y sees Y − 1's);
    a later recap's recommendation replaces an earlier one's."""
    stops: dict[tuple[str, str], tuple[YearlyRecap, Recommendation]] = {}
    for y in (plan_year - 2, plan_year - 1):
        recap = app.get(recap_id(agency, y))
        if not isinstance(recap, YearlyRecap) or recap.finalised_on is None:
            continue
        for key, advice in recap.final.items():
            if advice == "stop":
                stops[key] = (recap, recap.computed[key])
            else:
                stops.pop(key, None)
    return stops


def recap_findings(app: Any, plan_id: UUID, agency: str, plan_year: int, rows: Iterable[Any]) -> list[Any]:
    """Verification findings for plan rows that repeat a programme or provider a recap recommended to stop."""
    from core.planning import GUIDELINE, Finding

    stops = stop_recommendations(app, agency, plan_year)
    if not stops:
        return []
    found = []
    for row in rows:
        for kind, value in (("programme", row.programme), ("provider", row.provider)):
            hit = stops.get((kind, rules.key_of(value)))
            if not value or hit is None:
                continue
            recap, rec = hit
            who = f"{row.officer_name} (NIP {row.nip})"
            message = str(msg("{who}: {kind} {value!r} was recommended not to be continued by the {year} evaluation recap of "
                              "{agency} (finalised {finalised_on}): {reason}", who=who, kind=kind, value=value, year=recap.year,
                              agency=agency, finalised_on=recap.finalised_on, reason=rec.reason))
            fid = derived_id("finding", plan_id, RECAP_RULE_ID, row.row_id, message)
            found.append(Finding(fid, "recap", RECAP_RULE_ID, message,
                                 f"{GUIDELINE}, BAB V.D angka 3; rekapitulasi dan rekomendasi hasil evaluasi {recap.year} "
                                 f"({agency}, recap {recap.id})", rules.RULESET, row.row_id, row.officer_id, True))
    return found


def level_label(level: str) -> str:
    try:
        return LEVEL_LABELS[Level(level)]
    except ValueError:
        return level


__all__ = ["GroupFit", "Participation", "Pattern", "RECAP_RULE_ID", "RecapCommands", "Recommendation", "RecommendationOverride",
           "YearlyRecap", "can_read_recap", "compute", "level_label", "recap_findings", "recap_id", "stop_recommendations"]
