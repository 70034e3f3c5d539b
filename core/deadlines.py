"""Deadlines of the planning half of the cycle (budget year = calendar year), pure functions.

For plan year Y the planning runs in the budget year before it (Y − 1): the profile (Formulir 2.2)
and both gap analyses in Q1 of Y − 1 (BAB II.A.1.h, II.A.3.h; the performance-gap analysis
measures Y − 2); the plan composed at the latest in Q2 of Y − 1 (BAB II.B.8); the validated plan
submitted to the Instansi Pembina and LAN in Q3 of Y − 1 (BAB II.C, "triwulan ketiga tahun
anggaran berjalan", the plan being for "tahun anggaran berikutnya").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.cycle import quarter_end


class Step(StrEnum):
    PROFILE = "profile"  # Formulir 2.2, per officer
    COMPETENCY_GAP = "competency_gap"  # Formulir 2.3/2.4 → gap analysis, per officer
    PERFORMANCE_GAP = "performance_gap"  # Formulir 2.5, per officer
    PLAN_COMPOSED = "plan_composed"  # Formulir 2.6 signed, per agency
    SUBMITTED_PEMBINA = "submitted_pembina"  # validated plan to the Instansi Pembina
    SUBMITTED_LAN = "submitted_lan"  # validated plan to LAN


@dataclass(frozen=True)
class Deadline:
    step: Step
    due: date
    per_officer: bool
    citation: str


def cycle_year(plan_year: int) -> int:
    """The budget year in which the plan for ``plan_year`` is prepared."""
    return plan_year - 1


def assessment_year(plan_year: int) -> int:
    """The year whose Q1 holds the competency-gap analysis feeding ``plan_year``'s plan."""
    return plan_year - 1


def performance_year(plan_year: int) -> int:
    """The year the Formulir 2.5 feeding ``plan_year``'s plan measures (the previous year of the cycle)."""
    return plan_year - 2


def due_dates(plan_year: int) -> list[Deadline]:
    y = cycle_year(plan_year)
    return [
        Deadline(Step.PROFILE, quarter_end(y, 1), True, "BAB II.A.1.h: triwulan pertama tahun anggaran berjalan"),
        Deadline(Step.COMPETENCY_GAP, quarter_end(y, 1), True, "BAB II.A.2 (Tabel 2.1): triwulan pertama tahun anggaran berjalan"),
        Deadline(Step.PERFORMANCE_GAP, quarter_end(y, 1), True,
                 "BAB II.A.3.h: triwulan pertama tahun anggaran berjalan; kinerja tahun sebelumnya"),
        Deadline(Step.PLAN_COMPOSED, quarter_end(y, 2), False, "BAB II.B.8: paling lambat triwulan kedua tahun sebelumnya"),
        Deadline(Step.SUBMITTED_PEMBINA, quarter_end(y, 3), False, "BAB II.C: triwulan ketiga tahun anggaran berjalan"),
        Deadline(Step.SUBMITTED_LAN, quarter_end(y, 3), False, "BAB II.C: triwulan ketiga tahun anggaran berjalan"),
    ]


def status(due: date, done_on: date | None, today: date) -> tuple[str, int]:
    """``done``, ``done_late``, ``due`` or ``overdue``, and the days late (0 when on time)."""
    if done_on is not None:
        late = (done_on - due).days
        return ("done_late", late) if late > 0 else ("done", 0)
    late = (today - due).days
    return ("overdue", late) if late > 0 else ("due", 0)
