"""Officers: register and correct Formulir 2.2, record histories, list/search, read, event history."""
from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from uuid import UUID

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api import asof, pgreads
from api import schemas as s
from api.bootstrap import Services
from api.commands import event_view, expected_version, run
from api.filters import one_of
from api.scope import listing_scope, officer_for_command, readable_officer
from core import access
from core.catalogue import Level
from core.errors import Invalid, NotFound
from core.events import Actor
from core.i18n import msg
from core.nip import EmployeeType
from core.officers import Officer
from projections.officers import OfficerSearch, formulir_2_2, search_officers

Req = Request[Actor, Any, Any]


def _exact_nip(raw: str | None) -> str | None:
    """The 18 digits of ``?nip=``; 422 when it cannot be a whole NIP."""
    if raw is None:
        return None
    digits = raw.replace(" ", "")
    if not (digits.isdigit() and len(digits) == 18):
        count = sum(ch.isdigit() for ch in digits)
        raise Invalid(msg("nip={raw!r} is not a whole NIP: an NIP has 18 digits (spaces allowed), this has {count} digits. To search "
                          "a part of an NIP or a name, use q=.", raw=raw, count=count) if digits.isdigit() else
                      msg("nip={raw!r} is not a whole NIP: an NIP has 18 digits (spaces allowed), this has {count} digits and other "
                          "characters. To search a part of an NIP or a name, use q=.", raw=raw, count=count),
                      field="nip", code="officer.nip_not_whole")
    return digits


def _read_officer(services: Services, actor: Actor, officer_id: UUID, as_of: str | None) -> Response[Any]:
    """Formulir 2.2 of one officer on the synchronous stores (psycopg, SQLite), live or as of ``as_of``."""
    readable_officer(services, actor, officer_id)
    doc, point, head = asof.read_model(services, ["officers"], lambda store: formulir_2_2(store, str(officer_id)),
                                       as_of=as_of, aggregate_ids=[officer_id])
    if doc is None:
        assert point is not None
        raise NotFound(msg("Officer {officer_id} was not registered yet at log position {position} ({as_of}).",
                           officer_id=officer_id, position=point.position, as_of=as_of))
    # An ETag is a version to write against: a past version is not one.
    return asof.respond(doc, point, head, headers=None if point else {"ETag": f'"{doc["version"]}"'})


def _listing(actor: Actor, agency: str | None, q: str | None, exact: str | None, level: str | None, unit: str | None,
             employee_type: str | None, limit: int, offset: int) -> OfficerSearch | None:
    """The list's query for this caller; None when an officer asks for another NIP than their own (an empty
    list); Forbidden when the caller's roles list no officers."""
    scope = listing_scope(actor, agency)
    supervisor_nip = None
    nip_only = None
    if not access.reads_across_agencies(actor) and not (actor.roles & access.AGENCY_READERS):
        if access.SUPERVISOR in actor.roles and actor.nip:
            supervisor_nip = actor.nip
        elif access.OFFICER in actor.roles and actor.nip:
            nip_only = actor.nip
        else:
            raise access.Forbidden("Your roles do not allow listing officers.")
    if nip_only is not None and exact not in (None, nip_only):
        return None
    return OfficerSearch(agency=scope, q=None if nip_only else q, nip=nip_only or exact, level=level, unit=unit,
                         employee_type=employee_type, supervisor_nip=supervisor_nip, limit=limit, offset=offset)


def _list_officers(services: Services, actor: Actor, *args: Any) -> dict[str, Any]:
    """The officer list on the synchronous stores (psycopg, SQLite): ``args`` as :func:`_listing`'s."""
    services.projector.require_current("officers")
    search = _listing(actor, *args)
    if search is None:
        return {"items": [], "total": 0, "limit": args[-2], "offset": args[-1]}
    rows, total = search_officers(services.views, **dataclasses.asdict(search))
    return {"items": rows, "total": total, "limit": search.limit, "offset": search.offset}

class OfficerController(Controller):
    path = "/officers"
    tags = ["officers"]

    @post("/", operation_id="registerOfficer", summary="Register an officer (Formulir 2.2)", status_code=201, sync_to_thread=True)
    def register(self, request: Req, services: NamedDependency[Services], data: JSONBody[s.RegisterOfficer]) -> Response[Any]:
        fields = msgspec.structs.asdict(data)
        effective = fields.pop("effective_date")
        return run(services, request, data, lambda ctx: [services.app.officers.register(ctx, **fields)],
                   effective=effective, status=201)

    @get("/", operation_id="listOfficers", summary="List and search the officers you may see (Formulir 2.2)",
         description="Officers of Formulir 2.2 the caller may read. `q` searches a part of the name or of the NIP; a query of "
                     "17 digits or more is a whole NIP and matches only that NIP exactly. `nip` is an exact NIP lookup "
                     "(18 digits, spaces allowed). Every hit of a search carries `matched_on` (nip, nip_part, name_part). "
                     "`level` and `employee_type` take their codes; an unknown one is refused (422) with the valid ones.")
    async def list(self, request: Req, services: NamedDependency[Services],
                   q: Annotated[str | None, Parameter(max_length=100, description="part of a name or NIP; 17+ digits: the whole NIP, exactly")] = None,
                   nip: Annotated[str | None, Parameter(max_length=40, description="exactly this NIP (18 digits, spaces allowed)")] = None,
                   agency: Annotated[str | None, Parameter(max_length=100)] = None,
                   level: Annotated[str | None, Parameter(max_length=40, description="jenjang code, e.g. ahli_pertama")] = None,
                   unit: FromQuery[str | None] = None,
                   employee_type: Annotated[str | None, Parameter(max_length=10, description="PNS or PPPK")] = None,
                   limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
                   offset: Annotated[int, Parameter(ge=0, le=1_000_000_000)] = 0) -> dict[str, Any]:
        actor = request.user
        level = one_of(level, (lv.value for lv in Level), "level", enum=Level)
        employee_type = one_of(employee_type, (t.value for t in EmployeeType), "employee_type", enum=EmployeeType)
        exact = _exact_nip(nip)
        # PostgreSQL: one statement through asyncpg, no worker thread (api/pgreads.py), when the caller's scope
        # is known without a refusal; the synchronous path answers refusals, 503s and what waits at the barrier.
        args = (agency, q, exact, level, unit, employee_type, limit, offset)
        reads = pgreads.reads_of(request.app)
        if reads is not None:
            try:
                search = _listing(actor, *args)
            except access.Forbidden:
                search = None
            if search is not None:
                answer = await pgreads.list_officers(services, reads, search)
                if answer is not None:
                    return answer
        return await anyio.to_thread.run_sync(_list_officers, services, actor, *args)

    @get("/{officer_id:uuid}", operation_id="getOfficer", summary="Formulir 2.2 of one officer")
    async def read(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                   as_of: Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)] = None) -> Response[Any]:
        # PostgreSQL, live: one statement through asyncpg, no worker thread (api/pgreads.py). As of a past
        # moment, on SQLite, or while the read models are behind the log head: the synchronous path below.
        reads = pgreads.reads_of(request.app)
        if as_of is None and reads is not None:
            answer = await pgreads.read_officer(services, reads, request.user, officer_id)
            if answer is not None:
                return answer
        return await anyio.to_thread.run_sync(_read_officer, services, request.user, officer_id, as_of)

    @get("/{officer_id:uuid}/events", operation_id="getOfficerEvents", summary="Every event of this officer, with provenance", sync_to_thread=True)
    def events(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID]) -> dict[str, Any]:
        readable_officer(services, request.user, officer_id)
        events = services.app.stored_events(officer_id)
        return {"id": str(officer_id), "version": events[-1].originator_version if events else 0,
                "events": [event_view(e) for e in events]}

    @post("/{officer_id:uuid}/corrections", operation_id="correctOfficer", status_code=200,
          summary="Correct profile fields, with a reason", sync_to_thread=True)
    def correct(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], data: JSONBody[s.CorrectProfile]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.officers.correct_profile(
            ctx, officer_id, changes=data.changes, reason=data.reason, corrects_version=data.corrects_version,
            expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/placement", operation_id="changeOfficerPlacement", status_code=200, sync_to_thread=True,
          summary="Record a new placement (promotion, move, new supervisor) from its effective date")
    def placement(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                  data: JSONBody[s.ChangePlacement]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        fields = msgspec.structs.asdict(data)
        effective = fields.pop("effective_date")
        return run(services, request, data, lambda ctx: [services.app.officers.change_placement(
            ctx, officer_id, expected_version=version, **fields)], effective=effective)

    @post("/{officer_id:uuid}/withdrawal", operation_id="withdrawOfficer", status_code=200,
          summary="Withdraw a registration made in error", sync_to_thread=True)
    def withdraw(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], data: JSONBody[s.Withdraw]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.officers.withdraw_registration(
            ctx, officer_id, reason=data.reason, expected_version=version)], effective=data.effective_date)

    def _history(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], kind: str, data: JSONBody[s.Body]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        fields = msgspec.structs.asdict(data)
        effective = fields.pop("effective_date")
        entry: dict[str, Any] = {}

        def verb(ctx: Any) -> list[Officer]:
            officer, entry_id = services.app.officers.record_history(ctx, officer_id, kind, expected_version=version, **fields)
            entry["entry_id"] = str(entry_id)
            return [officer]

        return run(services, request, data, verb, effective=effective, status=201, result=lambda _: entry)

    @post("/{officer_id:uuid}/history/positions", operation_id="recordPositionHistory", summary="Riwayat jabatan",
          status_code=201, sync_to_thread=True)
    def position(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], data: JSONBody[s.PositionEntry]) -> Response[Any]:
        return self._history(request, services, officer_id, "position", data)

    @post("/{officer_id:uuid}/history/development", operation_id="recordDevelopmentHistory", summary="Riwayat pengembangan kompetensi",
          status_code=201, sync_to_thread=True)
    def development(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], data: JSONBody[s.DevelopmentEntry]) -> Response[Any]:
        return self._history(request, services, officer_id, "development", data)

    @post("/{officer_id:uuid}/history/performance", operation_id="recordPerformanceHistory", summary="Riwayat hasil penilaian kinerja",
          status_code=201, sync_to_thread=True)
    def performance(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], data: JSONBody[s.PerformanceEntry]) -> Response[Any]:
        return self._history(request, services, officer_id, "performance", data)

    @post("/{officer_id:uuid}/history/credit-points", operation_id="recordCreditPoints", summary="Riwayat angka kredit",
          status_code=201, sync_to_thread=True)
    def credit_points(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                      data: JSONBody[s.CreditPointsEntry]) -> Response[Any]:
        return self._history(request, services, officer_id, "credit_points", data)

    @post("/{officer_id:uuid}/history/{entry_id:uuid}/corrections", operation_id="correctHistoryEntry", status_code=200,
          summary="Correct a history entry, with a reason",
          sync_to_thread=True)
    def correct_entry(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                      entry_id: FromPath[UUID], data: JSONBody[s.CorrectHistory]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.officers.correct_history(
            ctx, officer_id, entry_id, changes=data.changes, reason=data.reason, expected_version=version)],
            effective=data.effective_date)

    @post("/{officer_id:uuid}/history/{entry_id:uuid}/retraction", operation_id="retractHistoryEntry", status_code=200,
          summary="Retract a history entry recorded in error",
          sync_to_thread=True)
    def retract_entry(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                      entry_id: FromPath[UUID], data: JSONBody[s.Retract]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.officers.retract_history(
            ctx, officer_id, entry_id, reason=data.reason, expected_version=version)], effective=data.effective_date)
