"""Checks a–f of verification (BAB II.B.4 huruf a–f, and the recap finding of BAB V.D) rerun incrementally
after each change of a plan: only what the change can affect is checked again, and the findings the plan
keeps must equal a full run over the plan as it stands — after every step of a long random sequence of
changes (rows added, changed, moved to another officer, removed; budgets; curriculum standards registered
and withdrawn; officers registered and withdrawn; recap recommendations), after the plan is replayed from
its events, and in the plans read model (Formulir 2.6) — on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from core.errors import DomainError
from core.events import Actor, Context
from core.planning import DevelopmentPlan, plan_id
from tests.support.planning import PLAN_YEAR, SUP

AGENCY = "kemnaker"
COMPETENCIES = ("integritas", "kerja_sama", "komunikasi", "penempatan_tk_dan_perluasan_kesempatan_kerja",
                "perencanaan_pelaksanaan_antar_kerja")
PATHWAYS = ("pelatihan", "coaching", "seminar", "e_learning", "mentoring")
LEVELS = {"ahli_pertama": "III/a", "ahli_muda": "III/c"}


def ctx(*roles: str) -> Context:
    return Context(actor=Actor(subject=f"{roles[0]}-1", name=roles[0], roles=frozenset(roles), agency=AGENCY), request_id="t")


def register(app: Any, n: int, level: str, employee_type: str) -> Any:
    birth = date(1980 + n % 15, 1 + n % 12, 1 + n % 28)
    nip = (f"{birth:%Y%m%d}{birth.year + 30:04d}21{1}{n % 999 + 1:03d}" if employee_type == "PPPK"
           else f"{birth:%Y%m%d}{birth.year + 25:04d}{1 + n % 12:02d}{1}{n % 999 + 1:03d}")
    o = app.officers.register(ctx("hr"), nip=nip, name=f"Pegawai {n}", birth_place="Bandung", birth_date=birth, sex="L",
                              employee_type=employee_type, position="Pengantar Kerja", level=level, golongan=LEVELS[level],
                              agency=AGENCY, unit="Dit. Penempatan", supervisor_nip=SUP)
    app.record(o)
    return o


def row(rng: random.Random, officer_id: Any) -> dict[str, Any]:
    comp = rng.choice(COMPETENCIES)
    start = date(PLAN_YEAR if rng.random() < 0.9 else PLAN_YEAR + 1, rng.randint(1, 12), 1)
    body: dict[str, Any] = {
        "officer_id": officer_id, "competency": comp, "pathway": rng.choice(PATHWAYS),
        "programme": rng.choice(["Pelatihan Dasar", "Pelatihan Lanjut", "Seminar Nasional"]),
        "budget": str(rng.choice([0, 1_500_000, 2_750_000.5, 40_000_000])), "funding_source": rng.choice(["apbn", "apbd", "lainnya"]),
        "days": rng.randint(1, 5), "sessions": rng.randint(1, 8), "programme_jp": rng.choice([8, 12, 24, 40]),
        "curriculum_code": rng.choice([None, "K1", "K2", "KX"]), "start": start, "end": start.replace(day=3)}
    if rng.random() < 0.85:
        body["provider"] = rng.choice(["Pusdiklat", "BBPLK Bandung"])
    return body


def assert_incremental_equals_full(app: Any) -> DevelopmentPlan:
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    assert set(plan.findings.values()) == app.plans.full_checks(plan)
    return plan


def working_memory(plan: DevelopmentPlan) -> dict[str, Any]:
    c = plan.checks
    return {"seq": c.seq, "officer_rows": c.officer_rows, "planned": c.planned, "pairs": c.pairs, "by_row": c.by_row, "by_officer": c.by_officer,
            "plan_wide": c.plan_wide, "basis": c.basis, "changed": (c.changed_rows, c.changed_officers)}


def test_checks_a_to_f_rerun_incrementally_equal_a_full_run_after_every_change_and_after_replay(services, monkeypatch):
    from core.evaluation import recap as recap_module
    from core.evaluation import rules

    app = services.app
    rng = random.Random(20261)
    officers = [register(app, n, rng.choice(list(LEVELS)), "PPPK" if n % 5 == 4 else "PNS") for n in range(8)]
    for comp in COMPETENCIES[:3]:
        for level in LEVELS:
            app.record(app.plans.register_curriculum(ctx("pembina"), competency_code=comp, level=level, code="K1",
                                                     title="Kurikulum K1", pathways=["pelatihan", "coaching"], min_jp=12))
    # The recaps' stop recommendations (BAB V.D), switched by the sequence below.
    stops: dict[tuple[str, str], Any] = {}
    monkeypatch.setattr(recap_module, "stop_recommendations", lambda app, agency, year: dict(stops))
    recap = SimpleNamespace(id="recap-1", year=PLAN_YEAR - 2, finalised_on=date(PLAN_YEAR - 1, 2, 1))

    rows: list[Any] = []
    steps = {"add": 0, "change": 0, "remove": 0, "budget": 0, "curriculum": 0, "roster": 0, "recap": 0, "rerun": 0}
    for step in range(140):
        op = rng.choices(list(steps), weights=[30, 12, 6, 4, 3, 3, 2, 2])[0]
        try:
            if op == "add" or not rows:
                plan, row_id = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row(rng, rng.choice(officers).id))
                app.record(plan)
                rows.append(row_id)
                op = "add"
            elif op == "change":
                app.record(app.plans.change_row(ctx("hr"), AGENCY, PLAN_YEAR, rng.choice(rows),
                                                row=row(rng, rng.choice(officers).id), reason="Disesuaikan"))
            elif op == "remove":
                row_id = rows.pop(rng.randrange(len(rows)))
                app.record(app.plans.remove_row(ctx("hr"), AGENCY, PLAN_YEAR, row_id, reason="Dibatalkan"))
            elif op == "budget":
                app.record(app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source=rng.choice(["apbn", "apbd"]),
                                                     amount=str(rng.choice([1_000_000, 50_000_000, 500_000_000]))))
            elif op == "curriculum":
                comp, level = rng.choice(COMPETENCIES), rng.choice(list(LEVELS))
                if "K2" in app.plans.curriculum(comp, level):
                    app.record(app.plans.withdraw_curriculum(ctx("pembina"), competency_code=comp, level=level, code="K2",
                                                             reason="Diganti"))
                else:
                    app.record(app.plans.register_curriculum(ctx("pembina"), competency_code=comp, level=level, code="K2",
                                                             title="Kurikulum K2", pathways=[], min_jp=rng.choice([None, 30])))
            elif op == "roster":
                if rng.random() < 0.5 and len(officers) > 4:
                    o = officers.pop(rng.randrange(len(officers)))
                    app.record(app.officers.withdraw_registration(ctx("hr"), o.id, reason="Salah input"))
                else:
                    officers.append(register(app, 100 + step, rng.choice(list(LEVELS)), rng.choice(["PNS", "PPPK"])))
            elif op == "recap":
                key = ("programme", rules.key_of(rng.choice(["Pelatihan Dasar", "Seminar Nasional"])))
                if key in stops:
                    del stops[key]
                else:
                    stops[key] = (recap, SimpleNamespace(reason="Reaksi peserta rendah", name=key[1]))
                steps[op] += 1
                continue  # nothing recorded: the next change of the plan must notice
            else:
                app.record(app.plans.rerun_checks(ctx("pyb"), AGENCY, PLAN_YEAR))
        except DomainError:
            continue  # refused (e.g. a withdrawn officer's row); nothing recorded
        steps[op] += 1
        if op in ("curriculum", "roster"):
            continue  # recorded elsewhere; the plan's next change rechecks
        plan = assert_incremental_equals_full(app)

    assert min(steps[op] for op in steps if op != "rerun") > 0, steps
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    assert len(plan.rows) > 30 and {f.rule for f in plan.findings.values()} >= {"a", "b", "c", "d", "e", "f", "recap"}
    # Incremental: a one-row change records only the findings it changed.
    events = app.stored_events(plan.id)
    updates = [e for e in events if isinstance(e, DevelopmentPlan.ChecksUpdated)]
    assert len(updates) >= steps["add"] and max(len(u.added) + len(u.removed) for u in updates[-20:]) < len(plan.findings)
    assert any(u.scope.startswith("1 row(s)") for u in updates) and any(u.scope == "the whole plan" for u in updates)

    # Replayed from its events (no cached copy), the plan holds the same findings and the same working memory.
    live = working_memory(plan)
    app.forget([plan.id])
    replayed = app.plans.get(AGENCY, PLAN_YEAR)
    assert replayed.findings == plan.findings and working_memory(replayed) == live
    # … and goes on incrementally from there.
    for _ in range(10):
        p, row_id = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row(rng, rng.choice(officers).id))
        app.record(p)
        assert_incremental_equals_full(app)
    app.record(app.plans.change_row(ctx("hr"), AGENCY, PLAN_YEAR, row_id, row=row(rng, officers[0].id), reason="Pindah"))
    plan = assert_incremental_equals_full(app)

    # The plans read model (Formulir 2.6) lists exactly these findings.
    from projections.plans import formulir_2_6

    services.projector.catch_up()
    doc = formulir_2_6(services.views, str(plan_id(AGENCY, PLAN_YEAR)))
    assert doc is not None
    assert {(f["finding_id"], f["rule"], f["message"]) for f in doc["findings"]} == {
        (str(f.finding_id), f.rule, f.message) for f in plan.findings.values()}
    assert [f["rule"] for f in doc["findings"]] == sorted(f["rule"] for f in doc["findings"])


def test_checks_recorded_as_full_runs_before_the_incremental_checks_are_continued_incrementally(services):
    """A plan whose checks were recorded as ChecksRun (the whole set, before checks were incremental) reads
    them as its findings; its next change does not know what they used of the curriculum standards and the
    recaps, so it checks every row against those again — and still equals a full run."""
    app = services.app
    rng = random.Random(7)
    officers = [register(app, n, "ahli_pertama", "PNS") for n in range(3)]
    app.record(app.plans.register_curriculum(ctx("pembina"), competency_code="integritas", level="ahli_pertama", code="K1",
                                             title="Kurikulum K1", min_jp=12))
    for _ in range(6):
        plan, _ = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row(rng, rng.choice(officers).id))
        app.record(plan)
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    roster = app.plans._roster(AGENCY)
    full = tuple(sorted(app.plans.full_checks(plan), key=lambda f: (f.rule, f.message)))
    plan.record(DevelopmentPlan.ChecksRun, ctx("pyb").acting_as("pyb").provenance(), trigger="rerun by the PyB (2025)",
                findings=full, ruleset_version="r-old", jp_table_version="t", roster_position=roster.position,
                roster_digest=roster.digest)
    app.record(plan)
    app.forget([plan.id])
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    assert set(plan.findings.values()) == set(full) and plan.checks.basis is not None
    assert plan.checks.basis.curriculum_digest is None
    plan, _ = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row(rng, officers[0].id))
    app.record(plan)
    assert [e for e in app.stored_events(plan.id) if isinstance(e, DevelopmentPlan.ChecksUpdated)][-1].scope == "the whole plan"
    assert_incremental_equals_full(app)


@pytest.mark.parametrize("n", [200])
def test_a_row_change_checks_one_row_and_its_officer_whatever_the_size_of_the_plan(services, n):
    """The work of a check run after a one-row change does not grow with the plan: one row, one officer and
    the budgets are checked again, and the event records only what changed."""
    app = services.app
    rng = random.Random(3)
    officers = [register(app, k, "ahli_pertama", "PNS") for k in range(20)]
    for k in range(n):
        plan, row_id = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row(rng, officers[k % 20].id))
        app.record(plan)
    last = [e for e in app.stored_events(plan.id) if isinstance(e, DevelopmentPlan.ChecksUpdated)][-1]
    assert last.scope == "1 row(s), 1 officer(s), the budgets"
    assert len(last.added) + len(last.removed) <= 8 < len(plan.findings)
    assert_incremental_equals_full(app)
