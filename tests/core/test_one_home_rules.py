"""Issue 8 "one home for every rule": the same input is judged by the same rule wherever it is entered
(plan budgets and rows, BAB II.B; activities, BAB III), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.errors import Invalid
from core.events import Actor, Context
from plugins.manager import PathwayPlugins
from tests.support.planning import PLAN_YEAR, SUP

AGENCY = "kemnaker"
#: Rp 50 trillion: beyond the one rupiah limit (Rp 10 trillion), which planning used to accept (< 10^15)
#: while an activity refused it (≤ 10^13).
HUGE = "50000000000000"


def ctx(*roles: str, agency: str = AGENCY, nip: str | None = None) -> Context:
    return Context(actor=Actor(subject=f"{roles[0]}-1", name=roles[0], roles=frozenset(roles), agency=agency, nip=nip),
                   request_id="t")


def officer(app: Any, nip: str = "199001012015011001", employee_type: str = "PNS", agency: str = AGENCY) -> Any:
    o = app.officers.register(ctx("hr", agency=agency), nip=nip, name="Siti", birth_place="Bandung",
                              birth_date=date(int(nip[:4]), int(nip[4:6]), int(nip[6:8])), sex="L" if nip[14] == "1" else "P",
                              employee_type=employee_type, position="PK Ahli Pertama", level="ahli_pertama", golongan="III/a",
                              agency=agency, unit="Dit. Penempatan", supervisor_nip=SUP)
    app.record(o)
    return o


def activity(app: Any, **over: Any) -> Any:
    body: dict[str, Any] = dict(agency=AGENCY, pathway="seminar", title="Seminar Pasar Kerja", method="klasikal",
                                provider_kind="own_unit", provider_name="Pusdiklat", accreditation_ref="AKR-1", place="Jakarta",
                                start=date(PLAN_YEAR, 3, 2), end=date(PLAN_YEAR, 3, 3), planned_jp=8)
    body.update(over)
    return app.activities.create(ctx("hr"), PathwayPlugins.load("none"), **body)


def refusal(call: Any) -> Invalid:
    with pytest.raises(Invalid) as e:
        call()
    return e.value


def test_bab_iv_one_rupiah_limit_for_plan_budgets_plan_rows_and_activities(services):
    app = services.app
    o = officer(app)
    budget = refusal(lambda: app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source="apbn", amount=HUGE))
    row = refusal(lambda: app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row={
        "officer_id": o.id, "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Integritas",
        "programme_jp": 24, "budget": HUGE, "funding_source": "apbn", "provider": "Pusdiklat"}))
    act = refusal(lambda: activity(app, budget=HUGE, funding_source="apbn"))
    # One limit, one message shape, naming the field.
    for e, field in ((budget, "amount"), (row, "budget"), (act, "budget")):
        assert e.field == field and "at most Rp 10.000.000.000.000" in str(e), str(e)
    # Just within the limit is accepted everywhere.
    app.record(app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source="apbn", amount="10000000000000"))
    app.record(activity(app, budget="10000000000000", funding_source="apbn"))


def test_bab_iv_one_funding_source_list_for_plans_and_activities(services):
    """APBN, APBD or another lawful source: the catalogue's list, read the same way by both halves."""
    app = services.app
    o = officer(app)
    plan = app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source="APBN", amount="1000000")
    assert plan.budgets == {"apbn": 1000000}
    plan, row_id = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row={
        "officer_id": o.id, "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Integritas",
        "programme_jp": 24, "budget": "1000", "funding_source": "Apbd", "provider": "Pusdiklat"})
    assert plan.rows[row_id].funding_source == "apbd"
    assert activity(app, budget="1000", funding_source="LAINNYA").funding_source == "lainnya"
    messages = {str(refusal(call)) for call in (
        lambda: app.plans.register_budget(ctx("hr"), AGENCY, PLAN_YEAR, funding_source="hibah", amount="1"),
        lambda: activity(app, budget="1000", funding_source="hibah"))}
    assert messages == {"Funding source 'hibah' is not one of: apbn (APBN), apbd (APBD), lainnya (Lainnya) (BAB IV)."}


def test_one_input_module_one_set_of_limits_for_every_form():
    """Text, reasons, codes and amounts are checked by core.inputs alone, with its one set of limits."""
    import core.activities.monitoring
    import core.activities.preparation
    import core.cycle
    import core.officers
    import core.planning.rows
    from core import inputs

    for module in (core.cycle, core.activities.preparation, core.activities.monitoring, core.planning.rows):
        for name in ("text", "long_text", "money", "choice", "whole", "check_version"):
            if hasattr(module, name):
                assert getattr(module, name) is getattr(inputs, name), f"{module.__name__}.{name}"
    assert core.officers._text is inputs.text and core.officers._enum is inputs.choice
    assert inputs.text("  Pusat   Pelatihan  ", "provider") == "Pusat Pelatihan"
    assert inputs.long_text(" Sakit.\n\nSurat dokter terlampir. ", "reason") == "Sakit.\n\nSurat dokter terlampir."
    for check, limit, field in ((inputs.text, inputs.LINE_MAX, "title"), (inputs.long_text, inputs.REASON_MAX, "reason")):
        assert check("x" * limit, field) == "x" * limit
        with pytest.raises(Invalid, match=f"is {limit + 1} characters long; at most {limit} are allowed"):
            check("x" * (limit + 1), field)


def test_formulir_2_6_item_11_an_agency_jp_table_override_changes_planned_jp_as_it_changes_credited_jp(services):
    """One JP conversion (Peraturan LAN 10/2018 Lampiran II, as the agency configured it): Formulir 2.6 item 11
    is converted by the agency's own table, recording its version — no longer by the national defaults."""
    from core.catalogue import JP_TABLE_VERSION

    app = services.app
    o = officer(app)
    app.record(app.jp_tables.configure(ctx("hr"), agency=AGENCY, version_id="2026-01", reason="Surat LAN 2026",
                                       overrides={"seminar": {"domestic": "5"}, "coaching": {"international": "3"}}))
    row = {"officer_id": o.id, "competency": "integritas", "programme": "Seminar Pasar Kerja", "budget": "0",
           "funding_source": "apbn", "provider": "Pusdiklat"}
    plan, seminar = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row | {"pathway": "seminar", "days": 3})
    app.record(plan)
    plan, coaching = app.plans.add_row(ctx("hr"), AGENCY, PLAN_YEAR, row=row | {
        "pathway": "coaching", "sessions": 2, "international": True})  # unconfirmed nationally, set by the agency
    app.record(plan)
    version = f"{JP_TABLE_VERSION}+{AGENCY}/2026-01"
    assert (plan.rows[seminar].planned_jp, plan.rows[seminar].jp_rule, plan.rows[seminar].jp_table_version) == (
        15, "seminar/per_day/domestic", version)
    assert (plan.rows[coaching].planned_jp, plan.rows[coaching].jp_rule) == (6, "coaching/per_session/international")
    checks = [e for e in app.stored_events(plan.id) if type(e).__name__ == "ChecksUpdated"][-1]
    assert checks.jp_table_version == version
    # Crediting reads the very same table.
    assert app.jp_tables.table_for(AGENCY).value("seminar", False) == 5
    # An agency that set nothing plans by the national defaults.
    jabar = officer(app, nip="199112122019031004", agency="disnaker-jabar")
    plan, row_id = app.plans.add_row(ctx("hr", agency="disnaker-jabar"), "disnaker-jabar", PLAN_YEAR,
                                     row=row | {"officer_id": jabar.id, "pathway": "seminar", "days": 3})
    assert (plan.rows[row_id].planned_jp, plan.rows[row_id].jp_table_version) == (12, JP_TABLE_VERSION)
