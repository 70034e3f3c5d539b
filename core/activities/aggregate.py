"""The activity aggregate and its events (BAB III): what is recorded about one run of a pathway,
its invariants, and the facts a pathway plugin sees (:meth:`Activity.facts`).

Event classes and their ``TOPIC`` strings are a persisted contract: never rename a topic or a field.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from core.activities.state import (
    Assignment,
    AttendanceEntry,
    Coach,
    Contract,
    Credit,
    MeetingEntry,
    Participant,
    ProposalLetter,
)
from core.catalogue import FundingSource
from core.errors import Conflict, Invalid
from core.events import PengkomAggregate
from core.i18n import msg
from core.pathways import ActivityFacts, CertificateFact, Session

#: Activity-scoped role: the caller's token subject is the coach/mentor recorded on the activity.
COACH = "coach"
#: The catalogue's funding sources (BAB IV), as codes.
FUNDING_SOURCES = tuple(s.value for s in FundingSource)
CERTIFICATE_KINDS = ("sertifikat", "surat_keterangan")
#: Activities of more than a year are refused; e-learning must finish within one (III.C.8).
MAX_ACTIVITY_DAYS = 366


class Activity(PengkomAggregate):
    TOPIC = "pengkom.activity.Activity"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.activity.Event"

    class Created(Event, PengkomAggregate.Created):
        """The activity as planned, with the pathway declaration that governs it."""

        TOPIC = "pengkom.activity.Created"
        agency: str
        year: int
        pathway: str
        variant: str | None
        title: str
        competency: str | None
        method: str
        provider_kind: str
        provider_name: str
        accreditation_ref: str | None
        place: str
        start: date
        end: date
        international: bool
        planned_jp: int
        budget: Decimal | None
        funding_source: str | None
        plan_id: str | None
        plan_row_id: str | None
        plan_revision: int | None
        monitoring_form: str
        monitored_by: str
        scheduled_by: str
        evidence_required: tuple[str, ...]
        requires_provider_approval: bool
        requires_coach: bool
        plugin: str
        plugin_version: str
        ruleset_version: str

    class ProviderApproved(Event):
        """The head of the agency (or PPK) approved the provider / benchmarking host (III.A.5.a.3, III.B.5.a.3)."""

        TOPIC = "pengkom.activity.ProviderApproved"
        approved_on: date
        decision_ref: str | None
        approver_name: str

        def apply(self, a: Activity) -> None:
            a.provider_approved_on = self.approved_on

    class ProposalLetterSent(Event):
        """Surat pengusulan to the provider (III.A.5.a.6)."""

        TOPIC = "pengkom.activity.ProposalLetterSent"
        number: str
        letter_date: date
        addressed_to: str

        def apply(self, a: Activity) -> None:
            a.proposal_letter = ProposalLetter(self.number, self.letter_date, self.addressed_to)

    class SessionsScheduled(Event):
        TOPIC = "pengkom.activity.SessionsScheduled"
        dates: tuple[date, ...]
        minutes: int | None
        agreed_with_provider: bool
        note: str | None

        def apply(self, a: Activity) -> None:
            for d in self.dates:
                a.sessions[d] = self.minutes
            a.schedule_agreed = a.schedule_agreed or self.agreed_with_provider

    class ParticipantSelected(Event):
        """Seleksi administrasi: the officer and their urgency ranking (III.A.5.a.4)."""

        TOPIC = "pengkom.activity.ParticipantSelected"
        officer_id: UUID
        nip: str
        name: str
        position: str
        level: str
        employee_type: str
        supervisor_nip: str | None
        urgency_rank: int
        reason: str | None
        planned_jp: int
        plan_id: str | None
        plan_row_id: str | None
        plan_revision: int | None

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id] = Participant(
                officer_id=self.officer_id, nip=self.nip, name=self.name, position=self.position, level=self.level,
                employee_type=self.employee_type, supervisor_nip=self.supervisor_nip, urgency_rank=self.urgency_rank,
                planned_jp=self.planned_jp)

    class ParticipantDeselected(Event):
        TOPIC = "pengkom.activity.ParticipantDeselected"
        officer_id: UUID
        reason: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].active = False

    class AssignmentLetterIssued(Event):
        """Surat penugasan for one participant: number, date, signer (III.A.5.a.7–8)."""

        TOPIC = "pengkom.activity.AssignmentLetterIssued"
        officer_id: UUID
        number: str
        letter_date: date
        signer_name: str
        signer_position: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].assignment = Assignment(self.number, self.letter_date, self.signer_name)

    class CoachAssigned(Event):
        """The coach/mentor chosen by the agency's criteria and assigned by the head (III.D.5.a.5–6)."""

        TOPIC = "pengkom.activity.CoachAssigned"
        kind: str
        subject: str
        name: str
        nip: str | None
        institution: str
        criteria: str
        assignment_number: str
        assignment_date: date

        def apply(self, a: Activity) -> None:
            a.coach = Coach(kind=self.kind, subject=self.subject, name=self.name, nip=self.nip, institution=self.institution)

    class LearningContractProposed(Event):
        """Kontrak pembelajaran: meetings agreed and goals (III.D.3); both parties then sign."""

        TOPIC = "pengkom.activity.LearningContractProposed"
        officer_id: UUID
        meetings_agreed: int
        goals: tuple[str, ...]

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].contract = Contract(self.meetings_agreed, self.goals, self.originator_version)

    class LearningContractSigned(Event):
        TOPIC = "pengkom.activity.LearningContractSigned"
        officer_id: UUID
        party: str  # "coachee" or "coach"
        contract_version: int

        def apply(self, a: Activity) -> None:
            contract = a.participants[self.officer_id].contract
            assert contract is not None, "a contract is signed after it is proposed"
            contract.signed_by.append(self.party)

    class MaterialsProvided(Event):
        """The HR unit provides learning material (belajar mandiri III.E.5.a.5; komunitas belajar III.F.5.a.5)."""

        TOPIC = "pengkom.activity.MaterialsProvided"
        items: tuple[str, ...]
        note: str | None

        def apply(self, a: Activity) -> None:
            a.materials.extend(self.items)

    class TopicsSet(Event):
        """The topics a community of practice will discuss (III.F)."""

        TOPIC = "pengkom.activity.TopicsSet"
        topics: tuple[str, ...]

        def apply(self, a: Activity) -> None:
            a.topics = list(self.topics)

    class AttendanceRecorded(Event):
        """One row of Formulir 3.3 for one session: Hadir full / Hadir tidak full / Tidak hadir."""

        TOPIC = "pengkom.activity.AttendanceRecorded"
        officer_id: UUID
        session_date: date
        status: str
        minutes_attended: int | None
        note: str | None

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].attendance[self.session_date] = AttendanceEntry(
                self.status, self.minutes_attended, self.note, self.originator_version)

    class AttendanceCorrected(Event):
        TOPIC = "pengkom.activity.AttendanceCorrected"
        officer_id: UUID
        session_date: date
        status: str
        minutes_attended: int | None
        note: str | None
        reason: str
        corrects_version: int

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].attendance[self.session_date] = AttendanceEntry(
                self.status, self.minutes_attended, self.note, self.originator_version)

    class MeetingRecorded(Event):
        """A coaching/mentoring meeting held (Formulir 3.4 "pertemuan yang terealisasi")."""

        TOPIC = "pengkom.activity.MeetingRecorded"
        officer_id: UUID
        meeting_id: UUID
        meeting_date: date
        duration_minutes: int
        notes: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].meetings[self.meeting_id] = MeetingEntry(
                self.meeting_date, self.duration_minutes, self.notes, self.originator_version)

    class MeetingCorrected(Event):
        TOPIC = "pengkom.activity.MeetingCorrected"
        officer_id: UUID
        meeting_id: UUID
        meeting_date: date
        duration_minutes: int
        notes: str
        reason: str
        corrects_version: int

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].meetings[self.meeting_id] = MeetingEntry(
                self.meeting_date, self.duration_minutes, self.notes, self.originator_version)

    class MeetingRetracted(Event):
        TOPIC = "pengkom.activity.MeetingRetracted"
        officer_id: UUID
        meeting_id: UUID
        reason: str

        def apply(self, a: Activity) -> None:
            del a.participants[self.officer_id].meetings[self.meeting_id]

    class ReportSubmitted(Event):
        """The officer's report handed in (III.A.5.d.1); ``submitted_on`` is the day it was handed in."""

        TOPIC = "pengkom.activity.ReportSubmitted"
        officer_id: UUID
        submitted_on: date
        title: str
        summary: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].report = self.submitted_on

    class CertificateRecorded(Event):
        """A certificate or statement, with the SHA-256 of the stored file (III.A.2, III.A.5.d.2)."""

        TOPIC = "pengkom.activity.CertificateRecorded"
        officer_id: UUID
        certificate_id: UUID
        kind: str
        number: str
        issuer: str
        issued_on: date
        programme_jp: int | None
        sha256: str
        content_type: str
        size: int
        filename: str | None

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].certificates.append(CertificateFact(
                kind=self.kind, number=self.number, issuer=self.issuer, issued_on=self.issued_on,
                programme_jp=self.programme_jp, sha256=self.sha256))
            a.files.add(self.sha256)

    class CoachReportSubmitted(Event):
        """The coach/mentor's report (III.D.5.d.1)."""

        TOPIC = "pengkom.activity.CoachReportSubmitted"
        officer_id: UUID
        submitted_on: date
        summary: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].coach_report = self.submitted_on

    class DiscussionNotesRecorded(Event):
        """Catatan hasil diskusi per topik (komunitas belajar, III.F.2.1)."""

        TOPIC = "pengkom.activity.DiscussionNotesRecorded"
        topic: str
        held_on: date
        notes: str

        def apply(self, a: Activity) -> None:
            a.discussions.append(self.topic)

    class GroupReportSubmitted(Event):
        """Laporan pelaksanaan komunitas belajar per kelompok (III.F.2.2)."""

        TOPIC = "pengkom.activity.GroupReportSubmitted"
        submitted_on: date
        summary: str

        def apply(self, a: Activity) -> None:
            a.group_report = self.submitted_on

    class RecapRecorded(Event):
        """The HR unit's recap of monitoring and reports (III.A.5.d.3)."""

        TOPIC = "pengkom.activity.RecapRecorded"
        submitted_on: date
        summary: str

        def apply(self, a: Activity) -> None:
            a.recap = self.submitted_on

    class JpCredited(Event):
        """A participant completed: the JP their pathway plugin credited, by which rule and rule sets."""

        TOPIC = "pengkom.activity.JpCredited"
        officer_id: UUID
        year: int
        completed_on: date
        jp: int
        rule: str
        ruleset_version: str
        jp_table_version: str
        plugin: str
        plugin_version: str
        detail: dict[str, Any]

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id].credit = Credit(self.jp, self.completed_on)

    class Completed(Event):
        """Every active participant is credited: the activity is closed."""

        TOPIC = "pengkom.activity.Completed"
        completed_on: date

        def apply(self, a: Activity) -> None:
            a.completed_on = self.completed_on

    def __init__(self, agency: str, year: int, pathway: str, variant: str | None, title: str, competency: str | None,
                 method: str, provider_kind: str, provider_name: str, accreditation_ref: str | None, place: str,
                 start: date, end: date, international: bool, planned_jp: int, budget: Decimal | None,
                 funding_source: str | None, plan_id: str | None, plan_row_id: str | None, plan_revision: int | None,
                 monitoring_form: str, monitored_by: str, scheduled_by: str, evidence_required: tuple[str, ...],
                 requires_provider_approval: bool, requires_coach: bool, plugin: str, plugin_version: str,
                 ruleset_version: str) -> None:
        self.agency = agency
        self.year = year
        self.pathway = pathway
        self.variant = variant
        self.title = title
        self.competency = competency
        self.method = method
        self.provider_kind = provider_kind
        self.provider_name = provider_name
        self.accreditation_ref = accreditation_ref
        self.place = place
        self.start = start
        self.end = end
        self.international = international
        self.planned_jp = planned_jp
        self.budget = budget
        self.funding_source = funding_source
        self.plan_id = plan_id
        self.plan_row_id = plan_row_id
        self.plan_revision = plan_revision
        self.monitoring_form = monitoring_form
        self.monitored_by = monitored_by
        self.scheduled_by = scheduled_by
        self.evidence_required = tuple(evidence_required)
        self.requires_provider_approval = requires_provider_approval
        self.requires_coach = requires_coach
        self.plugin = plugin
        self.provider_approved_on: date | None = None
        self.proposal_letter: ProposalLetter | None = None
        self.sessions: dict[date, int | None] = {}
        self.schedule_agreed = False
        self.participants: dict[UUID, Participant] = {}
        self.coach: Coach | None = None
        self.materials: list[str] = []
        self.topics: list[str] = []
        self.discussions: list[str] = []
        self.group_report: date | None = None
        self.recap: date | None = None
        self.files: set[str] = set()
        self.completed_on: date | None = None

    # -- invariants ------------------------------------------------------------------------------

    def check_open(self) -> None:
        if self.completed_on is not None:
            raise Conflict(msg("Activity {title!r} was completed on {completed_on}; nothing more can be recorded on it.",
                               title=self.title, completed_on=self.completed_on))

    def check_within_dates(self, on: date, what: str, field: str) -> None:
        if not self.start <= on <= self.end:
            raise Invalid(msg("{what} {on} is outside the activity's dates ({start} to {end}).",
                              what=what, on=on, start=self.start, end=self.end), field=field)

    def participant(self, officer_id: UUID, *, active: bool = True) -> Participant:
        p = self.participants.get(officer_id)
        if p is None:
            raise Invalid(msg("Officer {officer_id} is not a participant of {title!r}; select and assign them first.",
                              officer_id=officer_id, title=self.title),
                          field="officer_id")
        if active and not p.active:
            raise Conflict(msg("{name} ({nip}) was deselected from {title!r}.", name=p.name, nip=p.nip, title=self.title), field="officer_id")
        return p

    def check_assigned(self, officer_id: UUID) -> Participant:
        """Monitoring and reports need the participant's surat penugasan (III.A.5.a.7–8)."""
        p = self.participant(officer_id)
        if p.assignment is None:
            raise Invalid(msg("{name} ({nip}) has no assignment letter (surat penugasan) for {title!r}; record the letter before "
                              "monitoring or reports.", name=p.name, nip=p.nip, title=self.title), field="officer_id")
        return p

    def check_not_credited(self, p: Participant) -> None:
        if p.credit is not None:
            raise Conflict(msg("{name} ({nip}) already completed {title!r} with {jp} JP; their record is closed.",
                               name=p.name, nip=p.nip, title=self.title, jp=p.credit.jp))

    def days(self) -> int:
        return (self.end - self.start).days + 1

    # -- what a plugin sees ----------------------------------------------------------------------

    def facts(self) -> ActivityFacts:
        parts = [p.facts() for p in self.participants.values() if p.active]
        return ActivityFacts(
            id=self.id, agency=self.agency, year=self.year, pathway=self.pathway, variant=self.variant, title=self.title,
            competency=self.competency, method=self.method, provider_kind=self.provider_kind,
            provider_name=self.provider_name, accreditation_ref=self.accreditation_ref, place=self.place,
            start=self.start, end=self.end, international=self.international, planned_jp=self.planned_jp,
            budget=self.budget, funding_source=self.funding_source, provider_approved_on=self.provider_approved_on,
            proposal_letter_number=self.proposal_letter.number if self.proposal_letter else None,
            sessions=tuple(Session(on=d, minutes=m) for d, m in sorted(self.sessions.items())),
            schedule_agreed_with_provider=self.schedule_agreed,
            coach_name=self.coach.name if self.coach else None, coach_kind=self.coach.kind if self.coach else None,
            materials=tuple(self.materials), topics=tuple(self.topics), discussion_topics=tuple(self.discussions),
            group_report_submitted_on=self.group_report, recap_submitted_on=self.recap,
            participants=tuple(parts), completed_on=self.completed_on,
        )

