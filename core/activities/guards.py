"""Who may do what on an activity (BAB III): plain functions on :mod:`core.access`, each returning
the role it granted."""
from __future__ import annotations

from core import access
from core.activities.aggregate import COACH, Activity
from core.activities.state import Participant
from core.errors import Forbidden
from core.events import Actor
from core.i18n import N_, msg
from core.pathways import Monitor, Scheduler


def _same_agency(actor: Actor, agency: str) -> bool:
    return actor.agency == agency


def can_manage_activity(actor: Actor, agency: str, action: str) -> str:
    """The HR unit runs the administrative side of every activity (BAB III, "Tahap Persiapan")."""
    role = access.require_role(actor, [access.HR], action)
    access.require_agency(actor, agency, action)
    return role


def can_approve_provider(actor: Actor, agency: str) -> str:
    """Approval of the provider or benchmarking host: Pimpinan Instansi (III.B.5.a.3) or PPK (III.A.5.a.3)."""
    role = access.require_role(actor, [access.HEAD, access.PPK], N_("approve the provider"))
    access.require_agency(actor, agency, N_("approve a provider for another agency"))
    return role


def can_record_assignment(actor: Actor, agency: str) -> str:
    """The head (or PyB for belajar mandiri / komunitas belajar) signs; the HR unit may enter the signed letter."""
    role = access.require_role(actor, [access.HR, access.HEAD, access.PYB], N_("record an assignment letter"))
    access.require_agency(actor, agency, N_("record an assignment letter for another agency"))
    return role


def is_coach(actor: Actor, activity: Activity) -> bool:
    """The coach/mentor authenticates with a token whose subject is the one recorded when they were
    assigned, for the activity's agency, in the supervisor or officer role (an external coach gets such
    a token from the agency's identity provider)."""
    return bool(
        activity.coach and actor.subject == activity.coach.subject and _same_agency(actor, activity.agency)
        and actor.has(access.SUPERVISOR, access.OFFICER)
    )


def _is_participant(actor: Actor, activity: Activity, p: Participant | None = None) -> bool:
    if not (access.OFFICER in actor.roles and actor.nip and _same_agency(actor, activity.agency)):
        return False
    pool = [p] if p is not None else [q for q in activity.participants.values() if q.active]
    return any(q.nip == actor.nip for q in pool)


def _is_supervisor_of(actor: Actor, activity: Activity, p: Participant | None = None) -> bool:
    if not (access.SUPERVISOR in actor.roles and actor.nip and _same_agency(actor, activity.agency)):
        return False
    pool = [p] if p is not None else [q for q in activity.participants.values() if q.active]
    return any(q.supervisor_nip == actor.nip for q in pool)


def can_record_attendance(actor: Actor, activity: Activity, p: Participant) -> str:
    """Formulir 3.3 is filled by the HR unit; for belajar mandiri and komunitas belajar the direct
    supervisor monitors (III.E.5.c, III.F.5.c)."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if activity.monitored_by == Monitor.SUPERVISOR and _is_supervisor_of(actor, activity, p):
        return access.SUPERVISOR
    who = "the HR unit or the participant's direct supervisor" if activity.monitored_by == Monitor.SUPERVISOR else "the HR unit"
    raise Forbidden(msg("Attendance (Formulir 3.3) of {name} on {title!r} is recorded by {who}.", name=p.name, title=activity.title, who=who))


def can_record_meeting(actor: Actor, activity: Activity) -> str:
    """Formulir 3.4: the coach/mentor monitors; the HR unit fills the form with them (III.D.5.c, III.D.7)."""
    if is_coach(actor, activity):
        return COACH
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    raise Forbidden("Coaching/mentoring meetings (Formulir 3.4) are recorded by the assigned coach/mentor or the HR unit.")


def can_submit_report(actor: Actor, activity: Activity, p: Participant) -> str:
    """The officer hands in their own report and certificate; the HR unit may record it on their behalf."""
    if _is_participant(actor, activity, p):
        return access.OFFICER
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    raise Forbidden(msg("Only {name} or the HR unit may hand in {name}'s report or certificate.", name=p.name))


def can_sign_contract(actor: Actor, activity: Activity, p: Participant) -> tuple[str, str]:
    """The learning contract is agreed by the coachee/mentee and the coach/mentor (III.D.3): (role, party)."""
    if _is_participant(actor, activity, p):
        return access.OFFICER, "coachee"
    if is_coach(actor, activity):
        return COACH, "coach"
    raise Forbidden("A learning contract is signed by the coachee/mentee themself and by the assigned coach/mentor.")


def can_propose_contract(actor: Actor, activity: Activity) -> str:
    if is_coach(actor, activity):
        return COACH
    return can_manage_activity(actor, activity.agency, "draw up a learning contract")


def can_coach_report(actor: Actor, activity: Activity) -> str:
    if is_coach(actor, activity):
        return COACH
    return can_manage_activity(actor, activity.agency, "record the coach/mentor's report")


def can_schedule(actor: Actor, activity: Activity) -> str:
    """The HR unit matches the provider's calendar; in belajar mandiri the officer sets their own
    schedule (III.E.5.b.1); a community of practice sets its own (III.F.5.b.1)."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if activity.scheduled_by in (Scheduler.PARTICIPANT, Scheduler.COMMUNITY) and _is_participant(actor, activity):
        return access.OFFICER
    if activity.scheduled_by == Scheduler.COMMUNITY and _is_supervisor_of(actor, activity):
        return access.SUPERVISOR
    raise Forbidden(msg("The schedule of {title!r} is set by the HR unit.", title=activity.title) if activity.scheduled_by == Scheduler.HR
                    else msg("The schedule of {title!r} is set by the HR unit or the participant.", title=activity.title))


def can_record_community(actor: Actor, activity: Activity) -> str:
    """Discussion notes and the group report of a community of practice: its members, their supervisors, HR."""
    if access.HR in actor.roles and _same_agency(actor, activity.agency):
        return access.HR
    if _is_participant(actor, activity):
        return access.OFFICER
    if _is_supervisor_of(actor, activity):
        return access.SUPERVISOR
    raise Forbidden("Discussion notes and the group report are recorded by the community's members, their supervisors or the HR unit.")


def can_read_activity(actor: Actor, activity: Activity) -> str:
    if access.reads_across_agencies(actor):
        return sorted(actor.roles & access.NATIONAL_ROLES)[0]
    if _same_agency(actor, activity.agency):
        for role in sorted(actor.roles & access.AGENCY_READERS):
            return role
        if is_coach(actor, activity):
            return COACH
        if _is_participant(actor, activity):
            return access.OFFICER
        if _is_supervisor_of(actor, activity):
            return access.SUPERVISOR
    raise Forbidden("You may read an activity of your own agency if you run it (HR, PyB, PPK, head), take part, "
                    "supervise a participant or coach it.")

