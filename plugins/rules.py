"""Building blocks for pathway plugins: JP credited by unit (LAN, Perlan 10/2018 Lampiran II), the shared pathway checks and
the common monitoring findings of BAB III. Built-in and third-party plugins use the same functions.

The JP values come from the agency's JP table and are rounded by :func:`core.jp_table.floor_jp` —
the one JP conversion that plans Formulir 2.6 rows too (:func:`core.jp_table.planned_jp`).

Interpretations (also in the README, "Writing a pathway plugin"):

- *per day* (seminar 4, workshop 5): a day "Hadir full" credits the day's value; a day "Hadir
  tidak full" credits its attended minutes ÷ 45 (1 JP = 45 minutes), rounded down, at most the
  day's value; "Tidak hadir" credits nothing.
- *at most per day* (e-learning 3, belajar mandiri and komunitas belajar 2): each day credits
  the minutes learnt ÷ 45, at most the cap; a full day with no minutes recorded credits the cap.
- *per session* (coaching, mentoring 2): each meeting held credits the value, at most
  ``max_per_month`` meetings in a calendar month.
- *per activity* (patok banding 10, magang 20): the value × sessions fully attended ÷ sessions,
  rounded down — attending every session fully credits the whole value.
- *programme hours* (pelatihan, bimtek): the programme's JP on the certificate when every session
  was fully attended; otherwise the minutes attended ÷ 45, at most the certificate's JP. An
  international activity multiplies by the table's factor (1.2).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.catalogue import JP_MINUTES
from core.errors import Invalid
from core.i18n import msg
from core.jp_table import JpTable, floor_jp
from core.pathways import ActivityFacts, Attendance, Finding, JpCredit, ParticipantFacts, PathwayDefinition

#: "Paling lambat 2 minggu": the report (and certificate) within two weeks of the end (BAB V.A).
REPORT_DEADLINE_DAYS = 14


def _s(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _minutes_jp(minutes: int | None) -> int:
    return (minutes or 0) // JP_MINUTES


def _where(activity: ActivityFacts) -> str:
    return "international" if activity.international else "domestic"


def per_day_credit(form: str, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable, *,
                   capped: bool = False, label: str | None = None) -> JpCredit:
    """JP per day attended (``capped=False``: seminar, workshop) or at most per day (``capped=True``)."""
    value = jp_table.value(form, activity.international)
    session_minutes = {s.on: s.minutes for s in activity.sessions}
    total = Decimal(0)
    full = partial = absent = 0
    for a in participant.attendance:
        if a.status == Attendance.HADIR_FULL:
            full += 1
            minutes = a.minutes_attended or session_minutes.get(a.session_date)
            total += min(value, Decimal(_minutes_jp(minutes))) if capped and minutes else value
        elif a.status == Attendance.HADIR_TIDAK_FULL:
            partial += 1
            total += min(value, Decimal(_minutes_jp(a.minutes_attended)))
        else:
            absent += 1
    name = label or form
    if capped:
        rule = (f"{name}: at most {_s(value)} JP per day of learning ({_where(activity)}); each day credits its minutes ÷ "
                f"{JP_MINUTES}, a full day without minutes the cap")
    else:
        rule = (f"{name}: {_s(value)} JP per day fully attended ({_where(activity)}); a partly attended day credits its "
                f"minutes ÷ {JP_MINUTES}, at most {_s(value)}")
    return JpCredit(jp=floor_jp(total), rule=rule,
                    detail={"per_day": _s(value), "days_full": full, "days_partial": partial, "days_absent": absent})


def per_session_credit(form: str, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable,
                       *, label: str | None = None) -> JpCredit:
    """JP per meeting held, at most ``max_per_month`` meetings credited in a calendar month."""
    value = jp_table.value(form, activity.international)
    cap = jp_table.max_per_month(form)
    per_month = Counter(f"{m.on.year:04d}-{m.on.month:02d}" for m in participant.meetings)
    credited = sum(min(n, cap) if cap else n for n in per_month.values())
    rule = f"{label or form}: {_s(value)} JP per meeting held ({_where(activity)})"
    if cap:
        rule += f", at most {cap} meetings a month"
    return JpCredit(jp=floor_jp(value * credited), rule=rule,
                    detail={"per_meeting": _s(value), "meetings_held": len(participant.meetings),
                            "meetings_credited": credited, "max_per_month": cap})


def per_activity_credit(form: str, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable,
                        *, label: str | None = None) -> JpCredit:
    """The activity's JP, prorated by the sessions the participant fully attended."""
    value = jp_table.value(form, activity.international)
    sessions = {s.on for s in activity.sessions} | {a.session_date for a in participant.attendance}
    full = sum(1 for a in participant.attendance if a.status == Attendance.HADIR_FULL)
    jp = floor_jp(value * full / len(sessions)) if sessions else 0
    return JpCredit(jp=jp, rule=(f"{label or form}: {_s(value)} JP per activity ({_where(activity)}), prorated by sessions "
                                 "fully attended"),
                    detail={"per_activity": _s(value), "sessions": len(sessions), "sessions_full": full})


def programme_credit(form: str, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable,
                     *, label: str | None = None) -> JpCredit:
    """The programme's own JP (certificate), or attended minutes ÷ 45 when not fully attended."""
    factor = jp_table.value(form, activity.international)
    certified = max((c.programme_jp for c in participant.certificates if c.programme_jp), default=None)
    session_minutes = {s.on: s.minutes for s in activity.sessions}
    statuses = [a.status for a in participant.attendance]
    all_full = bool(statuses) and all(s == Attendance.HADIR_FULL for s in statuses) and \
        {s.on for s in activity.sessions} <= {a.session_date for a in participant.attendance}
    name = label or form
    if certified is not None and all_full:
        return JpCredit(jp=floor_jp(certified * factor),
                        rule=f"{name}: the programme's JP on the certificate × {_s(factor)} ({_where(activity)})",
                        detail={"programme_jp": certified, "factor": _s(factor), "fully_attended": True})
    minutes = 0
    unknown = []
    for a in participant.attendance:
        if a.status == Attendance.HADIR_FULL:
            m = a.minutes_attended or session_minutes.get(a.session_date)
            if m is None:
                unknown.append(a.session_date.isoformat())
            minutes += m or 0
        elif a.status == Attendance.HADIR_TIDAK_FULL:
            minutes += a.minutes_attended or 0
    if unknown:
        raise Invalid(msg("{name}: the length of the sessions on {unknown} is not recorded; schedule the sessions with their "
                          "minutes or record the minutes attended, so the JP can be computed (minutes ÷ {JP_MINUTES}).",
                          name=participant.name, unknown=', '.join(unknown), JP_MINUTES=JP_MINUTES), field="minutes")
    jp = floor_jp(Decimal(minutes // JP_MINUTES) * factor)
    if certified is not None:
        jp = min(jp, floor_jp(certified * factor))
    return JpCredit(jp=jp, rule=(f"{name}: minutes attended ÷ {JP_MINUTES} × {_s(factor)} ({_where(activity)})"
                                 + (", at most the certificate's JP" if certified is not None else "")),
                    detail={"minutes_attended": minutes, "factor": _s(factor), "programme_jp": certified,
                            "fully_attended": all_full})


# -- shared pathway checks (pengkom_validate_activity) ------------------------------------------------------


def proposal_letter_problems(activity: ActivityFacts, stage: str, section: str, to: str = "the provider") -> list[str]:
    """Before completion the proposal letter (surat pengusulan) to ``to`` is recorded; ``section`` cites the
    pathway's step of the guideline (e.g. III.A.5.a.6 for training, III.B.5.a.7 for benchmarking)."""
    if stage == "complete" and activity.proposal_letter_number is None:
        return [f"The proposal letter to {to} (surat pengusulan) is not recorded ({section})."]
    return []


# -- findings -------------------------------------------------------------------------------------------


def attendance_findings(activity: ActivityFacts, as_of: date) -> list[Finding]:
    """Absences, partial attendance and past sessions with no attendance recorded (Formulir 3.3)."""
    out: list[Finding] = []
    for p in activity.participants:
        for a in p.attendance:
            if a.session_date > as_of:
                continue
            if a.status == Attendance.TIDAK_HADIR:
                out.append(Finding("absent", msg("{name} ({nip}) was absent (Tidak hadir) on {day}: {note}", name=p.name, nip=p.nip,
                                                 day=a.session_date, note=a.note) if a.note
                                   else msg("{name} ({nip}) was absent (Tidak hadir) on {day}.", name=p.name, nip=p.nip, day=a.session_date),
                                   p.officer_id, "warning", "3.3"))
            elif a.status == Attendance.HADIR_TIDAK_FULL:
                out.append(Finding("partial_attendance",
                                   msg("{name} ({nip}) attended {day} only partly ({minutes} minutes): {note}", name=p.name, nip=p.nip,
                                       day=a.session_date, minutes=a.minutes_attended, note=a.note) if a.note
                                   else msg("{name} ({nip}) attended {day} only partly ({minutes} minutes).", name=p.name, nip=p.nip,
                                            day=a.session_date, minutes=a.minutes_attended), p.officer_id, "warning", "3.3"))
        recorded = {a.session_date for a in p.attendance}
        missing = [s.on for s in activity.sessions if s.on <= as_of and s.on not in recorded]
        if missing and p.completed_on is None and p.assignment_number:
            out.append(Finding("attendance_not_recorded", msg("No attendance of {name} ({nip}) is recorded for {d_isoformat_for_d_in_mis}.",
                                                              name=p.name, nip=p.nip, d_isoformat_for_d_in_mis=', '.join(d.isoformat() for d in missing)),
                                                              p.officer_id, "warning", "3.3"))
    return out


def evidence_findings(definition: PathwayDefinition, activity: ActivityFacts, as_of: date,
                      deadline_days: int = REPORT_DEADLINE_DAYS) -> list[Finding]:
    """Report, certificate or statement still missing ``deadline_days`` after the activity ended."""
    due = activity.end + timedelta(days=deadline_days)
    if as_of <= due:
        return []
    out: list[Finding] = []
    for p in activity.participants:
        if not p.assignment_number:
            continue
        if "report" in definition.evidence_required and p.report_submitted_on is None:
            out.append(Finding("report_missing", msg("{name} ({nip}) has not handed in the report, due {due} ({deadline_days} days after the end).",
                                                     name=p.name, nip=p.nip, due=due, deadline_days=deadline_days), p.officer_id))
        if "certificate" in definition.evidence_required and not any(c.kind == "sertifikat" for c in p.certificates):
            out.append(Finding("certificate_missing", msg("The certificate of {name} ({nip}) is not uploaded, due {due}.", name=p.name, nip=p.nip, due=due),
                               p.officer_id))
        if "statement" in definition.evidence_required and not p.certificates:
            out.append(Finding("statement_missing", msg("The host's statement (surat keterangan) for {name} ({nip}) is not uploaded, due {due}.",
                                                        name=p.name, nip=p.nip, due=due), p.officer_id))
        if "coach_report" in definition.evidence_required and p.coach_report_submitted_on is None:
            out.append(Finding("coach_report_missing", msg("The coach/mentor's report on {name} ({nip}) is missing, due {due}.",
                                                           name=p.name, nip=p.nip, due=due),
                               p.officer_id))
    if "group_report" in definition.evidence_required and activity.group_report_submitted_on is None:
        out.append(Finding("group_report_missing", msg("The community's group report is missing, due {due}.", due=due)))
    if "discussion_notes" in definition.evidence_required and activity.topics:
        for topic in activity.topics:
            if topic not in activity.discussion_topics:
                out.append(Finding("discussion_notes_missing", msg("No discussion notes for topic {topic!r}, due {due}.", topic=topic, due=due)))
    return out


def common_findings(definition: PathwayDefinition, activity: ActivityFacts, as_of: date) -> list[Finding]:
    """Attendance findings (Formulir 3.3) and late evidence: what most pathways monitor."""
    return attendance_findings(activity, as_of) + evidence_findings(definition, activity, as_of)


def detail_is_json(detail: Any) -> bool:
    """True when ``detail`` holds only JSON values (str, int, bool, None, lists and str-keyed dicts)."""
    if detail is None or isinstance(detail, (str, bool, int)):
        return True
    if isinstance(detail, float):
        return detail == detail and detail not in (float("inf"), float("-inf"))
    if isinstance(detail, (list, tuple)):
        return all(detail_is_json(v) for v in detail)
    if isinstance(detail, dict):
        return all(isinstance(k, str) and detail_is_json(v) for k, v in detail.items())
    return False
