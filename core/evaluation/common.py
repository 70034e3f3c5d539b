"""Shared by the evaluation modules (BAB V): loading the activity and the participation an evaluation
is about, the validated plan row it implements, and the guards on who acts for whom."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from core import access
from core.activities import Activity
from core.cycle import as_agency_role, is_direct_supervisor, is_own
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.evaluation.facts import PlanRowFacts
from core.events import Actor
from core.i18n import msg
from core.pathways import ParticipantFacts


def load_activity(app: Any, activity_id: UUID) -> Activity:
    agg = app.get(activity_id)
    if not isinstance(agg, Activity):
        raise NotFound(msg("No activity with id {activity_id} exists.", activity_id=activity_id), field="activity_id")
    return agg


def check_agency(actor: Actor, agency: str, what: str) -> None:
    """Another agency's records are reported absent, so their ids reveal nothing."""
    if actor.agency != agency and not access.reads_across_agencies(actor):
        raise NotFound(msg("No {what} exists in your agency.", what=what))


def participation(activity: Activity, officer_id: UUID) -> ParticipantFacts:
    """The officer's (active) participation in the activity; Invalid when they never took part."""
    p = activity.participants.get(officer_id)
    if p is None or not p.active:
        raise Invalid(msg("Officer {officer_id} did not take part in {title!r} (deselected); evaluations are about its participants."
                          if p is not None else "Officer {officer_id} did not take part in {title!r}; evaluations are about its participants.",
                          officer_id=officer_id, title=activity.title), field="officer_id")
    return activity.facts().participant(officer_id)


def completed(activity: Activity, officer_id: UUID, what: str) -> ParticipantFacts:
    """BAB V evaluates officers who completed the activity (their JP credited)."""
    p = participation(activity, officer_id)
    if p.completed_on is None:
        raise Conflict(msg("{name} ({nip}) has not completed {title!r} yet, so {what} cannot be recorded; the HR unit completes "
                           "the participation first (POST /activities/{{id}}/completion).",
                           name=p.name, nip=p.nip, title=activity.title, what=what), field="officer_id")
    return p


def plan_links(app: Any, activity_id: UUID) -> dict[UUID, tuple[str | None, str | None]]:
    """Officer → (plan id, plan row id) their (latest) selection names: the Formulir 2.6 row they implement."""
    links: dict[UUID, tuple[str | None, str | None]] = {}
    for e in app.stored_events(activity_id):
        if isinstance(e, Activity.ParticipantSelected):
            links[e.officer_id] = (e.plan_id, e.plan_row_id)
    return links


def plan_row(app: Any, plan_id: str | None, row_id: str | None) -> PlanRowFacts | None:
    """The row as it stands in the plan's latest validated revision (the planning contract), or None."""
    if not plan_id or not row_id:
        return None
    from core.planning import validated_plan_row  # planning imports evaluation lazily for the recap finding

    ref = validated_plan_row(app, UUID(str(plan_id)), UUID(str(row_id)))
    if ref is None:
        return None
    return PlanRowFacts(plan_id=ref.plan_id, row_id=ref.row_id, revision=ref.revision, year=ref.year, competency=ref.competency,
                        pathway=ref.pathway, form=ref.form, programme=ref.programme, provider=ref.provider, start=ref.start,
                        end=ref.end, budget=ref.budget, funding_source=ref.funding_source, planned_jp=ref.planned_jp)


# -- guards -------------------------------------------------------------------------------------------


def as_hr(actor: Actor, agency: str, action: str) -> str:
    """The HR unit (Unit Pengelola SDM Aparatur) runs every evaluation (BAB V, "Pelaksana")."""
    return as_agency_role(actor, agency, [access.HR], action)


def as_self_or_hr(actor: Actor, officer: Any, action: str) -> str:
    """The officer for themself; the HR unit records a paper form on their behalf."""
    if is_own(actor, officer):
        return access.OFFICER
    if access.HR in actor.roles and actor.agency == officer.agency:
        return access.HR
    raise Forbidden(msg("Only officer {nip} themself, or their agency's HR unit entering the paper form, may {action}.", nip=officer.nip, action=action))


def as_self(actor: Actor, officer: Any, action: str) -> str:
    if is_own(actor, officer):
        return access.OFFICER
    raise Forbidden(msg("Only officer {nip} themself may {action}.", nip=officer.nip, action=action))


def as_supervisor(actor: Actor, officer: Any, action: str) -> str:
    """Only the officer's direct supervisor (token NIP = the profile's supervisor NIP)."""
    if is_direct_supervisor(actor, officer):
        return access.SUPERVISOR
    who = f"NIP {officer.supervisor_nip}" if officer.supervisor_nip else "nobody (the profile names no supervisor)"
    raise Forbidden(msg("Only the direct supervisor of officer {nip} may {action}; the profile names {who}.", nip=officer.nip, action=action, who=who))


def officer_of(app: Any, officer_id: UUID, agency: str) -> Any:
    officer = app.officers.get(officer_id)
    if officer.agency != agency:
        raise Invalid(msg("{name} ({nip}) is an officer of another agency.", name=officer.name, nip=officer.nip), field="officer_id")
    return officer
