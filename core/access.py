"""Who may do what (the roles of the guideline, docs/guideline.md) — plain functions, tested on their own.

A guard returns the role the actor acts in for the command (recorded in provenance) or raises
:class:`Forbidden` with a message that says which role or agency would be needed.
"""
from __future__ import annotations

from collections.abc import Iterable

from core.errors import Forbidden
from core.events import Actor
from core.i18n import N_, msg

OFFICER = "officer"  # Pengantar Kerja (PK)
SUPERVISOR = "supervisor"  # Atasan Langsung
HR = "hr"  # Unit Pengelola SDM Aparatur
PYB = "pyb"  # Pejabat yang Berwenang
VERIFIER = "verifier"  # anggota Tim Verifikasi
PPK = "ppk"  # Pejabat Pembina Kepegawaian
HEAD = "head"  # Pimpinan Instansi
PEMBINA = "pembina"  # Instansi Pembina (national)
LAN = "lan"
BKN = "bkn"
AUDITOR = "auditor"  # read-only, national

ROLES: tuple[str, ...] = (OFFICER, SUPERVISOR, HR, PYB, VERIFIER, PPK, HEAD, PEMBINA, LAN, BKN, AUDITOR)
NATIONAL_ROLES = frozenset({PEMBINA, LAN, BKN, AUDITOR})
AGENCY_ROLES = frozenset(ROLES) - NATIONAL_ROLES
#: Agency roles that read every officer of their own agency.
AGENCY_READERS = frozenset({HR, PYB, VERIFIER, PPK, HEAD})


def require_role(actor: Actor, roles: Iterable[str], action: str) -> str:
    """The first of ``roles`` the actor holds; Forbidden naming the roles otherwise."""
    wanted = tuple(roles)
    for role in wanted:
        if role in actor.roles:
            return role
    raise Forbidden(msg("To {action} you need one of the roles {wanted}; your token has {join_sorted_actor_roles}.",
                        action=action, wanted=', '.join(wanted), join_sorted_actor_roles=', '.join(sorted(actor.roles)) or 'none'))


def require_agency(actor: Actor, agency: str, action: str) -> None:
    """An agency role acts only on its own agency's data."""
    if actor.agency != agency:
        raise Forbidden(
            msg("You cannot {action}: the record belongs to another agency than yours ({actor_agency_or_no_agenc}).",
                action=action, actor_agency_or_no_agenc=actor.agency or 'no agency in token')
        )


def reads_across_agencies(actor: Actor) -> bool:
    return bool(actor.roles & NATIONAL_ROLES)


def agency_scope(actor: Actor, requested: str | None = None) -> str | None:
    """The agency a listing is limited to: the actor's own, or (national roles) any or the one asked.

    Returns None when a national role asks for every agency.
    """
    if reads_across_agencies(actor):
        return requested
    if actor.agency is None:
        raise Forbidden("Your token names no agency; an agency role needs one.")
    if requested is not None and requested != actor.agency:
        raise Forbidden(msg("You can only read agency {agency}'s data, not {requested}'s.", agency=actor.agency, requested=requested))
    return actor.agency


def can_read_officer(actor: Actor, *, agency: str, nip: str, supervisor_nip: str | None) -> str:
    """Formulir 2.2 is read by the officer, their direct supervisor, their agency's HR side and national roles."""
    if reads_across_agencies(actor):
        return sorted(actor.roles & NATIONAL_ROLES)[0]
    if actor.agency == agency:
        for role in sorted(actor.roles & AGENCY_READERS):
            return role
        if OFFICER in actor.roles and actor.nip == nip:
            return OFFICER
        if SUPERVISOR in actor.roles and actor.nip is not None and actor.nip == supervisor_nip:
            return SUPERVISOR
    raise Forbidden("You may read only your own profile, your direct subordinates', or (HR, PyB, PPK) your own agency's officers.")


def can_register_officer(actor: Actor, agency: str) -> str:
    """The HR unit registers the officers of its own agency (Formulir 2.2 is compiled with the HR unit)."""
    role = require_role(actor, [HR], N_("register an officer"))
    require_agency(actor, agency, N_("register an officer for another agency"))
    return role


def can_maintain_profile(actor: Actor, *, agency: str, nip: str) -> str:
    """The officer fills their own Formulir 2.2; the HR unit of the agency may record it for them."""
    if OFFICER in actor.roles and actor.nip == nip and actor.agency == agency:
        return OFFICER
    if HR in actor.roles:
        require_agency(actor, agency, N_("change this officer's profile"))
        return HR
    raise Forbidden("Only the officer themself or their agency's HR unit may change this profile (Formulir 2.2).")
