"""The plans read model (Formulir 2.6): rebuilt from the log it is the same — findings are stored as
recorded, never recomputed — and planned JP per officer come from the latest validated revision."""
from __future__ import annotations

from datetime import date

from core.events import Actor, Context
from projections.plans import formulir_2_6, planned_jp_by_officer
from tests.support.planning import PLAN_YEAR, SUP

AGENCY = "kemnaker"


def ctx(*roles, agency=AGENCY, nip=None):
    return Context(actor=Actor(subject=f"{roles[0]}-1", name=roles[0], roles=frozenset(roles), agency=agency, nip=nip),
                   request_id="t")


def test_formulir_2_6_rebuilds_identically_and_feeds_planned_jp(services):
    app, views = services.app, services.views
    officer = app.officers.register(ctx("hr"), nip="199001012015011001", name="Siti", birth_place="Bandung",
                                    birth_date=date(1990, 1, 1), sex="L", employee_type="PNS", position="PK Ahli Pertama",
                                    level="ahli_pertama", golongan="III/a", agency=AGENCY, unit="Dit. Penempatan",
                                    supervisor_nip=SUP)
    app.record(officer)
    app.record(app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source="apbn", amount="10000000"))
    plan, row_id = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row={
        "officer_id": officer.id, "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Integritas",
        "programme_jp": 16, "budget": "2000000", "funding_source": "apbn", "provider": "Pusdiklat",
        "start": date(PLAN_YEAR, 2, 1), "end": date(PLAN_YEAR, 2, 3)})
    app.record(plan)
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    assert sorted(f.rule for f in plan.open_findings) == ["c", "d"]
    for f in list(plan.open_findings):
        app.record(app.plans.accept_finding(ctx("pyb"), AGENCY, PLAN_YEAR, f.finding_id, reason="Diterima oleh PyB setelah rapat tim"))
    app.record(app.plans.sign(ctx("head"), AGENCY, PLAN_YEAR, name="Kepala", place="Jakarta"))
    app.record(app.plans.validate(ctx("ppk"), AGENCY, PLAN_YEAR))
    services.projector.catch_up()

    pid = str(plan.id)
    before = (formulir_2_6(views, pid), formulir_2_6(views, pid, 1))
    assert before[1]["rows"][0]["jumlah_jp"] == 16 and all(f["status"] == "accepted" for f in before[1]["findings"] if f["blocking"])
    services.projector.reset(["plans"])
    services.projector.catch_up(only=["plans"])
    assert (formulir_2_6(views, pid), formulir_2_6(views, pid, 1)) == before

    assert planned_jp_by_officer(views, agency=None, year=PLAN_YEAR) == {str(officer.id): 16}
    assert planned_jp_by_officer(views, agency="disnaker-jabar", year=PLAN_YEAR) == {}
    assert planned_jp_by_officer(views, agency=AGENCY, year=PLAN_YEAR + 1) == {}
