"""An activity: one run of a development pathway with its participants (BAB III) — preparation,
monitoring (Formulir 3.3 / 3.4), reporting and the JP credited at completion.

Pathway-specific rules come from the pathway's plugin through :class:`core.pathways.PathwayRules`;
what the plugin declared (evidence required, who monitors, who schedules) is copied into
``Created`` and every JP credit records the rule, the plugin and the rule-set versions, so a
replay never calls a plugin. Nothing is rewritten: attendance and meetings are corrected by new
events that name what they correct and why.

The package follows the activity's stages: :mod:`.aggregate` (the aggregate and its events),
:mod:`.state` (its typed state), :mod:`.guards` (who may act), and the commands by stage —
:mod:`.preparation`, :mod:`.monitoring`, :mod:`.reporting`, :mod:`.completion` — joined in
:class:`ActivityCommands`. Every public name stays importable from ``core.activities``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.activities.aggregate import CERTIFICATE_KINDS, COACH, FUNDING_SOURCES, MAX_ACTIVITY_DAYS, Activity
from core.activities.completion import CompletionCommands
from core.activities.guards import (
    can_approve_provider,
    can_coach_report,
    can_manage_activity,
    can_propose_contract,
    can_read_activity,
    can_record_assignment,
    can_record_attendance,
    can_record_community,
    can_record_meeting,
    can_schedule,
    can_sign_contract,
    can_submit_report,
    is_coach,
)
from core.activities.monitoring import MonitoringCommands
from core.activities.preparation import PreparationCommands
from core.activities.reporting import ReportingCommands


@dataclass(frozen=True)
class ActivityCommands(PreparationCommands, MonitoringCommands, ReportingCommands, CompletionCommands):
    """Domain verbs on activities; ``app`` is the pengkom application."""

    app: Any


__all__ = [
    "Activity", "ActivityCommands", "CERTIFICATE_KINDS", "COACH", "FUNDING_SOURCES", "MAX_ACTIVITY_DAYS",
    "can_approve_provider", "can_coach_report", "can_manage_activity", "can_propose_contract",
    "can_read_activity", "can_record_assignment", "can_record_attendance", "can_record_community",
    "can_record_meeting", "can_schedule", "can_sign_contract", "can_submit_report", "is_coach",
]
