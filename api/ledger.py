"""The JP ledger: per officer and year, and the agency summary (PNS below 20 JP, PPPK over 24)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter

from api import asof
from api.bootstrap import Services
from api.scope import listing_scope, readable_officer, require_agency_reader
from core.errors import Forbidden, NotFound
from core.events import Actor
from core.i18n import msg
from projections.ledger import agency_ledger, officer_ledger
from projections.officers import officer_row
from projections.store import ViewStore

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
#: The ledger reads the officer directory (names, employee type) and the plans (planned JP) too;
#: an as-of read rebuilds all three up to that position.
LEDGER_MODELS = ["officers", "jp_ledger", "plans"]
YearParam = Annotated[int | None, Parameter(ge=1960, le=2100, description="the plan year (default: this year)")]


def _year(year: int | None) -> int:
    return year or datetime.now(UTC).year


class LedgerController(Controller):
    path = "/ledger"
    tags = ["ledger"]

    @get("/officers/{officer_id:uuid}", operation_id="getOfficerLedger", summary="An officer's JP ledger for a year",
         sync_to_thread=True)
    def officer(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                year: YearParam = None, as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)

        def query(store: ViewStore) -> dict[str, Any] | None:
            then = officer_row(store, str(officer_id))
            if then is None:
                return None
            return officer_ledger(store, officer_id=str(officer_id), year=_year(year), agency=then["agency"],
                                  employee_type=then["employee_type"], nip=then["nip"], name=then["name"])

        doc, point, head = asof.read_model(services, LEDGER_MODELS, query, as_of=as_of)
        if doc is None:
            assert point is not None
            raise NotFound(msg("Officer {officer_id} was not registered yet at log position {position}.", officer_id=officer_id, position=point.position))
        return asof.respond(doc, point, head)

    @get("/agency", operation_id="getAgencyLedger", summary="The agency's JP summary for a year", sync_to_thread=True)
    def agency(self, request: Req, services: NamedDependency[Services], agency: FromQuery[str | None] = None,
               year: YearParam = None, as_of: AsOf = None) -> Response[Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        if scope is None:
            raise Forbidden("Name the agency (?agency=) whose ledger you want.")
        require_agency_reader(actor, "The agency's JP summary")
        doc, point, head = asof.read_model(services, LEDGER_MODELS, lambda st: agency_ledger(st, agency=scope, year=_year(year)),
                                           as_of=as_of)
        return asof.respond(doc, point, head)
