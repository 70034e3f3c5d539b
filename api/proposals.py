"""The inventory of development proposals (Formulir 2.1): items, signatures, consideration up the
hierarchy, forwarding to the PyB; and the HR unit's list of forwarded proposals to recap."""
from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from api.assessments import YearParam
from api.bootstrap import Services
from api.commands import expected_version, run
from api.schemas import Body, Reason
from api.scope import listing_scope, officer_for_command, readable_officer, require_agency_reader
from core import access
from core.errors import NotFound
from core.events import Actor
from core.i18n import msg
from core.proposal import DevelopmentProposal, proposal_id
from projections.assessments import forwarded_proposals, proposal_doc

Req = Request[Actor, Any, Any]


class ProposalItem(Body):
    """Formulir 2.1 items 8–13 (competency gap) or 14–18 (performance gap)."""

    source: Annotated[str, msgspec.Meta(description="competency or performance")]
    form: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="bentuk pengembangan")]
    pathway: Annotated[str, msgspec.Meta(description="jalur (Tabel 3.1 pathway code)")]
    target_time: Annotated[str, msgspec.Meta(min_length=1, max_length=100, description="waktu pemenuhan")]
    competency: str | None = None
    behaviour_indicator: str | None = None
    performance_standard: str | None = None
    remark: str | None = None


class Removal(Body):
    reason: Reason


class Sign(Body):
    pass


class Consider(Body):
    position: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    note: str | None = None


def _item(data: ProposalItem) -> dict[str, Any]:
    d = msgspec.structs.asdict(data)
    d.pop("effective_date")
    return d


class ProposalController(Controller):
    path = "/proposals"
    tags = ["proposals"]

    @post("/{officer_id:uuid}/{plan_year:int}/items", operation_id="addProposalItem", status_code=201, sync_to_thread=True,
          summary="Add an item to the officer's Formulir 2.1 (officer or direct supervisor)")
    def add(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
            data: JSONBody[ProposalItem]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        out: dict[str, Any] = {}

        def verb(ctx: Any) -> list[DevelopmentProposal]:
            prop, item_id = services.app.proposals.add_item(ctx, officer_id, plan_year, item=_item(data), expected_version=version)
            out["item_id"] = str(item_id)
            return [prop]

        return run(services, request, data, verb, effective=data.effective_date, status=201, result=lambda _: out)

    @post("/{officer_id:uuid}/{plan_year:int}/items/{item_id:uuid}", operation_id="changeProposalItem", status_code=200, sync_to_thread=True,
          summary="Change an item (voids the signatures of a signed proposal)")
    def change(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
               item_id: FromPath[UUID], data: JSONBody[ProposalItem]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.proposals.change_item(
            ctx, officer_id, plan_year, item_id, item=_item(data), expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/{plan_year:int}/items/{item_id:uuid}/removal", operation_id="removeProposalItem", status_code=200,
          sync_to_thread=True, summary="Remove an item, with a reason")
    def remove(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
               item_id: FromPath[UUID], data: JSONBody[Removal]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.proposals.remove_item(
            ctx, officer_id, plan_year, item_id, reason=data.reason, expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/{plan_year:int}/signatures", operation_id="signProposal", status_code=200, sync_to_thread=True,
          summary="Sign Formulir 2.1: the officer (item 19) or the direct supervisor (item 20), by the token")
    def sign(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
             data: JSONBody[Sign]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.proposals.sign(
            ctx, officer_id, plan_year, expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/{plan_year:int}/considerations", operation_id="considerProposal", status_code=200, sync_to_thread=True,
          summary="Consideration up the hierarchy: position and note")
    def consider(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
                 data: JSONBody[Consider]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.proposals.consider(
            ctx, officer_id, plan_year, position=data.position, note=data.note, expected_version=version)],
            effective=data.effective_date)

    @post("/{officer_id:uuid}/{plan_year:int}/forwarding", operation_id="forwardProposal", status_code=200, sync_to_thread=True,
          summary="Forward the signed proposal to the PyB (direct supervisor or HR unit)")
    def forward(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: YearParam,
                data: JSONBody[Sign]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.proposals.forward(
            ctx, officer_id, plan_year, expected_version=version)], effective=data.effective_date)

    @get("/{officer_id:uuid}/{plan_year:int}", operation_id="getProposal", sync_to_thread=True,
         summary="Formulir 2.1 of one officer for one plan year")
    def read(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
             plan_year: YearParam) -> Response[Any]:
        officer = readable_officer(services, request.user, officer_id)
        doc = proposal_doc(services.views, str(proposal_id(officer_id, plan_year)))
        if doc is None:
            raise NotFound(msg("No {plan_year} proposal (Formulir 2.1) of officer {nip} has been started.", plan_year=plan_year, nip=officer['nip']))
        return Response(doc, headers={"ETag": f'"{doc["version"]}"'})

    @get("/", operation_id="listForwardedProposals", sync_to_thread=True,
         summary="The forwarded proposals of an agency for a plan year, for the HR unit's recap")
    def forwarded(self, request: Req, services: NamedDependency[Services], plan_year: YearParam,
                  agency: FromQuery[str | None] = None) -> dict[str, Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        if scope is None:
            raise access.Forbidden("Name the agency whose forwarded proposals you want to read (?agency=).")
        require_agency_reader(actor, "The agency's forwarded proposals")
        return {"items": forwarded_proposals(services.views, agency=scope, plan_year=plan_year)}
