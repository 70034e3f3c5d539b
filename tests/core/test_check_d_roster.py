"""Check (d) of verification (BAB II.B.4 huruf d; BAB I.E angka 7) over every active PNS/PPPK of the
agency, read through the roster port and recorded with the plan — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import Conflict
from core.events import Actor, Context
from core.planning import DevelopmentPlan
from tests.support.planning import PLAN_YEAR, SUP

AGENCY = "kemnaker"
SITI, BUDI, RINA = "199001012015011001", "198505052010032002", "199203152022212001"


def ctx(*roles: str, agency: str = AGENCY) -> Context:
    return Context(actor=Actor(subject=f"{roles[0]}-1", name=roles[0], roles=frozenset(roles), agency=agency), request_id="t")


def register(app: Any, nip: str, name: str, employee_type: str = "PNS", agency: str = AGENCY) -> Any:
    birth = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
    o = app.officers.register(ctx("hr", agency=agency), nip=nip, name=name, birth_place="Bandung", birth_date=birth,
                              sex="L" if nip[14] == "1" else "P", employee_type=employee_type, position="PK Ahli Pertama",
                              level="ahli_pertama", golongan="III/a", agency=agency, unit="Dit. Penempatan", supervisor_nip=SUP)
    app.record(o)
    return o


def add_row(app: Any, officer: Any, jp: int = 24) -> None:
    plan, _ = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row={
        "officer_id": officer.id, "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Integritas",
        "programme_jp": jp, "budget": "0", "funding_source": "apbn", "provider": "Pusdiklat",
        "start": date(PLAN_YEAR, 2, 1), "end": date(PLAN_YEAR, 2, 3), "curriculum_code": "K1"})
    app.record(plan)


def d_findings(plan: DevelopmentPlan) -> list[Any]:
    return [f for f in plan.findings.values() if f.rule == "d"]


def test_check_d_bab_ii_b_4_d_finds_the_pns_without_any_plan_row_and_records_the_roster_it_used(services):
    app = services.app
    siti, budi = register(app, SITI, "Siti"), register(app, BUDI, "Budi")
    register(app, RINA, "Rina", "PPPK")  # a PPPK with no row is within the cap
    register(app, "199112122019031004", "Andi", agency="disnaker-jabar")  # another agency's PNS is not this plan's
    add_row(app, siti)

    plan = app.plans.get(AGENCY, PLAN_YEAR)
    [finding] = d_findings(plan)
    assert (finding.officer_id, finding.row_id, finding.blocking) == (budi.id, None, True)
    assert "Budi (NIP 198505052010032002) (PNS) has no row in the plan: 0 JP planned" in finding.message
    assert "BAB II.B.4 huruf d" in finding.citation

    # The decision is auditable: the plan's log holds the roster (who, as what, read at which log position)
    # and the checks name it; a replay reads the recorded findings, it never asks the roster again.
    events = app.stored_events(plan.id)
    [roster] = [e for e in events if isinstance(e, DevelopmentPlan.RosterRead)]
    [checks] = [e for e in events if isinstance(e, DevelopmentPlan.ChecksUpdated)]  # the plan's first checks: all found
    assert {(o.nip, o.employee_type) for o in roster.officers} == {(SITI, "PNS"), (BUDI, "PNS"), (RINA, "PPPK")}
    assert roster.source == "officers read model" and roster.position >= 4
    assert (checks.roster_digest, checks.roster_position) == (roster.digest, roster.position)
    assert {f.finding_id for f in checks.added} == set(plan.findings) and checks.removed == ()


def test_check_d_bab_ii_c_a_pns_registered_after_the_checks_stops_validation_until_they_are_rerun(services):
    app = services.app
    siti = register(app, SITI, "Siti")
    add_row(app, siti)
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    for f in list(plan.open_findings):
        app.record(app.plans.accept_finding(ctx("pyb"), AGENCY, PLAN_YEAR, f.finding_id, reason="Diterima setelah rapat tim"))
    app.record(app.plans.sign(ctx("head"), AGENCY, PLAN_YEAR, name="Kepala", place="Jakarta"))
    budi = register(app, BUDI, "Budi")  # a new PNS of the agency: the plan must plan for them too
    with pytest.raises(Conflict, match="officers changed since"):
        app.plans.validate(ctx("ppk"), AGENCY, PLAN_YEAR)
    app.record(app.plans.rerun_checks(ctx("pyb"), AGENCY, PLAN_YEAR))
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    assert [f.officer_id for f in d_findings(plan)] == [budi.id]
    assert budi.id in {f.officer_id for f in plan.open_findings}
    rosters = [e for e in app.stored_events(plan.id) if isinstance(e, DevelopmentPlan.RosterRead)]
    assert [len(r.officers) for r in rosters] == [1, 2]  # recorded again only because it changed


def test_checks_recorded_before_the_roster_are_read_as_rows_only(services):
    """ChecksRun gained roster_position and roster_digest at class_version 2; a version-1 run stays readable
    (through its upcaster) by the aggregate and the plans read model, never by editing what was stored."""
    import json

    from eventsourcing.persistence import StoredEvent

    from projections.plans import formulir_2_6

    app = services.app
    add_row(app, register(app, SITI, "Siti"))
    plan = app.plans.get(AGENCY, PLAN_YEAR)
    meta = {"subject": "pyb-lama", "subject_name": "PyB (2025)", "role": "pyb", "agency": AGENCY, "unit": None,
            "on_behalf_of": None, "request_id": "req-2025", "recorded_at": "2025-06-01T02:00:00+00:00",
            "effective_date": "2025-06-01"}
    v1 = json.dumps({"timestamp": "2025-06-01T02:00:00+00:00", "meta": meta, "trigger": "rerun by the PyB", "findings": [],
                     "ruleset_version": "r0", "jp_table_version": "t0"}).encode()
    app.recorder.insert_events([StoredEvent(originator_id=plan.id, originator_version=plan.version + 1,
                                            topic="pengkom.planning.ChecksRun", state=v1)])
    old = app.mapper.to_domain_event(app.recorder.select_events(plan.id)[-1])
    assert isinstance(old, DevelopmentPlan.ChecksRun) and (old.roster_position, old.roster_digest) == (None, None)
    assert app.plans.get(AGENCY, PLAN_YEAR).findings == {}
    services.projector.catch_up()
    assert formulir_2_6(services.views, str(plan.id)) is not None
