"""National recaps over the national read model (:mod:`projections.national`): per agency and for the
country, for one year, filtered by agency kind and province; the drill-down agency → officer; the
Instansi Pembina's 180° analysis. Plain functions of the read model and a reference date, so the same
log position always gives the same answer (an export at that position is re-derived by ``pengkom verify
--export``).

**Which year.** ``year`` is each record's own year: the plan for that year and its cycle (stage dates,
deadlines), activities of that year (JP credited, budgets realised), the 180° assessments of that year,
the evaluations of that year.

**Planned figures** (JP, budgets, rows) are those of the plan's latest revision *submitted* to the
Instansi Pembina or LAN — what the national level received; a plan not yet submitted contributes its
stage and deadlines but no planned figures.

**Stage timing** (days, from the effective dates recorded): inventory from the first inventory record
of the cycle (a Formulir 2.1 proposal for the plan year, the 180° assessment of the year before, the
Formulir 2.5 of two years before) to the opening of Formulir 2.6; verification from then to the head's
first signature; validation to the PPK's first validation; submission to the first submission. A stage
whose end is recorded before its start counts 0 days. National figures are the median and the 25th,
75th and 90th percentiles over the agencies that completed the stage (linear interpolation between
closest ranks), with one decimal.

**Deadlines** are judged at the reference date (the day the last event at the read position was
recorded), never the wall clock, so a report does not change while the record does not.

Why this module is longer than ~500 lines: every figure of the recap shares the same filters, the same
reference date and the same rule for which plan revision counts; kept together so they cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.agencies import KIND_LABELS, PROVINCES
from core.catalogue import LEVEL_LABELS, PATHWAY_LABELS, FundingSource, Level, Pathway, competency, jp_year_standing
from core.deadlines import Step, due_dates, status
from projections.store import ViewStore

STAGES = ("inventory", "verification", "validation", "submission")
STAGE_LABELS = {"inventory": "Inventarisasi", "verification": "Verifikasi", "validation": "Validasi", "submission": "Penyampaian"}
_STAGE_BOUNDS = {"inventory": ("inventory_on", "opened_on"), "verification": ("opened_on", "signed_on"),
                 "validation": ("signed_on", "validated_on"), "submission": ("validated_on", "submitted_on")}
PLAN_STEPS = (Step.PLAN_COMPOSED, Step.SUBMITTED_PEMBINA, Step.SUBMITTED_LAN)
OFFICER_STEPS = (Step.PROFILE, Step.COMPETENCY_GAP, Step.PERFORMANCE_GAP)
DEADLINE_STATES = ("done", "done_late", "due", "overdue")
CELLS = ("jenis", "jalur", "penyelenggara", "jadwal", "anggaran", "jam_pelajaran")
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """Which agencies a recap covers: one agency (an agency role's own, or a national drill-down), or
    every agency matching the kind and province filters (None: any)."""

    year: int
    agency: str | None = None
    kind: str | None = None
    province: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "agency": self.agency, "kind": self.kind, "province": self.province}


def one_decimal(value: Decimal | float | int) -> float:
    return float(Decimal(value).quantize(_TENTH, rounding=ROUND_HALF_UP))


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; None when there is nothing to share."""
    return None if whole == 0 else one_decimal(Decimal(part) * 100 / Decimal(whole))


def money(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def percentile(sorted_values: Sequence[int | Decimal], p: int) -> float | None:
    """The ``p``-th percentile by linear interpolation between closest ranks (one decimal)."""
    if not sorted_values:
        return None
    rank = Decimal(p) / 100 * (len(sorted_values) - 1)
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    frac = rank - low
    value = Decimal(sorted_values[low]) + (Decimal(sorted_values[high]) - Decimal(sorted_values[low])) * frac
    return one_decimal(value)


def distribution(values: Iterable[int | Decimal]) -> dict[str, Any]:
    vs = sorted(values)
    return {"n": len(vs), "min": one_decimal(vs[0]) if vs else None, "p25": percentile(vs, 25), "median": percentile(vs, 50),
            "p75": percentile(vs, 75), "p90": percentile(vs, 90), "max": one_decimal(vs[-1]) if vs else None}


def _days(start: str | None, end: str | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, (date.fromisoformat(end) - date.fromisoformat(start)).days)


# -- the agencies covered -----------------------------------------------------------------------------


def agencies(store: ViewStore, scope: Scope) -> list[dict[str, Any]]:
    """The directory entries in scope, plus (without kind/province filters) the agencies that recorded
    something but are not in the directory yet; sorted by code."""
    where, params = [], []
    for col, val in (("code", scope.agency), ("kind", scope.kind), ("province", scope.province)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.fetchall(f"SELECT code, name, kind, province, regency FROM nat_agencies{clause} ORDER BY code", params)
    found = {r["code"]: {**r, "in_directory": True} for r in rows}
    if scope.kind is None and scope.province is None:
        seen = store.fetchall(
            "SELECT agency FROM nat_officers WHERE withdrawn = 0 UNION SELECT agency FROM nat_plans WHERE year = ? "
            "UNION SELECT agency FROM nat_activities WHERE year = ?", (scope.year, scope.year))
        for r in seen:
            code = r["agency"]
            if code not in found and (scope.agency is None or code == scope.agency):
                found[code] = {"code": code, "name": None, "kind": None, "province": None, "regency": None, "in_directory": False}
    out = []
    for code in sorted(found):
        a = found[code]
        out.append({**a, "kind_label": KIND_LABELS.get(a["kind"]) if a["kind"] else None,
                    "province_name": PROVINCES.get(a["province"]) if a["province"] else None})
    return out


def _in(codes: Sequence[str], column: str = "agency") -> tuple[str, list[Any]]:
    """A filter on the agencies covered (one parameter per agency; the recap of one agency is one)."""
    if not codes:
        return "1 = 0", []
    return f"{column} IN ({', '.join('?' * len(codes))})", list(codes)


# -- the figures, per agency ----------------------------------------------------------------------------


def _officers(store: ViewStore, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    where, params = _in(codes)
    out: dict[str, dict[str, Any]] = {}
    for r in store.fetchall(f"SELECT agency, employee_type, level, COUNT(*) AS n FROM nat_officers WHERE withdrawn = 0 AND {where} "
                            "GROUP BY agency, employee_type, level", params):
        o = out.setdefault(r["agency"], {"total": 0, "pns": 0, "pppk": 0, "by_level": {}})
        n = int(r["n"])
        o["total"] += n
        o["pns" if r["employee_type"] == "PNS" else "pppk"] += n
        lv = o["by_level"].setdefault(r["level"], {"pns": 0, "pppk": 0})
        lv["pns" if r["employee_type"] == "PNS" else "pppk"] += n
    return out


def _plans(store: ViewStore, codes: Sequence[str], year: int) -> dict[str, dict[str, Any]]:
    where, params = _in(codes)
    rows = store.fetchall(f"SELECT * FROM nat_plans WHERE year = ? AND {where}", [year, *params])
    cycles = {r["agency"]: r["inventory_on"] for r in store.fetchall(
        f"SELECT agency, inventory_on FROM nat_cycles WHERE plan_year = ? AND {where}", [year, *params])}
    out = {}
    for r in rows:
        r["inventory_on"] = cycles.get(r["agency"])
        out[r["agency"]] = r
    for agency, on in cycles.items():
        out.setdefault(agency, {"agency": agency, "plan_id": None, "status": "inventory", "revision": None, "inventory_on": on,
                                "opened_on": None, "signed_on": None, "validated_on": None, "submitted_on": None,
                                "submitted_pembina_on": None, "submitted_lan_on": None, "submitted_revision": None})
    return out


def _stage_days(plan: dict[str, Any] | None) -> dict[str, int | None]:
    if plan is None:
        return dict.fromkeys(STAGES)
    return {s: _days(plan.get(a), plan.get(b)) for s, (a, b) in _STAGE_BOUNDS.items()}


def _plan_deadlines(plan: dict[str, Any] | None, year: int, today: date) -> dict[str, dict[str, Any]]:
    done_on = {Step.PLAN_COMPOSED: "signed_on", Step.SUBMITTED_PEMBINA: "submitted_pembina_on", Step.SUBMITTED_LAN: "submitted_lan_on"}
    out = {}
    for d in due_dates(year):
        if d.step not in PLAN_STEPS:
            continue
        raw = (plan or {}).get(done_on[d.step])
        done = date.fromisoformat(raw) if raw else None
        state, late = status(d.due, done, today)
        out[d.step.value] = {"due": d.due.isoformat(), "done_on": raw, "status": state, "days_late": late}
    return out


def _officer_deadlines(store: ViewStore, codes: Sequence[str], year: int, today: date) -> dict[str, dict[str, dict[str, int]]]:
    """Per agency and per-officer step (profile, 180°, Formulir 2.5): how many officers are done, done late, due, overdue."""
    where, params = _in(codes, "o.agency")
    dues = {d.step: d.due for d in due_dates(year)}
    rows = store.fetchall(
        "SELECT o.agency, o.registered_on, "
        "(SELECT MIN(a.closed_on) FROM nat_assessments a WHERE a.officer_id = o.officer_id AND a.year = ?) AS gap_on, "
        "(SELECT MIN(r.signed_on) FROM nat_reviews r WHERE r.officer_id = o.officer_id AND r.year = ?) AS review_on "
        f"FROM nat_officers o WHERE o.withdrawn = 0 AND {where}", [year - 1, year - 2, *params])
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in rows:
        counts = out.setdefault(r["agency"], {s.value: dict.fromkeys(DEADLINE_STATES, 0) for s in OFFICER_STEPS})
        for step, raw in ((Step.PROFILE, r["registered_on"]), (Step.COMPETENCY_GAP, r["gap_on"]), (Step.PERFORMANCE_GAP, r["review_on"])):
            state, _ = status(dues[step], date.fromisoformat(raw) if raw else None, today)
            counts[step.value][state] += 1
    return out


def _submitted_rows(store: ViewStore, codes: Sequence[str], year: int, columns: str, group: str) -> list[dict[str, Any]]:
    where, params = _in(codes, "v.agency")
    return store.fetchall(
        f"SELECT {columns} FROM nat_plan_versions v JOIN nat_plans p ON p.plan_id = v.plan_id AND p.submitted_revision = v.revision "
        f"WHERE v.year = ? AND {where}{(' GROUP BY ' + group) if group else ''}", [year, *params])


def _jp(store: ViewStore, codes: Sequence[str], year: int) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per agency: PNS reaching 20 JP, PPPK over 24 (BAB I.E angka 7), JP planned and credited; and per officer."""
    where, params = _in(codes, "o.agency")
    credited = store.fetchall(
        "SELECT o.agency, o.officer_id, o.employee_type, COALESCE(SUM(p.credited_jp), 0) AS jp, COUNT(p.credited_jp) AS courses "
        "FROM nat_officers o LEFT JOIN nat_participants p ON p.officer_id = o.officer_id AND p.year = ? AND p.active = 1 "
        f"WHERE o.withdrawn = 0 AND {where} GROUP BY o.agency, o.officer_id, o.employee_type", [year, *params])
    planned = {r["officer_id"]: int(r["jp"]) for r in _submitted_rows(store, codes, year, "v.officer_id, SUM(v.planned_jp) AS jp",
                                                                      "v.officer_id")}
    per_agency: dict[str, dict[str, Any]] = {}
    per_officer: dict[str, dict[str, Any]] = {}
    for r in credited:
        a = per_agency.setdefault(r["agency"], {"pns": 0, "pns_at_least_20": 0, "pppk": 0, "pppk_over_24": 0,
                                                "planned_jp": 0, "credited_jp": 0})
        jp = int(r["jp"])
        standing = jp_year_standing(r["employee_type"], jp)
        if r["employee_type"] == "PNS":
            a["pns"] += 1
            a["pns_at_least_20"] += 0 if standing.below_pns_minimum else 1
        else:
            a["pppk"] += 1
            a["pppk_over_24"] += 1 if standing.over_pppk_cap else 0
        a["credited_jp"] += jp
        a["planned_jp"] += planned.get(r["officer_id"], 0)
        per_officer[r["officer_id"]] = {"planned_jp": planned.get(r["officer_id"], 0), "credited_jp": jp,
                                        "courses_completed": int(r["courses"]),
                                        "below_pns_minimum": standing.below_pns_minimum, "over_pppk_cap": standing.over_pppk_cap}
    for a in per_agency.values():
        a["pns_share_at_least_20"] = share(a["pns_at_least_20"], a["pns"])
    return per_agency, per_officer


def _jp_by(store: ViewStore, codes: Sequence[str], year: int, key: str) -> list[dict[str, Any]]:
    """JP planned (submitted plans) and credited (activities of the year), by pathway or competency."""
    planned = {r["k"]: int(r["jp"]) for r in _submitted_rows(store, codes, year, f"v.{key} AS k, SUM(v.planned_jp) AS jp", f"v.{key}")}
    where, params = _in(codes, "p.agency")
    credited = {r["k"]: int(r["jp"]) for r in store.fetchall(
        f"SELECT a.{key} AS k, COALESCE(SUM(p.credited_jp), 0) AS jp FROM nat_participants p "
        f"JOIN nat_activities a ON a.activity_id = p.activity_id WHERE p.year = ? AND p.active = 1 AND p.credited_jp IS NOT NULL "
        f"AND {where} GROUP BY a.{key}", [year, *params])}
    out = []
    for k in sorted(set(planned) | set(credited), key=lambda v: (v is None, v or "")):
        label = _label(key, k)
        out.append({key: k, "label": label, "planned_jp": planned.get(k, 0), "credited_jp": credited.get(k, 0)})
    return out


def _label(key: str, value: str | None) -> str:
    if value is None:
        return "(tidak dicatat)"
    try:
        return PATHWAY_LABELS[Pathway(value)] if key == "pathway" else competency(value).name
    except (ValueError, KeyError, Exception):
        return value


def _budget(store: ViewStore, codes: Sequence[str], year: int) -> tuple[dict[str, dict[str, Decimal]], dict[str, dict[str, Decimal]]]:
    """Per agency and per funding source: registered (BAB IV, with the plan), planned (submitted rows) and
    realised (the budgets of the year's completed activities)."""
    per_agency: dict[str, dict[str, Decimal]] = {}
    per_source: dict[str, dict[str, Decimal]] = {s.value: {"registered": Decimal(0), "planned": Decimal(0), "realised": Decimal(0)}
                                                 for s in FundingSource}

    def add(agency: str, source: str | None, what: str, amount: str | None) -> None:
        if amount is None:
            return
        value = Decimal(amount)
        a = per_agency.setdefault(agency, {"registered": Decimal(0), "planned": Decimal(0), "realised": Decimal(0)})
        a[what] += value
        per_source.setdefault(source or "lainnya", {"registered": Decimal(0), "planned": Decimal(0), "realised": Decimal(0)})[what] += value

    where, params = _in(codes)
    for r in store.fetchall(f"SELECT agency, funding_source, amount FROM nat_budgets WHERE year = ? AND {where}", [year, *params]):
        add(r["agency"], r["funding_source"], "registered", r["amount"])
    for r in _submitted_rows(store, codes, year, "v.agency, v.funding_source, v.budget", ""):
        add(r["agency"], r["funding_source"], "planned", r["budget"])
    for r in store.fetchall(f"SELECT agency, funding_source, budget FROM nat_activities WHERE year = ? AND completed_on IS NOT NULL "
                            f"AND {where}", [year, *params]):
        add(r["agency"], r["funding_source"], "realised", r["budget"])
    return per_agency, per_source


def _gaps(store: ViewStore, codes: Sequence[str], year: int) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    where, params = _in(codes)
    per_agency: dict[str, dict[str, int]] = {}
    for r in store.fetchall(f"SELECT agency, COUNT(*) AS n, SUM(CASE WHEN closed_on IS NULL THEN 0 ELSE 1 END) AS closed "
                            f"FROM nat_assessments WHERE year = ? AND {where} GROUP BY agency", [year, *params]):
        per_agency[r["agency"]] = {"opened": int(r["n"]), "closed": int(r["closed"] or 0), "with_gap": 0}
    for r in store.fetchall(f"SELECT agency, COUNT(DISTINCT officer_id) AS n FROM nat_gaps WHERE year = ? AND has_gap = 1 AND {where} "
                            "GROUP BY agency", [year, *params]):
        per_agency.setdefault(r["agency"], {"opened": 0, "closed": 0, "with_gap": 0})["with_gap"] = int(r["n"])
    return per_agency, gap_table(store, codes, year)


def gap_table(store: ViewStore, codes: Sequence[str], year: int) -> list[dict[str, Any]]:
    """The 180° analysis: per competency and level, officers assessed, with a gap, and the mean scores. The rows
    (one per officer and competency) are streamed and summed per group, so memory holds the groups only."""
    where, params = _in(codes)
    groups: dict[tuple[str, str], list[Any]] = {}  # -> [assessed, with_gap, sum combined, sum target, sum gap]
    with store.snapshot() as snap:
        for comp, level, combined, target, gap, has_gap in snap.stream(  # type: ignore[attr-defined]
                f"SELECT competency, level, combined, target, gap, has_gap FROM nat_gaps WHERE year = ? AND {where}", [year, *params]):
            g = groups.get((comp, level))
            if g is None:
                g = groups[(comp, level)] = [0, 0, Decimal(0), Decimal(0), Decimal(0)]
            g[0] += 1
            g[1] += 1 if has_gap else 0
            g[2] += Decimal(combined)
            g[3] += Decimal(target)
            g[4] += Decimal(gap)
    order = {lv.value: n for n, lv in enumerate(Level)}
    out = []
    for (comp, level), (n, with_gap, combined, target, gap) in sorted(
            groups.items(), key=lambda kv: (_comp_order(kv[0][0]), order.get(kv[0][1], 99))):
        out.append({"competency": comp, "competency_name": _label("competency", comp), "level": level,
                    "level_label": _level_label(level), "assessed": n, "with_gap": with_gap, "share_with_gap": share(with_gap, n),
                    "mean_combined": _avg(combined, n), "mean_target": _avg(target, n), "mean_gap": _avg(gap, n)})
    return out


def _avg(total: Decimal, n: int) -> float | None:
    return None if n == 0 else float((total / n).quantize(_CENT, rounding=ROUND_HALF_UP))


def _comp_order(code: str) -> tuple[int, str]:
    from core.catalogue import COMPETENCIES

    for n, c in enumerate(COMPETENCIES):
        if c.code == code:
            return n, code
    return len(COMPETENCIES), code


def _level_label(level: str) -> str:
    try:
        return LEVEL_LABELS[Level(level)]
    except ValueError:
        return level


def _mean(values: Iterable[str | None]) -> float | None:
    vs = [Decimal(v) for v in values if v is not None]
    if not vs:
        return None
    mean: Decimal = sum(vs, Decimal(0)) / len(vs)
    return float(mean.quantize(_CENT, rounding=ROUND_HALF_UP))


def _evaluation(store: ViewStore, codes: Sequence[str], year: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    where, params = _in(codes)
    per_agency: dict[str, dict[str, Any]] = {}

    def entry(agency: str) -> dict[str, Any]:
        return per_agency.setdefault(agency, {"activities_evaluated": 0, "mean_weight": None, "rows_5_2": 0, "sesuai_5_2": 0,
                                              "results_signed": 0, "mean_final_score": None, "impacts": 0, "impacts_agreed": 0,
                                              "recap_status": None, "_weights": [], "_scores": []})

    bands: dict[str, int] = {}
    weights_all: list[str] = []
    for r in store.fetchall(f"SELECT agency, overall_weight, band FROM nat_ev_admin WHERE year = ? AND overall_weight IS NOT NULL "
                            f"AND {where}", [year, *params]):
        e = entry(r["agency"])
        e["activities_evaluated"] += 1
        e["_weights"].append(r["overall_weight"])
        weights_all.append(r["overall_weight"])
        bands[r["band"]] = bands.get(r["band"], 0) + 1
    cells: dict[str, list[int]] = {c: [0, 0] for c in CELLS}
    cwhere, cparams = _in(codes, "a.agency")
    for r in store.fetchall("SELECT a.agency, c.id, c.officer_id, c.cell, c.sesuai FROM nat_ev_cells c JOIN nat_ev_admin a ON a.id = c.id "
                            f"WHERE a.year = ? AND {cwhere} ORDER BY a.agency, c.id, c.officer_id, c.cell", [year, *cparams]):
        e = entry(r["agency"])
        e["rows_5_2"] += 1
        e["sesuai_5_2"] += int(r["sesuai"])
        c = cells.setdefault(r["cell"], [0, 0])
        c[0] += 1
        c[1] += int(r["sesuai"])
    scores_all: list[str] = []
    for r in store.fetchall(f"SELECT agency, final_score FROM nat_ev_results WHERE year = ? AND final_score IS NOT NULL AND {where}",
                            [year, *params]):
        e = entry(r["agency"])
        e["results_signed"] += 1
        e["_scores"].append(r["final_score"])
        scores_all.append(r["final_score"])
    impacts = [0, 0]
    for r in store.fetchall(f"SELECT agency, officer_signed, supervisor_signed FROM nat_ev_impacts WHERE year = ? AND {where}",
                            [year, *params]):
        e = entry(r["agency"])
        e["impacts"] += 1
        agreed = int(r["officer_signed"]) and int(r["supervisor_signed"])
        e["impacts_agreed"] += 1 if agreed else 0
        impacts[0] += 1
        impacts[1] += 1 if agreed else 0
    recaps: dict[str, int] = {}
    for r in store.fetchall(f"SELECT agency, status FROM nat_ev_recaps WHERE year = ? AND {where}", [year, *params]):
        entry(r["agency"])["recap_status"] = r["status"]
        recaps[r["status"]] = recaps.get(r["status"], 0) + 1
    for e in per_agency.values():
        e["mean_weight"] = _mean(e.pop("_weights"))
        e["mean_final_score"] = _mean(e.pop("_scores"))
        e["share_sesuai_5_2"] = share(e["sesuai_5_2"], e["rows_5_2"])
    national = {
        "activities_evaluated": len(weights_all), "mean_weight": _mean(weights_all),
        "bands": [{"band": b, "activities": n} for b, n in sorted(bands.items())],
        "form_5_2": [{"cell": c, "rows": v[0], "sesuai": v[1], "share_sesuai": share(v[1], v[0])} for c, v in cells.items()],
        "results_signed": len(scores_all), "mean_final_score": _mean(scores_all),
        "impacts": impacts[0], "impacts_agreed": impacts[1],
        "recaps": [{"status": s, "agencies": n} for s, n in sorted(recaps.items())],
    }
    return per_agency, national


# -- the recap -------------------------------------------------------------------------------------------


def national_recap(store: ViewStore, scope: Scope, reference: date) -> dict[str, Any]:
    """The recap of the agencies in ``scope`` for ``scope.year`` at ``reference`` (see the module docstring)."""
    year = scope.year
    covered = agencies(store, scope)
    codes = [a["code"] for a in covered]
    officers = _officers(store, codes)
    plans = _plans(store, codes, year)
    officer_dl = _officer_deadlines(store, codes, year, reference)
    jp, _ = _jp(store, codes, year)
    budget, by_source = _budget(store, codes, year)
    gaps, gap_rows = _gaps(store, codes, year)
    evaluation, ev_national = _evaluation(store, codes, year)
    rows = []
    stage_values: dict[str, list[int]] = {s: [] for s in STAGES}
    plan_dl_counts = {s.value: dict.fromkeys(DEADLINE_STATES, 0) for s in PLAN_STEPS}
    officer_dl_counts = {s.value: dict.fromkeys(DEADLINE_STATES, 0) for s in OFFICER_STEPS}
    for a in covered:
        code = a["code"]
        plan = plans.get(code)
        days = _stage_days(plan)
        for s, v in days.items():
            if v is not None:
                stage_values[s].append(v)
        pdl = _plan_deadlines(plan, year, reference)
        for step, d in pdl.items():
            plan_dl_counts[step][d["status"]] += 1
        odl = officer_dl.get(code, {s.value: dict.fromkeys(DEADLINE_STATES, 0) for s in OFFICER_STEPS})
        for step, counts in odl.items():
            for state, n in counts.items():
                officer_dl_counts[step][state] += n
        o = officers.get(code, {"total": 0, "pns": 0, "pppk": 0, "by_level": {}})
        b = budget.get(code, {"registered": Decimal(0), "planned": Decimal(0), "realised": Decimal(0)})
        rows.append({
            **a,
            "officers": {"total": o["total"], "pns": o["pns"], "pppk": o["pppk"], "by_level": o["by_level"]},
            "plan": None if plan is None else {k: plan.get(k) for k in (
                "plan_id", "status", "revision", "submitted_revision", "inventory_on", "opened_on", "signed_on", "validated_on",
                "submitted_on", "submitted_pembina_on", "submitted_lan_on")},
            "stage_days": days,
            "deadlines": {**pdl, **odl},
            "jp": jp.get(code, {"pns": 0, "pns_at_least_20": 0, "pppk": 0, "pppk_over_24": 0, "planned_jp": 0, "credited_jp": 0,
                                "pns_share_at_least_20": None}),
            "budget": {k: money(v) for k, v in b.items()},
            "gap_analysis": gaps.get(code, {"opened": 0, "closed": 0, "with_gap": 0}),
            "evaluation": evaluation.get(code, {"activities_evaluated": 0, "mean_weight": None, "rows_5_2": 0, "sesuai_5_2": 0,
                                                "share_sesuai_5_2": None, "results_signed": 0, "mean_final_score": None,
                                                "impacts": 0, "impacts_agreed": 0, "recap_status": None}),
        })
    by_level: dict[str, dict[str, int]] = {}
    for r in rows:
        for level, n in r["officers"]["by_level"].items():
            lv = by_level.setdefault(level, {"pns": 0, "pppk": 0})
            lv["pns"] += n["pns"]
            lv["pppk"] += n["pppk"]
    level_order = {lv.value: n for n, lv in enumerate(Level)}
    pns = sum(r["jp"]["pns"] for r in rows)
    pns20 = sum(r["jp"]["pns_at_least_20"] for r in rows)
    national = {
        "agencies": len(rows),
        "officers": {"total": sum(r["officers"]["total"] for r in rows), "pns": sum(r["officers"]["pns"] for r in rows),
                     "pppk": sum(r["officers"]["pppk"] for r in rows),
                     "by_level": [{"level": lv, "level_label": _level_label(lv), **by_level[lv]}
                                  for lv in sorted(by_level, key=lambda v: level_order.get(v, 99))]},
        "plans": {st: sum(1 for r in rows if (r["plan"] or {}).get("status") == st)
                  for st in ("inventory", "draft", "signed", "validated")}
        | {"submitted": sum(1 for r in rows if (r["plan"] or {}).get("submitted_revision") is not None),
           "none": sum(1 for r in rows if r["plan"] is None)},
        "stage_days": {s: distribution(v) for s, v in stage_values.items()},
        "deadlines": {**plan_dl_counts, **officer_dl_counts},
        "jp": {"pns": pns, "pns_at_least_20": pns20, "pns_share_at_least_20": share(pns20, pns),
               "pppk": sum(r["jp"]["pppk"] for r in rows), "pppk_over_24": sum(r["jp"]["pppk_over_24"] for r in rows),
               "planned_jp": sum(r["jp"]["planned_jp"] for r in rows), "credited_jp": sum(r["jp"]["credited_jp"] for r in rows),
               "by_pathway": _jp_by(store, codes, year, "pathway"), "by_competency": _jp_by(store, codes, year, "competency")},
        "budget": [{"funding_source": s, **{k: money(v) for k, v in b.items()}} for s, b in by_source.items()],
        "gap_analysis": gap_rows,
        "evaluation": ev_national,
    }
    return {"year": year, "scope": scope.as_dict(), "reference_date": reference.isoformat(), "agencies": rows, "national": national}


def agency_officers(store: ViewStore, code: str, year: int, *, limit: int = 1000, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The drill-down agency → officer: every active officer of the agency with its year's figures."""
    rows = store.fetchall("SELECT officer_id, nip, name, employee_type, level, position, unit FROM nat_officers "
                          "WHERE agency = ? AND withdrawn = 0 ORDER BY name, nip LIMIT ? OFFSET ?", (code, limit, offset))
    total = store.fetchone("SELECT COUNT(*) AS n FROM nat_officers WHERE agency = ? AND withdrawn = 0", (code,))
    _, jp = _jp(store, [code], year)
    ids = [r["officer_id"] for r in rows]
    gaps: dict[str, list[str]] = {}
    results: dict[str, list[str]] = {}
    if ids:
        where, params = _in(ids, "officer_id")
        for g in store.fetchall(f"SELECT officer_id, competency FROM nat_gaps WHERE year = ? AND has_gap = 1 AND {where} "
                                "ORDER BY officer_id, competency", [year, *params]):
            gaps.setdefault(g["officer_id"], []).append(g["competency"])
        for s in store.fetchall(f"SELECT officer_id, final_score FROM nat_ev_results WHERE year = ? AND final_score IS NOT NULL "
                                f"AND {where}", [year, *params]):
            results.setdefault(s["officer_id"], []).append(s["final_score"])
    out = []
    for r in rows:
        j = jp.get(r["officer_id"], {"planned_jp": 0, "credited_jp": 0, "courses_completed": 0, "below_pns_minimum": False,
                                      "over_pppk_cap": False})
        out.append({**r, "level_label": _level_label(r["level"]), **j, "competency_gaps": gaps.get(r["officer_id"], []),
                    "results_signed": len(results.get(r["officer_id"], [])),
                    "mean_final_score": _mean(results.get(r["officer_id"], []))})
    return out, int(total["n"]) if total else 0


def gap_officers(store: ViewStore, scope: Scope, *, level: str | None = None, competency_code: str | None = None,
                 limit: int = 1000, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The Pembina's list of 180° results: one row per officer and competency assessed (paged)."""
    covered = [a["code"] for a in agencies(store, scope)]
    where, params = _in(covered, "g.agency")
    extra = ""
    for col, val in (("g.level", level), ("g.competency", competency_code)):
        if val is not None:
            extra += f" AND {col} = ?"
            params.append(val)
    base = f"FROM nat_gaps g JOIN nat_officers o ON o.officer_id = g.officer_id WHERE g.year = ? AND {where}{extra}"
    rows = store.fetchall(f"SELECT g.agency, o.nip, o.name, g.officer_id, g.level, g.competency, g.combined, g.target, g.gap, g.has_gap "
                          f"{base} ORDER BY g.agency, o.name, o.nip, g.competency LIMIT ? OFFSET ?", [scope.year, *params, limit, offset])
    total = store.fetchone(f"SELECT COUNT(*) AS n {base}", [scope.year, *params])
    for r in rows:
        r["has_gap"] = bool(r["has_gap"])
        r["competency_name"] = _label("competency", r["competency"])
        r["level_label"] = _level_label(r["level"])
    return rows, int(total["n"]) if total else 0
