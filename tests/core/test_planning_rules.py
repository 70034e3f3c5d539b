"""Verification checks a–f (BAB II.B.4), the JP conversion of the planned form (docs/guideline.md, Perlan
10/2018 Lampiran II) and the credit-point suggestion (Formulir 2.6 item 12)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from core.catalogue import JP_TABLE_VERSION, RULESET_VERSION
from core.errors import Invalid
from core.jp_table import DEFAULT_TABLE
from core.planning import (
    CurriculumStandard,
    PlanRow,
    RosterOfficer,
    check_a_competency_level,
    check_b_pathway,
    check_c_curriculum,
    check_d_jp,
    check_e_budget,
    check_f_implementation,
    convert_jp,
    run_checks,
    suggested_credit_target,
)

PLAN = uuid4()
YEAR = 2027


def row(**over) -> PlanRow:
    r = {"row_id": uuid4(), "officer_id": uuid4(), "officer_name": "Siti", "nip": "199001012015011001",
         "position": "Pengantar Kerja Ahli Pertama", "unit": "Biro SDM", "form": "pelatihan", "programme": "Pelatihan",
         "level": "ahli_pertama", "employee_type": "PNS", "competency": "integritas", "pathway": "pelatihan",
         "planned_jp": 24, "budget": Decimal("1000"), "funding_source": "apbn", "provider": "Pusdiklat",
         "start": date(YEAR, 3, 1), "end": date(YEAR, 3, 3), "curriculum_code": "K1", "days": None, "sessions": None,
         "programme_jp": 24, "international": False, "stated_jp": None, "jp_rule": "pelatihan/programme_hours/domestic",
         "jp_basis": "the programme's 24 JP", "jp_table_version": JP_TABLE_VERSION, "credit_target": Decimal("12.5"),
         "credit_target_source": "suggested", "proposal_id": None, "proposal_item_id": None}
    r.update(over)
    return PlanRow(**r)


def test_check_a_bab_ii_b_4_a_competency_not_listed_for_the_level_in_tabel_3_1():
    [f] = check_a_competency_level(PLAN, row(competency="pengembangan_antar_kerja", level="ahli_muda"))
    assert f.rule == "a" and f.blocking and "not listed for Ahli Muda in Tabel 3.1" in f.message
    assert "BAB II.B.4 huruf a" in f.citation and f.ruleset_version == RULESET_VERSION
    assert check_a_competency_level(PLAN, row(competency="pengembangan_antar_kerja", level="ahli_madya")) == []


def test_check_a_and_b_say_so_for_levels_outside_tabel_3_1_without_blocking():
    [a] = check_a_competency_level(PLAN, row(level="terampil"))
    [b] = check_b_pathway(PLAN, row(level="terampil"))
    assert not a.blocking and not b.blocking and "outside Tabel 3.1" in a.message


def test_check_b_bab_ii_b_4_b_pathway_not_allowed_by_tabel_3_1():
    [f] = check_b_pathway(PLAN, row(level="ahli_muda", pathway="seminar"))  # Integritas, Ahli Muda: PEL WS COACH MANDIRI KOM
    assert f.rule == "b" and "allowed: pelatihan, workshop, coaching, belajar_mandiri, komunitas_belajar" in f.message
    assert check_b_pathway(PLAN, row(level="ahli_muda", pathway="workshop")) == []
    # An empty cell is check (a)'s finding, not a second one here.
    assert check_b_pathway(PLAN, row(competency="pengembangan_antar_kerja", level="ahli_muda")) == []


def test_check_c_bab_ii_b_4_c_curriculum_standard_of_the_instansi_pembina():
    std = {"K1": CurriculumStandard(code="K1", title="K1", pathways=("pelatihan",), min_jp=20)}
    assert check_c_curriculum(PLAN, row(), std) == []
    assert "registered no curriculum standard" in check_c_curriculum(PLAN, row(), {})[0].message
    assert "names no curriculum standard" in check_c_curriculum(PLAN, row(curriculum_code=None), std)[0].message
    assert "K9 is not registered" in check_c_curriculum(PLAN, row(curriculum_code="K9"), std)[0].message
    assert "not by coaching" in check_c_curriculum(PLAN, row(pathway="coaching"), std)[0].message
    [f] = check_c_curriculum(PLAN, row(planned_jp=12), std)
    assert f.rule == "c" and "needs at least 20 JP" in f.message and "huruf c" in f.citation


def test_check_d_bab_ii_b_4_d_pns_at_least_20_jp_pppk_at_most_24():
    pns, pppk = uuid4(), uuid4()
    rows = [row(officer_id=pns, planned_jp=12), row(officer_id=pns, planned_jp=7),
            row(officer_id=pppk, employee_type="PPPK", planned_jp=20), row(officer_id=pppk, employee_type="PPPK", planned_jp=5)]
    found = check_d_jp(PLAN, rows)
    assert [(f.officer_id, f.row_id) for f in found] == [(pns, None), (pppk, None)]
    assert "19 JP planned" in found[0].message and "at least 20" in found[0].message
    assert "25 JP planned" in found[1].message and "at most 24" in found[1].message
    assert "BAB I.E angka 7" in found[0].citation
    assert check_d_jp(PLAN, [row(officer_id=pns, planned_jp=20), row(officer_id=pppk, employee_type="PPPK", planned_jp=24)]) == []


def test_check_d_bab_ii_b_4_d_covers_every_active_pns_of_the_agency_even_without_any_row():
    """The PNS the rule exists for has no row at all: the roster of the agency's active officers brings them in."""
    planned, forgotten, contract = uuid4(), uuid4(), uuid4()
    roster = (RosterOfficer(planned, "199001012015011001", "Siti", "PNS"),
              RosterOfficer(forgotten, "198505052010032002", "Budi", "PNS"),
              RosterOfficer(contract, "199203152022212001", "Rina", "PPPK"))
    found = check_d_jp(PLAN, [row(officer_id=planned, planned_jp=24)], roster)
    assert [(f.officer_id, f.row_id, f.blocking) for f in found] == [(forgotten, None, True)]
    assert found[0].message == ("Budi (NIP 198505052010032002) (PNS) has no row in the plan: 0 JP planned for the year; "
                                "a PNS has the right to at least 20 JP.")
    # Without the roster the same plan gave no finding at all: the defect of issue 8.
    assert check_d_jp(PLAN, [row(officer_id=planned, planned_jp=24)]) == []


def test_check_e_bab_ii_b_4_e_budget_per_funding_source():
    rows = [row(budget=Decimal("60000000")), row(budget=Decimal("50000000")), row(budget=Decimal("1"), funding_source="lainnya")]
    found = check_e_budget(PLAN, rows, {"apbn": Decimal("100000000")})
    assert [f.message for f in found] == [
        "APBN: the rows plan Rp 110.000.000,00, Rp 10.000.000,00 more than the Rp 100.000.000,00 registered for the year.",
        "LAINNYA: the rows plan Rp 1,00 but the agency has registered no budget from this source for the year.",
    ]
    assert check_e_budget(PLAN, rows[:2], {"apbn": Decimal("110000000")}) == []


@pytest.mark.parametrize("over, fragment", [
    ({"provider": None}, "no provider"),
    ({"start": None}, "no schedule"),
    ({"start": date(YEAR - 1, 12, 20)}, f"not inside the plan year {YEAR}"),
    ({"end": date(YEAR + 1, 1, 5)}, "not inside the plan year"),
])
def test_check_f_bab_ii_b_4_f_provider_and_schedule_inside_the_plan_year(over, fragment):
    [f] = check_f_implementation(PLAN, row(**over), YEAR)
    assert f.rule == "f" and fragment in f.message
    assert check_f_implementation(PLAN, row(), YEAR) == []


def test_findings_keep_their_id_while_their_facts_stay_the_same():
    r, budgets = row(provider=None), {"apbn": Decimal(10**6)}
    assert run_checks(PLAN, YEAR, [r], budgets, {}, roster=()) == run_checks(PLAN, YEAR, [r], budgets, {}, roster=())
    changed = run_checks(PLAN, YEAR, [r.but(planned_jp=10)], budgets, {}, roster=())
    assert {f.finding_id for f in changed if f.rule == "f"} == {f.finding_id for f in run_checks(PLAN, YEAR, [r], budgets, {}, roster=()) if f.rule == "f"}


@pytest.mark.parametrize("form, kw, jp, rule", [
    ("seminar", {"days": 3}, 12, "seminar/per_day/domestic"),
    ("seminar", {"days": 2, "international": True}, 12, "seminar/per_day/international"),
    ("workshop", {"days": 2}, 10, "workshop/per_day/domestic"),
    ("coaching", {"sessions": 4}, 8, "coaching/per_session/domestic"),
    ("coaching", {"sessions": 6, "start": date(YEAR, 3, 1), "end": date(YEAR, 4, 30)}, 8, "coaching/per_session/domestic"),
    ("e_learning", {"days": 4}, 12, "e_learning/per_day_max/domestic"),
    ("e_learning", {"days": 4, "stated_jp": 9}, 9, "e_learning/per_day_max/domestic"),
    ("patok_banding", {}, 10, "patok_banding/per_activity/domestic"),
    ("pelatihan", {"programme_jp": 30}, 30, "pelatihan/programme_hours/domestic"),
    ("pelatihan", {"programme_jp": 30, "international": True}, 36, "pelatihan/programme_hours/international"),
    ("coaching", {"sessions": 2, "international": True, "stated_jp": 5}, 5, "coaching/agency-supplied/international"),
])
def test_planned_jp_from_the_jp_conversion_of_the_planned_form(form, kw, jp, rule):
    d = convert_jp(form, table=DEFAULT_TABLE, **kw)
    assert (d.jp, d.rule, d.table_version) == (jp, rule, JP_TABLE_VERSION)


@pytest.mark.parametrize("form, kw, fragment", [
    ("coaching", {"sessions": 2, "international": True}, "unconfirmed"),  # never guessed
    ("seminar", {}, "number of days"),
    ("seminar", {"days": 3, "stated_jp": 10}, "converts to 12 JP"),
    ("e_learning", {"days": 2, "stated_jp": 7}, "at most 6 JP"),
    ("pelatihan", {}, "programme_jp"),
    ("kuliah", {}, "no JP conversion"),
])
def test_planned_jp_refuses_what_the_conversion_cannot_give(form, kw, fragment):
    with pytest.raises(Invalid, match=fragment):
        convert_jp(form, table=DEFAULT_TABLE, **kw)


def test_formulir_2_6_item_12_credit_target_suggested_from_the_annual_coefficient():
    value, source = suggested_credit_target("ahli_madya")
    assert value == Decimal("37.5") and "Ahli Madya" in source and RULESET_VERSION in source
