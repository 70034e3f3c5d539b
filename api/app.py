"""The Litestar application, assembled in one place."""
from __future__ import annotations

import re
import uuid
from functools import partial
from typing import Any

from litestar import Litestar, Response
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.activities import activity_routes
from api.agencies import AgencyController
from api.assessments import AssessmentController, InstrumentController
from api.audit import AuditController
from api.bootstrap import Services, build, settle_heap, setup_lock
from api.commands import STORE_HANDLERS, ensure_tables
from api.contract import ContractOpenAPIPlugin
from api.docs_page import OfflineSwagger, assets_routes
from api.evaluations import AdministrativeEvaluationController, ResultEvaluationController
from api.exports import ExportController, NegotiationMiddleware
from api.impact import impact_routes
from api.imports import import_routes
from api.ledger import LedgerController
from api.national import NationalController
from api.officers import OfficerController
from api.pathways import PathwayController
from api.performance import PerformanceReviewController
from api.pgreads import close_reads, open_reads
from api.planning import CurriculumController, DeadlineController, PlanController
from api.problems import EXCEPTION_HANDLERS
from api.proposals import ProposalController
from api.recaps import RecapController
from api.settings import Settings
from api.strict import strict_input
from api.system import SystemController
from core.errors import Unauthenticated
from core.i18n import CURRENT, negotiate, readable
from core.labels import with_labels
from projections.chain import ensure_published

PUBLIC = ["^/health$", "^/ready$", "^/schema", "^/chain/public-key$"]
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


class BearerAuth(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Send 'Authorization: Bearer <token>'; `pengkom token --role … --agency …` prints one for the embedded store.",
                                  code="token.missing")
        services: Services = connection.app.state.services
        # Unauthenticated (401 problem+json naming the claim) propagates to the exception handlers.
        actor = services.tokens.verify(token.strip())
        return AuthenticationResult(user=actor, auth=token)


class RequestIdMiddleware:
    """Give every request an id (the caller's X-Request-ID when sane) and echo it on the response; choose the
    language of the answer from ``Accept-Language`` (Bahasa Indonesia by default, :mod:`core.i18n`) and state
    it in ``Content-Language``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
        language = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
        state = scope.setdefault("state", {})
        state["request_id"], state["language"] = rid, language
        token = CURRENT.set(language)

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode()),
                                      (b"content-language", language.encode()), (b"vary", b"Accept-Language")]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)


async def add_labels(response: Response[Any]) -> Response[Any]:
    """Readers return both the code and the Indonesian label of every enumerated field (``level`` and
    ``level_label``: :mod:`core.labels`)."""
    if isinstance(getattr(response, "content", None), (dict, list)):  # not files and streams
        language = CURRENT.get()
        response.content = with_labels(response.content, partial(readable, language=language))
    return response


def create_app(services: Services | None = None, settings: Settings | None = None, *, serving: bool = False) -> Litestar:
    """The application. ``serving``: a process that serves for its life (``pengkom serve``) — its heap is settled
    once started (api/bootstrap.py ``settle_heap``); tests build many apps in one process and leave it as it is."""
    services = services or build(settings)
    with setup_lock(services.settings):
        ensure_tables(services)
        ensure_published(services.views)

    def provide_services() -> Services:
        services.begin_request()  # read-your-writes: the request's first read waits at the read barrier
        return services

    async def open_async_reads(app: Litestar) -> None:
        await open_reads(app, services)
        if serving:
            settle_heap()  # the last step of starting: a full collection later walks only what requests made

    async def close_async_reads(app: Litestar) -> None:
        await close_reads(app)

    app = Litestar(
        route_handlers=[SystemController, OfficerController, AuditController, InstrumentController, AssessmentController,
                        PerformanceReviewController, ProposalController, PlanController, CurriculumController, DeadlineController,
                        PathwayController, LedgerController, *activity_routes(services.settings),
                        AdministrativeEvaluationController, ResultEvaluationController, *impact_routes(services.settings),
                        RecapController, AgencyController, NationalController, ExportController,
                        *import_routes(services.settings), *assets_routes()],
        dependencies={"services": Provide(provide_services, sync_to_thread=False)},
        middleware=[DefineMiddleware(BearerAuth, exclude=PUBLIC)],
        exception_handlers={**EXCEPTION_HANDLERS, **STORE_HANDLERS},
        before_request=strict_input,
        after_request=add_labels,
        request_max_body_size=services.settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="pengkom", version="0.1.0", path="/schema",
            description="Competency development of the Pengantar Kerja functional position (Pedoman 2023), event-sourced.",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}),
            security=[{"bearer": []}],
            # The page's scripts, styles and icon come from pengkom itself (api/docs_page.py), never a CDN.
            render_plugins=[OfflineSwagger()],
        ),
        # PostgreSQL: the asyncpg pool of the native async reads (api/pgreads.py) lives as long as the app.
        on_startup=[services.start, open_async_reads],
        on_shutdown=[close_async_reads, services.close],
        debug=False,
    )
    app.state.services = services
    app.state.pg_reads = None
    # The document served at /schema is completed centrally (headers, statuses, problem types, descriptions,
    # typed responses, examples): api/contract.py. Same layout, so the plugin's class can be swapped in place.
    app.plugins.get(OpenAPIPlugin).__class__ = ContractOpenAPIPlugin
    # CSV/XLSX asked of a JSON route is served by its export twin: chosen before routing (api/exports.py).
    app.asgi_handler = NegotiationMiddleware(app.asgi_handler)
    # Outermost, so that every answer carries X-Request-ID and Content-Language — also a 404 for a path no route
    # matches, and a 405.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)
    return app


def serving_app() -> Litestar:
    """The application of a ``pengkom serve`` process (uvicorn's own workers import it by name)."""
    return create_app(serving=True)
