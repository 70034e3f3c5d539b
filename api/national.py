"""National recaps (issue 11) for the Instansi Pembina, LAN, BKN and auditors — across agencies, by year,
agency kind and province, with the drill-down agency → officer and the Pembina's 180° analysis. An agency's
HR side (HR, PyB, verification team, PPK, head) reads the same recaps of its own agency only.

Every answer carries the log position and chain head it was computed at (``chain_head``, ``position``,
``X-Pengkom-Chain-Head``) and takes ``?as_of=``. The same documents are exported as CSV or XLSX under
``/exports/national/…`` (or here with ``Accept: text/csv`` / ``?format=``).
"""
from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter

from api import asof
from api.bootstrap import Services
from api.exports import _kind, _province, national_scope
from api.heads import sign
from core.errors import NotFound
from core.events import Actor
from core.i18n import msg
from projections.national_recap import Scope, agency_officers, gap_officers, gap_table, national_recap
from reports.source import At, reading

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Year = Annotated[int, Parameter(ge=2000, le=2100, description="the year: plan year, activity year, assessment and evaluation year")]
Agency = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Kind = Annotated[str | None, Parameter(max_length=40, description="kementerian_lembaga, provinsi or kabupaten_kota")]
Province = Annotated[str | None, Parameter(max_length=60, description="a province code (jawa_barat) or name")]
Limit = Annotated[int, Parameter(ge=1, le=1000)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000_000)]
MODELS = ("national",)


def _respond(services: Services, body: dict[str, Any], at: At, point: asof.Point | None) -> Response[Any]:
    body["position"] = at.position
    return asof.respond(body, point, sign(services.settings, at.head))


class NationalController(Controller):
    path = "/national"
    tags = ["national"]

    @get("/recap", operation_id="getNationalRecap", sync_to_thread=True,
         summary="The national recap: per agency and for the country (agency roles: their own agency)")
    def recap(self, request: Req, services: NamedDependency[Services], year: Year, agency: FromQuery[Agency | None] = None,
              kind: Kind = None, province: Province = None, as_of: AsOf = None) -> Response[Any]:
        scope = Scope(year=year, agency=national_scope(request.user, agency), kind=_kind(kind), province=_province(province))
        with reading(services, MODELS, as_of=as_of) as (store, at, point):
            body = national_recap(store, scope, at.reference)
        return _respond(services, body, at, point)

    @get("/agencies/{agency:str}", operation_id="getNationalAgency", sync_to_thread=True,
         summary="Drill-down: one agency's recap and its officers with their year's figures")
    def agency(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: Year,
               limit: Limit = 1000, offset: Offset = 0, as_of: AsOf = None) -> Response[Any]:
        code = national_scope(request.user, agency)
        assert code is not None
        with reading(services, MODELS, as_of=as_of) as (store, at, point):
            recap = national_recap(store, Scope(year=year, agency=code), at.reference)
            if not recap["agencies"]:
                raise NotFound(msg("Agency {code} has recorded nothing and is not in the directory.", code=code), field="agency")
            officers, total = agency_officers(store, code, year, limit=limit, offset=offset)
        body = {"year": year, "reference_date": recap["reference_date"], "agency": recap["agencies"][0], "officers": officers,
                "page": {"limit": limit, "offset": offset, "returned": len(officers), "total": total}}
        return _respond(services, body, at, point)

    @get("/gap-analysis", operation_id="getGapAnalysis", sync_to_thread=True,
         summary="The Instansi Pembina's 180° analysis across agencies: gaps by competency and level, and per officer")
    def gaps(self, request: Req, services: NamedDependency[Services], year: Year, agency: FromQuery[Agency | None] = None,
             kind: Kind = None, province: Province = None,
             level: Annotated[str | None, Parameter(max_length=40)] = None,
             competency: Annotated[str | None, Parameter(max_length=100)] = None,
             limit: Limit = 1000, offset: Offset = 0, as_of: AsOf = None) -> Response[Any]:
        from api.filters import one_of
        from core.catalogue import COMPETENCIES, Level
        from projections.national_recap import agencies

        level = one_of(level, (lv.value for lv in Level), "level", enum=Level)
        one_of(competency, (c.code for c in COMPETENCIES), "competency")
        scope = Scope(year=year, agency=national_scope(request.user, agency), kind=_kind(kind), province=_province(province))
        with reading(services, MODELS, as_of=as_of) as (store, at, point):
            codes = [a["code"] for a in agencies(store, scope)]
            table = [r for r in gap_table(store, codes, year)
                     if (level is None or r["level"] == level) and (competency is None or r["competency"] == competency)]
            officers, total = gap_officers(store, scope, level=level, competency_code=competency, limit=limit, offset=offset)
        body = {"year": year, "scope": scope.as_dict(), "level": level, "competency": competency, "agencies": len(codes),
                "by_competency_and_level": table, "officers": officers,
                "page": {"limit": limit, "offset": offset, "returned": len(officers), "total": total}}
        return _respond(services, body, at, point)
