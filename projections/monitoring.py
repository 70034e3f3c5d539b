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
from projections.queries import in_lists
from projections.store import Tx, ViewStore, like_pattern

#: The participant columns the handlers set after the selection (all but the selection's own and ``active``/``certificates``).
_PART_COLS = ("assignment_number", "assignment_date", "meetings_agreed", "contract_signed_by", "report_submitted_on",
              "coach_report_submitted_on", "credited_jp", "completed_on")
_DELETE_PARTICIPANT = "DELETE FROM monitoring_participants WHERE activity_id = ? AND officer_id = ?"
_INSERT_PARTICIPANT = (
    "INSERT INTO monitoring_participants (activity_id, officer_id, nip, name, position, level, supervisor_nip, urgency_rank, "
    f"active, certificates, {', '.join(_PART_COLS)}) VALUES ({', '.join('?' * (10 + len(_PART_COLS)))})")
# A recorded or corrected attendance row / meeting replaces the one before it, whole: one upsert (SQLite
# 3.24+, PostgreSQL) instead of a DELETE and an INSERT.
_PUT_ATTENDANCE = ("INSERT INTO monitoring_attendance (activity_id, officer_id, session_date, status, minutes_attended, note, "
                   "correction_reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id, officer_id, session_date) "
                   "DO UPDATE SET status = excluded.status, minutes_attended = excluded.minutes_attended, note = excluded.note, "
                   "correction_reason = excluded.correction_reason, version = excluded.version")
_DELETE_MEETING = "DELETE FROM monitoring_meetings WHERE meeting_id = ?"
_PUT_MEETING = ("INSERT INTO monitoring_meetings (meeting_id, activity_id, officer_id, meeting_date, duration_minutes, notes, "
                "correction_reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id) DO UPDATE SET "
                "activity_id = excluded.activity_id, officer_id = excluded.officer_id, meeting_date = excluded.meeting_date, "
                "duration_minutes = excluded.duration_minutes, notes = excluded.notes, "
                "correction_reason = excluded.correction_reason, version = excluded.version")


def _signed_by(before: str | None, parties: Any) -> str:
    """The contract's signing parties after ``parties`` signed: sorted, comma-separated, each once."""
    return ",".join(sorted({*filter(None, (before or "").split(",")), *parties}))


class _Part:
    """What a batch did to a participant row: ``new`` — the selection's columns (nip … urgency_rank) when
    the row was (re)selected in the batch; ``cols`` — columns set since, in order; ``certs`` — certificates
    recorded since; ``pending`` — parties who signed the contract while the batch did not know who had
    signed before it."""

    __slots__ = ("new", "cols", "certs", "pending")

    def __init__(self) -> None:
        self.new: tuple[Any, ...] | None = None
        self.cols: dict[str, Any] = {}
        self.certs = 0
        self.pending: list[str] | None = None


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
    # Within a batch the handlers only note what each event changes, per row; ``end`` (same transaction)
    # writes each touched row once, in statements grouped by kind (executemany): one UPDATE per activity
    # (its facts, version and updated_at: no handler reads them, the batch's last event stands), one
    # DELETE + INSERT per participant selected in the batch and one UPDATE per other participant touched,
    # one upsert per attendance row and meeting touched (a DELETE per meeting retracted) — instead of one or
    # two statements per event, each sent alone (a DELETE and an INSERT alternating never form a run). A learning contract's
    # signature needs the parties who signed before the batch: read in ``end``, in one query per 500
    # activities, for the participants whose batch did not set them (selection, proposed contract).
    # ``begin``/``forget`` clear what a failed (rolled back) batch may have left.
    def __init__(self) -> None:
        super().__init__()
        #: activity id -> (version, recorded_at) of the batch's last event of the activity (not Created)
        self._touched: dict[str, tuple[int, Any]] = {}
        #: activity id -> the batch's column changes of the activity (later ones override)
        self._activities: dict[str, dict[str, Any]] = {}
        #: (activity id, officer id) -> the batch's changes of the participant row
        self._parts: dict[tuple[str, str], _Part] = {}
        #: (activity id, officer id, session date) -> the attendance row as the batch leaves it
        self._attendance: dict[tuple[str, str, str], tuple[Any, ...]] = {}
        #: meeting id -> the meeting row as the batch leaves it (None: retracted)
        self._meetings: dict[str, tuple[Any, ...] | None] = {}

    def begin(self, tx: Tx) -> None:
        self.forget()

    def forget(self) -> None:
        self._touched.clear()
        self._activities.clear()
        self._parts.clear()
        self._attendance.clear()
        self._meetings.clear()

    def end(self, tx: Tx) -> None:
        try:
            self._end_activities(tx)
            self._end_participants(tx)
            if self._attendance:
                tx.executemany(_PUT_ATTENDANCE, list(self._attendance.values()))
            if self._meetings:
                gone = [(mid,) for mid, row in self._meetings.items() if row is None]
                if gone:
                    tx.executemany(_DELETE_MEETING, gone)
                rows = [row for row in self._meetings.values() if row is not None]
                if rows:
                    tx.executemany(_PUT_MEETING, rows)
        finally:
            self.forget()

    def _end_activities(self, tx: Tx) -> None:
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        changes = self._activities
        for aid, (version, at) in self._touched.items():
            cols = changes.get(aid)
            if cols:
                updates.setdefault(tuple(cols), []).append((*cols.values(), version, at.isoformat(), aid))
            else:
                updates.setdefault((), []).append((version, at.isoformat(), aid))
        for columns, rows in updates.items():
            sets = "".join(f"{c} = ?, " for c in columns)
            tx.executemany(f"UPDATE monitoring_activities SET {sets}version = ?, updated_at = ? WHERE id = ?", rows)

    def _end_participants(self, tx: Tx) -> None:
        parts = self._parts
        if not parts:
            return
        need = [key for key, p in parts.items() if p.pending]
        if need:
            base: dict[tuple[str, str], str | None] = {}
            activities = list({aid for aid, _ in need})
            for marks, ids in in_lists(activities):
                for r in tx.fetchall("SELECT activity_id, officer_id, contract_signed_by FROM monitoring_participants "
                                     f"WHERE activity_id IN ({marks})", ids):
                    base[(r["activity_id"], r["officer_id"])] = r["contract_signed_by"]
            for key in need:
                p = parts[key]
                p.cols["contract_signed_by"] = _signed_by(base.get(key), p.pending)
        deletes: list[tuple[str, str]] = []
        inserts: list[tuple[Any, ...]] = []
        updates: dict[tuple[tuple[str, ...], bool], list[tuple[Any, ...]]] = {}
        for key, p in parts.items():
            cols = p.cols
            if p.new is not None:
                deletes.append(key)
                inserts.append((*key, *p.new, cols.get("active", 1), p.certs, *[cols.get(c) for c in _PART_COLS]))
            elif cols or p.certs:
                updates.setdefault((tuple(cols), bool(p.certs)), []).append(
                    (*cols.values(), *((p.certs,) if p.certs else ()), *key))
        if deletes:
            tx.executemany(_DELETE_PARTICIPANT, deletes)
            tx.executemany(_INSERT_PARTICIPANT, inserts)
        for (columns, certs), rows in updates.items():
            sets = [f"{c} = ?" for c in columns] + (["certificates = certificates + ?"] if certs else [])
            tx.executemany(f"UPDATE monitoring_participants SET {', '.join(sets)} WHERE activity_id = ? AND officer_id = ?", rows)

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if isinstance(event, Activity.Event) and not isinstance(event, Activity.Created):
            self._touched[str(event.originator_id)] = (event.originator_version, event.meta.recorded_at)
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
        self._activities.setdefault(str(e.originator_id), {}).update(changes)

    def _part(self, e: Any) -> _Part:
        key = (str(e.originator_id), str(e.officer_id))
        p = self._parts.get(key)
        if p is None:
            p = self._parts[key] = _Part()
        return p

    def _participant(self, tx: Tx, e: Any, **changes: Any) -> None:
        self._part(e).cols.update(changes)

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
        # The row is replaced: what the batch changed of it before is gone with it.
        p = self._part(e)
        p.new = (e.nip, e.name, e.position, e.level, e.supervisor_nip, e.urgency_rank)
        p.cols = {}
        p.certs = 0
        p.pending = None

    @handles(Activity.ParticipantDeselected)
    def deselected(self, tx: Tx, e: Activity.ParticipantDeselected, position: int) -> None:
        self._participant(tx, e, active=0)

    @handles(Activity.AssignmentLetterIssued)
    def assigned(self, tx: Tx, e: Activity.AssignmentLetterIssued, position: int) -> None:
        self._participant(tx, e, assignment_number=e.number, assignment_date=e.letter_date.isoformat())

    @handles(Activity.LearningContractProposed)
    def contract(self, tx: Tx, e: Activity.LearningContractProposed, position: int) -> None:
        p = self._part(e)
        p.cols.update(meetings_agreed=e.meetings_agreed, contract_signed_by="")
        p.pending = None

    @handles(Activity.LearningContractSigned)
    def signed(self, tx: Tx, e: Activity.LearningContractSigned, position: int) -> None:
        p = self._part(e)
        if p.new is not None or "contract_signed_by" in p.cols:
            p.cols["contract_signed_by"] = _signed_by(p.cols.get("contract_signed_by"), (e.party,))
        else:  # who signed before the batch is read in ``end``
            if p.pending is None:
                p.pending = []
            p.pending.append(e.party)

    @handles(Activity.AttendanceRecorded, Activity.AttendanceCorrected)
    def attendance(self, tx: Tx, e: Any, position: int) -> None:
        key = (str(e.originator_id), str(e.officer_id), e.session_date.isoformat())
        self._attendance[key] = (*key, e.status, e.minutes_attended, e.note, getattr(e, "reason", None), e.originator_version)

    @handles(Activity.MeetingRecorded, Activity.MeetingCorrected)
    def meeting(self, tx: Tx, e: Any, position: int) -> None:
        mid = str(e.meeting_id)
        self._meetings[mid] = (mid, str(e.originator_id), str(e.officer_id), e.meeting_date.isoformat(), e.duration_minutes,
                               e.notes, getattr(e, "reason", None), e.originator_version)

    @handles(Activity.MeetingRetracted)
    def meeting_retracted(self, tx: Tx, e: Activity.MeetingRetracted, position: int) -> None:
        self._meetings[str(e.meeting_id)] = None

    @handles(Activity.ReportSubmitted)
    def report(self, tx: Tx, e: Activity.ReportSubmitted, position: int) -> None:
        self._participant(tx, e, report_submitted_on=e.submitted_on.isoformat())

    @handles(Activity.CertificateRecorded)
    def certificate(self, tx: Tx, e: Activity.CertificateRecorded, position: int) -> None:
        self._part(e).certs += 1

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
