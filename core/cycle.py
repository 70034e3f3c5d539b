"""Shared by the planning-cycle modules (BAB II): input checks that speak to a clerk, loading
aggregates by id, and the guards that decide who acts on one officer's planning records.

Guards are plain functions built on :mod:`core.access`; each returns the role it granted.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from uuid import UUID

from core import access
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import Actor

_A = TypeVar("_A")


# -- inputs ------------------------------------------------------------------------------------------


def text(value: Any, field: str, *, max_len: int = 200, required: bool = True) -> str | None:
    """Whitespace-normalised text; Invalid naming the field when missing or too long."""
    label = field.replace("_", " ").capitalize()
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{label} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    value = " ".join(value.split())
    if len(value) > max_len:
        raise Invalid(f"{label} is {len(value)} characters long; at most {max_len} are allowed.", field=field)
    return value


def long_text(value: Any, field: str, *, max_len: int = 4000, required: bool = True) -> str | None:
    """Free text that may span lines (minutes, obstacles); only trimmed."""
    label = field.replace("_", " ").capitalize()
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{label} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise Invalid(f"{label} is {len(value)} characters long; at most {max_len} are allowed.", field=field)
    return value


def choice(enum: Any, value: Any, field: str) -> str:
    try:
        return enum(value).value
    except (ValueError, TypeError):
        choices = ", ".join(m.value for m in enum)
        raise Invalid(f"{field.replace('_', ' ').capitalize()} {value!r} is not one of: {choices}.", field=field) from None


def whole(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field.replace('_', ' ').capitalize()} {value!r} must be a whole number from {low} to {high}.", field=field)
    if not low <= value <= high:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} {value} is outside {low}–{high}.", field=field)
    return value


def money(value: Any, field: str) -> Decimal:
    """A rupiah amount: not negative, at most 2 decimals, below 10^15."""
    if isinstance(value, bool) or value is None:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} is required, as a number of rupiah.", field=field)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} {value!r} is not a number of rupiah.", field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 15 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid(f"{field.replace('_', ' ').capitalize()} {value} must be a rupiah amount from 0, with at most 2 decimals.", field=field)
    return amount


def year_in(value: Any, field: str = "year") -> int:
    return whole(value, field, low=2000, high=2100)


def check_version(kind: str, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise Conflict(
            f"The {kind} is at version {current}, not {expected}: someone changed it since you read it. Reload and try again."
        )


def load(app: Any, aggregate_id: UUID, cls: type[_A], missing: str) -> _A:
    agg = app.get(aggregate_id)
    if agg is None or not isinstance(agg, cls):
        raise NotFound(missing)
    return agg


def fmt_rupiah(amount: Decimal) -> str:
    return f"Rp {amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


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
    raise Forbidden(f"Only officer {officer.nip} themself may {action}.")


def as_direct_supervisor(actor: Actor, officer: Any, action: str) -> str:
    """Only the officer's direct supervisor (token NIP = the profile's supervisor NIP) may act."""
    if is_direct_supervisor(actor, officer):
        return access.SUPERVISOR
    who = f"NIP {officer.supervisor_nip}" if officer.supervisor_nip else "nobody yet (the profile names no supervisor)"
    raise Forbidden(
        f"Only the direct supervisor of officer {officer.nip} may {action}; the profile names {who}. "
        "If the supervisor changed, the HR unit corrects the profile first."
    )


def as_self_or_supervisor(actor: Actor, officer: Any, action: str) -> str:
    if is_own(actor, officer):
        return access.OFFICER
    if is_direct_supervisor(actor, officer):
        return access.SUPERVISOR
    raise Forbidden(f"Only officer {officer.nip} or their direct supervisor may {action}.")


def as_agency_role(actor: Actor, agency: str, roles: list[str], action: str) -> str:
    role = access.require_role(actor, roles, action)
    access.require_agency(actor, agency, action)
    return role


def can_read_officer_record(actor: Actor, officer: Any) -> str:
    """Assessments, reviews and proposals are read by whoever may read the officer's Formulir 2.2."""
    return access.can_read_officer(actor, agency=officer.agency, nip=officer.nip, supervisor_nip=officer.supervisor_nip)
