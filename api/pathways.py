"""Pathways and their rules, from the plugin manager; the agency's JP conversion table."""
from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from api.bootstrap import Services
from api.commands import run
from api.schemas import Body
from api.scope import listing_scope
from core.errors import Invalid, NotFound
from core.events import Actor
from core.i18n import msg
from plugins.manager import PathwayPlugins

Req = Request[Actor, Any, Any]


class ConfigureJpTable(Body):
    """The agency's JP table from now on: LAN defaults overlaid with these values (the whole set)."""

    version_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40, examples=["2026-01"])]
    overrides: Annotated[dict[str, Any], msgspec.Meta(examples=[{"coaching": {"international": "3"}}])]
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]
    agency: str | None = None


def _agency(actor: Actor, agency: str | None) -> str | None:
    return listing_scope(actor, agency)


def _plugins(services: Services) -> PathwayPlugins:
    assert services.pathways is not None, "the API is built with its pathway plugins"
    return services.pathways


class PathwayController(Controller):
    tags = ["pathways"]

    @get("/pathways", operation_id="listPathways", summary="Installed pathways, their rules and JP conversion",
         sync_to_thread=True)
    def list(self, request: Req, services: NamedDependency[Services], agency: FromQuery[str | None] = None) -> dict[str, Any]:
        scope = _agency(request.user, agency)
        table = services.app.jp_tables.table_for(scope) if scope else None
        return {"jp_table_version": table.version if table else None,
                "plugins": [{"name": n, "version": v} for n, v in sorted(_plugins(services).versions.items())],
                "items": [_plugins(services).describe(code, table) for code in _plugins(services).codes()]}

    @get("/pathways/{code:str}", operation_id="getPathway", summary="One pathway and its rules", sync_to_thread=True)
    def read(self, request: Req, services: NamedDependency[Services], code: FromPath[str],
             agency: FromQuery[str | None] = None) -> dict[str, Any]:
        if _plugins(services).definition(code) is None:
            raise NotFound(msg("No installed plugin provides pathway {code!r}; installed: {plugins_services_codes}.",
                               code=code, plugins_services_codes=', '.join(_plugins(services).codes())))
        scope = _agency(request.user, agency)
        return _plugins(services).describe(code, services.app.jp_tables.table_for(scope) if scope else None)

    @get("/jp-table", operation_id="getJpTable", summary="The agency's JP conversion table (LAN defaults + its settings)",
         sync_to_thread=True)
    def jp_table(self, request: Req, services: NamedDependency[Services], agency: FromQuery[str | None] = None) -> dict[str, Any]:
        scope = _agency(request.user, agency)
        if scope is None:
            raise Invalid("Name the agency whose JP table you want (?agency=).", field="agency")
        return services.app.jp_tables.table_for(scope).as_dict()

    @post("/jp-table", operation_id="configureJpTable", summary="Set the agency's JP conversion values (HR), versioned",
          status_code=201, sync_to_thread=True)
    def configure(self, request: Req, services: NamedDependency[Services], data: JSONBody[ConfigureJpTable]) -> Response[Any]:
        agency = data.agency or request.user.agency
        if agency is None:
            raise Invalid("Name the agency.", field="agency")
        return run(services, request, data, lambda ctx: [services.app.jp_tables.configure(
            ctx, agency=agency, version_id=data.version_id, overrides=data.overrides, reason=data.reason)],
            effective=data.effective_date, status=201,
            result=lambda aggs: {"jp_table": aggs[0].table().as_dict()})
