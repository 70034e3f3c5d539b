"""The agency's development plan for a plan year (BAB II.B verification, II.C validation; Formulir 2.6)
and the Instansi Pembina's curriculum standards it is checked against.

A :class:`DevelopmentPlan` (one per agency and plan year) holds the plan rows the HR unit recaps
from the forwarded proposals, the budget the agency registered per funding source, the
verification team and its meetings, the findings of the automatic checks a–f (BAB II.B.4) with the
PyB's resolutions, the head's signature, the PPK's validation with numbered revisions, and the
submissions to the Instansi Pembina and LAN. Checks a–f are pure functions below, one per rule,
each citing the guideline; they run on every change and their findings are recorded in an event
with the rule-set version, so a replay never recomputes them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.catalogue import (
    ANNUAL_CREDIT_COEFFICIENT,
    JP_CONVERSION_DEFAULTS,
    JP_TABLE_VERSION,
    LEVEL_LABELS,
    PNS_MIN_JP_PER_YEAR,
    PPPK_MAX_JP_PER_YEAR,
    RULESET_VERSION,
    Level,
    Pathway,
    allowed_pathways,
    competency,
)
from core.cycle import (
    as_agency_role,
    check_version,
    choice,
    fmt_rupiah,
    load,
    long_text,
    money,
    text,
    whole,
    year_in,
)
from core.errors import Conflict, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.nip import EmployeeType
from core.proposal import DevelopmentProposal

GUIDELINE = "Pedoman Pengembangan Kompetensi JF Pengantar Kerja 2023"


def plan_id(agency: str, year: int) -> UUID:
    return derived_id("plan", agency, year)


def curriculum_id(competency_code: str, level: str) -> UUID:
    return derived_id("curriculum", competency_code, level)


class FundingSource(StrEnum):
    """BAB IV Pembiayaan: APBN, APBD, or another lawful source."""

    APBN = "apbn"
    APBD = "apbd"
    LAINNYA = "lainnya"


class Recipient(StrEnum):
    """Where the validated plan goes (BAB II.C): the Instansi Pembina and LAN."""

    PEMBINA = "pembina"
    LAN = "lan"


# -- the Instansi Pembina's curriculum standards ------------------------------------------------------


class CurriculumStandards(PengkomAggregate):
    """The curriculum standards the Instansi Pembina registered for one competency at one level."""

    TOPIC = "pengkom.planning.CurriculumStandards"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.planning.CurriculumEvent"

    class Created(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.planning.CurriculumCreated"
        competency: str
        level: str

    class StandardRegistered(Event):
        TOPIC = "pengkom.planning.CurriculumStandardRegistered"
        code: str
        title: str
        pathways: tuple[str, ...]
        min_jp: int | None
        note: str | None

        def apply(self, aggregate: CurriculumStandards) -> None:
            aggregate.standards[self.code] = {"code": self.code, "title": self.title, "pathways": self.pathways, "min_jp": self.min_jp}

    class StandardWithdrawn(Event):
        TOPIC = "pengkom.planning.CurriculumStandardWithdrawn"
        code: str
        reason: str

        def apply(self, aggregate: CurriculumStandards) -> None:
            del aggregate.standards[self.code]

    def __init__(self, competency: str, level: str) -> None:
        self.competency = competency
        self.level = level
        self.standards: dict[str, dict[str, Any]] = {}


# -- JP conversion (JP.md; Peraturan LAN 10/2018 Lampiran II) -----------------------------------------


@dataclass(frozen=True)
class JpDecision:
    jp: int
    rule: str
    basis: str
    table_version: str


def months_spanned(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def convert_jp(form: str, *, days: int | None = None, sessions: int | None = None, programme_jp: int | None = None,
               international: bool = False, stated_jp: int | None = None, start: date | None = None,
               end: date | None = None) -> JpDecision:
    """Planned JP of a row from its development form, by the LAN conversion defaults (JP.md).

    An unconfirmed conversion value (None) is never guessed: the agency states the JP (``stated_jp``)
    and the decision records that the agency supplied it.
    """
    rule = JP_CONVERSION_DEFAULTS.get(form)
    if rule is None:
        raise Invalid(f"Development form {form!r} has no JP conversion; forms: {', '.join(JP_CONVERSION_DEFAULTS)}.", field="form")
    scope = "international" if international else "domestic"
    value = rule.international if international else rule.domestic
    rule_id = f"{form}/{rule.unit}/{scope}"
    if value is None:
        if stated_jp is None:
            raise Invalid(f"The {scope} JP conversion of {form} is unconfirmed (JP.md: {rule.source}); "
                          "state the planned JP yourself (jp).", field="jp")
        return JpDecision(stated_jp, f"{form}/agency-supplied/{scope}",
                          f"{stated_jp} JP stated by the agency: the {scope} conversion of {form} is unconfirmed", JP_TABLE_VERSION)

    def need(v: int | None, name: str, what: str) -> int:
        if v is None:
            raise Invalid(f"{form} converts {what}; give the number of {name} ({name}).", field=name)
        return v

    if rule.unit == "per_day":
        n = need(days, "days", f"at {value} JP per day")
        jp, basis = int((value * n).to_integral_value(ROUND_FLOOR)), f"{value} JP/day × {n} day(s)"
    elif rule.unit == "per_day_max":
        n = need(days, "days", f"at most {value} JP per day")
        cap = int((value * n).to_integral_value(ROUND_FLOOR))
        if stated_jp is not None and stated_jp > cap:
            raise Invalid(f"{form} credits at most {value} JP per day: {n} day(s) allow at most {cap} JP, not {stated_jp}.", field="jp")
        jp = stated_jp if stated_jp is not None else cap
        basis = f"{jp} JP {'stated' if stated_jp is not None else 'at the cap'} (at most {value} JP/day × {n} day(s))"
        stated_jp = None
    elif rule.unit == "per_session":
        n = need(sessions, "sessions", f"at {value} JP per session")
        credited = n
        if rule.max_per_month and start and end:
            credited = min(n, rule.max_per_month * months_spanned(start, end))
        jp = int((value * credited).to_integral_value(ROUND_FLOOR))
        basis = f"{value} JP/session × {credited} session(s)" + (
            f" ({n} planned; at most {rule.max_per_month} a month are credited)" if credited < n else "")
    elif rule.unit == "per_activity":
        jp, basis = int(value.to_integral_value(ROUND_FLOOR)), f"{value} JP per activity"
    else:  # programme_hours
        n = need(programme_jp, "programme_jp", "as the programme's own JP")
        jp = int((value * n).to_integral_value(ROUND_FLOOR))
        basis = f"the programme's {n} JP" + (f" × {value} (international)" if value != 1 else "")
    if stated_jp is not None and stated_jp != jp:
        raise Invalid(f"{form} converts to {jp} JP ({basis}), not {stated_jp}; leave jp empty to use the conversion.", field="jp")
    if jp < 1:
        raise Invalid(f"{form} converts to {jp} JP ({basis}); a plan row needs at least 1 JP.", field="jp")
    return JpDecision(jp, rule_id, basis, JP_TABLE_VERSION)


def suggested_credit_target(level: str) -> tuple[Decimal, str]:
    """Formulir 2.6 item 12 default: the level's annual credit-point coefficient (predikat Baik, 100%)."""
    coeff = ANNUAL_CREDIT_COEFFICIENT[Level(level)]
    return coeff, (f"suggested: annual credit-point coefficient of {LEVEL_LABELS[Level(level)]} ({coeff}) at predikat "
                   f"Baik (100%), PermenPANRB 1/2023 per JP.md; ruleset {RULESET_VERSION}")


# -- checks a–f (BAB II.B.4), pure --------------------------------------------------------------------


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


def _finding(plan: UUID, rule: str, message: str, *, row: Mapping[str, Any] | None = None,
             officer_id: UUID | None = None, key: str = "", blocking: bool = True) -> Finding:
    row_id = row["row_id"] if row is not None else None
    officer = officer_id or (row["officer_id"] if row is not None else None)
    # Content-addressed: the same finding after a rerun keeps its id (and its acceptance);
    # a finding whose facts changed is a new one, open again.
    fid = derived_id("finding", plan, RULE_IDS[rule], row_id or officer or key, message)
    return Finding(fid, rule, RULE_IDS[rule], message, CITATIONS[rule], RULESET_VERSION, row_id, officer, blocking)


def _who(row: Mapping[str, Any]) -> str:
    return f"{row['officer_name']} (NIP {row['nip']})"


def check_a_competency_level(plan: UUID, row: Mapping[str, Any]) -> list[Finding]:
    """(a) The competency belongs to the officer's level: its Tabel 3.1 cell is not empty."""
    cell = allowed_pathways(row["competency"], row["level"])
    if cell is None:
        return [_finding(plan, "a", f"{_who(row)} is at level {row['level']}, outside Tabel 3.1 (Ahli levels only); "
                         "competency fit is not checked for this row.", row=row, blocking=False)]
    if not cell:
        return [_finding(plan, "a", f"{_who(row)}: competency {competency(row['competency']).name} is not listed for "
                         f"{LEVEL_LABELS[Level(row['level'])]} in Tabel 3.1.", row=row)]
    return []


def check_b_pathway(plan: UUID, row: Mapping[str, Any]) -> list[Finding]:
    """(b) The pathway is one Tabel 3.1 allows for the competency at the officer's level."""
    cell = allowed_pathways(row["competency"], row["level"])
    if cell is None:
        return [_finding(plan, "b", f"{_who(row)} is at level {row['level']}, outside Tabel 3.1; the pathway is not "
                         "checked for this row.", row=row, blocking=False)]
    if not cell:
        return []  # finding (a) already says the cell is empty
    if Pathway(row["pathway"]) not in cell:
        allowed = ", ".join(p.value for p in Pathway if p in cell)
        return [_finding(plan, "b", f"{_who(row)}: pathway {row['pathway']} is not allowed for "
                         f"{competency(row['competency']).name} at {LEVEL_LABELS[Level(row['level'])]} in Tabel 3.1 "
                         f"(allowed: {allowed}).", row=row)]
    return []


def check_c_curriculum(plan: UUID, row: Mapping[str, Any], standards: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """(c) The programme fits a curriculum standard the Instansi Pembina registered for the
    competency at the level: the row names it, and pathway and JP fit what the standard sets."""
    comp = competency(row["competency"]).name
    where = f"{comp} at {LEVEL_LABELS[Level(row['level'])]}"
    code = row.get("curriculum_code")
    if not standards:
        return [_finding(plan, "c", f"{_who(row)}: the Instansi Pembina has registered no curriculum standard for {where}; "
                         "the programme's fit cannot be confirmed.", row=row)]
    if not code:
        return [_finding(plan, "c", f"{_who(row)}: the row names no curriculum standard; registered for {where}: "
                         f"{', '.join(sorted(standards))}.", row=row)]
    std = standards.get(code)
    if std is None:
        return [_finding(plan, "c", f"{_who(row)}: curriculum standard {code} is not registered for {where}; "
                         f"registered: {', '.join(sorted(standards))}.", row=row)]
    out = []
    if std["pathways"] and row["pathway"] not in std["pathways"]:
        out.append(_finding(plan, "c", f"{_who(row)}: curriculum standard {code} is delivered by "
                            f"{', '.join(std['pathways'])}, not by {row['pathway']}.", row=row))
    if std["min_jp"] and row["planned_jp"] < std["min_jp"]:
        out.append(_finding(plan, "c", f"{_who(row)}: curriculum standard {code} needs at least {std['min_jp']} JP; "
                            f"the row plans {row['planned_jp']}.", row=row))
    return out


def check_d_jp(plan: UUID, rows: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """(d) Each PNS's planned JP for the year reach 20; each PPPK's stay within 24."""
    totals: dict[UUID, int] = {}
    first: dict[UUID, Mapping[str, Any]] = {}
    for r in rows:
        totals[r["officer_id"]] = totals.get(r["officer_id"], 0) + r["planned_jp"]
        first.setdefault(r["officer_id"], r)
    out = []
    for oid, total in totals.items():
        r = first[oid]
        if r["employee_type"] == EmployeeType.PNS and total < PNS_MIN_JP_PER_YEAR:
            out.append(_finding(plan, "d", f"{_who(r)} (PNS) has {total} JP planned for the year; a PNS has the right to at "
                                f"least {PNS_MIN_JP_PER_YEAR} JP.", officer_id=oid))
        elif r["employee_type"] == EmployeeType.PPPK and total > PPPK_MAX_JP_PER_YEAR:
            out.append(_finding(plan, "d", f"{_who(r)} (PPPK) has {total} JP planned for the year; a PPPK has at most "
                                f"{PPPK_MAX_JP_PER_YEAR} JP a year.", officer_id=oid))
    return out


def check_e_budget(plan: UUID, rows: Sequence[Mapping[str, Any]], budgets: Mapping[str, Decimal]) -> list[Finding]:
    """(e) Per funding source, the planned budget stays within what the agency registered for the year."""
    planned: dict[str, Decimal] = {}
    for r in rows:
        planned[r["funding_source"]] = planned.get(r["funding_source"], Decimal(0)) + r["budget"]
    out = []
    for source in FundingSource:
        total = planned.get(source.value, Decimal(0))
        available = budgets.get(source.value)
        if total > 0 and available is None:
            out.append(_finding(plan, "e", f"{source.value.upper()}: the rows plan {fmt_rupiah(total)} but the agency has "
                                "registered no budget from this source for the year.", key=source.value))
        elif available is not None and total > available:
            out.append(_finding(plan, "e", f"{source.value.upper()}: the rows plan {fmt_rupiah(total)}, "
                                f"{fmt_rupiah(total - available)} more than the {fmt_rupiah(available)} registered for the year.",
                                key=source.value))
    return out


def check_f_implementation(plan: UUID, row: Mapping[str, Any], year: int) -> list[Finding]:
    """(f) Every row names its provider and a schedule inside the plan year."""
    out = []
    if not row.get("provider"):
        out.append(_finding(plan, "f", f"{_who(row)}: the row names no provider (penyelenggara).", row=row))
    start, end = row.get("start"), row.get("end")
    if start is None or end is None:
        out.append(_finding(plan, "f", f"{_who(row)}: the row has no schedule (start and end dates).", row=row))
    elif start.year != year or end.year != year:
        out.append(_finding(plan, "f", f"{_who(row)}: the schedule {start.isoformat()} – {end.isoformat()} is not inside "
                            f"the plan year {year}.", row=row))
    return out


def run_checks(plan: UUID, year: int, rows: Sequence[Mapping[str, Any]], budgets: Mapping[str, Decimal],
               curricula: Mapping[tuple[str, str], Mapping[str, Mapping[str, Any]]]) -> tuple[Finding, ...]:
    """Checks a–f over the whole plan, in rule order."""
    found: list[Finding] = []
    for r in rows:
        found += check_a_competency_level(plan, r)
        found += check_b_pathway(plan, r)
        found += check_c_curriculum(plan, r, curricula.get((r["competency"], r["level"]), {}))
    found += check_d_jp(plan, rows)
    found += check_e_budget(plan, rows, budgets)
    for r in rows:
        found += check_f_implementation(plan, r, year)
    return tuple(sorted(found, key=lambda f: f.rule))


# -- the plan ------------------------------------------------------------------------------------------

ROW_FIELDS = (
    "row_id", "officer_id", "nip", "officer_name", "position", "level", "employee_type", "unit", "competency", "pathway",
    "form", "programme", "curriculum_code", "provider", "start", "end", "budget", "funding_source", "days", "sessions",
    "programme_jp", "international", "stated_jp", "planned_jp", "jp_rule", "jp_basis", "jp_table_version",
    "credit_target", "credit_target_source", "proposal_id", "proposal_item_id",
)


class DevelopmentPlan(PengkomAggregate):
    TOPIC = "pengkom.planning.DevelopmentPlan"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.planning.Event"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.planning.Opened"
        agency: str
        year: int

    class RowEvent(Event):
        """The complete content of a plan row (Formulir 2.6 items 4–12) with its JP decision."""

        TOPIC = "pengkom.planning.RowEvent"
        row_id: UUID
        officer_id: UUID
        nip: str
        officer_name: str
        position: str
        level: str
        employee_type: str
        unit: str
        competency: str
        pathway: str
        form: str
        programme: str
        curriculum_code: str | None
        provider: str | None
        start: date | None
        end: date | None
        budget: Decimal
        funding_source: str
        days: int | None
        sessions: int | None
        programme_jp: int | None
        international: bool
        stated_jp: int | None
        planned_jp: int
        jp_rule: str
        jp_basis: str
        jp_table_version: str
        credit_target: Decimal
        credit_target_source: str
        proposal_id: UUID | None
        proposal_item_id: UUID | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.rows[self.row_id] = {k: getattr(self, k) for k in ROW_FIELDS}

    class RowAdded(RowEvent):
        TOPIC = "pengkom.planning.RowAdded"

    class RowChanged(RowEvent):
        TOPIC = "pengkom.planning.RowChanged"
        reason: str

    class RowRemoved(Event):
        TOPIC = "pengkom.planning.RowRemoved"
        row_id: UUID
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            del aggregate.rows[self.row_id]

    class BudgetRegistered(Event):
        """The budget available for competency development in the plan year from one source (BAB II.B.3.b)."""

        TOPIC = "pengkom.planning.BudgetRegistered"
        funding_source: str
        amount: Decimal
        note: str | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.budgets[self.funding_source] = self.amount

    class ChecksRun(Event):
        """The findings of checks a–f after a change: the complete current set."""

        TOPIC = "pengkom.planning.ChecksRun"
        trigger: str
        findings: tuple[Finding, ...]
        ruleset_version: str
        jp_table_version: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.findings = {f.finding_id: f for f in self.findings}

    class FindingAccepted(Event):
        """The PyB accepts a finding with a written reason (the agency decides finally, text under Tabel 3.1)."""

        TOPIC = "pengkom.planning.FindingAccepted"
        finding_id: UUID
        rule: str
        message: str
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.accepted[self.finding_id] = self.reason

    class TeamMemberAppointed(Event):
        """BAB II.B.6: the verification team, with the unit each member represents."""

        TOPIC = "pengkom.planning.TeamMemberAppointed"
        member_id: UUID
        name: str
        nip: str | None
        unit_represented: str
        team_role: str | None

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.team[self.member_id] = self.name

    class TeamMemberReleased(Event):
        TOPIC = "pengkom.planning.TeamMemberReleased"
        member_id: UUID
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            del aggregate.team[self.member_id]

    class MeetingRecorded(Event):
        """BAB II.B.5.b(2): a meeting of the verification team."""

        TOPIC = "pengkom.planning.MeetingRecorded"
        meeting_id: UUID
        held_on: date
        attendees: tuple[str, ...]
        minutes: str

    class SignedByHead(Event):
        """Formulir 2.6 items 13–14: place, date, name and NIP of the head of the work unit."""

        TOPIC = "pengkom.planning.SignedByHead"
        revision: int
        name: str
        nip: str | None
        place: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.head_signed = True

    class SignatureVoided(Event):
        TOPIC = "pengkom.planning.SignatureVoided"
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.head_signed = False

    class Validated(Event):
        """BAB II.C: the PPK validates (mengesahkan) this revision; it is locked from now on."""

        TOPIC = "pengkom.planning.Validated"
        revision: int
        rows: int
        total_jp: int
        total_budget: Decimal
        ruleset_version: str
        jp_table_version: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.locked = True
            aggregate.validated[self.revision] = {k: dict(v) for k, v in aggregate.rows.items()}

    class RevisionOpened(Event):
        """A change after validation: a new numbered revision, verified and validated again."""

        TOPIC = "pengkom.planning.RevisionOpened"
        revision: int
        reason: str

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.revision = self.revision
            aggregate.locked = False
            aggregate.head_signed = False

    class Submitted(Event):
        """The validated plan sent to the Instansi Pembina or LAN (BAB II.C, Q3)."""

        TOPIC = "pengkom.planning.Submitted"
        revision: int
        recipient: str
        submitted_on: date

        def apply(self, aggregate: DevelopmentPlan) -> None:
            aggregate.submissions.add((self.revision, self.recipient))

    def __init__(self, agency: str, year: int) -> None:
        self.agency = agency
        self.year = year
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.budgets: dict[str, Decimal] = {}
        self.findings: dict[UUID, Finding] = {}
        self.accepted: dict[UUID, str] = {}
        self.team: dict[UUID, str] = {}
        self.revision = 1
        self.locked = False
        self.head_signed = False
        self.validated: dict[int, dict[UUID, dict[str, Any]]] = {}
        self.submissions: set[tuple[int, str]] = set()

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.blocking and f.finding_id not in self.accepted]

    @property
    def latest_validated(self) -> int | None:
        return max(self.validated, default=None)

    def check_unlocked(self) -> None:
        if self.locked:
            raise Conflict(f"The {self.year} plan of {self.agency} is validated (revision {self.revision}) and locked; "
                           "open a revision with a reason to change it.")

    def check_row(self, row_id: UUID) -> dict[str, Any]:
        if row_id not in self.rows:
            raise NotFound(f"The {self.year} plan of {self.agency} has no row {row_id}.", field="row_id")
        return self.rows[row_id]


@dataclass(frozen=True)
class PlanRowRef:
    """A plan row as validated: what the pathways and activities (execution) code against."""

    plan_id: UUID
    row_id: UUID
    revision: int
    agency: str
    year: int
    officer_id: UUID
    nip: str
    competency: str
    pathway: str
    form: str
    provider: str | None
    start: date | None
    end: date | None
    budget: Decimal
    funding_source: str
    planned_jp: int


def validated_plan_row(app: Any, plan_id: UUID, row_id: UUID) -> PlanRowRef | None:
    """The row as it stands in the latest validated revision of the plan; None if none has it."""
    plan = app.get(plan_id)
    if not isinstance(plan, DevelopmentPlan) or plan.latest_validated is None:
        return None
    rev = plan.latest_validated
    row = plan.validated[rev].get(row_id)
    if row is None:
        return None
    return PlanRowRef(plan_id=plan.id, row_id=row_id, revision=rev, agency=plan.agency, year=plan.year,
                      officer_id=row["officer_id"], nip=row["nip"], competency=row["competency"], pathway=row["pathway"],
                      form=row["form"], provider=row["provider"], start=row["start"], end=row["end"], budget=row["budget"],
                      funding_source=row["funding_source"], planned_jp=row["planned_jp"])


# -- guards --------------------------------------------------------------------------------------------


def can_compose_plan(actor: Any, agency: str, action: str) -> str:
    """The HR unit recaps (BAB II.B.5.a(2)); the PyB verifies and composes Formulir 2.6 (II.B.5.b(3))."""
    return as_agency_role(actor, agency, [access.PYB, access.HR], action)


def can_verify_plan(actor: Any, agency: str, action: str) -> str:
    """The PyB forms the team and resolves findings (BAB II.B.5–6)."""
    return as_agency_role(actor, agency, [access.PYB], action)


def can_record_meeting(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PYB, access.VERIFIER], "record a verification-team meeting")


def can_sign_plan(actor: Any, agency: str) -> str:
    """Formulir 2.6 is signed by the head of the work unit (Kepala Satuan Kerja)."""
    return as_agency_role(actor, agency, [access.HEAD], "sign Formulir 2.6")


def can_validate_plan(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PPK], "validate the plan")


def can_submit_plan(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PPK, access.HR], "record the plan's submission")


def can_read_plan(actor: Any, agency: str, *, submitted: bool) -> str:
    """The agency's HR side reads its plan; Pembina, LAN and BKN read submitted plans nationally; auditors any plan."""
    if access.AUDITOR in actor.roles:
        return access.AUDITOR
    national = sorted(actor.roles & {access.PEMBINA, access.LAN, access.BKN})
    if national:
        if submitted:
            return national[0]
        raise access.Forbidden(f"The {agency} plan has not been submitted yet; national roles read submitted plans.")
    if actor.agency == agency:
        for role in sorted(actor.roles & access.AGENCY_READERS):
            return role
    raise access.Forbidden("The plan is read by its agency's HR unit, PyB, verification team, PPK and head, "
                           "and once submitted by the Instansi Pembina, LAN and BKN.")


def can_register_curriculum(actor: Any) -> str:
    return access.require_role(actor, [access.PEMBINA], "register curriculum standards")


# -- commands ------------------------------------------------------------------------------------------


def _parse_date(value: Any, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{field.capitalize()} {value!r} is not a date (YYYY-MM-DD).", field=field) from None


def _opt_count(value: Any, field: str, high: int) -> int | None:
    return None if value is None else whole(value, field, low=1, high=high)


@dataclass(frozen=True)
class PlanCommands:
    app: Any

    # -- curriculum standards (Instansi Pembina) ------------------------------------------------------

    def curriculum(self, competency_code: str, level: str) -> dict[str, dict[str, Any]]:
        agg = self.app.get(curriculum_id(competency_code, level))
        return dict(agg.standards) if isinstance(agg, CurriculumStandards) else {}

    def register_curriculum(self, ctx: Context, *, competency_code: str, level: str, code: str, title: str,
                            pathways: Iterable[str] = (), min_jp: int | None = None, note: str | None = None) -> CurriculumStandards:
        ctx = ctx.acting_as(can_register_curriculum(ctx.actor))
        comp = competency(competency_code).code
        lvl = choice(Level, level, "level")
        code = text(code, "code", max_len=60) or ""
        paths = tuple(choice(Pathway, p, "pathways") for p in pathways)
        meta = ctx.provenance()
        agg = self.app.get(curriculum_id(comp, lvl))
        if agg is None:
            agg = CurriculumStandards._create(CurriculumStandards.Created, id=curriculum_id(comp, lvl), meta=meta,
                                              timestamp=meta.recorded_at, competency=comp, level=lvl)
        if code in agg.standards:
            raise Conflict(f"Curriculum standard {code} is already registered for {comp} at {lvl}; withdraw it first to replace it.", field="code")
        agg.record(CurriculumStandards.StandardRegistered, meta, code=code, title=text(title, "title") or "",
                   pathways=paths, min_jp=_opt_count(min_jp, "min_jp", 1000),
                   note=long_text(note, "note", max_len=1000, required=False))
        return agg

    def withdraw_curriculum(self, ctx: Context, *, competency_code: str, level: str, code: str, reason: str) -> CurriculumStandards:
        ctx = ctx.acting_as(can_register_curriculum(ctx.actor))
        comp, lvl = competency(competency_code).code, choice(Level, level, "level")
        agg = self.app.get(curriculum_id(comp, lvl))
        if not isinstance(agg, CurriculumStandards) or code not in agg.standards:
            raise NotFound(f"No curriculum standard {code} is registered for {comp} at {lvl}.", field="code")
        agg.record(CurriculumStandards.StandardWithdrawn, ctx.provenance(), code=code,
                   reason=long_text(reason, "reason", max_len=1000))
        return agg

    # -- the plan --------------------------------------------------------------------------------------

    def get(self, agency: str, year: int) -> DevelopmentPlan:
        return load(self.app, plan_id(agency, year), DevelopmentPlan, f"{agency} has no development plan for {year} yet.")

    def _for_change(self, ctx: Context, agency: str, year: int, role: str, expected_version: int | None,
                    *, create: bool = False) -> tuple[DevelopmentPlan, Context]:
        ctx = ctx.acting_as(role)
        year = year_in(year)
        plan = self.app.get(plan_id(agency, year))
        if plan is None:
            if not create:
                raise NotFound(f"{agency} has no development plan for {year} yet; the HR unit starts it by recapping a row.")
            meta = ctx.provenance()
            plan = DevelopmentPlan._create(DevelopmentPlan.Opened, id=plan_id(agency, year), meta=meta,
                                           timestamp=meta.recorded_at, agency=agency, year=year)
        else:
            check_version("plan", plan.version, expected_version)
        return plan, ctx

    def _changed(self, plan: DevelopmentPlan, ctx: Context, trigger: str) -> None:
        """After every change: void the head's signature of this revision and rerun checks a–f."""
        if plan.head_signed:
            plan.record(DevelopmentPlan.SignatureVoided, ctx.provenance(),
                        reason=f"The plan changed after the head signed it ({trigger}); Formulir 2.6 is signed again.")
        plan.record(DevelopmentPlan.ChecksRun, ctx.provenance(), trigger=trigger, findings=self._findings(plan),
                    ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION)

    def _findings(self, plan: DevelopmentPlan) -> tuple[Finding, ...]:
        rows = list(plan.rows.values())
        curricula = {(r["competency"], r["level"]): self.curriculum(r["competency"], r["level"]) for r in rows}
        return run_checks(plan.id, plan.year, rows, plan.budgets, curricula)

    def register_budget(self, ctx: Context, agency: str, year: int, *, funding_source: str, amount: Any,
                        note: str | None = None, expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "register the agency's development budget")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        source = choice(FundingSource, funding_source, "funding_source")
        plan.record(DevelopmentPlan.BudgetRegistered, ctx.provenance(), funding_source=source,
                    amount=money(amount, "amount"), note=long_text(note, "note", max_len=1000, required=False))
        self._changed(plan, ctx, f"budget {source}")
        return plan

    def _row(self, plan: DevelopmentPlan, row_id: UUID, data: Mapping[str, Any]) -> dict[str, Any]:
        """Formulir 2.6 row content from the clerk's input, with the officer's placement and the JP decision."""
        oid = data.get("officer_id")
        if not isinstance(oid, UUID):
            raise Invalid("A plan row names the officer (officer_id).", field="officer_id")
        officer = self.app.officers.get(oid)
        if officer.agency != plan.agency:
            raise Invalid(f"Officer NIP {officer.nip} belongs to another agency; the {plan.agency} plan holds only "
                          f"{plan.agency}'s officers.", field="officer_id")
        officer.check_not_withdrawn()
        comp = competency(data.get("competency")).code
        pathway = choice(Pathway, data.get("pathway"), "pathway")
        form = data.get("form") or pathway
        if form not in JP_CONVERSION_DEFAULTS:
            raise Invalid(f"Development form {form!r} has no JP conversion; forms: {', '.join(JP_CONVERSION_DEFAULTS)}.", field="form")
        start, end = _parse_date(data.get("start"), "start"), _parse_date(data.get("end"), "end")
        if start and end and end < start:
            raise Invalid(f"The schedule ends ({end}) before it starts ({start}).", field="end")
        days = _opt_count(data.get("days"), "days", 366)
        sessions = _opt_count(data.get("sessions"), "sessions", 200)
        programme_jp = _opt_count(data.get("programme_jp"), "programme_jp", 2000)
        stated = _opt_count(data.get("jp"), "jp", 2000)
        international = bool(data.get("international", False))
        jp = convert_jp(form, days=days, sessions=sessions, programme_jp=programme_jp, international=international,
                        stated_jp=stated, start=start, end=end)
        if data.get("credit_target") is None:
            credit, credit_source = suggested_credit_target(officer.level)
        else:
            credit = money(data.get("credit_target"), "credit_target")
            if credit > 1000:
                raise Invalid(f"A credit-point target of {credit} a year is not plausible; at most 1000.", field="credit_target")
            credit_source = "stated by the agency"
        pid, item = data.get("proposal_id"), data.get("proposal_item_id")
        if (pid is None) != (item is None):
            raise Invalid("A row recapped from a proposal names both proposal_id and proposal_item_id.", field="proposal_id")
        if pid is not None:
            prop = self.app.get(pid)
            if not isinstance(prop, DevelopmentProposal) or prop.officer_id != officer.id:
                raise Invalid(f"Proposal {pid} is not a proposal of officer {officer.nip}.", field="proposal_id")
            if not prop.forwarded:
                raise Invalid(f"The proposal of officer {officer.nip} has not been forwarded to the PyB yet.", field="proposal_id")
            if prop.plan_year != plan.year:
                raise Invalid(f"Proposal {pid} is for plan year {prop.plan_year}, not {plan.year}.", field="proposal_id")
            prop.check_item(item)
        return {
            "row_id": row_id, "officer_id": officer.id, "nip": officer.nip, "officer_name": officer.name,
            "position": officer.position, "level": officer.level, "employee_type": officer.employee_type, "unit": officer.unit,
            "competency": comp, "pathway": pathway, "form": form, "programme": text(data.get("programme"), "programme"),
            "curriculum_code": text(data.get("curriculum_code"), "curriculum_code", max_len=60, required=False),
            "provider": text(data.get("provider"), "provider", required=False), "start": start, "end": end,
            "budget": money(data.get("budget", 0), "budget"),
            "funding_source": choice(FundingSource, data.get("funding_source"), "funding_source"),
            "days": days, "sessions": sessions, "programme_jp": programme_jp, "international": international,
            "stated_jp": stated, "planned_jp": jp.jp, "jp_rule": jp.rule, "jp_basis": jp.basis,
            "jp_table_version": jp.table_version, "credit_target": credit, "credit_target_source": credit_source,
            "proposal_id": pid, "proposal_item_id": item,
        }

    def add_row(self, ctx: Context, agency: str, year: int, *, row: Mapping[str, Any],
                expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        role = can_compose_plan(ctx.actor, agency, "add a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        row_id = uuid4()
        content = self._row(plan, row_id, row)
        plan.record(DevelopmentPlan.RowAdded, ctx.provenance(on_behalf_of=content["nip"]), **content)
        self._changed(plan, ctx, f"row {row_id} added")
        return plan, row_id

    def change_row(self, ctx: Context, agency: str, year: int, row_id: UUID, *, row: Mapping[str, Any], reason: str,
                   expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "change a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        plan.check_unlocked()
        old = plan.check_row(row_id)
        content = self._row(plan, row_id, row)
        if content == old:
            raise Invalid("The row already reads exactly so; nothing to change.", field="row")
        plan.record(DevelopmentPlan.RowChanged, ctx.provenance(on_behalf_of=content["nip"]),
                    reason=long_text(reason, "reason", max_len=1000), **content)
        self._changed(plan, ctx, f"row {row_id} changed")
        return plan

    def remove_row(self, ctx: Context, agency: str, year: int, row_id: UUID, *, reason: str,
                   expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "remove a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        plan.check_unlocked()
        old = plan.check_row(row_id)
        plan.record(DevelopmentPlan.RowRemoved, ctx.provenance(on_behalf_of=old["nip"]), row_id=row_id,
                    reason=long_text(reason, "reason", max_len=1000))
        self._changed(plan, ctx, f"row {row_id} removed")
        return plan

    def rerun_checks(self, ctx: Context, agency: str, year: int, *, expected_version: int | None = None) -> DevelopmentPlan:
        """Rerun a–f, e.g. after the Instansi Pembina registered a curriculum standard."""
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "rerun the checks"), expected_version)
        plan.check_unlocked()
        plan.record(DevelopmentPlan.ChecksRun, ctx.provenance(), trigger="rerun by the PyB", findings=self._findings(plan),
                    ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION)
        return plan

    def accept_finding(self, ctx: Context, agency: str, year: int, finding_id: UUID, *, reason: str,
                       expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "accept a finding"), expected_version)
        plan.check_unlocked()
        finding = plan.findings.get(finding_id)
        if finding is None:
            raise NotFound(f"Finding {finding_id} is not among the plan's current findings; it may have been resolved by a change.", field="finding_id")
        if not finding.blocking:
            raise Conflict("This finding is a note that needs no resolution.")
        if finding_id in plan.accepted:
            raise Conflict(f"Finding {finding_id} is already accepted.")
        reason = long_text(reason, "reason", max_len=2000) or ""
        if len(reason) < 10:
            raise Invalid("Accepting a finding needs a written reason of at least 10 characters.", field="reason")
        plan.record(DevelopmentPlan.FindingAccepted, ctx.provenance(), finding_id=finding_id, rule=finding.rule,
                    message=finding.message, reason=reason)
        return plan

    def appoint_member(self, ctx: Context, agency: str, year: int, *, name: str, unit_represented: str,
                       nip: str | None = None, team_role: str | None = None,
                       expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        role = can_verify_plan(ctx.actor, agency, "form the verification team")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        if nip is not None:
            nip = nip.replace(" ", "")
            if not (nip.isdigit() and len(nip) == 18):
                raise Invalid(f"NIP {nip!r} of a team member must be 18 digits.", field="nip")
        member_id = uuid4()
        plan.record(DevelopmentPlan.TeamMemberAppointed, ctx.provenance(), member_id=member_id, name=text(name, "name"),
                    nip=nip, unit_represented=text(unit_represented, "unit_represented"),
                    team_role=text(team_role, "team_role", required=False))
        return plan, member_id

    def release_member(self, ctx: Context, agency: str, year: int, member_id: UUID, *, reason: str,
                       expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "change the team"), expected_version)
        plan.check_unlocked()
        if member_id not in plan.team:
            raise NotFound(f"No team member {member_id} in the {year} verification team.", field="member_id")
        plan.record(DevelopmentPlan.TeamMemberReleased, ctx.provenance(), member_id=member_id,
                    reason=long_text(reason, "reason", max_len=1000))
        return plan

    def record_meeting(self, ctx: Context, agency: str, year: int, *, held_on: Any, attendees: Sequence[str], minutes: str,
                       expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        plan, ctx = self._for_change(ctx, agency, year, can_record_meeting(ctx.actor, agency), expected_version)
        plan.check_unlocked()
        when = _parse_date(held_on, "held_on")
        assert when is not None
        if when > ctx.now.date():
            raise Invalid(f"The meeting date {when} is in the future; record a meeting once it has been held.", field="held_on")
        names = tuple(text(a, "attendees") or "" for a in attendees)
        if not names:
            raise Invalid("A meeting lists who attended.", field="attendees")
        meeting_id = uuid4()
        plan.record(DevelopmentPlan.MeetingRecorded, ctx.provenance(effective_date=when), meeting_id=meeting_id, held_on=when,
                    attendees=names, minutes=long_text(minutes, "minutes", max_len=20000))
        return plan, meeting_id

    def sign(self, ctx: Context, agency: str, year: int, *, name: str, place: str, nip: str | None = None,
             expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_sign_plan(ctx.actor, agency), expected_version)
        plan.check_unlocked()
        if plan.head_signed:
            raise Conflict(f"Formulir 2.6 revision {plan.revision} is already signed; it is signed once.")
        if not plan.rows:
            raise Conflict("Formulir 2.6 has no rows yet; there is nothing to sign.")
        if plan.open_findings:
            raise Conflict(f"{len(plan.open_findings)} finding(s) are still open; the PyB resolves every finding before the head signs.")
        plan.record(DevelopmentPlan.SignedByHead, ctx.provenance(), revision=plan.revision, name=text(name, "name") or "",
                    nip=(nip or ctx.actor.nip), place=text(place, "place") or "")
        return plan

    def validate(self, ctx: Context, agency: str, year: int, *, expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_validate_plan(ctx.actor, agency), expected_version)
        if plan.locked:
            raise Conflict(f"Revision {plan.revision} of the {year} plan is already validated.")
        if not plan.rows:
            raise Conflict("The plan has no rows; there is nothing to validate.")
        if set(self._findings(plan)) != set(plan.findings.values()):
            raise Conflict("The checks give other findings than those recorded (a curriculum standard changed since); "
                           "the PyB reruns the checks and resolves them first.")
        if plan.open_findings:
            listed = "; ".join(f"({f.rule}) {f.message}" for f in plan.open_findings[:5])
            raise Conflict(f"{len(plan.open_findings)} finding(s) are still open; only a plan with every finding resolved can be "
                           f"validated: {listed}")
        if not plan.head_signed:
            raise Conflict("Formulir 2.6 is not signed by the head of the work unit yet.")
        rows = plan.rows.values()
        plan.record(DevelopmentPlan.Validated, ctx.provenance(), revision=plan.revision, rows=len(plan.rows),
                    total_jp=sum(r["planned_jp"] for r in rows), total_budget=sum((r["budget"] for r in rows), Decimal(0)),
                    ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION)
        return plan

    def open_revision(self, ctx: Context, agency: str, year: int, *, reason: str,
                      expected_version: int | None = None) -> DevelopmentPlan:
        role = as_agency_role(ctx.actor, agency, [access.PYB, access.PPK], "open a revision of the validated plan")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        if not plan.locked:
            raise Conflict(f"Revision {plan.revision} is not validated yet; change it directly.")
        plan.record(DevelopmentPlan.RevisionOpened, ctx.provenance(), revision=plan.revision + 1,
                    reason=long_text(reason, "reason", max_len=2000))
        return plan

    def submit(self, ctx: Context, agency: str, year: int, *, recipient: str, submitted_on: Any = None,
               revision: int | None = None, expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_submit_plan(ctx.actor, agency), expected_version)
        to = choice(Recipient, recipient, "recipient")
        rev = revision if revision is not None else plan.latest_validated
        if rev is None or rev not in plan.validated:
            raise Conflict("Only a validated plan is submitted; the PPK validates it first." if rev is None
                           else f"Revision {rev} of the {year} plan is not validated.")
        when = _parse_date(submitted_on, "submitted_on") or ctx.now.date()
        if when > ctx.now.date():
            raise Invalid(f"The submission date {when} is in the future.", field="submitted_on")
        if (rev, to) in plan.submissions:
            raise Conflict(f"Revision {rev} of the {year} plan was already submitted to {to}.")
        plan.record(DevelopmentPlan.Submitted, ctx.provenance(effective_date=when), revision=rev, recipient=to, submitted_on=when)
        return plan
