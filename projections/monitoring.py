"""Monitoring read model (BAB III): per activity, the rows of Formulir 3.3 (attendance per
participant and session) and Formulir 3.4 (coaching/mentoring meetings agreed vs held), and the
activity listing. Findings are computed at read time by the pathway plugin from the recorded facts
(they depend on the "as of" date), so they are not stored here.
"""
from __future__ import annotations

from typing import Any

from core.activities import Activity
from core.pathways import ATTENDANCE_LABELS, Attendance
from projections.base import Projection, handles
from projections.store import Tx, ViewStore, like_pattern


class Monitoring(Projection):
    name = "monitoring"
    version = 1
    tables = {
        "monitoring_activities": (
            "id TEXT PRIMARY KEY, agency TEXT NOT NULL, year INTEGER NOT NULL, pathway TEXT NOT NULL, variant TEXT, "
            "title TEXT NOT NULL, competency TEXT, method TEXT NOT NULL, provider_kind TEXT NOT NULL, provider_name TEXT NOT NULL, "
            "accreditation_ref TEXT, place TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL, "
            "planned_jp INTEGER NOT NULL, monitoring_form TEXT NOT NULL, plugin TEXT NOT NULL, coach_name TEXT, "
            "coach_kind TEXT, coach_institution TEXT, provider_approved_on TEXT, plan_id TEXT, plan_row_id TEXT, "
            "completed_on TEXT, version INTEGER NOT NULL, updated_at TEXT NOT NULL"
        ),
        "monitoring_participants": (
            "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, nip TEXT NOT NULL, name TEXT NOT NULL, position TEXT NOT NULL, "
            "level TEXT NOT NULL, supervisor_nip TEXT, urgency_rank INTEGER NOT NULL, active INTEGER NOT NULL, "
            "assignment_number TEXT, assignment_date TEXT, meetings_agreed INTEGER, contract_signed_by TEXT, "
            "report_submitted_on TEXT, certificates INTEGER NOT NULL, coach_report_submitted_on TEXT, credited_jp INTEGER, "
            "completed_on TEXT, PRIMARY KEY (activity_id, officer_id)"
        ),
        "monitoring_attendance": (
            "activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, session_date TEXT NOT NULL, status TEXT NOT NULL, "
            "minutes_attended INTEGER, note TEXT, correction_reason TEXT, version INTEGER NOT NULL, "
            "PRIMARY KEY (activity_id, officer_id, session_date)"
        ),
        "monitoring_meetings": (
            "meeting_id TEXT PRIMARY KEY, activity_id TEXT NOT NULL, officer_id TEXT NOT NULL, meeting_date TEXT NOT NULL, "
            "duration_minutes INTEGER NOT NULL, notes TEXT NOT NULL, correction_reason TEXT, version INTEGER NOT NULL"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS monitoring_activities_agency_idx ON monitoring_activities (agency, year, pathway)",
        "CREATE INDEX IF NOT EXISTS monitoring_meetings_activity_idx ON monitoring_meetings (activity_id, officer_id)",
    )

    # Every activity event advances the row's version; specific handlers below add their facts.
    # The row's version and updated_at are written once per activity and batch (``end``), not once
    # per event: no handler reads them, and the batch's last event of the activity is what stands.
    def __init__(self) -> None:
        super().__init__()
        self._touched: dict[str, tuple[int, str]] = {}

    def begin(self, tx: Tx) -> None:
        self._touched.clear()

    def end(self, tx: Tx) -> None:
        if self._touched:
            touched, self._touched = self._touched, {}
            tx.executemany("UPDATE monitoring_activities SET version = ?, updated_at = ? WHERE id = ?",
                           [(version, at, aid) for aid, (version, at) in touched.items()])

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if isinstance(event, Activity.Event) and not isinstance(event, Activity.Created):
            self._touched[str(event.originator_id)] = (event.originator_version, event.meta.recorded_at.isoformat())
        super().apply(tx, event, position)

    @handles(Activity.Created)
    def created(self, tx: Tx, e: Activity.Created, position: int) -> None:
        tx.execute(
            "INSERT INTO monitoring_activities (id, agency, year, pathway, variant, title, competency, method, provider_kind, "
            "provider_name, accreditation_ref, place, start_date, end_date, planned_jp, monitoring_form, plugin, plan_id, "
            "plan_row_id, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(e.originator_id), e.agency, e.year, e.pathway, e.variant, e.title, e.competency, e.method, e.provider_kind,
             e.provider_name, e.accreditation_ref, e.place, e.start.isoformat(), e.end.isoformat(), e.planned_jp,
             e.monitoring_form, e.plugin, e.plan_id, e.plan_row_id, e.originator_version, e.meta.recorded_at.isoformat()),
        )

    def _activity(self, tx: Tx, e: Any, **changes: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        tx.execute(f"UPDATE monitoring_activities SET {sets} WHERE id = ?", (*changes.values(), str(e.originator_id)))

    def _participant(self, tx: Tx, e: Any, **changes: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        tx.execute(f"UPDATE monitoring_participants SET {sets} WHERE activity_id = ? AND officer_id = ?",
                   (*changes.values(), str(e.originator_id), str(e.officer_id)))

    @handles(Activity.ProviderApproved)
    def approved(self, tx: Tx, e: Activity.ProviderApproved, position: int) -> None:
        self._activity(tx, e, provider_approved_on=e.approved_on.isoformat())

    @handles(Activity.CoachAssigned)
    def coach(self, tx: Tx, e: Activity.CoachAssigned, position: int) -> None:
        self._activity(tx, e, coach_name=e.name, coach_kind=e.kind, coach_institution=e.institution)

    @handles(Activity.Completed)
    def completed(self, tx: Tx, e: Activity.Completed, position: int) -> None:
        self._activity(tx, e, completed_on=e.completed_on.isoformat())

    @handles(Activity.ParticipantSelected)
    def selected(self, tx: Tx, e: Activity.ParticipantSelected, position: int) -> None:
        key = (str(e.originator_id), str(e.officer_id))
        tx.execute("DELETE FROM monitoring_participants WHERE activity_id = ? AND officer_id = ?", key)
        tx.execute(
            "INSERT INTO monitoring_participants (activity_id, officer_id, nip, name, position, level, supervisor_nip, "
            "urgency_rank, active, certificates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0)",
            (*key, e.nip, e.name, e.position, e.level, e.supervisor_nip, e.urgency_rank),
        )

    @handles(Activity.ParticipantDeselected)
    def deselected(self, tx: Tx, e: Activity.ParticipantDeselected, position: int) -> None:
        self._participant(tx, e, active=0)

    @handles(Activity.AssignmentLetterIssued)
    def assigned(self, tx: Tx, e: Activity.AssignmentLetterIssued, position: int) -> None:
        self._participant(tx, e, assignment_number=e.number, assignment_date=e.letter_date.isoformat())

    @handles(Activity.LearningContractProposed)
    def contract(self, tx: Tx, e: Activity.LearningContractProposed, position: int) -> None:
        self._participant(tx, e, meetings_agreed=e.meetings_agreed, contract_signed_by="")

    @handles(Activity.LearningContractSigned)
    def signed(self, tx: Tx, e: Activity.LearningContractSigned, position: int) -> None:
        row = tx.fetchone("SELECT contract_signed_by FROM monitoring_participants WHERE activity_id = ? AND officer_id = ?",
                          (str(e.originator_id), str(e.officer_id)))
        parties = sorted({*filter(None, ((row or {}).get("contract_signed_by") or "").split(",")), e.party})
        self._participant(tx, e, contract_signed_by=",".join(parties))

    @handles(Activity.AttendanceRecorded, Activity.AttendanceCorrected)
    def attendance(self, tx: Tx, e: Any, position: int) -> None:
        key = (str(e.originator_id), str(e.officer_id), e.session_date.isoformat())
        tx.execute("DELETE FROM monitoring_attendance WHERE activity_id = ? AND officer_id = ? AND session_date = ?", key)
        tx.execute(
            "INSERT INTO monitoring_attendance (activity_id, officer_id, session_date, status, minutes_attended, note, "
            "correction_reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, e.status, e.minutes_attended, e.note, getattr(e, "reason", None), e.originator_version),
        )

    @handles(Activity.MeetingRecorded, Activity.MeetingCorrected)
    def meeting(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute("DELETE FROM monitoring_meetings WHERE meeting_id = ?", (str(e.meeting_id),))
        tx.execute(
            "INSERT INTO monitoring_meetings (meeting_id, activity_id, officer_id, meeting_date, duration_minutes, notes, "
            "correction_reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(e.meeting_id), str(e.originator_id), str(e.officer_id), e.meeting_date.isoformat(), e.duration_minutes,
             e.notes, getattr(e, "reason", None), e.originator_version),
        )

    @handles(Activity.MeetingRetracted)
    def meeting_retracted(self, tx: Tx, e: Activity.MeetingRetracted, position: int) -> None:
        tx.execute("DELETE FROM monitoring_meetings WHERE meeting_id = ?", (str(e.meeting_id),))

    @handles(Activity.ReportSubmitted)
    def report(self, tx: Tx, e: Activity.ReportSubmitted, position: int) -> None:
        self._participant(tx, e, report_submitted_on=e.submitted_on.isoformat())

    @handles(Activity.CertificateRecorded)
    def certificate(self, tx: Tx, e: Activity.CertificateRecorded, position: int) -> None:
        tx.execute("UPDATE monitoring_participants SET certificates = certificates + 1 WHERE activity_id = ? AND officer_id = ?",
                   (str(e.originator_id), str(e.officer_id)))

    @handles(Activity.CoachReportSubmitted)
    def coach_report(self, tx: Tx, e: Activity.CoachReportSubmitted, position: int) -> None:
        self._participant(tx, e, coach_report_submitted_on=e.submitted_on.isoformat())

    @handles(Activity.JpCredited)
    def credited(self, tx: Tx, e: Activity.JpCredited, position: int) -> None:
        self._participant(tx, e, credited_jp=e.jp, completed_on=e.completed_on.isoformat())

    # Events that only advance the version (handled in ``apply``) still need a topic here.
    @handles(Activity.ProposalLetterSent, Activity.SessionsScheduled, Activity.MaterialsProvided, Activity.TopicsSet,
             Activity.DiscussionNotesRecorded, Activity.GroupReportSubmitted, Activity.RecapRecorded)
    def touched(self, tx: Tx, e: Any, position: int) -> None:
        pass


# -- queries ----------------------------------------------------------------------------------------


def activity_row(store: ViewStore, activity_id: str) -> dict[str, Any] | None:
    return store.fetchone("SELECT * FROM monitoring_activities WHERE id = ?", (activity_id,))


#: The columns ``list_activities``' ``q`` searches, as ``matched_on`` names them.
ACTIVITY_SEARCH_COLUMNS = ("title", "provider_name", "place")


def list_activities(store: ViewStore, *, agency: str | None, year: int | None = None, pathway: str | None = None,
                    q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Activities by filters; with ``q`` (a part of the title, provider or place, any case) each hit
    says in ``matched_on`` which of those it matched."""
    where, params = [], []
    for col, val in (("agency", agency), ("year", year), ("pathway", pathway)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if q:
        where.append("(" + " OR ".join(f"LOWER(COALESCE({c}, '')) LIKE ? ESCAPE '!'" for c in ACTIVITY_SEARCH_COLUMNS) + ")")
        params += [like_pattern(q)] * len(ACTIVITY_SEARCH_COLUMNS)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.fetchall(
        "SELECT id, agency, year, pathway, variant, title, provider_name, place, start_date, end_date, planned_jp, "
        f"monitoring_form, completed_on, version FROM monitoring_activities{clause} ORDER BY start_date, title, id "
        "LIMIT ? OFFSET ?", (*params, limit, offset))
    total = store.fetchall(f"SELECT COUNT(*) AS n FROM monitoring_activities{clause}", params)[0]["n"]
    if q:
        for r in rows:
            r["matched_on"] = [c for c in ACTIVITY_SEARCH_COLUMNS if q.lower() in (r[c] or "").lower()]
    return rows, int(total)


def _kehadiran(statuses: list[str]) -> str | None:
    """Formulir 3.3 kolom (10) for the whole activity: full only if every session was fully attended."""
    if not statuses:
        return None
    if all(s == Attendance.HADIR_FULL for s in statuses):
        return Attendance.HADIR_FULL.value
    if all(s == Attendance.TIDAK_HADIR for s in statuses):
        return Attendance.TIDAK_HADIR.value
    return Attendance.HADIR_TIDAK_FULL.value


def formulir_3_3(store: ViewStore, activity_id: str) -> list[dict[str, Any]]:
    a = activity_row(store, activity_id)
    if a is None:
        return []
    parts = store.fetchall("SELECT * FROM monitoring_participants WHERE activity_id = ? AND active = 1 "
                           "ORDER BY urgency_rank, name", (activity_id,))
    att = store.fetchall("SELECT officer_id, session_date, status, minutes_attended, note, correction_reason "
                         "FROM monitoring_attendance WHERE activity_id = ? ORDER BY session_date", (activity_id,))
    rows = []
    for no, p in enumerate(parts, start=1):
        sessions = [s for s in att if s["officer_id"] == p["officer_id"]]
        kehadiran = _kehadiran([s["status"] for s in sessions])
        notes = [f"{s['session_date']}: {s['note']}" for s in sessions if s["note"]]
        rows.append({
            "no": no, "nama_jf": p["name"], "nip": p["nip"], "jabatan": p["position"],
            "jenis_dan_jalur_pengembangan": a["pathway"] + (f" ({a['variant']})" if a["variant"] else ""),
            "unit_lembaga_penyelenggara": a["provider_name"],
            "tempat_dan_waktu": f"{a['place']}, {a['start_date']} s.d. {a['end_date']}",
            "jumlah_jp": p["credited_jp"] if p["credited_jp"] is not None else a["planned_jp"],
            "jp_credited": p["credited_jp"] is not None,
            "kehadiran_jf": kehadiran, "kehadiran_label": ATTENDANCE_LABELS[Attendance(kehadiran)] if kehadiran else None,
            "keterangan": "; ".join(notes) or None,
            "officer_id": p["officer_id"], "assignment_number": p["assignment_number"],
            "sessions": [{k: s[k] for k in ("session_date", "status", "minutes_attended", "note", "correction_reason")}
                         for s in sessions],
        })
    return rows


def formulir_3_4(store: ViewStore, activity_id: str) -> list[dict[str, Any]]:
    a = activity_row(store, activity_id)
    if a is None:
        return []
    parts = store.fetchall("SELECT * FROM monitoring_participants WHERE activity_id = ? AND active = 1 "
                           "ORDER BY urgency_rank, name", (activity_id,))
    meetings = store.fetchall("SELECT officer_id, meeting_id, meeting_date, duration_minutes, notes, correction_reason "
                              "FROM monitoring_meetings WHERE activity_id = ? ORDER BY meeting_date", (activity_id,))
    rows = []
    for no, p in enumerate(parts, start=1):
        mine = [m for m in meetings if m["officer_id"] == p["officer_id"]]
        rows.append({
            "no": no, "nama_jf": p["name"], "nip": p["nip"], "jabatan": p["position"],
            "coach_mentor": a["coach_name"], "unit_lembaga_penyelenggara": a["coach_institution"] or a["provider_name"],
            "jumlah_pertemuan_disepakati": p["meetings_agreed"], "jumlah_pertemuan_terealisasi": len(mine),
            "keterangan": None if p["meetings_agreed"] is None else
            ("sesuai" if len(mine) >= p["meetings_agreed"] else f"kurang {p['meetings_agreed'] - len(mine)} pertemuan"),
            "officer_id": p["officer_id"], "contract_signed_by": [s for s in (p["contract_signed_by"] or "").split(",") if s],
            "credited_jp": p["credited_jp"],
            "meetings": [{k: m[k] for k in ("meeting_id", "meeting_date", "duration_minutes", "notes", "correction_reason")}
                         for m in mine],
        })
    return rows


def participants(store: ViewStore, activity_id: str) -> list[dict[str, Any]]:
    return store.fetchall("SELECT * FROM monitoring_participants WHERE activity_id = ? ORDER BY urgency_rank, name",
                          (activity_id,))
