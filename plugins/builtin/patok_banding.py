"""Patok banding (benchmarking) (BAB III.B). JP: 10 per activity (LAN, Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/patok-banding-r1"

PATOK_BANDING = PathwayDefinition(
    code="patok_banding",
    name_id="Patok Banding (Benchmarking)",
    name_en="Benchmarking",
    on_the_job=True,
    methods=("klasikal", "hybrid"),
    provider_kinds=("host_institution",),
    evidence_required=("statement", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="patok_banding",
    guideline_section="BAB III.B",
    ruleset_version=RULESET_VERSION,
    rules=(
        "A visit to an organisation with a comparative advantage (III.B.1); on the job (III.B.4).",
        "The HR unit verifies the host, the head of the agency approves it, and the schedule is agreed with the host "
        "(III.B.5.a.2–4); participants are selected by urgency, proposed by letter and assigned (III.B.5.a.5–9).",
        "Monitoring: attendance, Formulir 3.3, by the HR unit with the host (III.B.5.c, III.B.7).",
        "Evidence: the host's statement (surat keterangan) and the officer's report (III.B.2).",
        "JP: 10 per activity (international 20), prorated by the sessions fully attended (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [PATOK_BANDING]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    if stage == "complete":
        if not activity.sessions:
            problems.append(msg("The visit's schedule is not recorded (III.B.5.a.4)."))
        elif not activity.schedule_agreed_with_provider:
            problems.append(msg("The schedule must be agreed with the benchmarking host (III.B.5.a.4); record it as agreed with the "
                                "provider."))
    return problems + rules.proposal_letter_problems(activity, stage, "III.B.5.a.7", to="the host")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_activity_credit(PATOK_BANDING.jp_form, activity, participant, jp_table, label="patok banding")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(PATOK_BANDING, activity, as_of)
