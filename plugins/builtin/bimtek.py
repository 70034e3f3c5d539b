"""Bimbingan teknis (BAB III.A.1.g). JP: the programme's own JP, like training (Perlan 10/2018 Lampiran II; grade C)."""
from __future__ import annotations

from datetime import date

from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/bimtek-r1"

BIMTEK = PathwayDefinition(
    code="bimtek",
    name_id="Bimbingan Teknis",
    name_en="Technical guidance",
    on_the_job=False,
    methods=("klasikal", "blended", "hybrid", "e_learning"),
    provider_kinds=("own_unit", "other_agency", "independent"),
    evidence_required=("certificate", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="bimtek",
    guideline_section="BAB III.A",
    ruleset_version=RULESET_VERSION,
    rules=(
        "Learning that helps solve specific technical problems (III.A.1.g); off the job, by an accredited provider.",
        "Preparation and monitoring as for training; attendance, Formulir 3.3, by the HR unit (III.A.5).",
        "Evidence: the certificate and the officer's report (III.A.2).",
        "JP: the programme's JP on the certificate when fully attended; otherwise minutes attended ÷ 45, at most "
        "the certificate's JP (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [BIMTEK]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    return rules.proposal_letter_problems(activity, stage, "III.A.5.a.6")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.programme_credit(BIMTEK.jp_form, activity, participant, jp_table, label="bimtek")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(BIMTEK, activity, as_of)
