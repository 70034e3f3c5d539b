"""Checks a–f after a change of the plan, for only what the change can affect (BAB II.B.4).

A plan of a thousand rows is changed a row at a time; checking the whole plan again after each row made
the thousandth row cost fifteen times the first. Which findings a change can affect follows from what
each check reads:

- (a), (b), (f) read one row; (c) one row and the curriculum standards of its competency and level;
  the recap finding (BAB V.D) one row and the recaps' stop recommendations — so a changed row is checked
  again alone, and every row when the standards or the recommendations changed since the last checks;
- (d) reads one officer's rows and roster entry — so the officers whose rows changed are checked again,
  and every officer when the roster changed;
- (e) reads the budget the rows plan per funding source (kept as running totals) and the budgets
  registered — a handful of findings, always checked again.

The rule set changed, or the last checks' inputs not known (checks recorded before this existed): the
whole plan is checked. The check functions are those of :mod:`core.planning.checks`, so the current set
of findings after any sequence of changes equals a full run (:func:`run_checks`) over the plan as it
stands — ``tests/core/test_incremental_checks.py`` compares them after every step and after a replay.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from core.catalogue import RULESET_VERSION
from core.planning.aggregate import DevelopmentPlan
from core.planning.checks import Finding, budget_findings, officer_jp_findings, row_findings
from core.planning.curriculum import Curricula
from core.planning.roster import Roster
from core.planning.state import PlanRow

#: Recap findings (BAB V.D) of the given rows.
RecapCheck = Callable[[Sequence[PlanRow]], list[Finding]]


@dataclass(frozen=True)
class Recheck:
    """What a check run found: the findings new or changed, the ids no longer found, and what was checked."""

    added: tuple[Finding, ...]
    removed: tuple[UUID, ...]
    scope: str


def recheck(plan: DevelopmentPlan, *, roster: Roster, curricula: Curricula, recap_digest: str, recap: RecapCheck,
            full: bool = False) -> Recheck:
    """The change of the plan's findings since its last checks (everything again when ``full``)."""
    state = plan.checks
    basis = state.basis
    everything = full or basis is None or basis.ruleset_version != RULESET_VERSION
    rows = plan.rows
    if everything:
        whole_rows: Collection[UUID] = rows.keys()
        officers: Iterable[UUID] = {*state.officer_rows, *(o.officer_id for o in roster.officers), *state.by_officer}
        curriculum_rows: Collection[UUID] = ()
        recap_rows: Collection[UUID] = ()
        gone = set(state.by_row) - rows.keys()
    else:
        assert basis is not None
        whole_rows = [r for r in state.changed_rows if r in rows]
        gone = {r for r in state.changed_rows if r not in rows}
        officers = state.changed_officers
        if basis.roster_digest != roster.digest:
            officers = {*officers, *state.officer_rows, *(o.officer_id for o in roster.officers), *state.by_officer}
        curriculum_rows = rows.keys() if basis.curriculum_digest != curricula.digest else ()
        recap_rows = rows.keys() if basis.recap_digest != recap_digest else ()

    old: dict[UUID, Finding] = {}
    new: list[Finding] = []
    findings = plan.findings

    def was(ids: Iterable[UUID], rule: str | None = None) -> None:
        for fid in ids:
            f = findings[fid]
            if rule is None or f.rule == rule:
                old[fid] = f

    # Rows changed: every check of the row again.
    checked_rows = [rows[r] for r in whole_rows]
    for row in checked_rows:
        was(state.by_row.get(row.row_id, ()))
        new.extend(row_findings(plan.id, row, plan.year, curricula.of(row.competency, row.level)))
    new.extend(recap(checked_rows))
    for r in gone:
        was(state.by_row.get(r, ()))
    # Check (c) of the other rows, when the standards changed; the recap finding, when the recommendations did.
    whole = set(whole_rows)
    for r in curriculum_rows:
        if r not in whole:
            row = rows[r]
            was(state.by_row.get(r, ()), "c")
            new.extend(f for f in row_findings(plan.id, row, plan.year, curricula.of(row.competency, row.level)) if f.rule == "c")
    others = [rows[r] for r in recap_rows if r not in whole]
    for row in others:
        was(state.by_row.get(row.row_id, ()), "recap")
    new.extend(recap(others))
    # Check (d) of the officers concerned.
    on_roster = {o.officer_id: o for o in roster.officers}
    seq = state.seq
    n_officers = 0
    for oid in officers:
        n_officers += 1
        was(state.by_officer.get(oid, ()))
        mine = state.officer_rows.get(oid, frozenset())
        if not mine and oid not in on_roster:
            continue
        first = rows[min(mine, key=seq.__getitem__)] if mine else None
        new.extend(officer_jp_findings(plan.id, oid, sum(rows[r].planned_jp for r in mine), on_roster.get(oid), first))
    # Check (e), always (one finding at most per funding source).
    was(state.plan_wide)
    new.extend(budget_findings(plan.id, state.planned, plan.budgets))

    found = {f.finding_id: f for f in new}
    removed = tuple(sorted((fid for fid in old if fid not in found), key=str))
    added = tuple(sorted((f for fid, f in found.items() if old.get(fid) != f),
                         key=lambda f: (f.rule, str(f.row_id or f.officer_id or ""), f.message)))
    if everything:
        scope = "the whole plan"
    else:
        parts = [f"{len(whole) + len(gone)} row(s)"]
        if curriculum_rows:
            parts.append("every row against the changed curriculum standards")
        if recap_rows:
            parts.append("every row against the changed recap recommendations")
        parts.append(f"{n_officers} officer(s)")
        parts.append("the budgets")
        scope = ", ".join(parts)
    return Recheck(added, removed, scope)
