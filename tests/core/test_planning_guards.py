"""Who does what in the planning half (BAB II; docs/guideline.md "Who takes part"): guards on their own."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core import access, cycle, planning
from core.errors import Forbidden
from core.events import Actor

NIP, SUP = "199001012015011001", "197503032000011003"
OFFICER = SimpleNamespace(nip=NIP, agency="kemnaker", supervisor_nip=SUP)


def actor(*roles, agency="kemnaker", nip=None):
    return Actor(subject="s", name="n", roles=frozenset(roles), agency=agency, nip=nip)


def test_formulir_2_4_only_the_officer_themself():
    assert cycle.as_officer_self(actor("officer", nip=NIP), OFFICER, "x") == access.OFFICER
    for a in (actor("officer", nip=SUP), actor("officer", nip=NIP, agency="other"), actor("hr"), actor("supervisor", nip=SUP)):
        with pytest.raises(Forbidden):
            cycle.as_officer_self(a, OFFICER, "x")


def test_formulir_2_3_and_2_5_only_the_direct_supervisor():
    assert cycle.as_direct_supervisor(actor("supervisor", nip=SUP), OFFICER, "x") == access.SUPERVISOR
    for a in (actor("supervisor", nip="196505051990031002"), actor("supervisor"), actor("supervisor", nip=SUP, agency="other"),
              actor("officer", nip=SUP), actor("hr", nip=SUP)):
        with pytest.raises(Forbidden, match="direct supervisor"):
            cycle.as_direct_supervisor(a, OFFICER, "x")


@pytest.mark.parametrize("guard, allowed", [
    (lambda a: planning.can_compose_plan(a, "kemnaker", "x"), {"hr", "pyb"}),
    (lambda a: planning.can_verify_plan(a, "kemnaker", "x"), {"pyb"}),
    (lambda a: planning.can_record_meeting(a, "kemnaker"), {"pyb", "verifier"}),
    (lambda a: planning.can_sign_plan(a, "kemnaker"), {"head"}),
    (lambda a: planning.can_validate_plan(a, "kemnaker"), {"ppk"}),
    (lambda a: planning.can_submit_plan(a, "kemnaker"), {"ppk", "hr"}),
])
def test_plan_guards_give_each_role_exactly_its_part(guard, allowed):
    for role in access.ROLES:
        a = actor(role, agency=None if role in access.NATIONAL_ROLES else "kemnaker", nip=NIP)
        if role in allowed:
            assert guard(a) == role
            with pytest.raises(Forbidden):
                guard(actor(role, agency="disnaker-jabar"))
        else:
            with pytest.raises(Forbidden):
                guard(a)


def test_plans_are_read_by_the_agency_and_nationally_once_submitted():
    for role in ("hr", "pyb", "verifier", "ppk", "head"):
        assert planning.can_read_plan(actor(role), "kemnaker", submitted=False) == role
    for role in ("officer", "supervisor"):
        with pytest.raises(Forbidden):
            planning.can_read_plan(actor(role, nip=NIP), "kemnaker", submitted=True)
    for role in ("pembina", "lan", "bkn"):
        with pytest.raises(Forbidden, match="not been submitted"):
            planning.can_read_plan(actor(role, agency=None), "kemnaker", submitted=False)
        assert planning.can_read_plan(actor(role, agency=None), "kemnaker", submitted=True) == role
    assert planning.can_read_plan(actor("auditor", agency=None), "kemnaker", submitted=False) == "auditor"
    with pytest.raises(Forbidden):
        planning.can_read_plan(actor("hr", agency="disnaker-jabar"), "kemnaker", submitted=True)


def test_only_the_instansi_pembina_registers_curriculum_standards():
    assert planning.can_register_curriculum(actor("pembina", agency=None)) == "pembina"
    with pytest.raises(Forbidden):
        planning.can_register_curriculum(actor("hr"))
