"""The performance-gap analysis (Formulir 2.5), filled and signed by the direct supervisor."""
from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.assessments import YearParam
from api.bootstrap import Services
from api.commands import expected_version, run
from api.schemas import Body
from api.scope import officer_for_command, readable_officer
from core.errors import NotFound
from core.events import Actor
from core.i18n import msg
from core.performance import review_id
from projections.assessments import review_doc

Req = Request[Actor, Any, Any]


class WorkTargetBody(msgspec.Struct, forbid_unknown_fields=True):
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    achieved: bool
    obstacles: str | None = None
    evidence: str | None = None


class RecordReview(Body):
    targets: list[WorkTargetBody]
    hasil_kerja: Annotated[str, msgspec.Meta(description="di_atas, sesuai or di_bawah (ekspektasi)")]
    perilaku_kerja: Annotated[str, msgspec.Meta(description="di_atas, sesuai or di_bawah (ekspektasi)")]
    predikat: Annotated[str, msgspec.Meta(description="optional; must match the 9-cell matrix")] | None = None


class Sign(Body):
    pass


class PerformanceReviewController(Controller):
    path = "/performance-reviews"
    tags = ["performance"]

    @post("/{officer_id:uuid}/{year:int}", operation_id="recordPerformanceReview", status_code=200, sync_to_thread=True,
          summary="Formulir 2.5: work targets, ratings → predikat and gap level (the direct supervisor)")
    def record(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam,
               data: JSONBody[RecordReview]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.performance.record(
            ctx, officer_id, year, targets=[msgspec.structs.asdict(t) for t in data.targets], hasil_kerja=data.hasil_kerja,
            perilaku_kerja=data.perilaku_kerja, predikat=data.predikat, expected_version=version)],
            effective=data.effective_date)

    @post("/{officer_id:uuid}/{year:int}/signature", operation_id="signPerformanceReview", status_code=200, sync_to_thread=True,
          summary="Formulir 2.5 item 12: the supervisor's signature")
    def sign(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam,
             data: JSONBody[Sign]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.performance.sign(
            ctx, officer_id, year, expected_version=version)], effective=data.effective_date)

    @get("/{officer_id:uuid}/{year:int}", operation_id="getPerformanceReview", sync_to_thread=True,
         summary="Formulir 2.5 of one officer for one year")
    def read(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam) -> Response[Any]:
        officer = readable_officer(services, request.user, officer_id)
        doc = review_doc(services.views, str(review_id(officer_id, year)))
        if doc is None:
            raise NotFound(msg("No Formulir 2.5 of officer {nip} for {year} is recorded.", nip=officer['nip'], year=year))
        return Response(doc, headers={"ETag": f'"{doc["version"]}"'})
