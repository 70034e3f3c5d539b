"""Deadlines of the evaluation half of the cycle (BAB V), pure functions.

For an activity of year Y that ends on day E: the officer's report and the Formulir 5.1
questionnaire within two weeks of E (V.A.8); the result evaluation (ekspose, Formulir 5.3/5.4) at the
latest one month after E (V.B.8); impact monitoring recommended from three months after E and the
impact evaluation (Formulir 5.5) at the latest in January of Y + 1 ("Desember atau Januari", V.C.8);
the recap of year Y to the Instansi Pembina in Q1 of Y + 1 (V.D).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from core.cycle import quarter_end
from core.deadlines import status
from core.i18n import N_, msg

#: What a participant has not handed in after an activity (projections/evaluation_deadlines.py names the parts).
_HANDED_IN: dict[tuple[str, ...], str] = {
    ("the report",): N_("the report"), ("the questionnaire (Formulir 5.1)",): N_("the questionnaire (Formulir 5.1)"),
    ("the questionnaire (Formulir 5.1)", "the report"): N_("the report and the questionnaire (Formulir 5.1)")}


class Step(StrEnum):
    REPORT_QUESTIONNAIRE = "evaluation_report_questionnaire"  # per participant
    RESULT = "evaluation_result"  # per participant
    IMPACT_MONITORING = "evaluation_impact_monitoring"  # per participant, recommended from a date
    IMPACT = "evaluation_impact"  # per participant
    RECAP = "evaluation_recap"  # per agency and year


CITATIONS = {
    Step.REPORT_QUESTIONNAIRE: "BAB V.A.8: laporan dan kuesioner paling lambat dua (2) minggu setelah program selesai",
    Step.RESULT: "BAB V.B.8: evaluasi hasil paling lambat satu bulan setelah pelaksanaan program",
    Step.IMPACT_MONITORING: "BAB V.C.8: disarankan monitoring berkala minimal 3 bulan setelah setiap kegiatan",
    Step.IMPACT: "BAB V.C.8: evaluasi dampak maksimal pada bulan Desember atau Januari",
    Step.RECAP: "BAB V.D: disampaikan kepada instansi pembina pada triwulan pertama tahun berikutnya",
}


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Jan + 1 month = 28/29 Feb)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def report_due(end: date) -> date:
    return end + timedelta(days=14)


def result_due(end: date) -> date:
    return add_months(end, 1)


def impact_monitoring_from(end: date) -> date:
    return add_months(end, 3)


def impact_due(year: int) -> date:
    return date(year + 1, 1, 31)


def recap_due(year: int) -> date:
    return quarter_end(year + 1, 1)


def monitoring_status(start: date, started_on: date | None, today: date) -> str:
    """``done`` (a self assessment from the recommended date), ``done_early``, ``recommended`` (due now) or ``upcoming``."""
    if started_on is not None:
        return "done" if started_on >= start else "done_early"
    return "recommended" if today >= start else "upcoming"


def item(step: Step, due: date | None, done_on: date | None, today: date, **who: Any) -> dict[str, Any]:
    if step == Step.IMPACT_MONITORING:
        assert due is not None
        state, days = monitoring_status(due, done_on, today), 0
        return {"step": step.value, **who, "due": None, "from": due.isoformat(),
                "done_on": done_on.isoformat() if done_on else None, "status": state, "days_late": days,
                "citation": CITATIONS[step]}
    assert due is not None
    state, days = status(due, done_on, today)
    return {"step": step.value, **who, "due": due.isoformat(), "done_on": done_on.isoformat() if done_on else None,
            "status": state, "days_late": days, "citation": CITATIONS[step]}


def finding(it: dict[str, Any]) -> dict[str, Any] | None:
    """A finding a clerk can act on for an evaluation deadline item, or None when there is nothing to do."""
    step, state = Step(it["step"]), it["status"]
    who = f"{it.get('name')} ({it.get('nip')})"
    title = it.get("activity_title")
    if step == Step.IMPACT_MONITORING:
        if state != "recommended":
            return None
        return {"code": "impact_monitoring_recommended", "severity": "info", "step": step.value, "officer_id": it.get("officer_id"),
                "activity_id": it.get("activity_id"),
                "message": str(msg("Impact monitoring of {who} for {title!r} is recommended since {since} (three months after the "
                                   "activity, BAB V.C.8): the officer starts the self assessment of Formulir 5.5.", who=who, title=title,
                                   since=it["from"]))}
    if state != "overdue":
        return None
    days, due = it["days_late"], it["due"]
    if step == Step.REPORT_QUESTIONNAIRE:
        parts = tuple(sorted(it.get("missing") or ("the report", "the questionnaire (Formulir 5.1)")))
        missing = _HANDED_IN.get(parts, " and ".join(parts))
        message = msg("{who} has not handed in {missing} for {title!r}, due {due} (two weeks after it ended, BAB V.A.8): "
                      "{days} day(s) overdue. The officer hands them in, or the HR unit enters the paper questionnaire.",
                      who=who, missing=missing, title=title, due=due, days=days)
    elif step == Step.RESULT:
        message = msg("The result evaluation of {who} for {title!r} (ekspose, Formulir 5.3 and the signed 5.4 recap) was due "
                      "{due} (one month after the activity, BAB V.B.8): {days} day(s) overdue. The HR unit schedules the ekspose "
                      "and signs the recap.", who=who, title=title, due=due, days=days)
    elif step == Step.IMPACT:
        message = msg("The impact evaluation (Formulir 5.5) of {who} for {title!r} was due {due} (December or January, "
                      "BAB V.C.8): {days} day(s) overdue. The officer, the supervisor and their dialogue complete it, and both sign.",
                      who=who, title=title, due=due, days=days)
    else:
        message = msg("The {year} evaluation recap of {agency} was due at the Instansi Pembina by {due} "
                      "(Q1 of the next year, BAB V.D): {days} day(s) overdue. The HR unit computes, finalises and submits it.",
                      year=it.get("year"), agency=it.get("agency"), due=due, days=days)
    return {"code": f"{step.value}_overdue", "severity": "warning", "step": step.value, "officer_id": it.get("officer_id"),
            "activity_id": it.get("activity_id"), "message": str(message)}


__all__ = ["CITATIONS", "Step", "add_months", "finding", "impact_due", "impact_monitoring_from", "item", "monitoring_status",
           "recap_due", "report_due", "result_due"]
