"""The JP ledger: per officer and year, and the agency summary (PNS below 20 JP, PPPK over 24)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import anyio
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter

from api import asof, paging, pgreads
from api.bootstrap import Services
from api.scope import listing_scope, readable_officer, require_agency_reader
from core.errors import Forbidden, NotFound
from core.events import Actor
from core.i18n import msg
from projections.ledger import AgencyLedgerPage, agency_ledger_page, officer_ledger
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

    @get("/agency", operation_id="getAgencyLedger", summary="The agency's JP summary for a year, a page of officers at a time")
    async def agency(self, request: Req, services: NamedDependency[Services], agency: FromQuery[str | None] = None,
                     year: YearParam = None, as_of: AsOf = None, limit: paging.Limit = paging.DEFAULT_LIMIT,
                     cursor: paging.Cursor = None) -> Response[Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        if scope is None:
            raise Forbidden("Name the agency (?agency=) whose ledger you want.")
        require_agency_reader(actor, "The agency's JP summary")
        the_year = _year(year)
        listing = ("ledger/agency", scope, the_year)
        after = paging.decode(cursor, listing, (str, str))
        page = AgencyLedgerPage(scope, the_year, limit, (after[0], after[1]) if after else None)
        # PostgreSQL, live: one statement through asyncpg, no worker thread (api/pgreads.py); as of a past
        # moment, on SQLite, or while the read models are behind the log head: the synchronous path.
        reads = pgreads.reads_of(request.app)
        got = await pgreads.page_read(services, reads, page.queries(), LEDGER_MODELS) if as_of is None and reads is not None else None
        if got is not None:
            (doc, last), point, head = page.shape(got[0]), None, got[1]
        else:
            (doc, last), point, head = await anyio.to_thread.run_sync(
                lambda: asof.read_model(services, LEDGER_MODELS, lambda st: agency_ledger_page(st, page), as_of=as_of))
        doc["page"] = paging.page_info("/ledger/agency", {"agency": agency, "year": the_year, "as_of": as_of}, limit, cursor,
                                       last, listing)
        return asof.respond(doc, point, head)
