"""Verification checks a–f (BAB II.B.4), pure functions, one per rule, each citing the guideline.

They run on every change of a plan and their findings are recorded in ``ChecksRun`` with the
rule-set version, so a replay never recomputes them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from core.catalogue import (
    LEVEL_LABELS,
    PNS_MIN_JP_PER_YEAR,
    PPPK_MAX_JP_PER_YEAR,
    RULESET_VERSION,
    FundingSource,
    Level,
    Pathway,
    allowed_pathways,
    competency,
    jp_year_standing,
)
from core.events import derived_id
from core.i18n import msg
from core.inputs import fmt_rupiah
from core.planning.roster import RosterOfficer
from core.planning.state import CurriculumStandard, PlanRow

GUIDELINE = "Pedoman Pengembangan Kompetensi JF Pengantar Kerja 2023"



@dataclass(frozen=True)
class Finding:
    """A verification finding: which rule, what is wrong, where the rule comes from, under which rule set."""

    finding_id: UUID
    rule: str
    rule_id: str
    message: str
    citation: str
    ruleset_version: str
    row_id: UUID | None
    officer_id: UUID | None
    blocking: bool

    def __deepcopy__(self, memo: dict[int, Any]) -> Finding:
        return self  # immutable: a copy of the plan (the aggregate cache) shares it


CITATIONS = {
    "a": f"{GUIDELINE}, BAB II.B.4 huruf a (kesesuaian jenis kompetensi); Tabel 3.1",
    "b": f"{GUIDELINE}, BAB II.B.4 huruf b (kesesuaian bentuk dan jalur); Tabel 3.1",
    "c": f"{GUIDELINE}, BAB II.B.4 huruf c and II.B.3 huruf f (standar kurikulum Instansi Pembina); Formulir 2.6 aspect g",
    "d": f"{GUIDELINE}, BAB II.B.4 huruf d (20 JP per tahun) and BAB I.E angka 7 (PNS ≥ 20 JP, PPPK ≤ 24 JP)",
    "e": f"{GUIDELINE}, BAB II.B.4 huruf e (ketersediaan anggaran), BAB II.B.3 huruf b and BAB IV (sumber pembiayaan)",
    "f": f"{GUIDELINE}, BAB II.B.4 huruf f (rencana pelaksanaan); Formulir 2.6 items 8–9",
}
RULE_IDS = {
    "a": "verification.a.competency_fits_level",
    "b": "verification.b.pathway_fits_tabel_3_1",
    "c": "verification.c.curriculum_standard",
    "d": "verification.d.jp_per_year",
    "e": "verification.e.budget_available",
    "f": "verification.f.implementation_plan",
}


def _finding(plan: UUID, rule: str, message: str, *, row: PlanRow | None = None,
             officer_id: UUID | None = None, key: str = "", blocking: bool = True) -> Finding:
    row_id = row.row_id if row is not None else None
    officer = officer_id or (row.officer_id if row is not None else None)
    # Content-addressed: the same finding after a rerun keeps its id (and its acceptance);
    # a finding whose facts changed is a new one, open again.
    message = str(message)  # recorded in English; read in the reader's language (core.i18n.reverse)
    fid = derived_id("finding", plan, RULE_IDS[rule], row_id or officer or key, message)
    return Finding(fid, rule, RULE_IDS[rule], message, CITATIONS[rule], RULESET_VERSION, row_id, officer, blocking)


def _who(row: PlanRow) -> str:
    return f"{row.officer_name} (NIP {row.nip})"


def check_a_competency_level(plan: UUID, row: PlanRow) -> list[Finding]:
    """(a) The competency belongs to the officer's level: its Tabel 3.1 cell is not empty."""
    cell = allowed_pathways(row.competency, row.level)
    if cell is None:
        return [_finding(plan, "a", msg("{who_row} is at level {level}, outside Tabel 3.1 (Ahli levels only); competency fit is not checked "
                                        "for this row.", who_row=_who(row), level=row.level), row=row, blocking=False)]
    if not cell:
        return [_finding(plan, "a", msg("{who_row}: competency {name} is not listed for {level_labels_level_row_l} in Tabel 3.1.",
                                        who_row=_who(row), name=competency(row.competency).name, level_labels_level_row_l=LEVEL_LABELS[Level(row.level)]),
                                        row=row)]
    return []


def check_b_pathway(plan: UUID, row: PlanRow) -> list[Finding]:
    """(b) The pathway is one Tabel 3.1 allows for the competency at the officer's level."""
    cell = allowed_pathways(row.competency, row.level)
    if cell is None:
        return [_finding(plan, "b", msg("{who_row} is at level {level}, outside Tabel 3.1; the pathway is not checked for this row.",
                                        who_row=_who(row), level=row.level), row=row, blocking=False)]
    if not cell:
        return []  # finding (a) already says the cell is empty
    if Pathway(row.pathway) not in cell:
        allowed = ", ".join(p.value for p in Pathway if p in cell)
        return [_finding(plan, "b", msg("{who_row}: pathway {pathway} is not allowed for {name} at {level_labels_level_row_l} in Tabel 3.1 "
                                        "(allowed: {allowed}).",
                                        who_row=_who(row), pathway=row.pathway, name=competency(row.competency).name,
                                        level_labels_level_row_l=LEVEL_LABELS[Level(row.level)], allowed=allowed), row=row)]
    return []


def check_c_curriculum(plan: UUID, row: PlanRow, standards: Mapping[str, CurriculumStandard]) -> list[Finding]:
    """(c) The programme fits a curriculum standard the Instansi Pembina registered for the
    competency at the level: the row names it, and pathway and JP fit what the standard sets."""
    comp = competency(row.competency).name
    lvl = LEVEL_LABELS[Level(row.level)]
    code = row.curriculum_code
    if not standards:
        return [_finding(plan, "c", msg("{who_row}: the Instansi Pembina has registered no curriculum standard for {comp} at {lvl}; the "
                                        "programme's fit cannot be confirmed.", who_row=_who(row), comp=comp, lvl=lvl), row=row)]
    if not code:
        return [_finding(plan, "c", msg("{who_row}: the row names no curriculum standard; registered for {comp} at {lvl}: {sorted_standards}.",
                                        who_row=_who(row), comp=comp, lvl=lvl, sorted_standards=', '.join(sorted(standards))), row=row)]
    std = standards.get(code)
    if std is None:
        return [_finding(plan, "c", msg("{who_row}: curriculum standard {code} is not registered for {comp} at {lvl}; registered: "
                                        "{sorted_standards}.", who_row=_who(row), code=code, comp=comp, lvl=lvl,
                                        sorted_standards=', '.join(sorted(standards))), row=row)]
    out = []
    if std.pathways and row.pathway not in std.pathways:
        out.append(_finding(plan, "c", msg("{who_row}: curriculum standard {code} is delivered by {pathways}, not by {pathway}.",
                                           who_row=_who(row), code=code, pathways=', '.join(std.pathways), pathway=row.pathway), row=row))
    if std.min_jp and row.planned_jp < std.min_jp:
        out.append(_finding(plan, "c", msg("{who_row}: curriculum standard {code} needs at least {min_jp} JP; the row plans {planned_jp}.",
                                           who_row=_who(row), code=code, min_jp=std.min_jp, planned_jp=row.planned_jp), row=row))
    return out


def check_d_jp(plan: UUID, rows: Sequence[PlanRow], roster: Sequence[RosterOfficer] = ()) -> list[Finding]:
    """(d) Every active PNS of the agency has at least 20 JP planned for the year — one without any row
    too, the PNS the rule exists for — and every PPPK at most 24: the catalogue's JP-limits rule.

    ``roster`` is the agency's active officers (:mod:`core.planning.roster`); an officer on it is judged
    by their current employee type, one with rows but no longer on it (withdrawn) by their rows'.
    """
    on_roster = {o.officer_id: o for o in roster}
    totals: dict[UUID, int] = {}
    first: dict[UUID, PlanRow] = {}
    for r in rows:
        totals[r.officer_id] = totals.get(r.officer_id, 0) + r.planned_jp
        first.setdefault(r.officer_id, r)
    for o in roster:
        totals.setdefault(o.officer_id, 0)
    out = []
    for oid, total in totals.items():
        out += officer_jp_findings(plan, oid, total, on_roster.get(oid), first.get(oid))
    return out


def officer_jp_findings(plan: UUID, officer_id: UUID, total: int, officer: RosterOfficer | None,
                        first_row: PlanRow | None) -> list[Finding]:
    """Check (d) for one officer: ``total`` JP planned over their rows (``first_row`` the first of them in
    the plan, None without rows), ``officer`` their roster entry (None when not on the roster)."""
    row = first_row
    etype = officer.employee_type if officer is not None else row.employee_type if row is not None else ""
    who = f"{officer.name} (NIP {officer.nip})" if officer is not None else _who(row) if row is not None else str(officer_id)
    planned = (msg("has {total} JP planned for the year", total=total) if row is not None
               else msg("has no row in the plan: 0 JP planned for the year"))
    standing = jp_year_standing(etype, total)
    if standing.below_pns_minimum:
        return [_finding(plan, "d", msg("{who} (PNS) {planned}; a PNS has the right to at least {PNS_MIN_JP_PER_YEAR} JP.",
                                        who=who, planned=planned, PNS_MIN_JP_PER_YEAR=PNS_MIN_JP_PER_YEAR),
                         officer_id=officer_id)]
    if standing.over_pppk_cap:
        return [_finding(plan, "d", msg("{who} (PPPK) {planned}; a PPPK has at most {PPPK_MAX_JP_PER_YEAR} JP a year.",
                                        who=who, planned=planned, PPPK_MAX_JP_PER_YEAR=PPPK_MAX_JP_PER_YEAR),
                         officer_id=officer_id)]
    return []


def check_e_budget(plan: UUID, rows: Sequence[PlanRow], budgets: Mapping[str, Decimal]) -> list[Finding]:
    """(e) Per funding source, the planned budget stays within what the agency registered for the year."""
    planned: dict[str, Decimal] = {}
    for r in rows:
        planned[r.funding_source] = planned.get(r.funding_source, Decimal(0)) + r.budget
    return budget_findings(plan, planned, budgets)


def budget_findings(plan: UUID, planned: Mapping[str, Decimal], budgets: Mapping[str, Decimal]) -> list[Finding]:
    """Check (e) from the budget the rows plan per funding source (``planned``) and the budgets registered."""
    out = []
    for source in FundingSource:
        total = planned.get(source.value, Decimal(0))
        available = budgets.get(source.value)
        if total > 0 and available is None:
            out.append(_finding(plan, "e", msg("{value}: the rows plan {fmt_rupiah_total} but the agency has registered no budget from this source "
                                               "for the year.", value=source.value.upper(), fmt_rupiah_total=fmt_rupiah(total)), key=source.value))
        elif available is not None and total > available:
            out.append(_finding(plan, "e", msg("{value}: the rows plan {fmt_rupiah_total}, {fmt_rupiah_total_available} more than the "
                                               "{fmt_rupiah_available} registered for the year.",
                                               value=source.value.upper(), fmt_rupiah_total=fmt_rupiah(total),
                                               fmt_rupiah_total_available=fmt_rupiah(total - available), fmt_rupiah_available=fmt_rupiah(available)),
                                key=source.value))
    return out


def check_f_implementation(plan: UUID, row: PlanRow, year: int) -> list[Finding]:
    """(f) Every row names its provider and a schedule inside the plan year."""
    out = []
    if not row.provider:
        out.append(_finding(plan, "f", msg("{who_row}: the row names no provider (penyelenggara).", who_row=_who(row)), row=row))
    start, end = row.start, row.end
    if start is None or end is None:
        out.append(_finding(plan, "f", msg("{who_row}: the row has no schedule (start and end dates).", who_row=_who(row)), row=row))
    elif start.year != year or end.year != year:
        out.append(_finding(plan, "f", msg("{who_row}: the schedule {start} – {end} is not inside the plan year {year}.",
                                           who_row=_who(row), start=start.isoformat(), end=end.isoformat(), year=year), row=row))
    return out


def row_findings(plan: UUID, row: PlanRow, year: int, standards: Mapping[str, CurriculumStandard]) -> list[Finding]:
    """The checks of one row on its own: (a), (b), (c) against the standards of its competency and level, (f)."""
    return [*check_a_competency_level(plan, row), *check_b_pathway(plan, row), *check_c_curriculum(plan, row, standards),
            *check_f_implementation(plan, row, year)]


def run_checks(plan: UUID, year: int, rows: Sequence[PlanRow], budgets: Mapping[str, Decimal],
               curricula: Mapping[tuple[str, str], Mapping[str, CurriculumStandard]], *,
               roster: Sequence[RosterOfficer]) -> tuple[Finding, ...]:
    """Checks a–f over the whole plan, in rule order; ``roster`` is the agency's active officers (check d).

    The plan's commands check only what a change can affect (:mod:`core.planning.recheck`), with the
    same functions; this full run is what that must equal (validation compares them)."""
    found: list[Finding] = []
    for r in rows:
        found += check_a_competency_level(plan, r)
        found += check_b_pathway(plan, r)
        found += check_c_curriculum(plan, r, curricula.get((r.competency, r.level), {}))
    found += check_d_jp(plan, rows, roster)
    found += check_e_budget(plan, rows, budgets)
    for r in rows:
        found += check_f_implementation(plan, r, year)
    return tuple(sorted(found, key=lambda f: f.rule))
