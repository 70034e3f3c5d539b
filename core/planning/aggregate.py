"""The agency's development plan for a plan year (Formulir 2.6) and its events, and the validated
row the execution half codes against (:class:`PlanRowRef`).

Event classes and their ``TOPIC`` strings are a persisted contract: never rename a topic or a field."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from core.errors import Conflict, NotFound
from core.events import PengkomAggregate, derived_id
from core.planning.checks import Finding
from core.planning.roster import RosterOfficer
from core.planning.state import PlanRow


def plan_id(agency: str, year: int) -> UUID:
    return derived_id("plan", agency, year)


class Recipient(StrEnum):
    """Where the validated plan goes (BAB II.C): the Instansi Pembina and LAN."""

    PEMBINA = "pembina"
    LAN = "lan"





class DevelopmentPlan(PengkomAggregate):
    TOPIC = "pengkom.planning.DevelopmentPlan"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.planning.Event"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.planning.Opened"
        agency: str
        year: int

    class RowEvent(Event):
        """The complete content of a plan row (Formulir 2.6 items 4–12) with its JP decision."""

        TOPIC = "pengkom.planning.RowEvent"
        row_id: UUID
        officer_id: UUID
        nip: str
        officer_name: str
        position: str
        level: str
        employee_type: str
        unit: str
        competency: str
        pathway: str
        form: str
        programme: str
        curriculum_code: str | None
        provider: str | None
        start: date | None
        end: date | None
        budget: Decimal
        funding_source: str
        days: int | None
        sessions: int | None
        programme_jp: int | None
        international: bool
        stated_jp: int | None
        planned_jp: int
        jp_rule: str
        jp_basis: str
        jp_table_version: str
        credit_target: Decimal
        credit_target_source: str
        proposal_id: UUID | None
        proposal_item_id: UUID | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.rows[self.row_id] = PlanRow.of(self)

    class RowAdded(RowEvent):
        TOPIC = "pengkom.planning.RowAdded"

    class RowChanged(RowEvent):
        TOPIC = "pengkom.planning.RowChanged"
        reason: str

    class RowRemoved(Event):
        TOPIC = "pengkom.planning.RowRemoved"
        row_id: UUID
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            del aggregate.rows[self.row_id]

    class BudgetRegistered(Event):
        """The budget available for competency development in the plan year from one source (BAB II.B.3.b)."""

        TOPIC = "pengkom.planning.BudgetRegistered"
        funding_source: str
        amount: Decimal
        note: str | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.budgets[self.funding_source] = self.amount

    class RosterRead(Event):
        """The agency's active officers as check (d) read them (BAB II.B.4 huruf d), recorded when they
        differ from the roster the plan last recorded: ``position`` is the event-log position they were
        read at, ``source`` where from, ``digest`` the fingerprint each later ``ChecksRun`` names."""

        TOPIC = "pengkom.planning.RosterRead"
        source: str
        position: int
        digest: str
        officers: tuple[RosterOfficer, ...]

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.roster_digest = self.digest

    class ChecksRun(Event):
        """The findings of checks a–f after a change: the complete current set.

        Version 2 names the roster check (d) used: its log position and digest (the plan's last
        ``RosterRead``). Runs recorded at version 1 read as using no roster (rows only)."""

        TOPIC = "pengkom.planning.ChecksRun"
        class_version = 2
        trigger: str
        findings: tuple[Finding, ...]
        ruleset_version: str
        jp_table_version: str
        roster_position: int | None
        roster_digest: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["roster_position"] = None
            state["roster_digest"] = None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.findings = {f.finding_id: f for f in self.findings}

    class FindingAccepted(Event):
        """The PyB accepts a finding with a written reason (the agency decides finally, text under Tabel 3.1)."""

        TOPIC = "pengkom.planning.FindingAccepted"
        finding_id: UUID
        rule: str
        message: str
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.accepted[self.finding_id] = self.reason

    class TeamMemberAppointed(Event):
        """BAB II.B.6: the verification team, with the unit each member represents."""

        TOPIC = "pengkom.planning.TeamMemberAppointed"
        member_id: UUID
        name: str
        nip: str | None
        unit_represented: str
        team_role: str | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.team[self.member_id] = self.name

    class TeamMemberReleased(Event):
        TOPIC = "pengkom.planning.TeamMemberReleased"
        member_id: UUID
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            del aggregate.team[self.member_id]

    class MeetingRecorded(Event):
        """BAB II.B.5.b(2): a meeting of the verification team."""

        TOPIC = "pengkom.planning.MeetingRecorded"
        meeting_id: UUID
        held_on: date
        attendees: tuple[str, ...]
        minutes: str

    class SignedByHead(Event):
        """Formulir 2.6 items 13–14: place, date, name and NIP of the head of the work unit."""

        TOPIC = "pengkom.planning.SignedByHead"
        revision: int
        name: str
        nip: str | None
        place: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.head_signed = True

    class SignatureVoided(Event):
        TOPIC = "pengkom.planning.SignatureVoided"
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.head_signed = False

    class Validated(Event):
        """BAB II.C: the PPK validates (mengesahkan) this revision; it is locked from now on."""

        TOPIC = "pengkom.planning.Validated"
        revision: int
        rows: int
        total_jp: int
        total_budget: Decimal
        ruleset_version: str
        jp_table_version: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.locked = True
            aggregate.validated[self.revision] = dict(aggregate.rows)

    class RevisionOpened(Event):
        """A change after validation: a new numbered revision, verified and validated again."""

        TOPIC = "pengkom.planning.RevisionOpened"
        revision: int
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.revision = self.revision
            aggregate.locked = False
            aggregate.head_signed = False

    class Submitted(Event):
        """The validated plan sent to the Instansi Pembina or LAN (BAB II.C, Q3)."""

        TOPIC = "pengkom.planning.Submitted"
        revision: int
        recipient: str
        submitted_on: date

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.submissions.add((self.revision, self.recipient))

    def __init__(self, agency: str, year: int) -> None:
        self.agency = agency
        self.year = year
        self.rows: dict[UUID, PlanRow] = {}
        self.budgets: dict[str, Decimal] = {}
        self.findings: dict[UUID, Finding] = {}
        self.accepted: dict[UUID, str] = {}
        self.team: dict[UUID, str] = {}
        self.revision = 1
        self.locked = False
        self.head_signed = False
        self.validated: dict[int, dict[UUID, PlanRow]] = {}
        self.submissions: set[tuple[int, str]] = set()
        self.roster_digest: str | None = None

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.blocking and f.finding_id not in self.accepted]

    @property
    def latest_validated(self) -> int | None:
        return max(self.validated, default=None)

    def check_unlocked(self) -> None:
        if self.locked:
            raise Conflict(f"The {self.year} plan of {self.agency} is validated (revision {self.revision}) and locked; "
                           "open a revision with a reason to change it.")

    def check_row(self, row_id: UUID) -> PlanRow:
        if row_id not in self.rows:
            raise NotFound(f"The {self.year} plan of {self.agency} has no row {row_id}.", field="row_id")
        return self.rows[row_id]


@dataclass(frozen=True)
class PlanRowRef:
    """A plan row as validated: what the pathways and activities (execution) code against."""

    plan_id: UUID
    row_id: UUID
    revision: int
    agency: str
    year: int
    officer_id: UUID
    nip: str
    competency: str
    pathway: str
    form: str
    provider: str | None
    start: date | None
    end: date | None
    budget: Decimal
    funding_source: str
    planned_jp: int
    programme: str = ""


def validated_plan_row(app: Any, plan_id: UUID, row_id: UUID) -> PlanRowRef | None:
    """The row as it stands in the latest validated revision of the plan; None if none has it."""
    plan = app.get(plan_id)
    if not isinstance(plan, DevelopmentPlan) or plan.latest_validated is None:
        return None
    rev = plan.latest_validated
    row = plan.validated[rev].get(row_id)
    if row is None:
        return None
    return PlanRowRef(plan_id=plan.id, row_id=row_id, revision=rev, agency=plan.agency, year=plan.year,
                      officer_id=row.officer_id, nip=row.nip, competency=row.competency, pathway=row.pathway,
                      form=row.form, provider=row.provider, start=row.start, end=row.end, budget=row.budget,
                      funding_source=row.funding_source, planned_jp=row.planned_jp, programme=row.programme)

