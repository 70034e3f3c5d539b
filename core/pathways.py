"""What core and a pathway plugin exchange: the pathway's declaration, the recorded facts of an
activity, the JP credit and monitoring findings — plain frozen values, no pluggy.

Core never imports a plugin: an activity command receives a :class:`PathwayRules` (the plugin
manager's narrow face, built by the API layer) and records the decisions it returns, with the
rule-set versions, so a replay never asks a plugin again (docs/ARCHITECTURE.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from core import labels


class Method(StrEnum):
    """Metode pengembangan kompetensi (BAB III, after Tabel 3.1)."""

    KLASIKAL = "klasikal"
    BLENDED = "blended"
    HYBRID = "hybrid"
    E_LEARNING = "e_learning"


class ProviderKind(StrEnum):
    """Who delivers an activity (BAB III opening paragraph; III.B; III.D; III.E/F)."""

    OWN_UNIT = "own_unit"  # a) unit kerja penyelenggara pelatihan di instansi sendiri, terakreditasi
    OTHER_AGENCY = "other_agency"  # b) instansi pemerintah lain yang terakreditasi
    INDEPENDENT = "independent"  # c) lembaga penyelenggara pelatihan independen yang terakreditasi
    HOST_INSTITUTION = "host_institution"  # lembaga tujuan: a benchmarking host (III.B), an internship host
    COACH_MENTOR = "coach_mentor"  # coach/mentor (III.D)
    HR_UNIT = "hr_unit"  # the HR unit provides material (belajar mandiri, komunitas belajar: III.E, III.F)


#: Provider kinds that must name their accreditation (BAB III opening paragraph: "terakreditasi").
ACCREDITED_PROVIDER_KINDS = frozenset({ProviderKind.OWN_UNIT, ProviderKind.OTHER_AGENCY, ProviderKind.INDEPENDENT})


class Attendance(StrEnum):
    """Kehadiran JF, Formulir 3.3 kolom (10)."""

    HADIR_FULL = "hadir_full"
    HADIR_TIDAK_FULL = "hadir_tidak_full"
    TIDAK_HADIR = "tidak_hadir"


ATTENDANCE_LABELS = {
    Attendance.HADIR_FULL: "Hadir full",
    Attendance.HADIR_TIDAK_FULL: "Hadir tidak full",
    Attendance.TIDAK_HADIR: "Tidak hadir",
}
labels.register(Attendance, ATTENDANCE_LABELS, fields=("status",))


class Evidence(StrEnum):
    """Evidence a pathway may require before a participant's activity completes (BAB III, "Output")."""

    REPORT = "report"  # laporan Pengantar Kerja
    CERTIFICATE = "certificate"  # sertifikat from the provider
    STATEMENT = "statement"  # surat keterangan (patok banding: from the host)
    COACH_REPORT = "coach_report"  # laporan coach/mentor
    LEARNING_CONTRACT = "learning_contract"  # kontrak pembelajaran agreed by coachee and coach
    DISCUSSION_NOTES = "discussion_notes"  # catatan hasil diskusi per topik (komunitas belajar)
    GROUP_REPORT = "group_report"  # laporan per kelompok (komunitas belajar)


class Monitor(StrEnum):
    """Who fills the monitoring form (BAB III, "Tahap Monitoring")."""

    HR = "hr"
    SUPERVISOR = "supervisor"
    COACH = "coach"


class Scheduler(StrEnum):
    """Who sets the schedule of sessions."""

    HR = "hr"  # matched to the provider's calendar (III.A, III.B, III.C)
    PARTICIPANT = "participant"  # the officer sets their own schedule (belajar mandiri, III.E.5.b)
    COMMUNITY = "community"  # the community sets its schedule (komunitas belajar, III.F.5.b)


@dataclass(frozen=True)
class PathwayDefinition:
    """A pathway as its plugin declares it (hook ``pengkom_register_pathways``)."""

    code: str
    name_id: str
    name_en: str
    on_the_job: bool
    methods: tuple[str, ...]
    provider_kinds: tuple[str, ...]
    evidence_required: tuple[str, ...]
    monitoring_form: str  # "3.3" (attendance) or "3.4" (coaching/mentoring meetings)
    monitored_by: str  # Monitor
    scheduled_by: str  # Scheduler
    jp_form: str  # key of the JP conversion table (core.catalogue.JP_CONVERSION_DEFAULTS)
    guideline_section: str
    ruleset_version: str
    rules: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    requires_provider_approval: bool = True
    requires_coach: bool = False
    description: str = ""


@dataclass(frozen=True)
class Session:
    on: date
    minutes: int | None


@dataclass(frozen=True)
class AttendanceFact:
    session_date: date
    status: str  # Attendance
    minutes_attended: int | None
    note: str | None


@dataclass(frozen=True)
class MeetingFact:
    meeting_id: UUID
    on: date
    duration_minutes: int
    notes: str


@dataclass(frozen=True)
class CertificateFact:
    kind: str  # "sertifikat" or "surat_keterangan"
    number: str
    issuer: str
    issued_on: date
    programme_jp: int | None
    sha256: str


@dataclass(frozen=True)
class ParticipantFacts:
    officer_id: UUID
    nip: str
    name: str
    position: str
    level: str
    employee_type: str
    supervisor_nip: str | None
    urgency_rank: int
    planned_jp: int
    assignment_number: str | None
    attendance: tuple[AttendanceFact, ...] = ()
    meetings: tuple[MeetingFact, ...] = ()
    meetings_agreed: int | None = None
    contract_goals: tuple[str, ...] = ()
    contract_signed_by: tuple[str, ...] = ()
    report_submitted_on: date | None = None
    certificates: tuple[CertificateFact, ...] = ()
    coach_report_submitted_on: date | None = None
    credited_jp: int | None = None
    completed_on: date | None = None

    @property
    def contract_agreed(self) -> bool:
        return self.meetings_agreed is not None and {"coachee", "coach"} <= set(self.contract_signed_by)


@dataclass(frozen=True)
class ActivityFacts:
    """Everything recorded about one activity, as a plugin sees it (never the aggregate itself)."""

    id: UUID
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
    provider_approved_on: date | None = None
    proposal_letter_number: str | None = None
    sessions: tuple[Session, ...] = ()
    schedule_agreed_with_provider: bool = False
    coach_name: str | None = None
    coach_kind: str | None = None
    materials: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    discussion_topics: tuple[str, ...] = ()
    group_report_submitted_on: date | None = None
    recap_submitted_on: date | None = None
    participants: tuple[ParticipantFacts, ...] = ()
    completed_on: date | None = None

    def participant(self, officer_id: UUID) -> ParticipantFacts:
        for p in self.participants:
            if p.officer_id == officer_id:
                return p
        raise KeyError(officer_id)


@dataclass(frozen=True)
class JpCredit:
    """What a plugin returns from ``pengkom_credit_jp``: the JP and the rule that gave it."""

    jp: int
    rule: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JpDecision:
    """A JP credit as recorded: the plugin's answer plus who gave it under which rule sets."""

    jp: int
    rule: str
    ruleset_version: str
    jp_table_version: str
    plugin: str
    plugin_version: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    """A monitoring finding (``pengkom_monitoring_findings``): ``code`` is stable, ``message`` for the clerk."""

    code: str
    message: str
    officer_id: UUID | None = None
    severity: str = "warning"  # "warning" needs action; "info" is for awareness
    form: str | None = None  # e.g. "3.3", "3.4"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": str(self.message),
                "officer_id": None if self.officer_id is None else str(self.officer_id), "form": self.form}


class PathwayRules(Protocol):
    """The narrow face of the plugin manager that activity commands use."""

    def definition(self, code: str) -> PathwayDefinition | None: ...

    def provider_of(self, code: str) -> tuple[str, str, str]:
        """(plugin name, plugin version, plugin rule-set version) of the plugin declaring ``code``."""
        ...

    def validate(self, activity: ActivityFacts, stage: str) -> list[str]: ...

    def credit(self, activity: ActivityFacts, participant: ParticipantFacts, jp_table: Any) -> JpDecision: ...
