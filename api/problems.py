"""One mapping of every error to RFC 9457 problem+json, with a message a clerk can act on."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from psycopg.errors import NumericValueOutOfRange

from api.decoding import parameter_error
from core.errors import KINDS, DomainError
from core.i18n import DEFAULT, msg, plain, translate

log = logging.getLogger("pengkom.api")
PROBLEM = "application/problem+json"

#: The one place a kind of domain error becomes an HTTP status.
STATUS_OF_KIND: dict[str, int] = {"invalid": 422, "bad_request": 400, "not_found": 404, "conflict": 409, "forbidden": 403,
                                  "unauthenticated": 401, "unavailable": 503, "too_large": 413, "unsupported": 415}
assert set(STATUS_OF_KIND) == set(KINDS)
#: Seconds a client should wait before retrying an "unavailable" answer (a read model rebuilding or stopped).
RETRY_AFTER = 5

#: Titles of the answers Litestar itself gives (marked for the catalogue).
_TITLES = {400: msg("Bad request"), 401: msg("Authentication required"), 403: msg("Forbidden"), 404: msg("Not found"),
           405: msg("Method not allowed"), 409: msg("Conflict"), 412: msg("Precondition failed"), 413: msg("Request too large"),
           415: msg("Unsupported media type"), 422: msg("Invalid input"), 428: msg("Precondition required"),
           429: msg("Too many requests"), 500: msg("Internal error"), 503: msg("Temporarily unavailable")}
_INTERNAL = msg("The server could not finish this request; nothing was recorded. Quote the request id to support.")
_SLUG = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 412: "precondition-failed", 413: "too-large", 415: "unsupported-media-type",
         422: "invalid", 428: "precondition-required", 429: "too-many-requests", 500: "internal", 503: "unavailable"}


def language_of(request: Request[Any, Any, Any]) -> str:
    """The language the request is answered in (chosen from Accept-Language by the app's middleware)."""
    return str(request.scope.get("state", {}).get("language") or DEFAULT)


def problem(request: Request[Any, Any, Any], status: int, title: str, detail: str, *, code: str | None = None,
            **extra: Any) -> Response[Any]:
    """A problem+json response in the reader's language; ``code`` is the stable machine code (default: from the
    status), the same in every language."""
    slug = _SLUG.get(status, str(status))
    language = language_of(request)
    body = {
        "type": f"urn:pengkom:problem:{slug}",
        "title": str(translate(title, language)),
        "status": status,
        "code": code or slug.replace("-", "_"),
        "detail": str(translate(detail, language)),
        "instance": request.url.path,
        "request_id": request.scope.get("state", {}).get("request_id") or str(uuid.uuid4()),
        **{k: plain(v, language) for k, v in extra.items() if v is not None},
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


def _parameter_error(request: Request[Any, Any, Any], exc: ValidationException) -> DomainError:
    """A query, path or header parameter Litestar could not read: 422 naming it, what was wrong, what is accepted."""
    errors = [e for e in exc.extra if isinstance(e, dict)] if isinstance(exc.extra, list) else []
    first = errors[0] if errors else {}
    key, message = str(first.get("key") or "request"), str(first.get("message") or exc.detail)
    source = first.get("source")
    value = (request.query_params.get(key) if source == "query" else request.path_params.get(key) if source == "path"
             else request.headers.get(key) if source == "header" else ...)
    return parameter_error(key, message, value)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        return domain_error(request, _parameter_error(request, exc))
    status = exc.status_code
    if status == 404:
        return problem(request, 404, "Not found", msg("There is nothing at {method} {path}. See /schema for the API.",
                                                       method=request.method, path=request.url.path))
    if status == 405:
        return problem(request, 405, "Method not allowed", msg("{method} is not allowed on {path}.", method=request.method,
                                                                path=request.url.path))
    if status == 413:
        return problem(request, 413, "Request too large", msg("The request body is larger than this server accepts; send a smaller body or file."))
    if status == 401:
        return problem(request, 401, "Authentication required", str(exc.detail))
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        return problem(request, 500, "Internal error", _INTERNAL)
    detail = str(exc.detail)
    if isinstance(exc.__cause__, SerializationException):
        reason = detail.removeprefix("JSON is malformed: ")
        return problem(request, 400, "Malformed request body", msg("The body is not valid JSON ({reason}). Send one JSON object.",
                                                                   reason=reason))
    return problem(request, status, _TITLES.get(status, "Error"), detail)


def out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number (or date) in the request beyond what the store or the calendar can hold: the caller's input, not a fault
    (a well-formed request with a value that cannot be accepted: 422, like every other such value)."""
    log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
    return problem(request, 422, "Value out of range",
                   msg("A number or date in the request is larger than this server can store or count with; send a smaller value "
                       "(offsets, revisions and counts are small whole numbers)."))


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Internal error", _INTERNAL)


EXCEPTION_HANDLERS: dict[Any, Any] = {DomainError: domain_error, HTTPException: http_error, OverflowError: out_of_range,
                                      NumericValueOutOfRange: out_of_range, Exception: unexpected}
__all__ = ["EXCEPTION_HANDLERS", "problem", "PROBLEM", "MediaType"]
