"""Request bodies of the activity routes (BAB III): msgspec Structs at the edge, separate from the events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from api.schemas import Body, Reason

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]


class CreateActivity(Body):
    """One run of a pathway. From a validated plan row: give plan_id and plan_row_id."""

    title: Text
    method: Annotated[str, msgspec.Meta(description="klasikal, blended, hybrid or e_learning")]
    provider_kind: Annotated[str, msgspec.Meta(description="own_unit, other_agency, independent, host_institution, coach_mentor, hr_unit")]
    place: Text
    pathway: Annotated[str, msgspec.Meta(description="a pathway code from GET /pathways", max_length=60)] | None = None
    provider_name: Text | None = None
    start: date | None = None
    end: date | None = None
    planned_jp: Annotated[int, msgspec.Meta(ge=0, le=1000)] | None = None
    accreditation_ref: str | None = None
    variant: str | None = None
    competency: str | None = None
    international: bool = False
    budget: Decimal | None = None
    funding_source: Annotated[str | None, msgspec.Meta(description="apbn, apbd or lainnya (BAB IV)")] = None
    plan_id: str | None = None
    plan_row_id: str | None = None
    agency: str | None = None


class ApproveProvider(Body):
    approved_on: date
    approver_name: Text
    decision_ref: str | None = None


class ProposalLetter(Body):
    number: Text
    letter_date: date
    addressed_to: str | None = None


class Schedule(Body):
    dates: Annotated[list[date], msgspec.Meta(min_length=1, max_length=366)]
    minutes: Annotated[int, msgspec.Meta(ge=15, le=1440)] | None = None
    agreed_with_provider: bool = False
    note: Note | None = None


class SelectParticipant(Body):
    officer_id: UUID
    urgency_rank: Annotated[int, msgspec.Meta(ge=1, le=10_000, description="1 = most urgent (seleksi administrasi)")]
    reason: Note | None = None
    plan_id: str | None = None
    plan_row_id: str | None = None


class Deselect(Body):
    officer_id: UUID
    reason: Reason


class AssignmentLetter(Body):
    officer_id: UUID
    number: Text
    letter_date: date
    signer_name: Text
    signer_position: Text


class AssignCoach(Body):
    kind: Annotated[str, msgspec.Meta(description="coach or mentor")]
    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="the subject id of the coach's token")]
    name: Text
    institution: Text
    criteria: Annotated[str, msgspec.Meta(min_length=1, max_length=1000, description="the agency's criteria the coach meets")]
    assignment_number: Text
    assignment_date: date
    nip: str | None = None


class ProposeContract(Body):
    officer_id: UUID
    meetings_agreed: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    goals: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]


class SignContract(Body):
    officer_id: UUID


class Materials(Body):
    items: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]
    note: Note | None = None


class Topics(Body):
    topics: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]


class AttendanceBody(Body):
    """Formulir 3.3, one participant and one session."""

    officer_id: UUID
    session_date: date
    status: Annotated[str, msgspec.Meta(description="hadir_full, hadir_tidak_full or tidak_hadir")]
    minutes_attended: Annotated[int, msgspec.Meta(ge=0, le=1440)] | None = None
    note: Note | None = None


class SessionAttendanceRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Formulir 3.3, one participant's row of a session."""

    officer_id: UUID
    status: Annotated[str, msgspec.Meta(description="hadir_full, hadir_tidak_full or tidak_hadir")]
    minutes_attended: Annotated[int, msgspec.Meta(ge=0, le=1440)] | None = None
    note: Note | None = None


class SessionAttendance(Body):
    """Formulir 3.3 for a whole session: every participant's attendance of one session date."""

    session_date: date
    participants: Annotated[list[SessionAttendanceRow], msgspec.Meta(min_length=1, max_length=1000)]


class AttendanceCorrection(AttendanceBody, kw_only=True):
    reason: Reason


class MeetingBody(Body):
    """Formulir 3.4, one meeting held."""

    officer_id: UUID
    meeting_date: date
    duration_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)]
    notes: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class MeetingCorrection(Body):
    meeting_id: UUID
    meeting_date: date
    duration_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)]
    notes: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    reason: Reason


class MeetingRetraction(Body):
    meeting_id: UUID
    reason: Reason


class ReportBody(Body):
    """The officer's report; the effective date is the day it was handed in."""

    officer_id: UUID
    title: Text
    summary: LongText


class CoachReport(Body):
    officer_id: UUID
    summary: LongText


class DiscussionNotes(Body):
    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    held_on: date
    notes: LongText


class Summary(Body):
    summary: LongText


class Complete(Body):
    officer_ids: list[UUID] | None = None


@dataclass
class CertificateUpload:
    """multipart/form-data: the file and what the certificate or statement says."""

    file: UploadFile
    officer_id: UUID
    number: str
    issuer: str
    issued_on: date
    kind: str = "sertifikat"
    programme_jp: int | None = None
    effective_date: date | None = None
