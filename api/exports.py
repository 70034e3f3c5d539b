"""Exports of every form and report as CSV or XLSX (and the SIASN course export as JSON Lines too).

Each export has a route under ``/exports`` that mirrors the JSON route of the same document
(``/plans/kemnaker/2027`` → ``/exports/plans/kemnaker/2027``), with the same access rules; and the JSON
route itself answers with the file when asked for it — ``Accept: text/csv``, ``Accept:
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``, or ``?format=csv|xlsx`` — because
:class:`NegotiationMiddleware` routes such a request to the export twin before routing.

The file is written row by row to a temporary file and streamed from it (an agency-year of Formulir 2.6
or a national recap is never assembled in memory); it states the log position and chain head it was
computed at in its stamp rows and in the ``X-Pengkom-Chain-Head`` and ``X-Pengkom-Position`` headers.
``pengkom verify --export FILE`` re-derives it from the log.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter
from litestar.response import Stream

from api import asof
from api.bootstrap import Services
from api.heads import signer_for
from api.scope import activity_in_scope, readable_officer
from core import access
from core.agencies import AgencyKind
from core.errors import Forbidden, Invalid, NotFound
from core.events import Actor
from core.i18n import msg
from core.planning import plan_id
from reports.registry import KINDS
from reports.source import reading
from reports.writers import CSV, MEDIA, XLSX, chunks, write

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Format = Annotated[str | None, Parameter(max_length=10, description="csv or xlsx (default: from Accept, else csv)")]
Year = Annotated[int, Parameter(ge=2000, le=2100)]
Agency = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
JSONL = "jsonl"
_XLSX_MEDIA = MEDIA[XLSX].split(";")[0]


def choose_format(request: Req, fmt: str | None, *, allowed: tuple[str, ...] = (CSV, XLSX)) -> str:
    """``?format=`` wins; else the first of the allowed media types the Accept header names; else CSV."""
    if fmt is not None:
        f = fmt.lower()
        if f not in allowed:
            raise Invalid(msg("format {fmt!r} is not one of {allowed}.", fmt=fmt, allowed=', '.join(allowed)), field="format")
        return f
    wanted = negotiated(request.headers.get("accept", ""))
    return wanted if wanted in allowed else CSV


def negotiated(accept: str) -> str | None:
    """The export format an Accept header prefers over JSON (None: it does not ask for a file)."""
    best: tuple[float, int, str | None] = (0.0, 0, None)
    for n, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        kind = {"text/csv": CSV, _XLSX_MEDIA: XLSX, "application/x-ndjson": JSONL, "application/json": "json"}.get(media)
        if kind is not None and (q > best[0] or (q == best[0] and best[2] is None)):
            best = (q, -n, kind)
    return best[2] if best[2] in (CSV, XLSX, JSONL) else None


def respond_export(services: Services, kind_name: str, params: dict[str, Any], fmt: str, as_of: str | None) -> Response[Any]:
    """Build the export at the read position (or as of ``as_of``), write it, stream it with its stamp in the headers."""
    kind = KINDS[kind_name]
    with reading(services, kind.models, as_of=as_of, aggregate_ids=kind.aggregates(params) if as_of else None) as (store, at, _):
        doc = kind.build(store, at, params)
        if fmt == JSONL:
            from reports.jsonl import write_jsonl

            file = write_jsonl(store, params)
            media = "application/x-ndjson"
        else:
            file = write(doc, fmt)
            media = MEDIA[fmt]
    headers = {asof.CHAIN_HEADER: signer_for(services.settings).sign(at.head).header, "X-Pengkom-Position": str(at.position), "X-Pengkom-Export": kind_name,
               "Content-Disposition": content_disposition(f"{doc.filename}.{fmt}"), "Cache-Control": "private, no-store"}
    return Stream(chunks(file), media_type=media, headers=headers)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, when the name is not plain ASCII (an agency code or name typed
    with other letters), the exact one as RFC 6266 / 5987 ``filename*`` — a header holds only ASCII safely (a name
    in other letters once made the export answer 500: found by the OpenAPI contract run)."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    if plain == filename:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _agency_reader(actor: Actor, agency: str | None, what: str) -> str | None:
    """An agency's HR side reads its own agency; national roles any (None: all)."""
    scope = access.agency_scope(actor, agency)
    if not access.reads_across_agencies(actor):
        access.require_role(actor, sorted(access.AGENCY_READERS), what)
    return scope


def _kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    try:
        return AgencyKind(kind).value
    except ValueError:
        raise Invalid(msg("Agency kind {kind!r} is not one of {k_value_for_k_in_agencyk}.",
                          kind=kind, k_value_for_k_in_agencyk=', '.join(k.value for k in AgencyKind)), field="kind") from None


def _province(province: str | None) -> str | None:
    if province is None:
        return None
    from core.agencies import province_code

    return province_code(province)


class ExportController(Controller):
    path = "/exports"
    tags = ["exports"]

    # -- BAB II -------------------------------------------------------------------------------------------

    @get("/officers/{officer_id:uuid}", operation_id="exportFormulir22", sync_to_thread=True,
         summary="Formulir 2.2 of one officer as CSV or XLSX")
    def formulir_2_2(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], format: Format = None,
                     as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)
        return respond_export(services, "formulir-2.2", {"officer_id": str(officer_id)}, choose_format(request, format), as_of)

    @get("/officers", operation_id="exportOfficers", sync_to_thread=True,
         summary="The agency's officers in the bulk-import layout (Formulir 2.2 identity and placement)")
    def officers(self, request: Req, services: NamedDependency[Services], agency: FromQuery[Agency | None] = None,
                 format: Format = None, as_of: AsOf = None) -> Response[Any]:
        scope = _agency_reader(request.user, agency, "export the agency's officers")
        if scope is None:
            raise Forbidden("Name the agency whose officers you want (?agency=).")
        return respond_export(services, "officers", {"agency": scope}, choose_format(request, format), as_of)

    @get("/proposals/{officer_id:uuid}/{plan_year:int}", operation_id="exportFormulir21", sync_to_thread=True,
         summary="Formulir 2.1 of one officer and plan year")
    def formulir_2_1(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], plan_year: Year,
                     format: Format = None, as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)
        return respond_export(services, "formulir-2.1", {"officer_id": str(officer_id), "plan_year": plan_year},
                              choose_format(request, format), as_of)

    @get("/assessments/{officer_id:uuid}/{year:int}", operation_id="exportFormulir2324", sync_to_thread=True,
         summary="Formulir 2.3 and 2.4 and the gap analysis of one officer and year")
    def formulir_2_3(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: Year,
                     format: Format = None, as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)
        return respond_export(services, "formulir-2.3", {"officer_id": str(officer_id), "year": year},
                              choose_format(request, format), as_of)

    @get("/performance-reviews/{officer_id:uuid}/{year:int}", operation_id="exportFormulir25", sync_to_thread=True,
         summary="Formulir 2.5 of one officer and year")
    def formulir_2_5(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: Year,
                     format: Format = None, as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)
        return respond_export(services, "formulir-2.5", {"officer_id": str(officer_id), "year": year},
                              choose_format(request, format), as_of)

    @get("/plans/{agency:str}/{year:int}", operation_id="exportFormulir26", sync_to_thread=True,
         summary="Formulir 2.6 with budget totals and the signature block (national roles: the latest submitted revision)")
    def formulir_2_6(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: Year,
                     format: Format = None, as_of: AsOf = None) -> Response[Any]:
        read_at = self._plan_position(services, request.user, agency, year, None, as_of)
        return respond_export(services, "formulir-2.6", {"agency": agency, "year": year, "revision": None},
                              choose_format(request, format), read_at)

    @get("/plans/{agency:str}/{year:int}/revisions/{revision:int}", operation_id="exportFormulir26Revision", sync_to_thread=True,
         summary="Formulir 2.6 of one validated revision, as validated")
    def formulir_2_6_revision(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: Year,
                              revision: Annotated[int, Parameter(ge=1, le=10_000)], format: Format = None,
                              as_of: AsOf = None) -> Response[Any]:
        read_at = self._plan_position(services, request.user, agency, year, revision, as_of)
        return respond_export(services, "formulir-2.6", {"agency": agency, "year": year, "revision": revision},
                              choose_format(request, format), read_at)

    @staticmethod
    def _plan_position(services: Services, actor: Actor, agency: str, year: int, revision: int | None,
                       as_of: str | None) -> str | None:
        """The plan's readers as the JSON route has them (api/planning.py, api/reading.py): the agency's HR side reads
        the plan as it stands (or as of); a national body reads it as it was submitted to it — the export is made at
        the log position of that submission."""
        from api import reading
        from api.planning import _as_submitted, _readable_plan

        _readable_plan(services, actor, agency, year)
        subs = reading.submissions(services, plan_id(agency, year))
        _, read_at = _as_submitted(services, actor, agency, year, subs, as_of, revision)
        return read_at

    # -- BAB III, ledgers, audit ----------------------------------------------------------------------------

    @get("/activities/{activity_id:uuid}/monitoring", operation_id="exportMonitoring", sync_to_thread=True,
         summary="Formulir 3.3 (attendance) or 3.4 (coaching/mentoring meetings) of one activity")
    def monitoring(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], format: Format = None,
                   form: Annotated[str | None, Parameter(max_length=4, description="3.3 or 3.4 (default: the activity's own)")] = None,
                   as_of: AsOf = None) -> Response[Any]:
        from api.reading import readable_notes

        actor = request.user
        agg = activity_in_scope(services, actor, activity_id)
        chosen = form or agg.monitoring_form
        if chosen not in ("3.3", "3.4"):
            raise Invalid(msg("form {form!r} is not 3.3 or 3.4.", form=form), field="form")
        params: dict[str, Any] = {"activity_id": str(activity_id)}
        if chosen == "3.3":
            # Attendance notes (keterangan) are personal (api/reading.py): shown for the participants whose notes the
            # reader may read, withheld for the others.
            params["notes_for"] = sorted(readable_notes(actor, agg))
        return respond_export(services, f"formulir-{chosen}", params, choose_format(request, format), as_of)

    @get("/ledger/officers/{officer_id:uuid}", operation_id="exportOfficerLedger", sync_to_thread=True,
         summary="An officer's JP ledger for a year")
    def ledger_officer(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: Year,
                       format: Format = None, as_of: AsOf = None) -> Response[Any]:
        readable_officer(services, request.user, officer_id)
        return respond_export(services, "ledger-officer", {"officer_id": str(officer_id), "year": year},
                              choose_format(request, format), as_of)

    @get("/ledger/agency", operation_id="exportAgencyLedger", sync_to_thread=True, summary="The agency's JP summary for a year")
    def ledger_agency(self, request: Req, services: NamedDependency[Services], year: Year, agency: FromQuery[Agency | None] = None,
                      format: Format = None, as_of: AsOf = None) -> Response[Any]:
        scope = _agency_reader(request.user, agency, "export the agency's JP summary")
        if scope is None:
            raise Forbidden("Name the agency whose ledger you want (?agency=); the national recap covers every agency.")
        return respond_export(services, "ledger-agency", {"agency": scope, "year": year}, choose_format(request, format), as_of)

    @get("/audit", operation_id="exportAudit", sync_to_thread=True, summary="The audit trail (one agency, or all for national roles)")
    def audit(self, request: Req, services: NamedDependency[Services], agency: FromQuery[Agency | None] = None,
              aggregate_id: FromQuery[UUID | None] = None, format: Format = None, as_of: AsOf = None) -> Response[Any]:
        actor = request.user
        if not access.reads_across_agencies(actor) and not actor.roles & access.AGENCY_READERS:
            raise Forbidden("Exporting the audit trail needs a national role, the auditor role, or your agency's HR, PyB, "
                            "verification team, PPK or head role.")
        scope = access.agency_scope(actor, agency)
        if aggregate_id is not None:
            from projections.audit import aggregate_agency

            services.projector.require_current("audit")
            known, owner = aggregate_agency(services.views, str(aggregate_id))
            if not known:
                raise NotFound(msg("Nothing has been recorded for id {aggregate_id}.", aggregate_id=aggregate_id))
            if not access.reads_across_agencies(actor) and owner != actor.agency:
                raise Forbidden(msg("The records of {aggregate_id} belong to another agency than yours ({agency}).",
                                    aggregate_id=aggregate_id, agency=actor.agency))
        # Attendance notes in the summaries are withheld as the JSON route withholds them (api/reading.py): the reader's
        # HR agency and NIP go into the export's parameters, so its verification withholds the same.
        reader = {"hr_agency": actor.agency if access.HR in actor.roles else None,
                  "nip": actor.nip if access.OFFICER in actor.roles else None}
        params = {"agency": scope, "all_agencies": scope is None, "aggregate_id": str(aggregate_id) if aggregate_id else None,
                  "reader": reader}
        return respond_export(services, "audit", params, choose_format(request, format), as_of)

    # -- BAB V ------------------------------------------------------------------------------------------------

    @get("/evaluations/activities/{activity_id:uuid}", operation_id="exportFormulir5152", sync_to_thread=True,
         summary="Formulir 5.1 weights and Formulir 5.2 of one activity")
    def formulir_5_2(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], format: Format = None,
                     as_of: AsOf = None) -> Response[Any]:
        from api.evaluations import activity_for
        from core.evaluation.administrative import can_read_evaluation

        can_read_evaluation(request.user, activity_for(services, request.user, activity_id))
        return respond_export(services, "formulir-5.2", {"activity_id": str(activity_id)}, choose_format(request, format), as_of)

    @get("/evaluations/results/{activity_id:uuid}/{officer_id:uuid}", operation_id="exportFormulir5354", sync_to_thread=True,
         summary="Formulir 5.3 and the 5.4 recap of one officer and activity")
    def formulir_5_4(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
                     format: Format = None, as_of: AsOf = None) -> Response[Any]:
        from api.impact import _readable

        _readable(services, request.user, activity_id, officer_id)
        return respond_export(services, "formulir-5.4", {"activity_id": str(activity_id), "officer_id": str(officer_id)},
                              choose_format(request, format), as_of)

    @get("/evaluations/impact/{activity_id:uuid}/{officer_id:uuid}", operation_id="exportFormulir55", sync_to_thread=True,
         summary="Formulir 5.5 (as agreed, assessed or written)")
    def formulir_5_5(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
                     view: Annotated[str | None, Parameter(max_length=20)] = None, format: Format = None,
                     as_of: AsOf = None) -> Response[Any]:
        from api.impact import VIEWS, _readable

        _readable(services, request.user, activity_id, officer_id)
        if view is not None and view not in VIEWS:
            raise Invalid(msg("view {view!r} is not one of {VIEWS}.", view=view, VIEWS=', '.join(VIEWS)), field="view")
        return respond_export(services, "formulir-5.5", {"activity_id": str(activity_id), "officer_id": str(officer_id), "view": view},
                              choose_format(request, format), as_of)

    @get("/evaluations/recaps/{agency:str}/{year:int}", operation_id="exportEvaluationRecap", sync_to_thread=True,
         summary="The yearly evaluation recap and recommendations (BAB V.D)")
    def evaluation_recap(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: Year,
                         format: Format = None, as_of: AsOf = None) -> Response[Any]:
        from core.evaluation.recap import can_read_recap
        from projections.evaluations import submitted_recap

        services.projector.require_current("evaluations")
        can_read_recap(request.user, agency, submitted=submitted_recap(services.views, agency, year))
        return respond_export(services, "evaluation-recap", {"agency": agency, "year": year}, choose_format(request, format), as_of)

    # -- national -----------------------------------------------------------------------------------------------

    @get("/national/recap", operation_id="exportNationalRecap", sync_to_thread=True,
         summary="The national recap (agency roles: their own agency) as CSV or XLSX")
    def national_recap(self, request: Req, services: NamedDependency[Services], year: Year, agency: FromQuery[Agency | None] = None,
                       kind: Annotated[str | None, Parameter(max_length=40)] = None,
                       province: Annotated[str | None, Parameter(max_length=60)] = None,
                       format: Format = None, as_of: AsOf = None) -> Response[Any]:
        scope = national_scope(request.user, agency)
        params = {"year": year, "agency": scope, "kind": _kind(kind), "province": _province(province)}
        return respond_export(services, "national-recap", params, choose_format(request, format), as_of)

    @get("/national/agencies/{agency:str}", operation_id="exportNationalAgency", sync_to_thread=True,
         summary="One agency's recap with its officers (the drill-down)")
    def national_agency(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: Year,
                        format: Format = None, as_of: AsOf = None) -> Response[Any]:
        scope = national_scope(request.user, agency)
        return respond_export(services, "national-agency", {"agency": scope, "year": year}, choose_format(request, format), as_of)

    @get("/national/gap-analysis", operation_id="exportGapAnalysis", sync_to_thread=True,
         summary="The Instansi Pembina's 180° analysis across agencies")
    def national_gaps(self, request: Req, services: NamedDependency[Services], year: Year, agency: FromQuery[Agency | None] = None,
                      kind: Annotated[str | None, Parameter(max_length=40)] = None,
                      province: Annotated[str | None, Parameter(max_length=60)] = None,
                      level: Annotated[str | None, Parameter(max_length=40)] = None,
                      competency: Annotated[str | None, Parameter(max_length=100)] = None,
                      format: Format = None, as_of: AsOf = None) -> Response[Any]:
        from api.filters import one_of
        from core.catalogue import COMPETENCIES, Level

        level = one_of(level, (lv.value for lv in Level), "level", enum=Level)
        one_of(competency, (c.code for c in COMPETENCIES), "competency")
        scope = national_scope(request.user, agency)
        params = {"year": year, "agency": scope, "kind": _kind(kind), "province": _province(province), "level": level,
                  "competency": competency}
        return respond_export(services, "national-gaps", params, choose_format(request, format), as_of)

    @get("/siasn", operation_id="exportSiasnCourses", sync_to_thread=True,
         summary="SIASN-shaped course history: one line per officer and completed activity, with a stable id (CSV, XLSX, JSON Lines)")
    def siasn(self, request: Req, services: NamedDependency[Services],
              period_from: Annotated[date, QueryParameter(name="from", description="completed on or after (YYYY-MM-DD)")],
              period_to: Annotated[date, QueryParameter(name="to", description="completed on or before (YYYY-MM-DD)")],
              agency: FromQuery[Agency | None] = None, format: Format = None,
              as_of: AsOf = None) -> Response[Any]:
        scope = national_scope(request.user, agency)
        if period_from > period_to:
            raise Invalid(msg("from ({period_from}) is after to ({period_to}); nothing can be in between.",
                              period_from=period_from, period_to=period_to), field="from")
        params = {"agency": scope, "from": period_from.isoformat(), "to": period_to.isoformat()}
        return respond_export(services, "siasn", params, choose_format(request, format, allowed=(CSV, XLSX, JSONL)), as_of)


def national_scope(actor: Actor, agency: str | None) -> str | None:
    """National recaps: national roles and auditors read across agencies (None: all); the agency's HR side
    (HR, PyB, verification team, PPK, head) reads only its own agency; officers and supervisors read none."""
    if access.reads_across_agencies(actor):
        return agency
    if not actor.roles & access.AGENCY_READERS:
        raise Forbidden(msg("National recaps are read by the Instansi Pembina, LAN, BKN and auditors, and for its own agency by "
                            "the agency's HR unit, PyB, verification team, PPK and head; your token has {sorted_roles}.",
                            sorted_roles=', '.join(sorted(actor.roles))))
    return access.agency_scope(actor, agency)


# -- content negotiation on the JSON routes ---------------------------------------------------------------------

#: GET paths (JSON routes) that have an export twin under /exports.
TWINS = tuple(re.compile(p) for p in (
    r"^/officers/?$", r"^/officers/[0-9a-fA-F-]{36}$", r"^/proposals/[0-9a-fA-F-]{36}/\d+$", r"^/assessments/[0-9a-fA-F-]{36}/\d+$",
    r"^/performance-reviews/[0-9a-fA-F-]{36}/\d+$", r"^/plans/[^/]+/\d+$", r"^/plans/[^/]+/\d+/revisions/\d+$",
    r"^/activities/[0-9a-fA-F-]{36}/monitoring$", r"^/ledger/officers/[0-9a-fA-F-]{36}$", r"^/ledger/agency$", r"^/audit/?$",
    r"^/evaluations/activities/[0-9a-fA-F-]{36}$", r"^/evaluations/results/[0-9a-fA-F-]{36}/[0-9a-fA-F-]{36}$",
    r"^/evaluations/impact/[0-9a-fA-F-]{36}/[0-9a-fA-F-]{36}$", r"^/evaluations/recaps/[^/]+/\d+$",
    r"^/national/recap$", r"^/national/agencies/[^/]+$", r"^/national/gap-analysis$",
))
_FORMAT = re.compile(rb"(?:^|&)format=(csv|xlsx|jsonl)(?:&|$)", re.I)


class NegotiationMiddleware:
    """A GET of a JSON route that asks for CSV or XLSX (Accept or ``?format=``) is served by its export twin."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            path: str = scope.get("path", "")
            if not path.startswith("/exports") and any(t.match(path) for t in TWINS):
                accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
                if _FORMAT.search(scope.get("query_string") or b"") or negotiated(accept) in (CSV, XLSX):
                    twin = "/exports" + path.rstrip("/")
                    scope = {**scope, "path": twin, "raw_path": twin.encode()}
        await self.app(scope, receive, send)

