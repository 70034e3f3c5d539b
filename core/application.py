"""The pengkom application: one event log for every aggregate, so one command may change several
aggregates in one transaction and one hash chain / notification log covers the whole record."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, Recording

from core.activities import ActivityCommands
from core.assessment import AssessmentCommands
from core.errors import Conflict
from core.jp_table import JpTableCommands
from core.mapper import MsgspecMapper
from core.officers import OfficerCommands
from core.performance import PerformanceCommands
from core.planning import PlanCommands
from core.proposal import ProposalCommands


class Pengkom(Application[UUID]):
    name = "pengkom"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.officers = OfficerCommands(self)
        self.activities = ActivityCommands(self)
        self.jp_tables = JpTableCommands(self)
        self.assessments = AssessmentCommands(self)
        self.performance = PerformanceCommands(self)
        self.proposals = ProposalCommands(self)
        self.plans = PlanCommands(self)

    def construct_mapper(self) -> Mapper[UUID]:
        return MsgspecMapper()

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, desc=True, limit=1))

    def get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def record(self, *aggregates: Any) -> list[Recording[UUID]]:
        """Save the aggregates' pending events in one transaction.

        A concurrent writer that got there first (same aggregate version) is a conflict for the
        caller to retry after reloading, never a lost update.
        """
        try:
            return self.save(*aggregates)
        except IntegrityError:
            raise Conflict("Someone else recorded a change to the same record at the same moment; reload and try again.") from None

    def stored_events(self, aggregate_id: UUID) -> Sequence[Any]:
        return [self.mapper.to_domain_event(s) for s in self.recorder.select_events(aggregate_id)]
