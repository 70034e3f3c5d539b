"""Shared by the planning-cycle modules (BAB II): loading aggregates by id and the guards that decide
who acts on one officer's planning records. Input checks live in :mod:`core.inputs` (one set of limits
for every command); the names below are re-exported for older imports.

Guards are plain functions built on :mod:`core.access`; each returns the role it granted.
"""
from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from core import access
from core.errors import Forbidden, NotFound
from core.events import Actor
from core.i18n import msg
from core.inputs import check_version, choice, fmt_rupiah, long_text, money, text, whole, year_in

_A = TypeVar("_A")

__all__ = [
    "as_agency_role", "as_direct_supervisor", "as_officer_self", "as_self_or_supervisor", "can_read_officer_record",
    "check_version", "choice", "fmt_rupiah", "is_direct_supervisor", "is_own", "load", "long_text", "money",
    "quarter_end", "text", "whole", "year_in",
]


def load(app: Any, aggregate_id: UUID, cls: type[_A], missing: str) -> _A:
    agg = app.get(aggregate_id)
    if agg is None or not isinstance(agg, cls):
        raise NotFound(missing)
    return agg


def quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)


# -- guards on one officer's planning records ---------------------------------------------------------


def is_own(actor: Actor, officer: Any) -> bool:
    return access.OFFICER in actor.roles and actor.nip == officer.nip and actor.agency == officer.agency


def is_direct_supervisor(actor: Actor, officer: Any) -> bool:
    return (access.SUPERVISOR in actor.roles and actor.nip is not None and actor.nip == officer.supervisor_nip
            and actor.agency == officer.agency)


def as_officer_self(actor: Actor, officer: Any, action: str) -> str:
    """Only the officer fills their own part (Formulir 2.4 self-assessment, own signature on 2.1)."""
    if is_own(actor, officer):
        return access.OFFICER
    raise Forbidden(msg("Only officer {nip} themself may {action}.", nip=officer.nip, action=action))


def as_direct_supervisor(actor: Actor, officer: Any, action: str) -> str:
    """Only the officer's direct supervisor (token NIP = the profile's supervisor NIP) may act."""
    if is_direct_supervisor(actor, officer):
        return access.SUPERVISOR
    who = f"NIP {officer.supervisor_nip}" if officer.supervisor_nip else "nobody yet (the profile names no supervisor)"
    raise Forbidden(
        msg("Only the direct supervisor of officer {nip} may {action}; the profile names {who}. If the "
            "supervisor changed, the HR unit corrects the profile first.", nip=officer.nip, action=action, who=who)
    )


def as_self_or_supervisor(actor: Actor, officer: Any, action: str) -> str:
    if is_own(actor, officer):
        return access.OFFICER
    if is_direct_supervisor(actor, officer):
        return access.SUPERVISOR
    raise Forbidden(msg("Only officer {nip} or their direct supervisor may {action}.", nip=officer.nip, action=action))


def as_agency_role(actor: Actor, agency: str, roles: list[str], action: str) -> str:
    role = access.require_role(actor, roles, action)
    access.require_agency(actor, agency, action)
    return role


def can_read_officer_record(actor: Actor, officer: Any) -> str:
    """Assessments, reviews and proposals are read by whoever may read the officer's Formulir 2.2."""
    return access.can_read_officer(actor, agency=officer.agency, nip=officer.nip, supervisor_nip=officer.supervisor_nip)
