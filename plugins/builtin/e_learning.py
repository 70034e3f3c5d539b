"""E-learning (BAB III.C). JP: at most 3 per day of learning (LAN, Perlan 10/2018 Lampiran II); must finish within a year (III.C.8)."""
from __future__ import annotations

from datetime import date

from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/e-learning-r1"

E_LEARNING = PathwayDefinition(
    code="e_learning",
    name_id="E-learning",
    name_en="E-learning",
    on_the_job=False,
    methods=("e_learning",),
    provider_kinds=("own_unit", "other_agency", "independent"),
    evidence_required=("certificate", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="e_learning",
    guideline_section="BAB III.C",
    ruleset_version=RULESET_VERSION,
    rules=(
        "Learning through information technology, not bound by place and time (III.C.1); off the job (III.C.4).",
        "Preparation: matched to the provider's e-learning calendar, participants selected by urgency, proposal and "
        "assignment letters (III.C.5.a). Monitoring: Formulir 3.3 by the HR unit with the provider (III.C.5.c).",
        "Evidence: the certificate and the officer's report (III.C.2).",
        "E-learning runs at most one year (III.C.8): an activity may not be planned longer, and a participant not "
        "finished a year after the start is a finding.",
        "JP: at most 3 per day of learning — each day credits its minutes ÷ 45, at most 3 — and never more than the "
        "certificate's JP when it states one (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


def _one_year_after(start: date) -> date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [E_LEARNING]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    if activity.end >= _one_year_after(activity.start):
        problems.append(msg("E-learning runs at most one year (III.C.8): starting {start}, it must end before "
                            "{one_year_after_start}.", start=activity.start, one_year_after_start=_one_year_after(activity.start)))
    return problems + rules.proposal_letter_problems(activity, stage, "III.C.5.a.5")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    credit = rules.per_day_credit(E_LEARNING.jp_form, activity, participant, jp_table, capped=True, label="e-learning")
    certified = max((c.programme_jp for c in participant.certificates if c.programme_jp), default=None)
    if certified is not None and credit.jp > certified:
        return JpCredit(jp=certified, rule=credit.rule + ", never more than the certificate's JP",
                        detail={**credit.detail, "programme_jp": certified})
    return credit


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    found = rules.common_findings(E_LEARNING, activity, as_of)
    deadline = _one_year_after(activity.start)
    if as_of >= deadline:
        for p in activity.participants:
            if p.completed_on is None:
                found.append(Finding("e_learning_unfinished", msg("{name} ({nip}) has not finished the e-learning started {start}: "
                                                                  "it had to finish within one year, by {deadline} (III.C.8).",
                                                                  name=p.name, nip=p.nip, start=activity.start, deadline=deadline),
                                     p.officer_id, "warning", "3.3"))
    return found
