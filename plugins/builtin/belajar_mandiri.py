"""Belajar mandiri (self-development) (BAB III.E): material from the HR unit, the officer's own
schedule, monitored by the direct supervisor (Formulir 3.3). JP: at most 2 per day (LAN, Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/belajar-mandiri-r1"

BELAJAR_MANDIRI = PathwayDefinition(
    code="belajar_mandiri",
    name_id="Belajar Mandiri",
    name_en="Self-study",
    on_the_job=True,
    methods=("blended", "hybrid", "e_learning"),
    provider_kinds=("hr_unit",),
    evidence_required=("report",),
    monitoring_form="3.3",
    monitored_by="supervisor",
    scheduled_by="participant",
    jp_form="belajar_mandiri",
    guideline_section="BAB III.E",
    ruleset_version=RULESET_VERSION,
    requires_provider_approval=False,
    rules=(
        "The officer develops on their own from available learning sources (III.E.1); on the job, not in a class "
        "(III.E.4), so the klasikal method does not apply.",
        "The PyB assigns the officer; the HR unit provides the material (III.E.5.a.3–5).",
        "The officer sets their own schedule (III.E.5.b.1).",
        "Monitoring: the direct supervisor fills Formulir 3.3 and passes it to the HR unit (III.E.5.c).",
        "Evidence: the officer's report (III.E.2).",
        "JP: at most 2 per day of study — each day credits its minutes ÷ 45, at most 2 (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [BELAJAR_MANDIRI]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    if stage == "complete":
        if not activity.materials:
            problems.append(msg("The HR unit has not provided the learning material (III.E.5.a.5)."))
        if not activity.sessions:
            problems.append(msg("The officer's own study schedule is not recorded (III.E.5.b.1)."))
    return problems


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_day_credit(BELAJAR_MANDIRI.jp_form, activity, participant, jp_table, capped=True, label="belajar mandiri")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    found = rules.common_findings(BELAJAR_MANDIRI, activity, as_of)
    if not activity.materials and as_of >= activity.start:
        found.append(Finding("materials_missing", msg("The HR unit has not provided the learning material (III.E.5.a.5)."),
                             severity="warning"))
    return found
