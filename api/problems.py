"""One mapping of every error to RFC 9457 problem+json, with a message a clerk can act on."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from psycopg.errors import NumericValueOutOfRange

from core.errors import KINDS, DomainError

log = logging.getLogger("pengkom.api")
PROBLEM = "application/problem+json"

#: The one place a kind of domain error becomes an HTTP status.
STATUS_OF_KIND: dict[str, int] = {"invalid": 422, "bad_request": 400, "not_found": 404, "conflict": 409, "forbidden": 403,
                                  "unauthenticated": 401, "unavailable": 503, "too_large": 413, "unsupported": 415}
assert set(STATUS_OF_KIND) == set(KINDS)
#: Seconds a client should wait before retrying an "unavailable" answer (a read model rebuilding or stopped).
RETRY_AFTER = 5

_SLUG = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 412: "precondition-failed", 413: "too-large", 415: "unsupported-media-type",
         422: "invalid", 428: "precondition-required", 429: "too-many-requests", 500: "internal", 503: "unavailable"}


def problem(request: Request[Any, Any, Any], status: int, title: str, detail: str, *, code: str | None = None,
            **extra: Any) -> Response[Any]:
    """A problem+json response; ``code`` is the stable machine code (default: from the status)."""
    slug = _SLUG.get(status, str(status))
    body = {
        "type": f"urn:pengkom:problem:{slug}",
        "title": title,
        "status": status,
        "code": code or slug.replace("-", "_"),
        "detail": detail,
        "instance": request.url.path,
        "request_id": request.scope.get("state", {}).get("request_id") or str(uuid.uuid4()),
        **{k: v for k, v in extra.items() if v is not None},
    }
    headers = {"WWW-Authenticate": 'Bearer realm="pengkom"'} if status == 401 else {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def status_of(exc: DomainError) -> int:
    return STATUS_OF_KIND[exc.kind]


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    details = {k: v for k, v in exc.details.items() if k not in ("type", "title", "status", "detail", "instance", "code")}
    return problem(request, status_of(exc), exc.title, exc.message, code=exc.code, kind=exc.kind, field=exc.field, **details)


def _validation_detail(exc: ValidationException) -> tuple[str, list[dict[str, Any]] | None]:
    errors = exc.extra if isinstance(exc.extra, list) else None
    if errors:
        parts = []
        for e in errors:
            if isinstance(e, dict):
                msg = str(e.get("message", "")).replace("`", "'")
                key = e.get("key")
                parts.append(f"{key}: {msg}" if key and key not in msg else msg)
        return "The request is not valid: " + "; ".join(parts), errors
    return f"The request is not valid: {exc.detail}", None


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        detail, errors = _validation_detail(exc)
        return problem(request, 400, "Invalid request", detail, errors=errors)
    status = exc.status_code
    if status == 404:
        return problem(request, 404, "Not found", f"There is nothing at {request.method} {request.url.path}. See /schema for the API.")
    if status == 405:
        return problem(request, 405, "Method not allowed", f"{request.method} is not allowed on {request.url.path}.")
    if status == 413:
        return problem(request, 413, "Request too large", "The request body is larger than this server accepts; send a smaller body or file.")
    if status == 401:
        return problem(request, 401, "Authentication required", str(exc.detail))
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        return problem(request, 500, "Internal error", "The server could not finish this request; nothing was recorded. Quote the request id to support.")
    detail = str(exc.detail)
    if isinstance(exc.__cause__, SerializationException):
        reason = detail.removeprefix("JSON is malformed: ")
        return problem(request, 400, "Malformed request body", f"The body is not valid JSON ({reason}). Send one JSON object.")
    return problem(request, status, _SLUG.get(status, "error").replace("-", " ").capitalize(), detail)


def out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number (or date) in the request beyond what the store or the calendar can hold: the caller's input, not a fault."""
    log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
    return problem(request, 400, "Value out of range",
                   "A number or date in the request is larger than this server can store or count with; send a smaller value "
                   "(offsets, revisions and counts are small whole numbers).")


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Internal error", "The server could not finish this request; nothing was recorded. Quote the request id to support.")


EXCEPTION_HANDLERS: dict[Any, Any] = {DomainError: domain_error, HTTPException: http_error, OverflowError: out_of_range,
                                      NumericValueOutOfRange: out_of_range, Exception: unexpected}
__all__ = ["EXCEPTION_HANDLERS", "problem", "PROBLEM", "MediaType"]
