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
from core.i18n import msg
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
            aggregate.put_row(PlanRow.of(self))

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
            aggregate.drop_row(self.row_id)

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
            aggregate.findings = {}
            aggregate.checks.clear()
            aggregate.add_findings(self.findings)
            # What this run used of the curriculum standards and the recaps is not recorded: unknown.
            aggregate.checks.checked(CheckBasis(self.ruleset_version, self.roster_digest, None, None))

    class ChecksUpdated(Event):
        """The findings of checks a–f after a change, as a change of the current set: ``added`` (found now,
        new or changed) and ``removed`` (the ids of findings no longer found). Only what the change could
        affect was checked again (``scope`` says what: rows, officers, budgets; or the whole plan), with
        the same check functions, so the current set equals what a full run over the plan finds
        (:func:`core.planning.run_checks`; validation compares them).

        It names what the checks used: the rule set, the roster (check d: its log position and digest,
        as ``ChecksRun`` v2), and fingerprints of the curriculum standards (check c) and of the yearly
        recaps' stop recommendations (BAB V.D) they were held against — when one of these changes,
        the next run checks every row against it again."""

        TOPIC = "pengkom.planning.ChecksUpdated"
        trigger: str
        scope: str
        added: tuple[Finding, ...]
        removed: tuple[UUID, ...]
        ruleset_version: str
        jp_table_version: str
        roster_position: int | None
        roster_digest: str | None
        curriculum_digest: str
        recap_digest: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.remove_findings(self.removed)
            aggregate.add_findings(self.added)
            aggregate.checks.checked(CheckBasis(self.ruleset_version, self.roster_digest, self.curriculum_digest,
                                                self.recap_digest))

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
        #: Working memory of the incremental checks (derived from the events, never stored).
        self.checks = PlanChecks()

    # -- rows and findings, with what the incremental checks need to know of them ------------------------

    def put_row(self, row: PlanRow) -> None:
        old = self.rows.get(row.row_id)
        if old is not None:
            self.checks.row_gone(old)
        self.rows[row.row_id] = row
        self.checks.row_put(row, new=old is None)

    def drop_row(self, row_id: UUID) -> None:
        self.checks.row_gone(self.rows.pop(row_id), removed=True)

    def add_findings(self, found: tuple[Finding, ...]) -> None:
        for f in found:
            self.findings[f.finding_id] = f
            self.checks.index(f)

    def remove_findings(self, ids: tuple[UUID, ...]) -> None:
        for fid in ids:
            f = self.findings.pop(fid, None)
            if f is not None:
                self.checks.unindex(f)

    def __deepcopy__(self, memo: dict[int, Any]) -> DevelopmentPlan:
        """A copy for one command (the aggregate cache hands out copies): the containers are copied, their
        contents — frozen records, frozensets, revisions validated (never changed once made) — shared. A plan
        of a thousand rows copies in microseconds instead of copying every row field by field."""
        new = object.__new__(type(self))
        for k, v in self.__dict__.items():
            new.__dict__[k] = v.copy() if type(v) in _SHALLOW else v
        new.checks = self.checks.copy()
        return new

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.blocking and f.finding_id not in self.accepted]

    @property
    def latest_validated(self) -> int | None:
        return max(self.validated, default=None)

    def check_unlocked(self) -> None:
        if self.locked:
            raise Conflict(msg("The {year} plan of {agency} is validated (revision {revision}) and locked; open a revision with a "
                               "reason to change it.", year=self.year, agency=self.agency, revision=self.revision))

    def check_row(self, row_id: UUID) -> PlanRow:
        if row_id not in self.rows:
            raise NotFound(msg("The {year} plan of {agency} has no row {row_id}.", year=self.year, agency=self.agency, row_id=row_id), field="row_id")
        return self.rows[row_id]


_SHALLOW = (dict, set, list)


@dataclass(frozen=True)
class CheckBasis:
    """What the last checks of a plan used: the rule set, the roster's digest (check d), and fingerprints of
    the curriculum standards (check c) and the recaps' stop recommendations (None: not known)."""

    ruleset_version: str
    roster_digest: str | None
    curriculum_digest: str | None
    recap_digest: str | None


class PlanChecks:
    """What the incremental checks (:mod:`core.planning.recheck`) need beside the rows and findings: each
    row's place in the plan, each officer's rows, the budget the rows plan per funding source, the current
    findings by what they are about (a row, an officer for check d, the whole plan for check e), the
    rows and officers changed since the last checks, and what those checks used. All of it follows from
    the plan's events (replaying them gives the same); the values are immutable, so a copy is cheap."""

    def __init__(self) -> None:
        self.seq: dict[UUID, int] = {}  # row id -> its place in the plan (insertion order)
        self.next_seq = 0
        self.officer_rows: dict[UUID, frozenset[UUID]] = {}
        self.planned: dict[str, Decimal] = {}  # funding source -> budget the rows plan
        self.pairs: dict[tuple[str, str], int] = {}  # (competency, level) -> rows (check c reads their standards)
        self.by_row: dict[UUID, frozenset[UUID]] = {}  # row id -> finding ids (checks a, b, c, f, recap)
        self.by_officer: dict[UUID, frozenset[UUID]] = {}  # officer id -> finding ids (check d)
        self.plan_wide: set[UUID] = set()  # finding ids of the whole plan (check e)
        self.changed_rows: set[UUID] = set()
        self.changed_officers: set[UUID] = set()
        self.basis: CheckBasis | None = None

    def copy(self) -> PlanChecks:
        new = object.__new__(PlanChecks)
        for k, v in self.__dict__.items():
            new.__dict__[k] = v.copy() if type(v) in _SHALLOW else v
        return new

    def clear(self) -> None:
        self.by_row.clear()
        self.by_officer.clear()
        self.plan_wide.clear()

    def row_put(self, row: PlanRow, *, new: bool) -> None:
        if new:
            self.seq[row.row_id] = self.next_seq
            self.next_seq += 1
        self.officer_rows[row.officer_id] = self.officer_rows.get(row.officer_id, frozenset()) | {row.row_id}
        self.planned[row.funding_source] = self.planned.get(row.funding_source, Decimal(0)) + row.budget
        pair = (row.competency, row.level)
        self.pairs[pair] = self.pairs.get(pair, 0) + 1
        self.changed_rows.add(row.row_id)
        self.changed_officers.add(row.officer_id)

    def row_gone(self, row: PlanRow, *, removed: bool = False) -> None:
        """``row`` (as it stood) leaves the plan, or is about to be replaced by its changed content."""
        left = self.officer_rows[row.officer_id] - {row.row_id}
        if left:
            self.officer_rows[row.officer_id] = left
        else:
            del self.officer_rows[row.officer_id]
        self.planned[row.funding_source] -= row.budget
        pair = (row.competency, row.level)
        if self.pairs[pair] > 1:
            self.pairs[pair] -= 1
        else:
            del self.pairs[pair]
        if removed:
            del self.seq[row.row_id]
        self.changed_rows.add(row.row_id)
        self.changed_officers.add(row.officer_id)

    @staticmethod
    def _key(f: Finding) -> tuple[str, UUID | None]:
        if f.rule == "d":
            return "officer", f.officer_id
        if f.rule == "e" or f.row_id is None:
            return "plan", None
        return "row", f.row_id

    def index(self, f: Finding) -> None:
        kind, key = self._key(f)
        if kind == "plan" or key is None:
            self.plan_wide.add(f.finding_id)
            return
        index = self.by_officer if kind == "officer" else self.by_row
        index[key] = index.get(key, frozenset()) | {f.finding_id}

    def unindex(self, f: Finding) -> None:
        kind, key = self._key(f)
        if kind == "plan" or key is None:
            self.plan_wide.discard(f.finding_id)
            return
        index = self.by_officer if kind == "officer" else self.by_row
        left = index.get(key, frozenset()) - {f.finding_id}
        if left:
            index[key] = left
        else:
            index.pop(key, None)

    def checked(self, basis: CheckBasis) -> None:
        self.basis = basis
        self.changed_rows.clear()
        self.changed_officers.clear()


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

