"""The activity's state as its events build it: small typed records instead of string-keyed dicts.

These are the aggregate's working memory, rebuilt from the events on every load; they are never
stored, so their shape may change freely (the events are the persisted contract).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from core.pathways import AttendanceFact, CertificateFact, MeetingFact, ParticipantFacts

#: The two parties who sign a learning contract (III.D.3).
CONTRACT_PARTIES = frozenset({"coachee", "coach"})


@dataclass(slots=True)
class ProposalLetter:
    """Surat pengusulan to the provider (III.A.5.a.6)."""

    number: str
    letter_date: date
    addressed_to: str


@dataclass(slots=True)
class Coach:
    """The coach or mentor assigned to the activity (III.D.5.a.5–6); ``subject`` is their token subject."""

    kind: str
    subject: str
    name: str
    nip: str | None
    institution: str


@dataclass(slots=True)
class Assignment:
    """A participant's surat penugasan (III.A.5.a.7–8)."""

    number: str
    letter_date: date
    signer_name: str


@dataclass(slots=True)
class Contract:
    """A participant's learning contract (III.D.3): meetings agreed, goals, who signed which version."""

    meetings_agreed: int
    goals: tuple[str, ...]
    version: int
    signed_by: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        return CONTRACT_PARTIES <= set(self.signed_by)


@dataclass(slots=True)
class AttendanceEntry:
    """One session's row of Formulir 3.3 as it stands; ``version`` is the event that recorded it last."""

    status: str
    minutes_attended: int | None
    note: str | None
    version: int


@dataclass(slots=True)
class MeetingEntry:
    """One coaching/mentoring meeting of Formulir 3.4 as it stands."""

    on: date
    duration_minutes: int
    notes: str
    version: int


@dataclass(slots=True)
class Credit:
    """The JP credited to a participant at completion."""

    jp: int
    completed_on: date


@dataclass(slots=True)
class Participant:
    """One selected officer with everything recorded about their part in the activity."""

    officer_id: UUID
    nip: str
    name: str
    position: str
    level: str
    employee_type: str
    supervisor_nip: str | None
    urgency_rank: int
    planned_jp: int
    active: bool = True
    assignment: Assignment | None = None
    attendance: dict[date, AttendanceEntry] = field(default_factory=dict)
    meetings: dict[UUID, MeetingEntry] = field(default_factory=dict)
    contract: Contract | None = None
    report: date | None = None
    certificates: list[CertificateFact] = field(default_factory=list)
    coach_report: date | None = None
    credit: Credit | None = None

    @property
    def pending(self) -> bool:
        """Still selected and not yet credited."""
        return self.active and self.credit is None

    @property
    def contract_agreed(self) -> bool:
        return self.contract is not None and self.contract.agreed

    def facts(self) -> ParticipantFacts:
        """The participant as a pathway plugin sees them (never the state itself)."""
        contract = self.contract
        return ParticipantFacts(
            officer_id=self.officer_id, nip=self.nip, name=self.name, position=self.position, level=self.level,
            employee_type=self.employee_type, supervisor_nip=self.supervisor_nip, urgency_rank=self.urgency_rank,
            planned_jp=self.planned_jp, assignment_number=self.assignment.number if self.assignment else None,
            attendance=tuple(AttendanceFact(session_date=d, status=r.status, minutes_attended=r.minutes_attended, note=r.note)
                             for d, r in sorted(self.attendance.items())),
            meetings=tuple(sorted((MeetingFact(meeting_id=mid, on=m.on, duration_minutes=m.duration_minutes, notes=m.notes)
                                   for mid, m in self.meetings.items()), key=lambda m: m.on)),
            meetings_agreed=contract.meetings_agreed if contract else None,
            contract_goals=tuple(contract.goals) if contract else (),
            contract_signed_by=tuple(contract.signed_by) if contract else (), report_submitted_on=self.report,
            certificates=tuple(self.certificates), coach_report_submitted_on=self.coach_report,
            credited_jp=self.credit.jp if self.credit else None, completed_on=self.credit.completed_on if self.credit else None,
        )
