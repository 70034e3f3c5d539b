"""Health, readiness, the caller's identity and the reference catalogue.

``/health`` and ``/ready`` answer anyone (load balancers, orchestrators) but tell an anonymous caller
only the status: no store, file path, host or schema, no log position, no error text. A bearer token
with the ``auditor`` role gets the details (store and where, log position, lag, why a read model stopped).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from api.asof import CHAIN_HEADER
from api.bootstrap import Services
from api.heads import SIGNATURE_ALGORITHM, message, sign, signer_for
from core import access
from core.catalogue import catalogue_document
from core.errors import Unavailable
from core.events import Actor
from projections.chain import chain_head, record_published


class SystemController(Controller):
    tags = ["system"]

    @get("/health", operation_id="health", summary="Liveness (details for auditors)", sync_to_thread=True)
    def health(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> dict[str, Any]:
        if not _operator(request, services):
            return {"status": "ok"}
        return {"status": "ok", "store": services.settings.store_name, "where": services.settings.describe_store()}

    @get("/ready", operation_id="ready", summary="Readiness: the event store and read models answer (details for auditors)",
         sync_to_thread=True)
    def ready(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Response[Any]:
        details = _operator(request, services)
        probe = services.store_ready()  # one bounded query; never raises
        if not probe.ok:  # a store that does not answer is "not ready", never a 500
            body = {"status": "unavailable", "store": services.settings.store_name, "error": probe.error} if details \
                else {"status": "unavailable"}
            return Response(body, status_code=503, headers={"Retry-After": "2"})
        head, tracking = probe.head, probe.tracking
        lag = {name: head - t.position for name, t in tracking.items()}
        # A read model being rebuilt answers its own reads with 503; the rest of the API serves.
        rebuilding = sorted(name for name, t in tracking.items() if t.rebuilding)
        stopped = {name: t.error for name, t in sorted(tracking.items()) if t.error}
        status = "degraded" if stopped else "rebuilding" if rebuilding else "ready"
        # A stopped read model answers its reads with 503 and needs an operator; the rest of the API serves.
        if not details:
            return Response({"status": status, "rebuilding": rebuilding, "stopped": sorted(stopped)},
                            status_code=503 if stopped else 200)
        return Response({"status": status, "store": services.settings.store_name, "log_position": head,
                         "projection_lag": lag, "rebuilding": rebuilding, "stopped": stopped},
                        status_code=503 if stopped else 200)

    @get("/chain/head", operation_id="chainHead", summary="The signed head of the hash chain over the event log, to keep and check later",
         sync_to_thread=True)
    def chain_head(self, services: NamedDependency[Services]) -> Response[Any]:
        with services.views.snapshot() as snap:
            head = chain_head(snap)
        if head is None:
            raise Unavailable("The hash chain is not caught up with the log yet; retry in a moment.", code="chain.not_ready")
        signed = sign(services.settings, head)
        assert signed is not None
        record_published(services.views, head, signed.signature, signed.key_id, datetime.now(UTC).isoformat())
        body = {**signed.as_dict(), "signed_text": message(head).decode(), "public_key": "/chain/public-key",
                "check": f"pengkom verify --chain --expect {signed.header}"}
        return Response(body, headers={CHAIN_HEADER: signed.header})

    @get("/chain/public-key", operation_id="chainPublicKey", summary="The Ed25519 public key that signs chain heads (PEM)",
         sync_to_thread=True)
    def public_key(self, services: NamedDependency[Services]) -> dict[str, Any]:
        signer = signer_for(services.settings)
        return {"algorithm": SIGNATURE_ALGORITHM, "key_id": signer.key_id, "public_key_pem": signer.public_pem(),
                "signed_text": "pengkom-chain-head:v1:<position>:<digest>", "signature_encoding": "base64url, no padding"}

    @get("/me", operation_id="whoAmI", summary="The identity your token carries")
    async def me(self, request: Request[Actor, Any, Any]) -> dict[str, Any]:
        a = request.user
        return {"subject": a.subject, "name": a.name, "roles": sorted(a.roles), "agency": a.agency, "unit": a.unit, "nip": a.nip}

    @get("/catalogue", operation_id="catalogue", summary="Competencies, levels, Tabel 3.1, gap matrix, bands, JP table (versioned)")
    async def catalogue(self) -> dict[str, Any]:
        return catalogue_document()


def _operator(request: Request[Any, Any, Any], services: Services) -> bool:
    """Whether the (optional) bearer token on a public route is an auditor's: only they see deployment details."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    try:
        actor = services.tokens.verify(token.strip())
    except Exception:  # an unusable token on a public route is simply anonymous
        return False
    return access.AUDITOR in actor.roles
