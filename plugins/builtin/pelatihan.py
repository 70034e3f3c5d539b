"""Pelatihan: classical training — manajerial, sosiokultural, teknis, fungsional (pembentukan and
berjenjang) (BAB III.A). JP: the programme's own JP on the certificate (Perlan 10/2018 Lampiran II)."""
from __future__ import annotations

from datetime import date

from core.catalogue import CompetencyKind, competency
from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition
from plugins import rules
from plugins.hookspecs import hookimpl

RULESET_VERSION = "pedoman-pk-2023/pelatihan-r1"

#: Variant -> the competency kind it develops (III.A.1.a–d); functional training is set by the
#: Instansi Pembina and is not tied to one competency kind.
VARIANT_KIND = {
    "manajerial": CompetencyKind.MANAJERIAL,
    "sosiokultural": CompetencyKind.SOSIOKULTURAL,
    "teknis": CompetencyKind.TEKNIS,
    "fungsional_pembentukan": None,
    "fungsional_berjenjang": None,
}

PELATIHAN = PathwayDefinition(
    code="pelatihan",
    name_id="Pelatihan",
    name_en="Classical training",
    on_the_job=False,
    methods=("klasikal", "blended", "hybrid", "e_learning"),
    provider_kinds=("own_unit", "other_agency", "independent"),
    evidence_required=("certificate", "report"),
    monitoring_form="3.3",
    monitored_by="hr",
    scheduled_by="hr",
    jp_form="pelatihan",
    guideline_section="BAB III.A",
    ruleset_version=RULESET_VERSION,
    variants=tuple(VARIANT_KIND),
    rules=(
        "Off the job training by an accredited provider: the agency's own unit, another agency or an independent "
        "institution (BAB III, opening; III.A.4).",
        "Variant manajerial, sosiokultural or teknis develops a competency of that kind; fungsional pembentukan "
        "(first appointment or inpassing) and fungsional berjenjang (to a higher level) are set by the Instansi "
        "Pembina (III.A.1.a–d).",
        "Preparation: provider approved, participants selected by urgency, proposal letter, assignment letter "
        "(III.A.5.a). Monitoring: attendance, Formulir 3.3, by the HR unit (III.A.5.c).",
        "Evidence: the provider's certificate and the officer's report (III.A.2, III.A.5.d).",
        "JP: the programme's JP on the certificate when fully attended; otherwise minutes attended ÷ 45, at most "
        "the certificate's JP; international × 1.2 (LAN, Perlan 10/2018 Lampiran II).",
    ),
    description="Pelatihan manajerial, sosiokultural, teknis, fungsional (pembentukan, berjenjang).",
)


@hookimpl
def pengkom_register_pathways() -> list[PathwayDefinition]:
    return [PELATIHAN]


@hookimpl
def pengkom_validate_activity(activity: ActivityFacts, stage: str) -> list[str]:
    problems: list[str] = []
    kind = VARIANT_KIND.get(activity.variant or "")
    if kind is not None and activity.competency is not None and competency(activity.competency).kind != kind:
        problems.append(msg("Pelatihan {variant} develops {value} competencies; {competency} is {value2} (III.A.1).",
                            variant=activity.variant, value=kind.value, competency=activity.competency, value2=competency(activity.competency).kind.value))
    return problems + rules.proposal_letter_problems(activity, stage, "III.A.5.a.6")


@hookimpl
def pengkom_credit_jp(activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpCredit:
    return rules.programme_credit(PELATIHAN.jp_form, activity, participant, jp_table, label="pelatihan")


@hookimpl
def pengkom_monitoring_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    return rules.common_findings(PELATIHAN, activity, as_of)
