"""Reading rules beyond "may this caller open this record" (issue 8 item 8).

**Attendance notes (Formulir 3.3 keterangan, e.g. "izin sakit siang") are personal.** A note is shown
only to the agency's HR unit (who keeps Formulir 3.3), the participant's direct supervisor and the
participant concerned. Everyone else who may read the activity — a colleague taking part, the coach,
the PyB, PPK or head, national roles and auditors — sees the attendance row with its note withheld
(``note: null``, ``note_withheld: true``), in the activity, its monitoring, its events and the audit trail.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from core import access
from core.events import Actor

ATTENDANCE_EVENTS = ("pengkom.activity.AttendanceRecorded", "pengkom.activity.AttendanceCorrected")
_NOTE = re.compile(r", note=.*?(?=, corrects_version=\d+$|$)")


def note_readable(actor: Actor, agency: str, nip: str | None, supervisor_nip: str | None) -> bool:
    """Whether ``actor`` may read the attendance notes of the participant with ``nip``."""
    if actor.agency != agency:
        return False
    if access.HR in actor.roles:
        return True
    if access.OFFICER in actor.roles and actor.nip is not None and actor.nip == nip:
        return True
    return access.SUPERVISOR in actor.roles and actor.nip is not None and actor.nip == supervisor_nip


def readable_notes(actor: Actor, activity: Any) -> set[str]:
    """The officer ids (text) of the participants whose notes ``actor`` may read."""
    return {str(oid) for oid, p in activity.participants.items()
            if note_readable(actor, activity.agency, p.nip, p.supervisor_nip)}


def _withhold(row: dict[str, Any]) -> None:
    if row.get("note") is not None:
        row["note"] = None
        row["note_withheld"] = True


def redact_document(doc: dict[str, Any], readable: set[str]) -> None:
    """The activity document (``GET /activities/{id}``)."""
    for p in doc.get("participants") or ():
        if str(p.get("officer_id")) not in readable:
            for a in p.get("attendance") or ():
                _withhold(a)


def redact_formulir_3_3(rows: list[dict[str, Any]], readable: set[str]) -> None:
    for row in rows:
        if str(row.get("officer_id")) in readable:
            continue
        if row.get("keterangan"):
            row["keterangan"] = None
            row["note_withheld"] = True
        for s in row.get("sessions") or ():
            _withhold(s)


def redact_event(view: dict[str, Any], readable: set[str]) -> dict[str, Any]:
    """An event as ``event_view`` shows it."""
    if view.get("type") in ATTENDANCE_EVENTS and str(view["data"].get("officer_id")) not in readable:
        _withhold(view["data"])
    return view


def redact_audit_item(item: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """An audit-trail row: the summary of an attendance event loses its note unless the reader is the
    agency's HR unit or the officer on whose behalf it was recorded."""
    if item.get("event_type") not in ATTENDANCE_EVENTS or ", note=" not in (item.get("summary") or ""):
        return item
    own = access.OFFICER in actor.roles and actor.nip is not None and item.get("on_behalf_of") == actor.nip
    if (access.HR in actor.roles and actor.agency == (item.get("aggregate") or {}).get("agency")) or own:
        return item
    return {**item, "summary": _NOTE.sub(", note=(withheld)", item["summary"])}


def facts_without_notes(facts: Any, readable: set[str]) -> Any:
    """The activity's facts (as plugins see them) with the notes the reader may not read removed, so the
    monitoring findings computed from them quote no withheld note."""
    parts = tuple(p if str(p.officer_id) in readable else
                  dataclasses.replace(p, attendance=tuple(dataclasses.replace(a, note=None) for a in p.attendance))
                  for p in facts.participants)
    return dataclasses.replace(facts, participants=parts)


# -- plans as submitted ------------------------------------------------------------------------------------
#
# National roles read an agency's plan only as it was submitted to them (BAB II.C): the Instansi
# Pembina what was submitted to the Pembina, LAN what was submitted to LAN, BKN and auditors what was
# submitted to either. Their read is the plan as of their latest such submission (or, with ``as_of``,
# the latest one at or before that moment); before any, the answer is that nothing was submitted yet —
# never the working draft.


@dataclass(frozen=True)
class Submission:
    position: int
    recipient: str
    revision: int
    submitted_on: str


def national_only(actor: Actor, agency: str) -> bool:
    """A caller reading the plan as a national body (no agency role in the plan's agency)."""
    return access.reads_across_agencies(actor) and not (actor.agency == agency and actor.roles & access.AGENCY_READERS)


def recipients_for(actor: Actor) -> set[str] | None:
    """Which submissions a national reader received (None: every submission)."""
    if actor.roles & {access.BKN, access.AUDITOR}:
        return None
    return {r for r in (access.PEMBINA, access.LAN) if r in actor.roles}


def submissions(services: Any, plan_id: UUID) -> list[Submission]:
    """Every submission of the plan with the log position it was recorded at (the audit trail's index)."""
    from projections.audit import search_audit

    with services.views.snapshot() as snap:
        services.projector.require_current("audit", store=snap)
        items, _ = search_audit(snap, aggregate_id=str(plan_id), all_agencies=True, event_type=SUBMITTED, limit=10_000)
    if not items:
        return []
    # Decode only the submissions among the plan's stored events.
    by_version = {s.originator_version: services.app.mapper.to_domain_event(s)
                  for s in services.app.recorder.select_events(plan_id) if s.topic == SUBMITTED}
    out = []
    for item in items:
        e = by_version.get(item["aggregate"]["version"])
        if e is not None:
            out.append(Submission(item["position"], e.recipient, e.revision, e.submitted_on.isoformat()))
    return out


def received(actor: Actor, subs: list[Submission], upto: int | None = None) -> list[Submission]:
    wanted = recipients_for(actor)
    return [s for s in subs if (wanted is None or s.recipient in wanted) and (upto is None or s.position <= upto)]


SUBMITTED = "pengkom.planning.Submitted"
