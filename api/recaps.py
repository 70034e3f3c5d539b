"""The yearly evaluation recap and recommendation (BAB V.D), per agency and year: computed by the HR unit
from the three evaluations, finalised with its written analysis, submitted to the Instansi Pembina;
read by the agency, and once submitted by the Instansi Pembina, LAN and BKN."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api import asof
from api.bootstrap import Services
from api.commands import expected_version, run
from api.schemas import Body
from api.scope import listing_scope, require_agency_reader
from core import access
from core.errors import NotFound
from core.evaluation.recap import can_read_recap, recap_id
from core.events import Actor
from core.i18n import N_, msg
from projections.evaluation_deadlines import evaluation_activities
from projections.evaluations import recap, recaps, submitted_recap

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Agency = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
OptYear = Annotated[int | None, Parameter(ge=2000, le=2100)]


class ComputeRecap(Body):
    """Compute the recap from the evaluations recorded for the agency's activities of the year."""


class Override(msgspec.Struct, forbid_unknown_fields=True):
    kind: Annotated[str, msgspec.Meta(description="programme or provider")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    recommendation: Annotated[str, msgspec.Meta(description="continue, improve or stop")]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Finalise(Body):
    """The HR unit's written analysis; a recommendation set otherwise than computed keeps the computed one beside it."""

    analysis: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    overrides: Annotated[list[Override], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)


class Submit(Body):
    submitted_on: date | None = None


class RecapController(Controller):
    path = "/evaluations/recaps"
    tags = ["evaluation"]

    @get("/", operation_id="listRecaps", sync_to_thread=True,
         summary="Evaluation recaps you may read: your agency's, or (national roles) submitted recaps across agencies")
    def list(self, request: Req, services: NamedDependency[Services], year: OptYear = None,
             agency: FromQuery[Agency | None] = None) -> dict[str, Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        require_agency_reader(actor, "The agency's evaluation recaps")
        services.projector.require_current("evaluations")
        submitted_only = access.reads_across_agencies(actor) and access.AUDITOR not in actor.roles
        return {"items": recaps(services.views, agency=scope, year=year, submitted_only=submitted_only)}

    @get("/{agency:str}/{year:int}", operation_id="getRecap", sync_to_thread=True,
         summary="The recap: fit of competency kinds and forms, dominant patterns, recommendations, fit per level")
    def read(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
             as_of: AsOf = None) -> Response[Any]:
        services.projector.require_current("evaluations")
        can_read_recap(request.user, agency, submitted=submitted_recap(services.views, agency, year))
        doc, point, head = asof.read_model(services, ["evaluations"], lambda st: recap(st, agency, year), as_of=as_of,
                                           aggregate_ids=[recap_id(agency, year)])
        if doc is None:
            when = msg(" at log position {position}", position=point.position) if point else ""
            raise NotFound(msg("{agency} had no evaluation recap for {year}{when}; the HR unit computes it.", agency=agency, year=year, when=when))
        return asof.respond(doc, point, head, headers=None if point else {"ETag": f'"{doc["version"]}"'})

    @post("/{agency:str}/{year:int}/computation", operation_id="computeRecap", status_code=200, sync_to_thread=True,
          summary="The HR unit computes the recap from the three evaluations of the year's activities")
    def compute(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                data: JSONBody[ComputeRecap]) -> Response[Any]:
        version = expected_version(request)
        access.require_agency(request.user, agency, N_("compute another agency's evaluation recap"))
        services.projector.require_current("deadlines")
        ids = [UUID(a) for a in evaluation_activities(services.views, agency=agency, year=year)]
        return run(services, request, data, lambda ctx: [services.app.evaluations.recaps.compute(
            ctx, agency, year, ids, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/finalisation", operation_id="finaliseRecap", status_code=200, sync_to_thread=True,
          summary="The HR unit finalises the recap with its written analysis")
    def finalise(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                 data: JSONBody[Finalise]) -> Response[Any]:
        version = expected_version(request)
        overrides = [msgspec.structs.asdict(o) for o in data.overrides]
        return run(services, request, data, lambda ctx: [services.app.evaluations.recaps.finalise(
            ctx, agency, year, analysis=data.analysis, overrides=overrides, expected_version=version)],
            effective=data.effective_date)

    @post("/{agency:str}/{year:int}/submissions", operation_id="submitRecap", status_code=200, sync_to_thread=True,
          summary="The finalised recap submitted to the Instansi Pembina (Q1 of the next year)")
    def submit(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
               data: JSONBody[Submit]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.evaluations.recaps.submit(
            ctx, agency, year, submitted_on=data.submitted_on, expected_version=version)], effective=data.effective_date)


__all__ = ["RecapController"]
