"""The agency's development plan for a plan year (BAB II.B verification, II.C validation; Formulir 2.6)
and the Instansi Pembina's curriculum standards it is checked against.

A :class:`DevelopmentPlan` (one per agency and plan year) holds the plan rows the HR unit recaps
from the forwarded proposals, the budget the agency registered per funding source, the
verification team and its meetings, the findings of the automatic checks a–f (BAB II.B.4) with the
PyB's resolutions, the head's signature, the PPK's validation with numbered revisions, and the
submissions to the Instansi Pembina and LAN. Checks a–f are pure functions (:mod:`.checks`), one per rule,
each citing the guideline; they run on every change and their findings are recorded in an event
with the rule-set version, so a replay never recomputes them.

The package follows the plan's seams: :mod:`.aggregate` (the plan and its events), :mod:`.curriculum`
(the Instansi Pembina's standards), :mod:`.jp` (planned JP), :mod:`.checks` (checks a–f),
:mod:`.guards`, and the commands by stage — :mod:`.rows` (budgets and rows), :mod:`.verification`,
:mod:`.validation` — joined in :class:`PlanCommands`. Every public name stays importable from
``core.planning``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.catalogue import FundingSource
from core.jp_table import JpDecision, months_spanned
from core.planning.aggregate import CheckBasis, DevelopmentPlan, PlanChecks, PlanRowRef, Recipient, plan_id, validated_plan_row
from core.planning.checks import (
    CITATIONS,
    GUIDELINE,
    RULE_IDS,
    Finding,
    budget_findings,
    check_a_competency_level,
    check_b_pathway,
    check_c_curriculum,
    check_d_jp,
    check_e_budget,
    check_f_implementation,
    officer_jp_findings,
    row_findings,
    run_checks,
)
from core.planning.curriculum import (
    AggregateCurricula,
    Curricula,
    CurriculumCatalogue,
    CurriculumCommands,
    CurriculumStandards,
    curriculum_id,
    curriculum_standards,
)
from core.planning.guards import (
    can_compose_plan,
    can_read_plan,
    can_record_meeting,
    can_register_curriculum,
    can_sign_plan,
    can_submit_plan,
    can_validate_plan,
    can_verify_plan,
)
from core.planning.jp import convert_jp, suggested_credit_target
from core.planning.recheck import Recheck, recheck
from core.planning.roster import AgencyRoster, Roster, RosterOfficer
from core.planning.rows import RowCommands
from core.planning.state import ROW_FIELDS, CurriculumStandard, PlanRow
from core.planning.validation import ValidationCommands
from core.planning.verification import VerificationCommands


@dataclass(frozen=True)
class PlanCommands(CurriculumCommands, RowCommands, VerificationCommands, ValidationCommands):
    """Domain verbs on curriculum standards and development plans; ``app`` is the pengkom application,
    ``roster`` the port check (d) reads the agency's active officers through (:mod:`core.planning.roster`;
    the API wires the officers read model in ``api.bootstrap``)."""

    app: Any
    roster: AgencyRoster | None = None
    curricula: CurriculumCatalogue | None = None


__all__ = [
    "AggregateCurricula", "CheckBasis", "Curricula", "CurriculumCatalogue", "PlanChecks", "Recheck", "budget_findings",
    "officer_jp_findings", "recheck", "row_findings",
    "AgencyRoster", "CITATIONS", "CurriculumStandard", "CurriculumStandards", "DevelopmentPlan", "Finding",
    "FundingSource", "GUIDELINE", "JpDecision", "PlanCommands", "PlanRow", "PlanRowRef", "ROW_FIELDS",
    "RULE_IDS", "Recipient", "Roster", "RosterOfficer", "can_compose_plan", "can_read_plan",
    "can_record_meeting", "can_register_curriculum", "can_sign_plan", "can_submit_plan", "can_validate_plan",
    "can_verify_plan", "check_a_competency_level", "check_b_pathway", "check_c_curriculum", "check_d_jp",
    "check_e_budget", "check_f_implementation", "convert_jp", "curriculum_id", "curriculum_standards",
    "months_spanned", "plan_id", "run_checks", "suggested_credit_target", "validated_plan_row",
]
