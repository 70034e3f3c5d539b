"""Coaching and mentoring (BAB III.D): a coach/mentor chosen by the agency's criteria, a learning
contract agreed by both, meetings agreed vs held (Formulir 3.4). JP: 2 per meeting, at most 2
meetings a month (LAN, Perlan 10/2018 Lampiran II). Formulir 5.2: *jadwal dan waktu* compares the meetings
held in the planned period with the meetings agreed in the learning contract."""
from __future__ import annotations

from datetime import date

from core.evaluation.facts import EvaluationCell, PlanRowFacts
from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/coaching-mentoring-r2"

_RULES = (
    "{Name}: {what} (III.D.1); on the job (III.D.4), by the direct supervisor or a more experienced person, "
    "possibly from outside the agency.",
    "Preparation: the agency sets the criteria and appoints the {kind}; the head assigns the participant and the "
    "{kind} (III.D.5.a.5–7).",
    "A learning contract (kontrak pembelajaran) with the meetings agreed and the goals, agreed by both the "
    "participant and the {kind} (III.D.3); meetings are recorded against it, at most one a day.",
    "Monitoring: meetings agreed vs held, Formulir 3.4, by the {kind} with the HR unit (III.D.5.c, III.D.7).",
    "Evidence: the participant's report and the {kind}'s report (III.D.2, III.D.5.d.1).",
    "JP: 2 per meeting held, at most 2 meetings a month credited (LAN, Perlan 10/2018 Lampiran II).",
    "Formulir 5.2, jadwal dan waktu: Sesuai when every meeting agreed in the learning contract was held within the "
    "planned period of the plan row (Formulir 3.4), Tidak otherwise, saying how many were held and when.",
)


def _definition(code: str, name: str, english: str, what: str) -> PathwayDefinition:
    return PathwayDefinition(
        code=code,
        name_id=name,
        name_en=english,
        on_the_job=True,
        methods=("klasikal", "blended", "hybrid"),
        provider_kinds=("coach_mentor",),
        evidence_required=("learning_contract", "report", "coach_report"),
        monitoring_form="3.4",
        monitored_by="coach",
        scheduled_by="hr",
        jp_form=code,
        guideline_section="BAB III.D",
        ruleset_version=RULESET_VERSION,
        requires_provider_approval=False,
        requires_coach=True,
        rules=tuple(r.format(Name=name, kind=code.replace("ing", ""), what=what) for r in _RULES),
    )


COACHING = _definition("coaching", "Coaching", "Coaching",
                       "guidance to improve performance by the ability to solve problems, optimising one's potential")
MENTORING = _definition("mentoring", "Mentoring", "Mentoring",
                        "transfer of knowledge, experience and skills from someone more experienced in the same field")


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [COACHING, MENTORING]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    if stage == "complete":
        if activity.coach_name is None:
            problems.append(msg("No coach/mentor is assigned (III.D.5.a.5–6)."))
        for p in activity.participants:
            if p.completed_on is None and not p.meetings:
                problems.append(msg("No meeting of {name} ({nip}) is recorded (Formulir 3.4).", name=p.name, nip=p.nip))
    return problems


@hookimpl
def pengkom_credit_jp(pathway: str, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_session_credit(pathway, activity, participant, jp_table)


@hookimpl
def pengkom_monitoring_findings(pathway: str, activity: ActivityFacts, as_of: date) -> list[Finding]:
    definition = COACHING if pathway == "coaching" else MENTORING
    found = rules.evidence_findings(definition, activity, as_of)
    for p in activity.participants:
        if p.meetings_agreed is None or not p.contract_agreed:
            if p.assignment_number and as_of >= activity.start:
                found.append(Finding("learning_contract_missing", msg("{name} ({nip}) has no learning contract agreed by both (III.D.3).",
                                                                      name=p.name, nip=p.nip), p.officer_id, "warning", "3.4"))
            continue
        held = sum(1 for m in p.meetings if m.on <= as_of)
        if as_of > activity.end and held < p.meetings_agreed:
            found.append(Finding("meetings_below_agreed", msg("{name} ({nip}) held {held} of the {meetings_agreed} meetings agreed in the learning contract "
                                                              "(Formulir 3.4).",
                                                              name=p.name, nip=p.nip, held=held, meetings_agreed=p.meetings_agreed),
                                                              p.officer_id, "warning", "3.4"))
        months: dict[str, int] = {}
        for m in p.meetings:
            key = f"{m.on.year:04d}-{m.on.month:02d}"
            months[key] = months.get(key, 0) + 1
        for month, n in sorted(months.items()):
            if n > 2:
                found.append(Finding("meetings_over_monthly_cap", msg("{name} ({nip}) held {n} meetings in {month}; only 2 a month earn JP.",
                                                                      name=p.name, nip=p.nip, n=n, month=month), p.officer_id, "info", "3.4"))
    return found


@hookimpl
def pengkom_evaluation_cell(cell: str, plan_row: PlanRowFacts | None, activity: ActivityFacts,
                            participant: ParticipantFacts) -> EvaluationCell | None:
    """Formulir 5.2 *jadwal dan waktu* of a coaching/mentoring: the meetings held (Formulir 3.4) in the
    planned period against the meetings agreed in the learning contract (III.D.3)."""
    if cell != "jadwal" or plan_row is None or plan_row.start is None or plan_row.end is None:
        return None  # the other cells, unplanned participations and rows without a schedule: core compares
    start, end = plan_row.start, plan_row.end
    agreed = participant.meetings_agreed if participant.contract_agreed else None
    planned = f"{agreed if agreed is not None else 'no'} meeting(s) agreed in the learning contract, {start} – {end}"
    inside = [m for m in participant.meetings if start <= m.on <= end]
    outside = len(participant.meetings) - len(inside)
    held = f"{len(inside)} meeting(s) held in the period" + (f", {outside} outside it" if outside else "")
    if agreed is None:
        return EvaluationCell(False, planned, held, f"{participant.name} has no learning contract agreed by both (III.D.3).")
    if len(inside) < agreed:
        return EvaluationCell(False, planned, held, f"{len(inside)} of the {agreed} meetings agreed were held between {start} and "
                                                    f"{end} (Formulir 3.4).")
    return EvaluationCell(True, planned, held)
