"""Workshop / lokakarya (BAB III.A.1.f). JP: 5 per day fully attended (LAN, Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/workshop-r1"

WORKSHOP = PathwayDefinition(
    code="workshop",
    name_id="Workshop/Lokakarya",
    name_en="Workshop",
    on_the_job=False,
    methods=("klasikal", "blended", "hybrid"),
    provider_kinds=("own_unit", "other_agency", "independent"),
    evidence_required=("certificate", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="workshop",
    guideline_section="BAB III.A",
    ruleset_version=RULESET_VERSION,
    rules=(
        "A scientific meeting in which participants produce a product under practical guidance (III.A.1.f); off "
        "the job, by an accredited provider (BAB III, opening).",
        "Preparation and monitoring as for training; attendance per day, Formulir 3.3, by the HR unit (III.A.5).",
        "Evidence: the certificate and the officer's report (III.A.2).",
        "JP: 5 per day fully attended (international 7); a partly attended day credits its minutes ÷ 45, at most "
        "5 (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [WORKSHOP]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    return rules.proposal_letter_problems(activity, stage, "III.A.5.a.6")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_day_credit(WORKSHOP.jp_form, activity, participant, jp_table)


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(WORKSHOP, activity, as_of)
