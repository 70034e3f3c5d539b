"""Health, readiness, the caller's identity and the reference catalogue."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from api.bootstrap import Services
from core.catalogue import catalogue_document
from core.events import Actor


class SystemController(Controller):
    tags = ["system"]

    @get("/health", operation_id="health", summary="Liveness, and the store in use", sync_to_thread=True)
    def health(self, services: NamedDependency[Services]) -> dict[str, Any]:
        return {"status": "ok", "store": services.settings.store_name, "where": services.settings.describe_store()}

    @get("/ready", operation_id="ready", summary="Readiness: the event store and read models answer", sync_to_thread=True)
    def ready(self, services: NamedDependency[Services]) -> Response[Any]:
        probe = services.store_ready()  # one bounded query; never raises
        if not probe.ok:  # a store that does not answer is "not ready", never a 500
            return Response({"status": "unavailable", "store": services.settings.store_name, "error": probe.error},
                            status_code=503, headers={"Retry-After": "2"})
        head, tracking = probe.head, probe.tracking
        lag = {name: head - t.position for name, t in tracking.items()}
        # A read model being rebuilt answers its own reads with 503; the rest of the API serves.
        rebuilding = sorted(name for name, t in tracking.items() if t.rebuilding)
        stopped = {name: t.error for name, t in sorted(tracking.items()) if t.error}
        status = "degraded" if stopped else "rebuilding" if rebuilding else "ready"
        # A stopped read model answers its reads with 503 and needs an operator; the rest of the API serves.
        return Response({"status": status, "store": services.settings.store_name, "log_position": head,
                         "projection_lag": lag, "rebuilding": rebuilding, "stopped": stopped},
                        status_code=503 if stopped else 200)

    @get("/me", operation_id="whoAmI", summary="The identity your token carries")
    async def me(self, request: Request[Actor, Any, Any]) -> dict[str, Any]:
        a = request.user
        return {"subject": a.subject, "name": a.name, "roles": sorted(a.roles), "agency": a.agency, "unit": a.unit, "nip": a.nip}

    @get("/catalogue", operation_id="catalogue", summary="Competencies, levels, Tabel 3.1, gap matrix, bands, JP table (versioned)")
    async def catalogue(self) -> dict[str, Any]:
        return catalogue_document()
