"""Guards per role and agency (docs/guideline.md "Who takes part": who does what; an agency sees only its own data)."""
from __future__ import annotations

import pytest

from core import access
from core.errors import Forbidden
from core.events import Actor

NIP = "199001012015011001"
SUP = "197503032000011003"


def actor(*roles: str, agency: str | None = "kemnaker", nip: str | None = None) -> Actor:
    return Actor(subject="s", name="n", roles=frozenset(roles), agency=agency, nip=nip)


@pytest.mark.parametrize("role", [access.HR, access.PYB, access.VERIFIER, access.PPK, access.HEAD])
def test_agency_readers_read_their_own_agencys_officers(role):
    assert access.can_read_officer(actor(role), agency="kemnaker", nip=NIP, supervisor_nip=SUP) == role


@pytest.mark.parametrize("role", [access.HR, access.PYB, access.VERIFIER, access.PPK, access.HEAD, access.OFFICER, access.SUPERVISOR])
def test_agency_roles_never_read_another_agency(role):
    with pytest.raises(Forbidden):
        access.can_read_officer(actor(role, nip=NIP if role == access.OFFICER else SUP), agency="disnaker-jabar", nip=NIP, supervisor_nip=SUP)


@pytest.mark.parametrize("role", sorted(access.NATIONAL_ROLES))
def test_national_roles_read_across_agencies(role):
    assert access.can_read_officer(actor(role, agency=None), agency="disnaker-jabar", nip=NIP, supervisor_nip=SUP) == role
    assert access.agency_scope(actor(role, agency=None)) is None
    assert access.agency_scope(actor(role, agency=None), "disnaker-jabar") == "disnaker-jabar"


def test_officer_reads_only_own_profile():
    assert access.can_read_officer(actor(access.OFFICER, nip=NIP), agency="kemnaker", nip=NIP, supervisor_nip=SUP) == access.OFFICER
    with pytest.raises(Forbidden):
        access.can_read_officer(actor(access.OFFICER, nip="198505052010032002"), agency="kemnaker", nip=NIP, supervisor_nip=SUP)


def test_supervisor_reads_only_direct_subordinates():
    assert access.can_read_officer(actor(access.SUPERVISOR, nip=SUP), agency="kemnaker", nip=NIP, supervisor_nip=SUP) == access.SUPERVISOR
    with pytest.raises(Forbidden):
        access.can_read_officer(actor(access.SUPERVISOR, nip="196001012000011001"), agency="kemnaker", nip=NIP, supervisor_nip=SUP)


def test_agency_scope_refuses_another_agency_for_agency_roles():
    assert access.agency_scope(actor(access.HR)) == "kemnaker"
    with pytest.raises(Forbidden, match="only read agency kemnaker"):
        access.agency_scope(actor(access.HR), "disnaker-jabar")
    with pytest.raises(Forbidden, match="names no agency"):
        access.agency_scope(actor(access.HR, agency=None))


@pytest.mark.parametrize("role", sorted(set(access.ROLES) - {access.HR}))
def test_only_hr_registers_officers(role):
    with pytest.raises(Forbidden):
        access.can_register_officer(actor(role), "kemnaker")


def test_hr_registers_only_for_own_agency():
    assert access.can_register_officer(actor(access.HR), "kemnaker") == access.HR
    with pytest.raises(Forbidden, match="another agency"):
        access.can_register_officer(actor(access.HR), "disnaker-jabar")


def test_profile_maintained_by_the_officer_or_own_hr_only():
    assert access.can_maintain_profile(actor(access.OFFICER, nip=NIP), agency="kemnaker", nip=NIP) == access.OFFICER
    assert access.can_maintain_profile(actor(access.HR), agency="kemnaker", nip=NIP) == access.HR
    for who in (actor(access.OFFICER, nip="198505052010032002"), actor(access.SUPERVISOR, nip=SUP), actor(access.PPK),
                actor(access.AUDITOR, agency=None), actor(access.HR, agency="disnaker-jabar")):
        with pytest.raises(Forbidden):
            access.can_maintain_profile(who, agency="kemnaker", nip=NIP)


def test_auditor_is_read_only_everywhere():
    aud = actor(access.AUDITOR, agency=None)
    with pytest.raises(Forbidden):
        access.can_register_officer(aud, "kemnaker")
    with pytest.raises(Forbidden):
        access.can_maintain_profile(aud, agency="kemnaker", nip=NIP)


def test_require_role_names_what_is_needed():
    with pytest.raises(Forbidden, match="one of the roles hr, ppk; your token has officer"):
        access.require_role(actor(access.OFFICER, nip=NIP), [access.HR, access.PPK], "do it")
