"""Komunitas belajar (community of practice) (BAB III.F): members across levels, topics, discussion
notes per topic and a group report; monitored by the direct supervisors (Formulir 3.3).
JP: at most 2 per day (LAN, Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/komunitas-belajar-r1"
MIN_MEMBERS = 2

KOMUNITAS_BELAJAR = PathwayDefinition(
    code="komunitas_belajar",
    name_id="Komunitas Belajar (Community Practices)",
    name_en="Community of practice",
    on_the_job=True,
    methods=("klasikal", "blended", "hybrid", "e_learning"),
    provider_kinds=("hr_unit",),
    evidence_required=("discussion_notes", "group_report", "report"),
    monitoring_form="3.3",
    monitored_by="supervisor",
    scheduled_by="community",
    jp_form="komunitas_belajar",
    guideline_section="BAB III.F",
    ruleset_version=RULESET_VERSION,
    requires_provider_approval=False,
    rules=(
        "Several Pengantar Kerja sharing knowledge, skills and attitudes; members should come from different levels "
        "(III.F.1) — a community of one level is a finding, not a refusal.",
        f"A community has at least {MIN_MEMBERS} members and the topics it will discuss.",
        "The PyB assigns the members; the HR unit provides material; the community sets its schedule (III.F.5.a–b).",
        "Monitoring: the direct supervisors fill Formulir 3.3 for the HR unit (III.F.5.c).",
        "Evidence: discussion notes per topic, the group report, and each member's report to the supervisor "
        "(III.F.2, III.F.5.d.1).",
        "JP: at most 2 per day of meeting — each day credits its minutes ÷ 45, at most 2 (LAN, Perlan 10/2018 Lampiran II).",
    ),
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [KOMUNITAS_BELAJAR]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    if stage == "complete":
        if len(activity.participants) < MIN_MEMBERS:
            problems.append(msg("A community of practice has at least {MIN_MEMBERS} members; it has {len_participants} (III.F.1).",
                                MIN_MEMBERS=MIN_MEMBERS, len_participants=len(activity.participants)))
        if not activity.topics:
            problems.append(msg("The community's topics are not recorded (III.F.2.1)."))
        missing = [t for t in activity.topics if t not in activity.discussion_topics]
        if missing:
            problems.append(msg("No discussion notes for topic(s) {missing} (III.F.2.1).", missing=', '.join(missing)))
    return problems


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.per_day_credit(KOMUNITAS_BELAJAR.jp_form, activity, participant, jp_table, capped=True,
                                label="komunitas belajar")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    found = rules.common_findings(KOMUNITAS_BELAJAR, activity, as_of)
    levels = {p.level for p in activity.participants}
    if len(activity.participants) >= MIN_MEMBERS and len(levels) == 1:
        found.append(Finding("members_single_level", msg("Every member is {next_iter_levels}; a community should span levels (III.F.1).",
                                                         next_iter_levels=next(iter(levels))), severity="info"))
    return found
