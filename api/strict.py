"""Strict input on every JSON route, checked before a handler (or Litestar's lax conversion) sees the body.

In order: the path and query string carry no NUL; a route taking a JSON body gets
``Content-Type: application/json`` (415 otherwise); the body fits the size limit (413, enforced by
Litestar as it is read); it is UTF-8 (400); it nests at most :data:`MAX_DEPTH` arrays/objects (400);
it decodes into the route's request Struct *strictly* — no ``"2020"`` for a year, no ``"10"`` for
JP (422 naming the field, what was wrong and what it accepts: :mod:`api.decoding`); and every date in
it lies in a plausible range for its field (422 naming the field, :mod:`api.dates`). A body that cannot
be read as JSON at all is 400; a value that was read but is not acceptable is 422. Litestar decodes bodies with ``strict=False``; because this check runs
first with ``strict=True``, only bodies that are valid without coercion ever reach it.
"""
from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType

from api.dates import check_dates
from api.decoding import body_error
from core.errors import DomainError, Invalid
from core.i18n import msg

#: Arrays and objects nested deeper than this are refused (request Structs nest 3 levels at most).
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class UnsupportedMediaType(DomainError):
    kind = "unsupported"
    title = "Unsupported media type"


class MalformedBody(DomainError):
    kind = "bad_request"
    title = "Malformed request body"


def reject_nul(request: Request[Any, Any, Any]) -> None:
    """A NUL character in the path or the query string is refused before any handler reads a store with it."""
    scope = request.scope
    raw_query = scope.get("query_string", b"")
    if "\x00" not in scope["path"] and b"\x00" not in raw_query and b"%00" not in raw_query:
        return  # the common case, read from the raw request without building its URL and query parameters
    if "\x00" in request.url.path:
        raise Invalid(msg("The path contains a NUL character (%00); remove it."), field="path", code="request.nul_character")
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            key = name.replace("\x00", "%00")
            raise Invalid(msg("Query parameter {key} contains a NUL character (%00); remove it.", key=key), field=key,
                          code="request.nul_character")


def json_body_type(request: Request[Any, Any, Any]) -> Any | None:
    """The request Struct a route decodes its JSON body into, or None (no body, multipart)."""
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return None
    media = getattr(field.kwarg_definition, "media_type", RequestEncodingType.JSON)
    if media != RequestEncodingType.JSON:
        return None
    return field.annotation


def check_media_type(request: Request[Any, Any, Any]) -> None:
    raw = request.headers.get("content-type", "")
    mime, _, params = raw.partition(";")
    mime = mime.strip().lower()
    if mime != "application/json" and not (mime.startswith("application/") and mime.endswith("+json")):
        shown = f"'{raw}'" if raw else "no Content-Type"
        raise UnsupportedMediaType(msg("This route takes a JSON body; the request was sent with {shown}. Send the body as JSON with the "
                                       "header 'Content-Type: application/json'.", shown=shown), field="Content-Type",
                                   code="request.unsupported_media_type")
    charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_-]+)", params, re.I)
    if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(msg("JSON is read as UTF-8; the request declares charset {charset_group_1}. Send UTF-8 ('Content-Type: "
                                       "application/json; charset=utf-8').", charset_group_1=charset.group(1)), field="Content-Type",
                                   code="request.unsupported_charset")


def nesting_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0 if b"[" not in body and b"{" not in body else 1  # cannot nest deeper than the limit; no scan needed
    skeleton = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for ch in skeleton:
        if ch in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def check_body(body: bytes, body_type: Any) -> Any:
    """The body decoded strictly into ``body_type``; a 400 problem naming what is wrong otherwise."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedBody(msg("The body is not valid UTF-8 (byte 0x{body_e_start:02x} at offset {start}). Send the JSON encoded as "
                                "UTF-8.", body_e_start=body[e.start], start=e.start), code="request.invalid_utf8") from None
    depth = nesting_depth(body)
    if depth > MAX_DEPTH:  # nesting_depth is exact above the limit (it may round down below it)
        raise MalformedBody(msg("The body nests arrays and objects {depth} levels deep; at most {MAX_DEPTH} are accepted. Send the "
                                "request's fields as documented in /schema.", depth=depth, MAX_DEPTH=MAX_DEPTH), code="request.too_deep")
    try:
        return msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as e:
        raise body_error(e, body, body_type) from None
    except msgspec.DecodeError as e:
        raise MalformedBody(msg("The body is not valid JSON ({e}). Send one JSON object.", e=e), code="request.malformed_json") from None


async def strict_input(request: Request[Any, Any, Any]) -> None:
    """Litestar ``before_request`` hook: every check above, for every route."""
    reject_nul(request)
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    body_type = json_body_type(request)
    if body_type is None:
        return
    check_media_type(request)
    body = await request.body()
    data = check_body(body, body_type)
    check_dates(data, request)
