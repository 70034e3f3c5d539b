"""Authorisation scoping, in one place for every controller.

Two rules hold across the API:

- **Another agency's ids reveal nothing.** An agency role asking for a record of another agency
  gets 404, exactly as for an id that does not exist (:func:`hide_other_agency`). National roles
  (pembina, LAN, BKN, auditor) read across agencies, so for them a 403 stays a 403.
- **Commands never depend on read models.** A command finds the officer or activity it acts on by
  loading the aggregate from the event log (:func:`officer_for_command`, :func:`activity_in_scope`),
  so a read model being rebuilt or stopped never makes an existing record "not found". Reads may use
  read models (:func:`readable_officer`), and answer 503 while one is rebuilt.

Lists are limited with :func:`listing_scope` (the caller's agency, or any for national roles) and
:func:`require_agency_reader` (the agency's HR side, or national roles).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from api.bootstrap import Services
from core import access
from core.errors import Forbidden, NotFound
from core.events import Actor
from core.i18n import N_, msg

T = TypeVar("T")


def reads_across(actor: Actor) -> bool:
    return access.reads_across_agencies(actor)


def hide_other_agency(actor: Actor, agency: str | None, not_found: Callable[[], NotFound]) -> None:
    """Raise ``not_found()`` when the record belongs to another agency than an agency role's own."""
    if agency is None or (actor.agency != agency and not reads_across(actor)):
        raise not_found()


def guarded(actor: Actor, agency: str | None, guard: Callable[[], T], not_found: Callable[[], NotFound]) -> T:
    """Run a domain guard; a refusal of another agency's record becomes ``not_found()`` (403 → 404 masking)."""
    try:
        return guard()
    except Forbidden:
        hide_other_agency(actor, agency, not_found)
        raise


def listing_scope(actor: Actor, requested: str | None) -> str | None:
    """The agency a listing is limited to: the caller's own, or (national roles) any (None) or the one asked."""
    return access.agency_scope(actor, requested)


def require_agency_reader(actor: Actor, what: str) -> None:
    """Agency-wide lists are for the agency's HR side (HR, PyB, verifiers, PPK, head) and national roles."""
    if not reads_across(actor) and not actor.roles & access.AGENCY_READERS:
        raise Forbidden(msg("{what} is read by the HR unit, PyB, verification team, PPK, the head and national roles; your token "
                            "has {sorted_roles}.", what=what, sorted_roles=', '.join(sorted(actor.roles))), code="scope.agency_readers_only")


# -- officers --------------------------------------------------------------------------------------


def _no_officer(officer_id: UUID, actor: Actor) -> Callable[[], NotFound]:
    def make() -> NotFound:
        where = "" if reads_across(actor) else N_(" in your agency")
        return NotFound(msg("No officer with id {officer_id} is registered{where}.",
                            officer_id=officer_id, where=where), code="officer.not_found", field="officer_id")
    return make


def readable_officer(services: Services, actor: Actor, officer_id: UUID) -> dict[str, Any]:
    """For reads: the officer's directory row if the caller may read their records (Formulir 2.2 and
    what hangs on it: assessments, reviews, proposals, the JP ledger); 503 while the directory is rebuilt."""
    from projections.officers import officer_row

    services.projector.require_current("officers")
    return officer_readable(actor, officer_id, officer_row(services.views, str(officer_id)))


def officer_readable(actor: Actor, officer_id: UUID, row: dict[str, Any] | None) -> dict[str, Any]:
    """The access check of :func:`readable_officer` on a directory row already read (None: no such
    officer): 404 when missing, 403 → 404 for another agency's officer, else the row."""
    if row is None:
        raise _no_officer(officer_id, actor)()
    guarded(actor, row["agency"], lambda: access.can_read_officer(actor, agency=row["agency"], nip=row["nip"],
                                                                  supervisor_nip=row["supervisor_nip"]),
            _no_officer(officer_id, actor))
    return row


def officer_for_command(services: Services, actor: Actor, officer_id: UUID) -> Any:
    """For commands: the officer aggregate, loaded from the event log (never a read model). Another
    agency's officer is 'not found'; the domain guard decides the rest."""
    try:
        officer = services.app.officers.get(officer_id)
    except NotFound:
        raise _no_officer(officer_id, actor)() from None
    hide_other_agency(actor, officer.agency, _no_officer(officer_id, actor))
    return officer


# -- activities ------------------------------------------------------------------------------------


def activity_in_scope(services: Services, actor: Actor, activity_id: UUID) -> Any:
    """The activity aggregate if the caller may read it; another agency's activity is 'not found'."""
    from core.activities import can_read_activity

    def missing() -> NotFound:
        where = "" if reads_across(actor) else N_(" in your agency")
        return NotFound(msg("No activity with id {activity_id} exists{where}.",
                            activity_id=activity_id, where=where), code="activity.not_found", field="activity_id")

    try:
        agg = services.app.activities.get(activity_id)
    except NotFound:
        raise missing() from None
    guarded(actor, agg.agency, lambda: can_read_activity(actor, agg), missing)
    return agg


# -- plans ------------------------------------------------------------------------------------------


def plan_in_scope(actor: Actor, agency: str) -> None:
    """A plan of another agency is refused to an agency role before anything is looked up."""
    if actor.agency != agency and not reads_across(actor):
        raise Forbidden(msg("You can only read agency {agency}'s plans.", agency=actor.agency), code="plan.other_agency")


# -- the audit trail --------------------------------------------------------------------------------


def require_same_agency(actor: Actor, agency: str | None, aggregate_id: UUID) -> None:
    """The audit trail refuses (403, never silently empty) another agency's records to an agency role."""
    if not reads_across(actor) and agency != actor.agency:
        raise Forbidden(msg("The records of {aggregate_id} belong to another agency than yours ({agency}); only national roles "
                            "and auditors read across agencies.", aggregate_id=aggregate_id, agency=actor.agency), code="audit.other_agency")
