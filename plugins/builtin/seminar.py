"""Seminar / konferensi / sarasehan (BAB III.A.1.e). JP: 4 per day fully attended (LAN, Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/seminar-r1"

SEMINAR = PathwayDefinition(
    code="seminar",
    name_id="Seminar/Konferensi/Sarasehan",
    name_en="Seminar / conference",
    on_the_job=False,
    methods=("klasikal", "blended", "hybrid"),
    provider_kinds=("own_unit", "other_agency", "independent"),
    evidence_required=("certificate", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="seminar",
    guideline_section="BAB III.A",
    ruleset_version=RULESET_VERSION,
    rules=(
        "A scientific meeting given by experts or practitioners to update current knowledge (III.A.1.e); off the "
        "job, by an accredited provider (BAB III, opening).",
        "Preparation and monitoring as for training: approval, selection by urgency, proposal and assignment "
        "letters; attendance per day, Formulir 3.3, by the HR unit (III.A.5).",
        "Evidence: the certificate and the officer's report (III.A.2).",
        "JP: 4 per day fully attended (international 6); a partly attended day credits its minutes ÷ 45, at most "
        "4; an absent day nothing (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [SEMINAR]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    return rules.proposal_letter_problems(activity, stage, "III.A.5.a.6")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_day_credit(SEMINAR.jp_form, activity, participant, jp_table)


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(SEMINAR, activity, as_of)
