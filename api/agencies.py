"""The agency directory: the Instansi Pembina registers agencies and records changes of their details;
every signed-in caller reads it (national reports group and filter by it)."""
from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from api import asof
from api.bootstrap import Services
from api.commands import expected_version, run
from api.heads import sign
from api.schemas import Body, Reason, Text
from core.agencies import KIND_LABELS, PROVINCES, AgencyKind, province_code
from core.errors import Invalid, NotFound
from core.events import Actor
from core.i18n import msg
from projections.store import like_pattern
from reports.source import reading

Req = Request[Actor, Any, Any]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["disnaker-jabar"])]


class RegisterAgency(Body):
    """An agency of the directory: its code (as tokens name it), official name, kind and province."""

    code: Code
    name: Text
    kind: Annotated[str, msgspec.Meta(description="kementerian_lembaga, provinsi or kabupaten_kota")]
    province: Annotated[str, msgspec.Meta(max_length=60, description="province code (jawa_barat) or name")]
    regency: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="the regency or city (kabupaten_kota only)")] | None = None


class ChangeAgency(Body, kw_only=True):
    name: Text
    kind: str
    province: Annotated[str, msgspec.Meta(max_length=60)]
    regency: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    reason: Reason


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "kind_label": KIND_LABELS.get(r["kind"]), "province_name": PROVINCES.get(r["province"])}


class AgencyController(Controller):
    path = "/agencies"
    tags = ["agencies"]

    @post("/", operation_id="registerAgency", summary="Register an agency in the directory (Instansi Pembina)", status_code=201,
          sync_to_thread=True)
    def register(self, request: Req, services: NamedDependency[Services], data: JSONBody[RegisterAgency]) -> Response[Any]:
        return run(services, request, data, lambda ctx: [services.app.agencies.register(
            ctx, code=data.code, name=data.name, kind=data.kind, province=data.province, regency=data.regency)],
            effective=data.effective_date, status=201)

    @post("/{code:str}/changes", operation_id="changeAgency", status_code=200, summary="Record new official details of an agency, with a reason",
          sync_to_thread=True)
    def change(self, request: Req, services: NamedDependency[Services], code: FromPath[Code], data: JSONBody[ChangeAgency]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.agencies.change(
            ctx, code, name=data.name, kind=data.kind, province=data.province, regency=data.regency, reason=data.reason,
            expected_version=version)], effective=data.effective_date)

    @get("/", operation_id="listAgencies", summary="The agency directory (filter by kind and province)", sync_to_thread=True)
    def list(self, services: NamedDependency[Services],
             kind: Annotated[str | None, Parameter(max_length=40)] = None,
             province: Annotated[str | None, Parameter(max_length=60)] = None,
             q: Annotated[str | None, Parameter(max_length=100, description="part of a code or name")] = None,
             as_of: Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)] = None) -> Response[Any]:
        where, params = ["1 = 1"], []
        if kind is not None:
            if kind not in {k.value for k in AgencyKind}:
                raise Invalid(msg("Agency kind {kind!r} is not one of {k_value_for_k_in_agencyk}.",
                                  kind=kind, k_value_for_k_in_agencyk=', '.join(k.value for k in AgencyKind)), field="kind")
            where.append("kind = ?")
            params.append(kind)
        if province is not None:
            where.append("province = ?")
            params.append(province_code(province))
        if q:
            where.append("(LOWER(code) LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!')")
            params += [like_pattern(q), like_pattern(q)]
        with reading(services, ["national"], as_of=as_of) as (store, at, point):
            rows = store.fetchall("SELECT code, name, kind, province, regency, version, registered_on, changed_on FROM nat_agencies "
                                  f"WHERE {' AND '.join(where)} ORDER BY code", params)
        items = [_row(r) for r in rows]
        if q:  # what each hit matched
            for item in items:
                item["matched_on"] = [f for f in ("code", "name") if q.lower() in str(item[f]).lower()]
        return asof.respond({"items": items, "total": len(rows), "position": at.position}, point, sign(services.settings, at.head))

    @get("/provinces", operation_id="listProvinces", summary="The 38 provinces (codes and names) and the agency kinds",
         sync_to_thread=False)
    def provinces(self) -> dict[str, Any]:
        return {"provinces": [{"code": c, "name": n} for c, n in PROVINCES.items()],
                "kinds": [{"code": k, "label": label} for k, label in KIND_LABELS.items()]}

    @get("/{code:str}", operation_id="getAgency", summary="One agency of the directory", sync_to_thread=True)
    def read(self, services: NamedDependency[Services], code: FromPath[Code],
             as_of: Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)] = None) -> Response[Any]:
        with reading(services, ["national"], as_of=as_of) as (store, at, point):
            row = store.fetchone("SELECT code, name, kind, province, regency, version, registered_on, changed_on FROM nat_agencies "
                                 "WHERE code = ?", (code,))
        if row is None:
            raise NotFound(msg("Agency {code} is not in the directory.", code=code), field="code")
        return asof.respond({**_row(row), "position": at.position}, point, sign(services.settings, at.head),
                            headers=None if point else {"ETag": f'"{row["version"]}"'})
