"""Monitoring (BAB III, "Tahap Monitoring"): attendance of Formulir 3.3 and coaching/mentoring
meetings of Formulir 3.4, recorded and corrected with a reason."""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from core.activities.aggregate import Activity
from core.activities.base import ActivityCommandsBase
from core.activities.guards import can_record_attendance, can_record_meeting
from core.activities.state import MeetingEntry, Participant
from core.errors import Conflict, DomainError, Invalid, NotFound
from core.events import Context
from core.i18n import N_, msg
from core.inputs import LONG_MAX, choice, long_text, not_future, whole
from core.pathways import Attendance


class MonitoringCommands(ActivityCommandsBase):
    """Monitoring: Formulir 3.3 attendance and Formulir 3.4 meetings, recorded and corrected."""

    def _attendance_values(self, agg: Activity, ctx: Context, session_date: date, status: str,
                           minutes_attended: int | None, note: str | None) -> dict[str, Any]:
        agg.check_within_dates(session_date, "Session date", "session_date")
        not_future(session_date, ctx.now.date(), "Session date", "session_date")
        status = choice(Attendance, status, "status", N_("Attendance"))
        if minutes_attended is not None:
            minutes_attended = whole(minutes_attended, "minutes_attended", low=0, high=24 * 60, what=N_("Minutes attended"))
        if status == Attendance.HADIR_TIDAK_FULL and not minutes_attended:
            raise Invalid("Hadir tidak full needs the minutes actually attended, so that JP credits only what was attended.",
                          field="minutes_attended")
        if status == Attendance.TIDAK_HADIR and minutes_attended:
            raise Invalid("Tidak hadir cannot have minutes attended.", field="minutes_attended")
        planned = agg.sessions.get(session_date)
        if minutes_attended and planned and minutes_attended > planned:
            raise Invalid(msg("{minutes_attended} minutes attended is more than the session's {planned} minutes.",
                              minutes_attended=minutes_attended, planned=planned), field="minutes_attended")
        return {"session_date": session_date, "status": status, "minutes_attended": minutes_attended,
                "note": long_text(note, "note", required=False)}

    def record_attendance(self, ctx: Context, aid: UUID, *, officer_id: UUID, session_date: date, status: str,
                          minutes_attended: int | None = None, note: str | None = None,
                          expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        self._record_attendance(ctx, agg, officer_id, session_date, status, minutes_attended, note)
        return agg

    def _record_attendance(self, ctx: Context, agg: Activity, officer_id: UUID, session_date: date, status: str,
                           minutes_attended: int | None, note: str | None) -> None:
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_record_attendance(ctx.actor, agg, p))
        agg.check_not_credited(p)
        values = self._attendance_values(agg, ctx, session_date, status, minutes_attended, note)
        if session_date in p.attendance:
            raise Conflict(msg("Attendance of {name} on {session_date} is already recorded; correct it, with a reason.",
                               name=p.name, session_date=session_date),
                           field="session_date")
        agg.record(Activity.AttendanceRecorded, ctx.provenance(on_behalf_of=p.nip, effective_date=session_date),
                   officer_id=officer_id, **values)

    def record_session_attendance(self, ctx: Context, aid: UUID, *, session_date: date, participants: list[dict[str, Any]],
                                  expected_version: int | None = None) -> Activity:
        """Formulir 3.3 for a whole session: one ``AttendanceRecorded`` per participant, each checked
        by the same rules as one at a time, all or nothing — the first participant that breaks a rule
        refuses the whole session, named by position in the list, id and name; nothing is recorded."""
        agg = self._open(aid, expected_version)
        if not participants:
            raise Invalid("List the participants whose attendance of the session is recorded.", field="participants")
        seen: dict[UUID, int] = {}
        for i, row in enumerate(participants):
            oid = row["officer_id"]
            where = f"participants[{i}]"
            if oid in seen:
                raise Invalid(msg("{where}: officer {oid} is listed twice (first at participants[{seen_oid}]); a participant attends a "
                                  "session once.", where=where, oid=oid, seen_oid=seen[oid]), field=f"{where}.officer_id", participant=str(oid))
            seen[oid] = i
            try:
                self._record_attendance(ctx, agg, oid, session_date, row["status"], row.get("minutes_attended"), row.get("note"))
            except DomainError as e:
                who = agg.participants.get(oid)
                named = f"{who.name} ({who.nip})" if who is not None else msg("officer {oid}", oid=oid)
                e.message = msg("{where}, {named}: {message} Nothing of this session was recorded.", where=where, named=named, message=e.message)
                e.args = (e.message,)
                if e.field != "session_date":  # the session's date is the whole request's, not the row's
                    e.field = f"{where}.{e.field or 'officer_id'}"
                e.details = {**e.details, "participant": str(oid), "participant_index": i}
                raise
        return agg

    def correct_attendance(self, ctx: Context, aid: UUID, *, officer_id: UUID, session_date: date, status: str, reason: str,
                           minutes_attended: int | None = None, note: str | None = None,
                           expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_record_attendance(ctx.actor, agg, p))
        agg.check_not_credited(p)
        before = p.attendance.get(session_date)
        if before is None:
            raise Invalid(msg("No attendance of {name} on {session_date} is recorded; record it instead of correcting.",
                              name=p.name, session_date=session_date),
                          field="session_date")
        values = self._attendance_values(agg, ctx, session_date, status, minutes_attended, note)
        if (before.status, before.minutes_attended, before.note) == (values["status"], values["minutes_attended"], values["note"]):
            raise Invalid("The correction changes nothing.", field="status")
        agg.record(Activity.AttendanceCorrected, ctx.provenance(on_behalf_of=p.nip, effective_date=session_date),
                   officer_id=officer_id, reason=long_text(reason, "reason"), corrects_version=before.version,
                   **values)
        return agg

    def _meeting_values(self, agg: Activity, ctx: Context, p: Participant, meeting_date: date, duration_minutes: int,
                        notes: str, skip: UUID | None = None) -> dict[str, Any]:
        agg.check_within_dates(meeting_date, "Meeting date", "meeting_date")
        not_future(meeting_date, ctx.now.date(), "Meeting date", "meeting_date")
        if any(m.on == meeting_date for mid, m in p.meetings.items() if mid != skip):
            raise Conflict(msg("A meeting of {name} on {meeting_date} is already recorded: meetings are at most one a day, so there "
                               "cannot be more meetings than days.", name=p.name, meeting_date=meeting_date), field="meeting_date")
        return {"meeting_date": meeting_date,
                "duration_minutes": whole(duration_minutes, "duration_minutes", low=15, high=12 * 60, what=N_("Meeting length in minutes")),
                "notes": long_text(notes, "notes", max_len=LONG_MAX)}

    def record_meeting(self, ctx: Context, aid: UUID, *, officer_id: UUID, meeting_date: date, duration_minutes: int,
                       notes: str, expected_version: int | None = None) -> tuple[Activity, UUID]:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        p = agg.check_assigned(officer_id)
        agg.check_not_credited(p)
        if not p.contract_agreed:
            raise Conflict(msg("{name}'s learning contract is not yet agreed by both; meetings count against an agreed contract "
                               "(III.D.3).", name=p.name))
        values = self._meeting_values(agg, ctx, p, meeting_date, duration_minutes, notes)
        mid = uuid4()
        agg.record(Activity.MeetingRecorded, ctx.provenance(on_behalf_of=p.nip, effective_date=meeting_date),
                   officer_id=officer_id, meeting_id=mid, **values)
        return agg, mid

    def _meeting(self, agg: Activity, meeting_id: UUID) -> tuple[UUID, Participant, MeetingEntry]:
        for oid, p in agg.participants.items():
            if meeting_id in p.meetings:
                return oid, p, p.meetings[meeting_id]
        raise NotFound(msg("No meeting {meeting_id} is recorded on this activity.", meeting_id=meeting_id), field="meeting_id")

    def correct_meeting(self, ctx: Context, aid: UUID, *, meeting_id: UUID, meeting_date: date, duration_minutes: int,
                        notes: str, reason: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        oid, p, before = self._meeting(agg, meeting_id)
        agg.check_not_credited(p)
        values = self._meeting_values(agg, ctx, p, meeting_date, duration_minutes, notes, skip=meeting_id)
        if before.on == values["meeting_date"] and before.duration_minutes == values["duration_minutes"] and before.notes == values["notes"]:
            raise Invalid("The correction changes nothing.", field="meeting_date")
        agg.record(Activity.MeetingCorrected, ctx.provenance(on_behalf_of=p.nip), officer_id=oid, meeting_id=meeting_id,
                   reason=long_text(reason, "reason"), corrects_version=before.version, **values)
        return agg

    def retract_meeting(self, ctx: Context, aid: UUID, *, meeting_id: UUID, reason: str,
                        expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_meeting(ctx.actor, agg))
        oid, p, _ = self._meeting(agg, meeting_id)
        agg.check_not_credited(p)
        agg.record(Activity.MeetingRetracted, ctx.provenance(on_behalf_of=p.nip), officer_id=oid, meeting_id=meeting_id,
                   reason=long_text(reason, "reason"))
        return agg

