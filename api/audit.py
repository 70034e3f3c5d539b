"""The audit trail, read-only: who did what, in which role, on whose behalf, recorded when and
effective when — for an officer, a plan, an activity (any aggregate) or a whole agency.

National roles (Instansi Pembina, LAN, BKN) and auditors read across agencies; the agency's HR,
PyB, verification team, PPK and head read their own agency; an officer reads the entries recorded
on their behalf. A read of another agency's records is refused (403), never silently emptied.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter, QueryParameter

from api import asof
from api.bootstrap import Services
from api.filters import one_of
from api.heads import sign
from api.reading import redact_audit_item
from api.scope import listing_scope, require_same_agency
from core import access
from core.errors import Forbidden, Invalid, NotFound
from core.events import Actor
from core.i18n import msg
from projections.audit import aggregate_agency, event_types, search_audit
from projections.chain import chain_head

Req = Request[Actor, Any, Any]
Text = Annotated[str | None, Parameter(max_length=200)]
_FROM_DOC = "recorded at or after (ISO 8601 with offset, or a date: from its start in Jakarta)"
_TO_DOC = "recorded at or before (ISO 8601 with offset, or a date: to its end in Jakarta)"


def _moment(value: str | None, field: str) -> datetime | None:
    """``from`` / ``to``: a timestamp with an offset, or a date — from its start / to its end, in Jakarta."""
    if value is None:
        return None
    return asof.parse_moment(value.strip(), dates=True, field=field, day_start=field == "from")


def _scope(actor: Actor, agency: str | None, on_behalf_of: str | None) -> tuple[bool, str | None, str | None]:
    """(all agencies?, agency, on_behalf_of) the caller may read; Forbidden otherwise."""
    if access.reads_across_agencies(actor):
        return agency is None, agency, on_behalf_of
    if actor.roles & access.AGENCY_READERS:
        return False, listing_scope(actor, agency), on_behalf_of
    if access.OFFICER in actor.roles and actor.nip:
        listing_scope(actor, agency)
        if on_behalf_of not in (None, actor.nip):
            raise Forbidden("An officer reads the audit entries recorded on their own behalf only.")
        return False, actor.agency, actor.nip
    raise Forbidden("Reading the audit trail needs a national role, the auditor role, or your agency's HR, PyB, "
                    "verification team, PPK or head role.")


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/", operation_id="searchAudit", summary="Audit trail: who did what, in which role, on whose behalf, when", sync_to_thread=True)
    def search(self, request: Req, services: NamedDependency[Services],
               agency: Annotated[str | None, Parameter(max_length=100, description="one agency (national roles: default all)")] = None,
               aggregate_id: Annotated[UUID | None, Parameter(description="one officer, plan, activity… (its id)")] = None,
               actor: Annotated[str | None, Parameter(max_length=200, description="the subject who recorded")] = None,
               event_type: Annotated[str | None, Parameter(max_length=200, description=(
                   "event name (Registered) or topic (pengkom.officer.Registered); an unknown one: 422 listing the names"))] = None,
               on_behalf_of: Annotated[str | None, Parameter(max_length=40, description="the NIP an entry was recorded for")] = None,
               recorded_from: Annotated[str | None, QueryParameter(name="from", max_length=64,
                                                                   description=_FROM_DOC)] = None,
               recorded_to: Annotated[str | None, QueryParameter(name="to", max_length=64, description=_TO_DOC)] = None,
               as_of: Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)] = None,
               limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
               offset: Annotated[int, Parameter(ge=0)] = 0) -> Response[Any]:
        who = request.user
        names, topics = event_types()
        one_of(event_type, names, "event_type", also=topics)
        all_agencies, scope, behalf = _scope(who, agency, on_behalf_of)
        start, end = _moment(recorded_from, "from"), _moment(recorded_to, "to")
        if start and end and start > end:
            raise Invalid(msg("from ({recorded_from}) is after to ({recorded_to}); nothing can be in between.",
                              recorded_from=recorded_from, recorded_to=recorded_to), field="from")
        with services.views.snapshot() as snap:
            position = services.projector.require_current("audit", store=snap)
            point = asof.resolve(services, as_of, snap) if as_of is not None else None
            upto = point.position if point else position
            if aggregate_id is not None:
                self._may_read_aggregate(snap, who, aggregate_id)
            items, total = search_audit(snap, agency=scope, all_agencies=all_agencies,
                                        aggregate_id=str(aggregate_id) if aggregate_id else None, actor=actor,
                                        event_type=event_type, on_behalf_of=behalf, recorded_from=start,
                                        recorded_to=end, upto=upto, limit=limit, offset=offset)
            items = [redact_audit_item(i, who) for i in items]
            head = sign(services.settings, chain_head(snap, upto=upto))
        return asof.respond({"items": items, "total": total, "limit": limit, "offset": offset}, point, head)

    @get("/{aggregate_id:uuid}", operation_id="getAggregateAudit", summary="Audit trail of one officer, plan or activity", sync_to_thread=True)
    def aggregate(self, request: Req, services: NamedDependency[Services], aggregate_id: FromPath[UUID],
                  as_of: Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)] = None,
                  limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Parameter(ge=0)] = 0) -> Response[Any]:
        who = request.user
        with services.views.snapshot() as snap:
            position = services.projector.require_current("audit", store=snap)
            agency = self._may_read_aggregate(snap, who, aggregate_id)
            all_agencies, scope, behalf = _scope(who, agency, None)
            point = asof.resolve(services, as_of, snap) if as_of is not None else None
            upto = point.position if point else position
            items, total = search_audit(snap, agency=scope, all_agencies=all_agencies or scope is None,
                                        aggregate_id=str(aggregate_id), on_behalf_of=behalf, upto=upto, limit=limit, offset=offset)
            items = [redact_audit_item(i, who) for i in items]
            head = sign(services.settings, chain_head(snap, upto=upto))
        return asof.respond({"aggregate_id": str(aggregate_id), "items": items, "total": total, "limit": limit, "offset": offset},
                            point, head)

    @staticmethod
    def _may_read_aggregate(store: Any, who: Actor, aggregate_id: UUID) -> str | None:
        known, agency = aggregate_agency(store, str(aggregate_id))
        if not known:
            raise NotFound(msg("Nothing has been recorded for id {aggregate_id}.", aggregate_id=aggregate_id))
        require_same_agency(who, agency, aggregate_id)
        return agency
