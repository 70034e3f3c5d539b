"""An activity: one run of a development pathway with its participants (BAB III) — preparation,
monitoring (Formulir 3.3 / 3.4), reporting and the JP credited at completion.

Pathway-specific rules come from the pathway's plugin through :class:`core.pathways.PathwayRules`;
what the plugin declared (evidence required, who monitors, who schedules) is copied into
``Created`` and every JP credit records the rule, the plugin and the rule-set versions, so a
replay never calls a plugin. Nothing is rewritten: attendance and meetings are corrected by new
events that name what they correct and why.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.catalogue import competency as catalogue_competency
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import Actor, Context, PengkomAggregate
from core.pathways import (
    ACCREDITED_PROVIDER_KINDS,
    ActivityFacts,
    Attendance,
    AttendanceFact,
    CertificateFact,
    Evidence,
    MeetingFact,
    Method,
    Monitor,
    ParticipantFacts,
    PathwayRules,
    ProviderKind,
    Scheduler,
    Session,
)

#: Activity-scoped role: the caller's token subject is the coach/mentor recorded on the activity.
COACH = "coach"
FUNDING_SOURCES = ("apbn", "apbd", "lainnya")  # BAB IV: state budget, regional budget, other lawful source (as in planning)
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
            a.proposal_letter = {"number": self.number, "letter_date": self.letter_date, "addressed_to": self.addressed_to}

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
            a.participants[self.officer_id] = {
                "officer_id": self.officer_id, "nip": self.nip, "name": self.name, "position": self.position,
                "level": self.level, "employee_type": self.employee_type, "supervisor_nip": self.supervisor_nip,
                "urgency_rank": self.urgency_rank, "planned_jp": self.planned_jp, "active": True,
                "assignment": None, "attendance": {}, "meetings": {}, "contract": None, "report": None,
                "certificates": [], "coach_report": None, "credit": None,
            }

    class ParticipantDeselected(Event):
        TOPIC = "pengkom.activity.ParticipantDeselected"
        officer_id: UUID
        reason: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["active"] = False

    class AssignmentLetterIssued(Event):
        """Surat penugasan for one participant: number, date, signer (III.A.5.a.7–8)."""

        TOPIC = "pengkom.activity.AssignmentLetterIssued"
        officer_id: UUID
        number: str
        letter_date: date
        signer_name: str
        signer_position: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["assignment"] = {"number": self.number, "letter_date": self.letter_date,
                                                             "signer_name": self.signer_name}

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
            a.coach = {"kind": self.kind, "subject": self.subject, "name": self.name, "nip": self.nip,
                       "institution": self.institution}

    class LearningContractProposed(Event):
        """Kontrak pembelajaran: meetings agreed and goals (III.D.3); both parties then sign."""

        TOPIC = "pengkom.activity.LearningContractProposed"
        officer_id: UUID
        meetings_agreed: int
        goals: tuple[str, ...]

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["contract"] = {"meetings_agreed": self.meetings_agreed, "goals": self.goals,
                                                           "signed_by": [], "version": self.originator_version}

    class LearningContractSigned(Event):
        TOPIC = "pengkom.activity.LearningContractSigned"
        officer_id: UUID
        party: str  # "coachee" or "coach"
        contract_version: int

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["contract"]["signed_by"].append(self.party)

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
            a.participants[self.officer_id]["attendance"][self.session_date] = {
                "status": self.status, "minutes_attended": self.minutes_attended, "note": self.note,
                "version": self.originator_version}

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
            a.participants[self.officer_id]["attendance"][self.session_date] = {
                "status": self.status, "minutes_attended": self.minutes_attended, "note": self.note,
                "version": self.originator_version}

    class MeetingRecorded(Event):
        """A coaching/mentoring meeting held (Formulir 3.4 "pertemuan yang terealisasi")."""

        TOPIC = "pengkom.activity.MeetingRecorded"
        officer_id: UUID
        meeting_id: UUID
        meeting_date: date
        duration_minutes: int
        notes: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["meetings"][self.meeting_id] = {
                "on": self.meeting_date, "duration_minutes": self.duration_minutes, "notes": self.notes,
                "version": self.originator_version}

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
            a.participants[self.officer_id]["meetings"][self.meeting_id] = {
                "on": self.meeting_date, "duration_minutes": self.duration_minutes, "notes": self.notes,
                "version": self.originator_version}

    class MeetingRetracted(Event):
        TOPIC = "pengkom.activity.MeetingRetracted"
        officer_id: UUID
        meeting_id: UUID
        reason: str

        def apply(self, a: Activity) -> None:
            del a.participants[self.officer_id]["meetings"][self.meeting_id]

    class ReportSubmitted(Event):
        """The officer's report handed in (III.A.5.d.1); ``submitted_on`` is the day it was handed in."""

        TOPIC = "pengkom.activity.ReportSubmitted"
        officer_id: UUID
        submitted_on: date
        title: str
        summary: str

        def apply(self, a: Activity) -> None:
            a.participants[self.officer_id]["report"] = self.submitted_on

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
            a.participants[self.officer_id]["certificates"].append(CertificateFact(
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
            a.participants[self.officer_id]["coach_report"] = self.submitted_on

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
            a.participants[self.officer_id]["credit"] = {"jp": self.jp, "completed_on": self.completed_on}

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
        self.proposal_letter: dict[str, Any] | None = None
        self.sessions: dict[date, int | None] = {}
        self.schedule_agreed = False
        self.participants: dict[UUID, dict[str, Any]] = {}
        self.coach: dict[str, Any] | None = None
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
            raise Conflict(f"Activity {self.title!r} was completed on {self.completed_on}; nothing more can be recorded on it.")

    def check_within_dates(self, on: date, what: str, field: str) -> None:
        if not self.start <= on <= self.end:
            raise Invalid(f"{what} {on} is outside the activity's dates ({self.start} to {self.end}).", field=field)

    def participant(self, officer_id: UUID, *, active: bool = True) -> dict[str, Any]:
        p = self.participants.get(officer_id)
        if p is None:
            raise Invalid(f"Officer {officer_id} is not a participant of {self.title!r}; select and assign them first.",
                          field="officer_id")
        if active and not p["active"]:
            raise Conflict(f"{p['name']} ({p['nip']}) was deselected from {self.title!r}.", field="officer_id")
        return p

    def check_assigned(self, officer_id: UUID) -> dict[str, Any]:
        """Monitoring and reports need the participant's surat penugasan (III.A.5.a.7–8)."""
        p = self.participant(officer_id)
        if p["assignment"] is None:
            raise Invalid(f"{p['name']} ({p['nip']}) has no assignment letter (surat penugasan) for {self.title!r}; "
                          "record the letter before monitoring or reports.", field="officer_id")
        return p

    def check_not_credited(self, p: dict[str, Any]) -> None:
        if p["credit"] is not None:
            raise Conflict(f"{p['name']} ({p['nip']}) already completed {self.title!r} with {p['credit']['jp']} JP; "
                           "their record is closed.")

    def days(self) -> int:
        return (self.end - self.start).days + 1

    # -- what a plugin sees ----------------------------------------------------------------------

    def facts(self) -> ActivityFacts:
        parts = []
        for oid, p in self.participants.items():
            if not p["active"]:
                continue
            contract = p["contract"] or {}
            parts.append(ParticipantFacts(
                officer_id=oid, nip=p["nip"], name=p["name"], position=p["position"], level=p["level"],
                employee_type=p["employee_type"], supervisor_nip=p["supervisor_nip"], urgency_rank=p["urgency_rank"],
                planned_jp=p["planned_jp"], assignment_number=(p["assignment"] or {}).get("number"),
                attendance=tuple(AttendanceFact(session_date=d, status=r["status"], minutes_attended=r["minutes_attended"],
                                                note=r["note"]) for d, r in sorted(p["attendance"].items())),
                meetings=tuple(sorted((MeetingFact(meeting_id=mid, on=m["on"], duration_minutes=m["duration_minutes"],
                                                   notes=m["notes"]) for mid, m in p["meetings"].items()),
                                      key=lambda m: m.on)),
                meetings_agreed=contract.get("meetings_agreed"), contract_goals=tuple(contract.get("goals", ())),
                contract_signed_by=tuple(contract.get("signed_by", ())), report_submitted_on=p["report"],
                certificates=tuple(p["certificates"]), coach_report_submitted_on=p["coach_report"],
                credited_jp=(p["credit"] or {}).get("jp"), completed_on=(p["credit"] or {}).get("completed_on"),
            ))
        return ActivityFacts(
            id=self.id, agency=self.agency, year=self.year, pathway=self.pathway, variant=self.variant, title=self.title,
            competency=self.competency, method=self.method, provider_kind=self.provider_kind,
            provider_name=self.provider_name, accreditation_ref=self.accreditation_ref, place=self.place,
            start=self.start, end=self.end, international=self.international, planned_jp=self.planned_jp,
            budget=self.budget, funding_source=self.funding_source, provider_approved_on=self.provider_approved_on,
            proposal_letter_number=(self.proposal_letter or {}).get("number"),
            sessions=tuple(Session(on=d, minutes=m) for d, m in sorted(self.sessions.items())),
            schedule_agreed_with_provider=self.schedule_agreed,
            coach_name=(self.coach or {}).get("name"), coach_kind=(self.coach or {}).get("kind"),
            materials=tuple(self.materials), topics=tuple(self.topics), discussion_topics=tuple(self.discussions),
            group_report_submitted_on=self.group_report, recap_submitted_on=self.recap,
            participants=tuple(parts), completed_on=self.completed_on,
        )


# -- guards (who may do what on an activity) --------------------------------------------------------


def _same_agency(actor: Actor, agency: str) -> bool:
    return actor.agency == agency


def can_manage_activity(actor: Actor, agency: str, action: str) -> str:
    """The HR unit runs the administrative side of every activity (BAB III, "Tahap Persiapan")."""
    role = access.require_role(actor, [access.HR], action)
    access.require_agency(actor, agency, action)
    return role


def can_approve_provider(actor: Actor, agency: str) -> str:
    """Approval of the provider or benchmarking host: Pimpinan Instansi (III.B.5.a.3) or PPK (III.A.5.a.3)."""
    role = access.require_role(actor, [access.HEAD, access.PPK], "approve the provider")
    access.require_agency(actor, agency, "approve a provider for another agency")
    return role


def can_record_assignment(actor: Actor, agency: str) -> str:
    """The head (or PyB for belajar mandiri / komunitas belajar) signs; the HR unit may enter the signed letter."""
    role = access.require_role(actor, [access.HR, access.HEAD, access.PYB], "record an assignment letter")
    access.require_agency(actor, agency, "record an assignment letter for another agency")
    return role


def is_coach(actor: Actor, activity: Activity) -> bool:
    """The coach/mentor authenticates with a token whose subject is the one recorded when they were
    assigned, for the activity's agency, in the supervisor or officer role (an external coach gets such
    a token from the agency's identity provider)."""
    return bool(
        activity.coach and actor.subject == activity.coach["subject"] and _same_agency(actor, activity.agency)
        and actor.has(access.SUPERVISOR, access.OFFICER)
    )


def _is_participant(actor: Actor, activity: Activity, p: dict[str, Any] | None = None) -> bool:
    if not (access.OFFICER in actor.roles and actor.nip and _same_agency(actor, activity.agency)):
        return False
    pool = [p] if p is not None else [q for q in activity.participants.values() if q["active"]]
    return any(q["nip"] == actor.nip for q in pool)


def _is_supervisor_of(actor: Actor, activity: Activity, p: dict[str, Any] | None = None) -> bool:
    if not (access.SUPERVISOR in actor.roles and actor.nip and _same_agency(actor, activity.agency)):
        return False
    pool = [p] if p is not None else [q for q in activity.participants.values() if q["active"]]
    return any(q["supervisor_nip"] == actor.nip for q in pool)


def can_record_attendance(actor: Actor, activity: Activity, p: dict[str, Any]) -> str:
    """Formulir 3.3 is filled by the HR unit; for belajar mandiri and komunitas belajar the direct
    supervisor monitors (III.E.5.c, III.F.5.c)."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if activity.monitored_by == Monitor.SUPERVISOR and _is_supervisor_of(actor, activity, p):
        return access.SUPERVISOR
    who = "the HR unit or the participant's direct supervisor" if activity.monitored_by == Monitor.SUPERVISOR else "the HR unit"
    raise Forbidden(f"Attendance (Formulir 3.3) of {p['name']} on {activity.title!r} is recorded by {who}.")


def can_record_meeting(actor: Actor, activity: Activity) -> str:
    """Formulir 3.4: the coach/mentor monitors; the HR unit fills the form with them (III.D.5.c, III.D.7)."""
    if is_coach(actor, activity):
        return COACH
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    raise Forbidden("Coaching/mentoring meetings (Formulir 3.4) are recorded by the assigned coach/mentor or the HR unit.")


def can_submit_report(actor: Actor, activity: Activity, p: dict[str, Any]) -> str:
    """The officer hands in their own report and certificate; the HR unit may record it on their behalf."""
    if _is_participant(actor, activity, p):
        return access.OFFICER
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    raise Forbidden(f"Only {p['name']} or the HR unit may hand in {p['name']}'s report or certificate.")


def can_sign_contract(actor: Actor, activity: Activity, p: dict[str, Any]) -> tuple[str, str]:
    """The learning contract is agreed by the coachee/mentee and the coach/mentor (III.D.3): (role, party)."""
    if _is_participant(actor, activity, p):
        return access.OFFICER, "coachee"
    if is_coach(actor, activity):
        return COACH, "coach"
    raise Forbidden("A learning contract is signed by the coachee/mentee themself and by the assigned coach/mentor.")


def can_propose_contract(actor: Actor, activity: Activity) -> str:
    if is_coach(actor, activity):
        return COACH
    return can_manage_activity(actor, activity.agency, "draw up a learning contract")


def can_coach_report(actor: Actor, activity: Activity) -> str:
    if is_coach(actor, activity):
        return COACH
    return can_manage_activity(actor, activity.agency, "record the coach/mentor's report")


def can_schedule(actor: Actor, activity: Activity) -> str:
    """The HR unit matches the provider's calendar; in belajar mandiri the officer sets their own
    schedule (III.E.5.b.1); a community of practice sets its own (III.F.5.b.1)."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if activity.scheduled_by in (Scheduler.PARTICIPANT, Scheduler.COMMUNITY) and _is_participant(actor, activity):
        return access.OFFICER
    if activity.scheduled_by == Scheduler.COMMUNITY and _is_supervisor_of(actor, activity):
        return access.SUPERVISOR
    raise Forbidden(f"The schedule of {activity.title!r} is set by the HR unit"
                    + (" or the participant" if activity.scheduled_by != Scheduler.HR else "") + ".")


def can_record_community(actor: Actor, activity: Activity) -> str:
    """Discussion notes and the group report of a community of practice: its members, their supervisors, HR."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if _is_participant(actor, activity):
        return access.OFFICER
    if _is_supervisor_of(actor, activity):
        return access.SUPERVISOR
    raise Forbidden("Discussion notes and the group report are recorded by the community's members, their supervisors or the HR unit.")


def can_read_activity(actor: Actor, activity: Activity) -> str:
    if access.reads_across_agencies(actor):
        return sorted(actor.roles & access.NATIONAL_ROLES)[0]
    if _same_agency(actor, activity.agency):
        for role in sorted(actor.roles & access.AGENCY_READERS):
            return role
        if is_coach(actor, activity):
            return COACH
        if _is_participant(actor, activity):
            return access.OFFICER
        if _is_supervisor_of(actor, activity):
            return access.SUPERVISOR
    raise Forbidden("You may read an activity of your own agency if you run it (HR, PyB, PPK, head), take part, "
                    "supervise a participant or coach it.")


# -- input checks ------------------------------------------------------------------------------------


def _text(value: Any, field: str, *, max_len: int = 200, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", field=field)
    value = " ".join(value.split()) if max_len <= 200 else value.strip()
    if len(value) > max_len:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} is {len(value)} characters long; at most {max_len} are allowed.", field=field)
    return value


def _int(value: Any, field: str, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise Invalid(f"{what} must be a whole number from {lo} to {hi}, not {value!r}.", field=field)
    return value


def _enum(enum: Any, value: Any, field: str, what: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise Invalid(f"{what} {value!r} is not one of: {', '.join(m.value for m in enum)}.", field=field) from None


def _not_future(on: date, today: date, what: str, field: str) -> None:
    if on > today:
        raise Invalid(f"{what} {on} is in the future; record it once it has happened.", field=field)


def _texts(values: Any, field: str, what: str, *, at_least: int = 1, max_items: int = 50) -> tuple[str, ...]:
    if not isinstance(values, (list, tuple)) or not at_least <= len(values) <= max_items:
        raise Invalid(f"{what}: give {at_least} to {max_items} entries.", field=field)
    out = tuple(_text(v, field, max_len=300) for v in values)
    if len(set(out)) != len(out):
        raise Invalid(f"{what}: an entry is listed twice.", field=field)
    return out  # type: ignore[return-value]


def _check_version(agg: Activity, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != agg.version:
        raise Conflict(f"The activity is at version {agg.version}, not {expected_version}: someone changed it since you read it. "
                       "Reload and try again.")


@dataclass(frozen=True)
class ActivityCommands:
    """Domain verbs on activities; ``app`` is the pengkom application."""

    app: Any

    def get(self, aid: UUID) -> Activity:
        agg = self.app.get(aid)
        if not isinstance(agg, Activity):
            raise NotFound(f"No activity with id {aid} exists.")
        return agg

    def _open(self, aid: UUID, expected_version: int | None) -> Activity:
        agg = self.get(aid)
        _check_version(agg, expected_version)
        agg.check_open()
        return agg

    # -- planning the activity -----------------------------------------------------------------------

    def create(self, ctx: Context, rules: PathwayRules, *, agency: str, pathway: str | None, title: str, method: str,
               provider_kind: str, place: str, provider_name: str | None = None, start: date | None = None,
               end: date | None = None, planned_jp: int | None = None, accreditation_ref: str | None = None,
               variant: str | None = None, competency: str | None = None, international: bool = False,
               budget: Decimal | str | None = None, funding_source: str | None = None,
               plan_id: str | None = None, plan_row_id: str | None = None) -> Activity:
        """Plan the activity. From a validated plan row (Formulir 2.6) the pathway, competency, provider,
        dates, budget, funding source and planned JP default to the row's."""
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agency, "create an activity"))
        plan_revision = None
        year = None
        if plan_id is not None or plan_row_id is not None:
            row = self._plan_row(plan_id, plan_row_id, agency)
            plan_revision, year = row.revision, row.year
            plan_id, plan_row_id = str(row.plan_id), str(row.row_id)
            pathway = pathway or row.pathway
            if pathway != row.pathway:
                raise Invalid(f"Plan row {plan_row_id} plans pathway {row.pathway}, not {pathway}.", field="pathway")
            competency = competency or row.competency
            provider_name = provider_name or row.provider
            start, end = start or row.start, end or row.end
            planned_jp = row.planned_jp if planned_jp is None else planned_jp
            if budget is None and funding_source is None:
                budget, funding_source = row.budget, row.funding_source
        missing = [n for n, v in (("pathway", pathway), ("provider_name", provider_name), ("start", start), ("end", end),
                                  ("planned_jp", planned_jp)) if v is None]
        if missing:
            raise Invalid(f"An activity without a plan row needs {', '.join(missing)}.", field=missing[0])
        definition = rules.definition(pathway) if isinstance(pathway, str) else None
        if definition is None:
            known = ", ".join(getattr(rules, "codes", lambda: [])())
            raise Invalid(f"No installed pathway plugin provides pathway {pathway!r}; installed pathways: {known or 'none'}.",
                          field="pathway")
        plugin, plugin_version, ruleset_version = rules.provider_of(pathway)
        title = _text(title, "title")
        method = _enum(Method, method, "method", "Method")
        if method not in definition.methods:
            raise Invalid(f"{definition.name_id} runs by {', '.join(definition.methods)}, not {method} "
                          f"({definition.guideline_section}).", field="method")
        provider_kind = _enum(ProviderKind, provider_kind, "provider_kind", "Provider kind")
        if provider_kind not in definition.provider_kinds:
            raise Invalid(f"{definition.name_id} is delivered by {', '.join(definition.provider_kinds)}, not {provider_kind} "
                          f"({definition.guideline_section}).", field="provider_kind")
        accreditation_ref = _text(accreditation_ref, "accreditation_ref", required=False)
        if provider_kind in ACCREDITED_PROVIDER_KINDS and accreditation_ref is None:
            raise Invalid("The provider must be accredited (BAB III: \"terakreditasi\"); give its accreditation reference.",
                          field="accreditation_ref")
        if not isinstance(start, date) or not isinstance(end, date) or end < start:
            raise Invalid(f"The activity ends ({end}) before it starts ({start}).", field="end")
        if (end - start).days + 1 > MAX_ACTIVITY_DAYS:
            raise Invalid(f"An activity runs at most a year; {start} to {end} is {(end - start).days + 1} days.", field="end")
        planned_jp = _int(planned_jp, "planned_jp", 0, 1000, "Planned JP")
        if competency is not None:
            competency = catalogue_competency(competency).code
        if variant is not None or definition.variants:
            if variant not in definition.variants:
                raise Invalid(f"{definition.name_id} needs a variant, one of {', '.join(definition.variants)}." if definition.variants
                              else f"{definition.name_id} has no variants.", field="variant")
        budget_value = self._budget(budget)
        if funding_source is not None:
            funding_source = _enum_in(str(funding_source).lower(), FUNDING_SOURCES, "funding_source", "Funding source (BAB IV)")
        if budget_value is not None and budget_value > 0 and funding_source is None:
            raise Invalid("Every budget line names its funding source (BAB IV): apbn, apbd or lainnya.", field="funding_source")
        if not isinstance(international, bool):
            raise Invalid("international must be true or false.", field="international")
        meta = ctx.provenance()
        agg = Activity._create(
            Activity.Created, id=uuid4(), meta=meta, timestamp=meta.recorded_at,
            agency=agency, year=year or start.year, pathway=pathway, variant=variant, title=title, competency=competency,
            method=method, provider_kind=provider_kind, provider_name=_text(provider_name, "provider_name"),
            accreditation_ref=accreditation_ref, place=_text(place, "place"), start=start, end=end,
            international=international, planned_jp=planned_jp, budget=budget_value, funding_source=funding_source,
            plan_id=plan_id, plan_row_id=plan_row_id, plan_revision=plan_revision,
            monitoring_form=definition.monitoring_form, monitored_by=definition.monitored_by,
            scheduled_by=definition.scheduled_by, evidence_required=tuple(definition.evidence_required),
            requires_provider_approval=definition.requires_provider_approval, requires_coach=definition.requires_coach,
            plugin=plugin, plugin_version=plugin_version, ruleset_version=ruleset_version,
        )
        problems = rules.validate(agg.facts(), "create")
        if problems:
            raise Invalid(f"{definition.name_id}: " + " ".join(problems), field="pathway", plugin=plugin, problems=problems)
        return agg

    @staticmethod
    def _budget(budget: Any) -> Decimal | None:
        if budget is None:
            return None
        try:
            value = Decimal(str(budget))
        except (InvalidOperation, ValueError):
            raise Invalid(f"Budget {budget!r} must be an amount in rupiah.", field="budget") from None
        if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2 or value > Decimal("1e13"):
            raise Invalid(f"Budget {budget} must be a non-negative amount in rupiah with at most 2 decimals.", field="budget")
        return value

    def _plan_row(self, plan_id: str | None, row_id: str | None, agency: str) -> Any:
        """The validated Formulir 2.6 row an activity or participant implements (planning, issue 3)."""
        if not plan_id or not row_id:
            raise Invalid("A plan row is named by both plan_id and plan_row_id.", field="plan_row_id")
        try:
            from core.planning import validated_plan_row  # the planning area; imported lazily
        except ImportError:
            raise Invalid("Plans are not available in this installation; create the activity without a plan row.",
                          field="plan_id") from None
        try:
            pid, rid = UUID(str(plan_id)), UUID(str(row_id))
        except ValueError:
            raise Invalid("plan_id and plan_row_id are ids (UUIDs) of a plan and one of its rows.", field="plan_row_id") from None
        row = validated_plan_row(self.app, pid, rid)
        if row is None:
            raise Invalid(f"Row {row_id} of plan {plan_id} is not part of a validated plan (Formulir 2.6 approved by the PPK).",
                          field="plan_row_id")
        if row.agency != agency:
            raise Forbidden("That plan row belongs to another agency.")
        return row

    def approve_provider(self, ctx: Context, aid: UUID, *, approved_on: date, approver_name: str,
                         decision_ref: str | None = None, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_approve_provider(ctx.actor, agg.agency))
        if agg.provider_approved_on is not None:
            raise Conflict(f"The provider of {agg.title!r} was already approved on {agg.provider_approved_on}.")
        _not_future(approved_on, ctx.now.date(), "The approval date", "approved_on")
        agg.record(Activity.ProviderApproved, ctx.provenance(effective_date=approved_on), approved_on=approved_on,
                   approver_name=_text(approver_name, "approver_name"),
                   decision_ref=_text(decision_ref, "decision_ref", required=False))
        return agg

    def send_proposal_letter(self, ctx: Context, aid: UUID, *, number: str, letter_date: date, addressed_to: str | None = None,
                             expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "send the proposal letter"))
        if agg.proposal_letter is not None:
            raise Conflict(f"The proposal letter {agg.proposal_letter['number']} was already recorded.")
        _not_future(letter_date, ctx.now.date(), "The letter date", "letter_date")
        agg.record(Activity.ProposalLetterSent, ctx.provenance(effective_date=letter_date), number=_text(number, "number"),
                   letter_date=letter_date, addressed_to=_text(addressed_to or agg.provider_name, "addressed_to"))
        return agg

    def schedule(self, ctx: Context, aid: UUID, *, dates: list[date], minutes: int | None = None,
                 agreed_with_provider: bool = False, note: str | None = None, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_schedule(ctx.actor, agg))
        if not dates or len(dates) > MAX_ACTIVITY_DAYS:
            raise Invalid("Give the session dates (one per day).", field="dates")
        if len(set(dates)) != len(dates):
            raise Invalid("A date is listed twice; sessions are one per day.", field="dates")
        for d in dates:
            agg.check_within_dates(d, "Session date", "dates")
            if d in agg.sessions:
                raise Conflict(f"A session on {d} is already scheduled.", field="dates")
        if minutes is not None:
            minutes = _int(minutes, "minutes", 15, 24 * 60, "Session length in minutes")
        agg.record(Activity.SessionsScheduled, ctx.provenance(), dates=tuple(sorted(dates)), minutes=minutes,
                   agreed_with_provider=bool(agreed_with_provider), note=_text(note, "note", max_len=1000, required=False))
        return agg

    def select_participant(self, ctx: Context, aid: UUID, *, officer_id: UUID, urgency_rank: int, reason: str | None = None,
                           plan_id: str | None = None, plan_row_id: str | None = None,
                           expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "select participants"))
        officer = self.app.officers.get(officer_id)
        if officer.agency != agg.agency:
            raise Invalid(f"{officer.name} ({officer.nip}) is an officer of another agency.", field="officer_id")
        if officer.withdrawn:
            raise Conflict(f"The registration of NIP {officer.nip} was withdrawn.", field="officer_id")
        existing = agg.participants.get(officer_id)
        if existing is not None and existing["active"]:
            raise Conflict(f"{officer.name} ({officer.nip}) is already a participant.", field="officer_id")
        rank = _int(urgency_rank, "urgency_rank", 1, 10_000, "Urgency rank (1 = most urgent)")
        planned_jp = agg.planned_jp
        plan_revision = None
        if plan_id is None and plan_row_id is None and agg.plan_id is not None:
            # The activity was created from one officer's plan row: that officer's participation implements it.
            row = self._plan_row(agg.plan_id, agg.plan_row_id, agg.agency)
            if str(row.officer_id) == str(officer_id):
                plan_id, plan_row_id = agg.plan_id, agg.plan_row_id
        if plan_id is not None or plan_row_id is not None:
            row = self._plan_row(plan_id, plan_row_id, agg.agency)
            if str(row.officer_id) != str(officer_id):
                raise Invalid(f"Plan row {plan_row_id} is for NIP {row.nip}, not {officer.nip}.", field="plan_row_id")
            if row.pathway != agg.pathway:
                raise Invalid(f"Plan row {plan_row_id} plans pathway {row.pathway}, not {agg.pathway}.", field="plan_row_id")
            planned_jp, plan_revision = int(row.planned_jp), row.revision
        agg.record(Activity.ParticipantSelected, ctx.provenance(on_behalf_of=officer.nip), officer_id=officer_id,
                   nip=officer.nip, name=officer.name, position=officer.position, level=officer.level,
                   employee_type=officer.employee_type, supervisor_nip=officer.supervisor_nip, urgency_rank=rank,
                   reason=_text(reason, "reason", max_len=1000, required=False), planned_jp=planned_jp,
                   plan_id=plan_id, plan_row_id=plan_row_id, plan_revision=plan_revision)
        return agg

    def deselect_participant(self, ctx: Context, aid: UUID, *, officer_id: UUID, reason: str,
                             expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "deselect a participant"))
        p = agg.participant(officer_id)
        agg.check_not_credited(p)
        agg.record(Activity.ParticipantDeselected, ctx.provenance(on_behalf_of=p["nip"]), officer_id=officer_id,
                   reason=_text(reason, "reason", max_len=1000))
        return agg

    def issue_assignment(self, ctx: Context, aid: UUID, *, officer_id: UUID, number: str, letter_date: date,
                         signer_name: str, signer_position: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_assignment(ctx.actor, agg.agency))
        p = agg.participant(officer_id)
        if p["assignment"] is not None:
            raise Conflict(f"{p['name']} already has assignment letter {p['assignment']['number']}.", field="officer_id")
        if agg.requires_provider_approval and agg.provider_approved_on is None:
            raise Conflict(f"The provider of {agg.title!r} is not approved yet; the head approves it before assigning participants.")
        _not_future(letter_date, ctx.now.date(), "The letter date", "letter_date")
        agg.record(Activity.AssignmentLetterIssued, ctx.provenance(on_behalf_of=p["nip"], effective_date=letter_date),
                   officer_id=officer_id, number=_text(number, "number"), letter_date=letter_date,
                   signer_name=_text(signer_name, "signer_name"), signer_position=_text(signer_position, "signer_position"))
        return agg

    def assign_coach(self, ctx: Context, aid: UUID, *, kind: str, subject: str, name: str, institution: str, criteria: str,
                     assignment_number: str, assignment_date: date, nip: str | None = None,
                     expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "assign a coach or mentor"))
        if not agg.requires_coach:
            raise Invalid(f"Pathway {agg.pathway} has no coach or mentor.", field="kind")
        if agg.coach is not None:
            raise Conflict(f"{agg.coach['name']} is already the {agg.coach['kind']} of {agg.title!r}.")
        if kind not in ("coach", "mentor"):
            raise Invalid("kind must be coach or mentor.", field="kind")
        if nip is not None:
            nip = nip.replace(" ", "")
            if not (nip.isdigit() and len(nip) == 18):
                raise Invalid(f"NIP {nip!r} must be 18 digits.", field="nip")
            if any(p["nip"] == nip for p in agg.participants.values() if p["active"]):
                raise Invalid("A participant cannot coach or mentor themself.", field="nip")
        _not_future(assignment_date, ctx.now.date(), "The assignment date", "assignment_date")
        agg.record(Activity.CoachAssigned, ctx.provenance(), kind=kind, subject=_text(subject, "subject"),
                   name=_text(name, "name"), nip=nip, institution=_text(institution, "institution"),
                   criteria=_text(criteria, "criteria", max_len=1000), assignment_number=_text(assignment_number, "assignment_number"),
                   assignment_date=assignment_date)
        return agg

    def propose_contract(self, ctx: Context, aid: UUID, *, officer_id: UUID, meetings_agreed: int, goals: list[str],
                         expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_propose_contract(ctx.actor, agg))
        if agg.coach is None:
            raise Conflict("Assign the coach or mentor before drawing up learning contracts.")
        p = agg.participant(officer_id)
        agg.check_not_credited(p)
        if p["contract"] is not None and {"coachee", "coach"} <= set(p["contract"]["signed_by"]):
            raise Conflict(f"{p['name']}'s learning contract is already agreed by both.")
        n = _int(meetings_agreed, "meetings_agreed", 1, 1000, "Meetings agreed")
        if n > agg.days():
            raise Invalid(f"{n} meetings cannot fit in {agg.days()} days ({agg.start} to {agg.end}); at most one meeting a day.",
                          field="meetings_agreed")
        agg.record(Activity.LearningContractProposed, ctx.provenance(on_behalf_of=p["nip"]), officer_id=officer_id,
                   meetings_agreed=n, goals=_texts(goals, "goals", "Learning goals"))
        return agg

    def sign_contract(self, ctx: Context, aid: UUID, *, officer_id: UUID, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.participant(officer_id)
        role, party = can_sign_contract(ctx.actor, agg, p)
        ctx = ctx.acting_as(role)
        if p["contract"] is None:
            raise Conflict(f"No learning contract has been drawn up for {p['name']} yet.")
        if party in p["contract"]["signed_by"]:
            raise Conflict(f"The {party} has already signed {p['name']}'s learning contract.")
        agg.record(Activity.LearningContractSigned, ctx.provenance(on_behalf_of=p["nip"]), officer_id=officer_id,
                   party=party, contract_version=p["contract"]["version"])
        return agg

    def provide_materials(self, ctx: Context, aid: UUID, *, items: list[str], note: str | None = None,
                          expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "provide learning materials"))
        agg.record(Activity.MaterialsProvided, ctx.provenance(), items=_texts(items, "items", "Materials"),
                   note=_text(note, "note", max_len=1000, required=False))
        return agg

    def set_topics(self, ctx: Context, aid: UUID, *, topics: list[str], expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        agg.record(Activity.TopicsSet, ctx.provenance(), topics=_texts(topics, "topics", "Topics"))
        return agg

    # -- monitoring -----------------------------------------------------------------------------------

    def _attendance_values(self, agg: Activity, ctx: Context, session_date: date, status: str,
                           minutes_attended: int | None, note: str | None) -> dict[str, Any]:
        agg.check_within_dates(session_date, "Session date", "session_date")
        _not_future(session_date, ctx.now.date(), "Session date", "session_date")
        status = _enum(Attendance, status, "status", "Attendance")
        if minutes_attended is not None:
            minutes_attended = _int(minutes_attended, "minutes_attended", 0, 24 * 60, "Minutes attended")
        if status == Attendance.HADIR_TIDAK_FULL and not minutes_attended:
            raise Invalid("Hadir tidak full needs the minutes actually attended, so that JP credits only what was attended.",
                          field="minutes_attended")
        if status == Attendance.TIDAK_HADIR and minutes_attended:
            raise Invalid("Tidak hadir cannot have minutes attended.", field="minutes_attended")
        planned = agg.sessions.get(session_date)
        if minutes_attended and planned and minutes_attended > planned:
            raise Invalid(f"{minutes_attended} minutes attended is more than the session's {planned} minutes.", field="minutes_attended")
        return {"session_date": session_date, "status": status, "minutes_attended": minutes_attended,
                "note": _text(note, "note", max_len=1000, required=False)}

    def record_attendance(self, ctx: Context, aid: UUID, *, officer_id: UUID, session_date: date, status: str,
                          minutes_attended: int | None = None, note: str | None = None,
                          expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_record_attendance(ctx.actor, agg, p))
        agg.check_not_credited(p)
        values = self._attendance_values(agg, ctx, session_date, status, minutes_attended, note)
        if session_date in p["attendance"]:
            raise Conflict(f"Attendance of {p['name']} on {session_date} is already recorded; correct it, with a reason.",
                           field="session_date")
        agg.record(Activity.AttendanceRecorded, ctx.provenance(on_behalf_of=p["nip"], effective_date=session_date),
                   officer_id=officer_id, **values)
        return agg

    def correct_attendance(self, ctx: Context, aid: UUID, *, officer_id: UUID, session_date: date, status: str, reason: str,
                           minutes_attended: int | None = None, note: str | None = None,
                           expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_record_attendance(ctx.actor, agg, p))
        agg.check_not_credited(p)
        before = p["attendance"].get(session_date)
        if before is None:
            raise Invalid(f"No attendance of {p['name']} on {session_date} is recorded; record it instead of correcting.",
                          field="session_date")
        values = self._attendance_values(agg, ctx, session_date, status, minutes_attended, note)
        if all(before[k] == values[k] for k in ("status", "minutes_attended", "note")):
            raise Invalid("The correction changes nothing.", field="status")
        agg.record(Activity.AttendanceCorrected, ctx.provenance(on_behalf_of=p["nip"], effective_date=session_date),
                   officer_id=officer_id, reason=_text(reason, "reason", max_len=1000), corrects_version=before["version"],
                   **values)
        return agg

    def _meeting_values(self, agg: Activity, ctx: Context, p: dict[str, Any], meeting_date: date, duration_minutes: int,
                        notes: str, skip: UUID | None = None) -> dict[str, Any]:
        agg.check_within_dates(meeting_date, "Meeting date", "meeting_date")
        _not_future(meeting_date, ctx.now.date(), "Meeting date", "meeting_date")
        if any(m["on"] == meeting_date for mid, m in p["meetings"].items() if mid != skip):
            raise Conflict(f"A meeting of {p['name']} on {meeting_date} is already recorded: meetings are at most one a day, "
                           "so there cannot be more meetings than days.", field="meeting_date")
        return {"meeting_date": meeting_date,
                "duration_minutes": _int(duration_minutes, "duration_minutes", 15, 12 * 60, "Meeting length in minutes"),
                "notes": _text(notes, "notes", max_len=4000)}

    def record_meeting(self, ctx: Context, aid: UUID, *, officer_id: UUID, meeting_date: date, duration_minutes: int,
                       notes: str, expected_version: int | None = None) -> tuple[Activity, UUID]:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        p = agg.check_assigned(officer_id)
        agg.check_not_credited(p)
        contract = p["contract"]
        if contract is None or not {"coachee", "coach"} <= set(contract["signed_by"]):
            raise Conflict(f"{p['name']}'s learning contract is not yet agreed by both; meetings count against an agreed contract "
                           "(III.D.3).")
        values = self._meeting_values(agg, ctx, p, meeting_date, duration_minutes, notes)
        mid = uuid4()
        agg.record(Activity.MeetingRecorded, ctx.provenance(on_behalf_of=p["nip"], effective_date=meeting_date),
                   officer_id=officer_id, meeting_id=mid, **values)
        return agg, mid

    def _meeting(self, agg: Activity, meeting_id: UUID) -> tuple[UUID, dict[str, Any], dict[str, Any]]:
        for oid, p in agg.participants.items():
            if meeting_id in p["meetings"]:
                return oid, p, p["meetings"][meeting_id]
        raise NotFound(f"No meeting {meeting_id} is recorded on this activity.", field="meeting_id")

    def correct_meeting(self, ctx: Context, aid: UUID, *, meeting_id: UUID, meeting_date: date, duration_minutes: int,
                        notes: str, reason: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        oid, p, before = self._meeting(agg, meeting_id)
        agg.check_not_credited(p)
        values = self._meeting_values(agg, ctx, p, meeting_date, duration_minutes, notes, skip=meeting_id)
        if before["on"] == values["meeting_date"] and before["duration_minutes"] == values["duration_minutes"] and before["notes"] == values["notes"]:
            raise Invalid("The correction changes nothing.", field="meeting_date")
        agg.record(Activity.MeetingCorrected, ctx.provenance(on_behalf_of=p["nip"]), officer_id=oid, meeting_id=meeting_id,
                   reason=_text(reason, "reason", max_len=1000), corrects_version=before["version"], **values)
        return agg

    def retract_meeting(self, ctx: Context, aid: UUID, *, meeting_id: UUID, reason: str,
                        expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        oid, p, _ = self._meeting(agg, meeting_id)
        agg.check_not_credited(p)
        agg.record(Activity.MeetingRetracted, ctx.provenance(on_behalf_of=p["nip"]), officer_id=oid, meeting_id=meeting_id,
                   reason=_text(reason, "reason", max_len=1000))
        return agg

    # -- reporting ------------------------------------------------------------------------------------

    def submit_report(self, ctx: Context, aid: UUID, *, officer_id: UUID, title: str, summary: str,
                      expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_submit_report(ctx.actor, agg, p))
        agg.check_not_credited(p)
        if p["report"] is not None:
            raise Conflict(f"{p['name']}'s report was already handed in on {p['report']}.")
        meta = ctx.provenance(on_behalf_of=p["nip"])
        if meta.effective_date < agg.start:
            raise Invalid(f"A report handed in on {meta.effective_date} predates the activity ({agg.start}).", field="effective_date")
        agg.record(Activity.ReportSubmitted, meta, officer_id=officer_id, submitted_on=meta.effective_date,
                   title=_text(title, "title"), summary=_text(summary, "summary", max_len=10_000))
        return agg

    def record_certificate(self, ctx: Context, aid: UUID, *, officer_id: UUID, kind: str, number: str, issuer: str,
                           issued_on: date, sha256: str, content_type: str, size: int, filename: str | None = None,
                           programme_jp: int | None = None, expected_version: int | None = None) -> tuple[Activity, UUID]:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_submit_report(ctx.actor, agg, p))
        agg.check_not_credited(p)
        if kind not in CERTIFICATE_KINDS:
            raise Invalid(f"kind must be one of {', '.join(CERTIFICATE_KINDS)} (sertifikat from a provider, surat keterangan "
                          "from a benchmarking host).", field="kind")
        number = _text(number, "number")
        if any(c.number == number for c in p["certificates"]):
            raise Conflict(f"Certificate {number} of {p['name']} is already recorded.", field="number")
        _not_future(issued_on, ctx.now.date(), "The issue date", "issued_on")
        if issued_on < agg.start:
            raise Invalid(f"A certificate issued on {issued_on} predates the activity ({agg.start}).", field="issued_on")
        if programme_jp is not None:
            programme_jp = _int(programme_jp, "programme_jp", 1, 1000, "The programme's JP on the certificate")
        cid = uuid4()
        agg.record(Activity.CertificateRecorded, ctx.provenance(on_behalf_of=p["nip"]), officer_id=officer_id,
                   certificate_id=cid, kind=kind, number=number, issuer=_text(issuer, "issuer"), issued_on=issued_on,
                   programme_jp=programme_jp, sha256=sha256, content_type=content_type, size=size,
                   filename=_text(filename, "filename", required=False))
        return agg, cid

    def submit_coach_report(self, ctx: Context, aid: UUID, *, officer_id: UUID, summary: str,
                            expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_coach_report(ctx.actor, agg))
        p = agg.check_assigned(officer_id)
        agg.check_not_credited(p)
        if p["coach_report"] is not None:
            raise Conflict(f"The coach/mentor's report on {p['name']} was already handed in on {p['coach_report']}.")
        meta = ctx.provenance(on_behalf_of=p["nip"])
        agg.record(Activity.CoachReportSubmitted, meta, officer_id=officer_id, submitted_on=meta.effective_date,
                   summary=_text(summary, "summary", max_len=10_000))
        return agg

    def record_discussion_notes(self, ctx: Context, aid: UUID, *, topic: str, held_on: date, notes: str,
                                expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        topic = _text(topic, "topic", max_len=300)
        if agg.topics and topic not in agg.topics:
            raise Invalid(f"Topic {topic!r} is not one of the community's topics: {', '.join(agg.topics)}.", field="topic")
        agg.check_within_dates(held_on, "Discussion date", "held_on")
        _not_future(held_on, ctx.now.date(), "Discussion date", "held_on")
        agg.record(Activity.DiscussionNotesRecorded, ctx.provenance(effective_date=held_on), topic=topic, held_on=held_on,
                   notes=_text(notes, "notes", max_len=10_000))
        return agg

    def submit_group_report(self, ctx: Context, aid: UUID, *, summary: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        if agg.group_report is not None:
            raise Conflict(f"The group report was already handed in on {agg.group_report}.")
        meta = ctx.provenance()
        agg.record(Activity.GroupReportSubmitted, meta, submitted_on=meta.effective_date,
                   summary=_text(summary, "summary", max_len=10_000))
        return agg

    def record_recap(self, ctx: Context, aid: UUID, *, summary: str, expected_version: int | None = None) -> Activity:
        agg = self.get(aid)
        _check_version(agg, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "record the HR recap"))
        if agg.recap is not None:
            raise Conflict(f"The HR recap was already recorded on {agg.recap}.")
        meta = ctx.provenance()
        agg.record(Activity.RecapRecorded, meta, submitted_on=meta.effective_date, summary=_text(summary, "summary", max_len=10_000))
        return agg

    # -- completion and JP ----------------------------------------------------------------------------

    def missing_evidence(self, agg: Activity, p: dict[str, Any]) -> list[str]:
        """What the pathway's declared evidence (recorded at creation) still lacks for ``p``."""
        missing = []
        if p["assignment"] is None:
            missing.append("the assignment letter (surat penugasan)")
        for ev in agg.evidence_required:
            if ev == Evidence.REPORT and p["report"] is None:
                missing.append("the officer's report")
            elif ev == Evidence.CERTIFICATE and not any(c.kind == "sertifikat" for c in p["certificates"]):
                missing.append("the certificate (sertifikat)")
            elif ev == Evidence.STATEMENT and not p["certificates"]:
                missing.append("the host's statement (surat keterangan)")
            elif ev == Evidence.COACH_REPORT and p["coach_report"] is None:
                missing.append("the coach/mentor's report")
            elif ev == Evidence.LEARNING_CONTRACT and not (p["contract"] and {"coachee", "coach"} <= set(p["contract"]["signed_by"])):
                missing.append("the learning contract agreed by both")
            elif ev == Evidence.DISCUSSION_NOTES and not agg.discussions:
                missing.append("discussion notes per topic")
            elif ev == Evidence.GROUP_REPORT and agg.group_report is None:
                missing.append("the group report")
        return missing

    def complete(self, ctx: Context, aid: UUID, rules: PathwayRules, jp_table: Any, *, officer_ids: list[UUID] | None = None,
                 expected_version: int | None = None) -> Activity:
        """Credit JP to participants who finished (all by default) and close the activity when none is left.

        The plugin computes each credit from the recorded facts; the event records it with the rule
        and the rule-set versions. Nothing is recorded if any participant cannot complete.
        """
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "complete an activity"))
        definition = rules.definition(agg.pathway)
        if definition is None:
            raise Invalid(f"No installed plugin provides pathway {agg.pathway!r} (it was created by plugin {agg.plugin}); "
                          "install it to complete this activity.", field="pathway")
        meta = ctx.provenance()
        completed_on = meta.effective_date
        if completed_on < agg.start:
            raise Invalid(f"An activity that starts on {agg.start} cannot complete on {completed_on}.", field="effective_date")
        pending = {oid: p for oid, p in agg.participants.items() if p["active"] and p["credit"] is None}
        if not pending:
            raise Conflict("No participant is left to complete; select participants first." if not agg.participants
                           else "Every participant has already completed.")
        if officer_ids:
            unknown = [str(o) for o in officer_ids if o not in pending]
            if unknown:
                raise Invalid(f"Not pending participants of this activity: {', '.join(unknown)}.", field="officer_ids")
            targets = [o for o in pending if o in set(officer_ids)]
        else:
            targets = list(pending)
        if agg.requires_provider_approval and agg.provider_approved_on is None:
            raise Conflict("The provider is not approved by the head of the agency; it must be before completion.")
        if agg.requires_coach and agg.coach is None:
            raise Conflict("No coach or mentor is assigned.")
        problems = []
        for oid in targets:
            missing = self.missing_evidence(agg, agg.participants[oid])
            if missing:
                p = agg.participants[oid]
                problems.append(f"{p['name']} ({p['nip']}) lacks {', '.join(missing)}.")
        if problems:
            raise Invalid("Cannot complete yet: " + " ".join(problems), field="officer_ids", problems=problems)
        facts = agg.facts()
        problems = rules.validate(facts, "complete")
        if problems:
            raise Invalid(f"{definition.name_id}: " + " ".join(problems), field="pathway", problems=problems)
        for oid in targets:
            decision = rules.credit(facts, facts.participant(oid), jp_table)
            agg.record(Activity.JpCredited, replace(meta, on_behalf_of=agg.participants[oid]["nip"]),
                       officer_id=oid, year=agg.year, completed_on=completed_on, jp=decision.jp, rule=decision.rule,
                       ruleset_version=decision.ruleset_version, jp_table_version=decision.jp_table_version,
                       plugin=decision.plugin, plugin_version=decision.plugin_version, detail=decision.detail)
        if all(p["credit"] is not None for p in agg.participants.values() if p["active"]):
            agg.record(Activity.Completed, meta, completed_on=completed_on)
        return agg


def _enum_in(value: Any, choices: tuple[str, ...], field: str, what: str) -> str:
    if value not in choices:
        raise Invalid(f"{what} {value!r} is not one of: {', '.join(choices)}.", field=field)
    return value
