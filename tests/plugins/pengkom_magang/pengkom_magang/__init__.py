"""Magang / praktik kerja (internship): an officer works for a while at a host institution.

JP: 20 per activity (international 24), prorated by the sessions fully attended (Perlan LAN 10/2018 Lampiran II, grade B; docs/guideline.md).
Evidence: the host's statement (surat keterangan) and the officer's report. Monitoring: attendance,
Formulir 3.3, by the HR unit with the host. Formulir 5.2: *jadwal dan waktu* is Sesuai when the
internship ran within the planned period and every session was fully attended.
"""
from __future__ import annotations

from datetime import date

from core.evaluation.facts import EvaluationCell, PlanRowFacts
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pengkom-magang/r2"
MIN_DAYS = 5

MAGANG = PathwayDefinition(
    code="magang",
    name_id="Magang / Praktik Kerja",
    name_en="Internship",
    on_the_job=True,
    methods=("klasikal",),
    provider_kinds=("host_institution", "other_agency"),
    evidence_required=("statement", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="magang",
    guideline_section="Peraturan LAN No. 10/2018 (non-klasikal: magang/praktik kerja)",
    ruleset_version=RULESET_VERSION,
    rules=(
        "The officer works at a host institution, approved by the head of the agency.",
        f"An internship lasts at least {MIN_DAYS} days (this plugin's rule).",
        "Monitoring: attendance, Formulir 3.3, by the HR unit with the host.",
        "Evidence: the host's statement (surat keterangan) and the officer's report.",
        "JP: 20 per activity (international 24), prorated by the sessions fully attended (Perlan LAN 10/2018 Lampiran II).",
        "Formulir 5.2, jadwal dan waktu: Sesuai when the internship ran within the planned period and the officer fully "
        "attended every session.",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [MAGANG]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    days = (activity.end - activity.start).days + 1
    if days < MIN_DAYS:
        return [f"An internship lasts at least {MIN_DAYS} days; {activity.start} to {activity.end} is {days}."]
    return []


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_activity_credit(MAGANG.jp_form, activity, participant, jp_table, label="magang")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(MAGANG, activity, as_of)


@hookimpl
def pengkom_evaluation_cell(cell: str, plan_row: PlanRowFacts | None, activity: ActivityFacts,
                            participant: ParticipantFacts) -> EvaluationCell | None:
    if cell != "jadwal" or plan_row is None or plan_row.start is None or plan_row.end is None:
        return None
    planned = f"{plan_row.start} – {plan_row.end}, every day at the host"
    full = sum(1 for a in participant.attendance if a.status == "hadir_full")
    actual = f"{activity.start} – {activity.end}, {full} of {len(activity.sessions)} session(s) fully attended"
    if not (plan_row.start <= activity.start and activity.end <= plan_row.end):
        return EvaluationCell(False, planned, actual, f"The internship ran {activity.start} – {activity.end}, outside the plan.")
    if full < len(activity.sessions):
        return EvaluationCell(False, planned, actual, f"{participant.name} fully attended {full} of {len(activity.sessions)} sessions.")
    return EvaluationCell(True, planned, actual)
