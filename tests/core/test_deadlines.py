"""Deadlines of the planning half (BAB II.A.1.h, II.A.3.h, II.B.8, II.C)."""
from __future__ import annotations

from datetime import date

from core.deadlines import Step, due_dates, status


def test_due_dates_for_plan_year_2027_fall_in_the_budget_year_before():
    due = {d.step: d.due for d in due_dates(2027)}
    assert due == {
        Step.PROFILE: date(2026, 3, 31), Step.COMPETENCY_GAP: date(2026, 3, 31), Step.PERFORMANCE_GAP: date(2026, 3, 31),
        Step.PLAN_COMPOSED: date(2026, 6, 30), Step.SUBMITTED_PEMBINA: date(2026, 9, 30), Step.SUBMITTED_LAN: date(2026, 9, 30),
    }


def test_status_says_due_overdue_done_or_done_late_with_days():
    due = date(2026, 6, 30)
    assert status(due, None, date(2026, 6, 1)) == ("due", 0)
    assert status(due, None, date(2026, 7, 10)) == ("overdue", 10)
    assert status(due, date(2026, 6, 30), date(2026, 8, 1)) == ("done", 0)
    assert status(due, date(2026, 7, 3), date(2026, 8, 1)) == ("done_late", 3)
