"""The OpenAPI contract, completed in one place (issue 12 item 3).

Litestar generates the document from the routes: paths, parameters, request Structs. This module
completes every operation of it, centrally, so that a route added later gets the same contract:

- the headers a client may send: ``X-Request-ID`` and ``Accept-Language`` on every operation;
  ``If-Match`` and ``Idempotency-Key`` on every command (a non-GET operation);
- every status the operation can answer, each error as RFC 9457 ``application/problem+json`` with its
  problem ``type`` (:data:`PROBLEMS`), from the route's shape (:func:`answers`): authenticated
  routes 401/403/503, routes with parameters 400/404/422, commands 400/409/413/415/422;
- the response headers (``X-Request-ID`` always; ``ETag``, ``Idempotent-Replayed`` on commands;
  ``Retry-After`` on 503; ``WWW-Authenticate`` on 401);
- per operation (api/operation_docs.py, by operationId): the description naming its form
  (Formulir x.y) and guideline section (BAB …), the typed response (a msgspec Struct of
  api/responses.py) and examples.

``tests/api/test_openapi_contract.py`` fails, naming what to add, when an operation lacks any of it.
"""
from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar._openapi.plugin import OpenAPIPlugin

from api.problems import _SLUG
from core.errors import KINDS

METHODS = ("get", "put", "post", "patch", "delete")
PROBLEM_MEDIA = "application/problem+json"
COMMAND_METHODS = ("put", "post", "patch", "delete")

#: What each error status means on this API; its problem type is ``urn:pengkom:problem:<slug>``.
PROBLEMS: dict[int, str] = {
    400: "The body could not be read as JSON at all: not UTF-8, not JSON, nested too deep. (A JSON body holding an "
         "unacceptable value is 422.)",
    401: "No usable bearer token: missing, expired, badly signed, or a claim that is not usable (`field` names it).",
    403: "Your roles do not allow this on this record (e.g. another unit's officer, a supervisor who is not the direct one).",
    404: "No such record — or one of another agency, which answers exactly like a record that does not exist.",
    409: "A conflict with the recorded state: `If-Match` names a version that is no longer current, the record exists already "
         "(a registered NIP), a step was already taken, or a request with this `Idempotency-Key` is being recorded at this moment.",
    412: "A precondition in the request headers does not hold.",
    413: "The request body is larger than this server accepts (`PENGKOM_MAX_BODY_BYTES`; uploads `PENGKOM_UPLOAD_MAX_BYTES`).",
    415: "The body is not `application/json` (or `multipart/form-data` on an upload route), or its charset is not UTF-8.",
    422: "A request that was read but holds a value that is not acceptable: a field of the wrong type, unknown or missing "
         "(`field` names it, `detail` says what is accepted), a path or query parameter out of range, a rule of the guideline "
         "(the rule and form are named in `detail`), an implausible date, a bad `If-Match` or `Idempotency-Key`, or an "
         "`Idempotency-Key` reused for another request.",
    503: "The database is away or too busy, or a read model is rebuilding, stopped or behind; nothing was recorded. Retry after "
         "`Retry-After` seconds. \"Outcome unknown\" names the `Idempotency-Key` to retry with.",
}

#: An example problem per status: title, code, detail, extra members.
PROBLEM_EXAMPLES: dict[int, tuple[str, str, str, dict[str, Any]]] = {
    400: ("Malformed request body", "bad_request", "The body is not valid JSON (expected ',' or '}' at byte 41). Send one JSON object.",
          {}),
    401: ("Authentication required", "token.expired", "The token expired at 2026-12-03T08:00:00Z; ask for a new one.", {"kind": "unauthenticated"}),
    403: ("Forbidden", "forbidden", "Only the officer's direct supervisor may fill in Formulir 2.3.", {"kind": "forbidden"}),
    404: ("Not found", "officer.not_found", "Officer 7c1e… is not registered.", {"kind": "not_found"}),
    409: ("Conflict", "conflict", "The record is at version 4, not 3 as If-Match says; reload it and try again.", {"kind": "conflict"}),
    412: ("Precondition failed", "precondition_failed", "A precondition in the request headers does not hold.", {}),
    413: ("Request too large", "too_large", "The request body is larger than this server accepts; send a smaller body or file.", {}),
    415: ("Unsupported media type", "unsupported", "Send the body as application/json (charset UTF-8).", {"kind": "unsupported"}),
    422: ("Invalid", "nip.length", "NIP 19900101201501101 has 17 digits; an NIP has 18", {"kind": "invalid", "field": "nip"}),
    503: ("Database unavailable", "unavailable", "The database could not be reached or is too busy; nothing was recorded. Retry in a moment.",
          {}),
}

#: Operations anyone may call (api/app.py PUBLIC) and what they answer.
PUBLIC_ANSWERS: dict[str, tuple[int, ...]] = {"health": (200,), "ready": (200, 503), "chainPublicKey": (200,)}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details. `code` is a stable machine code to branch on; `kind` the kind of refusal "
                   "(domain errors); `field` the request field, header or parameter at fault, when there is one.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "pattern": "^urn:pengkom:problem:[a-z0-9-]+$", "examples": ["urn:pengkom:problem:invalid"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string", "examples": ["officer.not_found", "plan.not_submitted", "token.claim_invalid"]},
        "kind": {"type": "string", "enum": sorted(KINDS)},
        "detail": {"type": "string", "minLength": 1},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array"},
        "idempotency_key": {"type": "string"},
    },
    "additionalProperties": True,
}

#: Request headers, declared once (also under components/parameters) and given to every operation.
HEADER_PARAMETERS: dict[str, dict[str, Any]] = {
    "XRequestID": {
        "name": "X-Request-ID", "in": "header", "required": False,
        "description": "Your id for this request (1–100 letters, digits or . _ : -): echoed on the response and recorded in the "
                       "provenance of every event the request records. Generated when absent or not of that shape.",
        "schema": {"type": "string", "maxLength": 100}, "example": "req-2026-12-03-0001",
    },
    "AcceptLanguage": {
        "name": "Accept-Language", "in": "header", "required": False,
        "description": "The language of messages a person reads (problem title and detail, findings, labels): Bahasa Indonesia "
                       "(`id`, the default) or English (`en`). Codes are the same in every language.",
        "schema": {"type": "string", "maxLength": 200}, "example": "id",
    },
    "IfMatch": {
        "name": "If-Match", "in": "header", "required": False,
        "description": "The version of the record you read, as its `ETag` gave it (e.g. `\"3\"`): the command is recorded only if "
                       "the record is still at that version, else 409 and nothing is recorded. Without it a command is run again "
                       "on the newer state when a concurrent command changed the record first. Commands that create a new record "
                       "ignore it. Not a version number: 422.",
        "schema": {"type": "string", "pattern": "^(W/)?\"?[0-9]{1,9}\"?$"}, "example": "\"3\"",
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "Your key for this command (8–128 letters, digits or . _ : -), kept `PENGKOM_IDEMPOTENCY_DAYS` days with the "
                       "answer: the same request sent again with it replays the answer (`Idempotent-Replayed: true`) and records "
                       "nothing new; the same key with another request is 422; while the first is being recorded, 409.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,128}$"}, "example": "c0ffee00-2026-12-03-registrasi-1",
    },
}

_STRING = {"schema": {"type": "string"}}
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "The request's id (yours, or generated).", "required": True, **_STRING},
    "Content-Language": {"description": "The language of the messages in the answer: `id` (default) or `en`, from "
                                        "`Accept-Language`.", "required": True, **_STRING},
    "ETag": {"description": "The record's version after the command (or as read): send it back as `If-Match`.", "required": False,
             **_STRING},
    "Idempotent-Replayed": {"description": "`true` when this is the recorded answer to an earlier request with the same "
                                           "`Idempotency-Key` (nothing new was recorded).", "required": False, **_STRING},
    "X-Pengkom-Read-Models": {"description": "`behind` when the command is recorded but some read models have stopped and do not "
                                             "show it yet.", "required": False, **_STRING},
    "Retry-After": {"description": "Seconds to wait before retrying.", "required": True, **_STRING},
    "WWW-Authenticate": {"description": "`Bearer realm=\"pengkom\"`.", "required": True, **_STRING},
    "Idempotency-Key": {"description": "On \"Outcome unknown\": the key to send the same request again with.", "required": False,
                        **_STRING},
}


def is_command(method: str) -> bool:
    return method.lower() in COMMAND_METHODS


def _params(op: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in op.get("parameters", []) if isinstance(p, dict) and p.get("in") == where]


def answers(path: str, method: str, op: dict[str, Any], public: bool) -> tuple[int, ...]:
    """Every status the operation can answer, from the route's shape (the success status included)."""
    success = [int(s) for s in op.get("responses", {}) if s.isdigit() and int(s) < 400] or [200]
    if public:
        return tuple(sorted({*success, *PUBLIC_ANSWERS.get(op.get("operationId", ""), ())}))
    codes = {*success, 401, 403, 503}
    if _params(op, "path") or _params(op, "query"):
        codes |= {400, 404, 422}
    if is_command(method):
        codes |= {400, 404, 409, 413, 415, 422}
    return tuple(sorted(codes))


def _problem_response(status: int) -> dict[str, Any]:
    slug = _SLUG.get(status, str(status))
    headers = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
               "Content-Language": {"$ref": "#/components/headers/Content-Language"}}
    if status == 503:
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        headers["Idempotency-Key"] = {"$ref": "#/components/headers/Idempotency-Key"}
    if status == 401:
        headers["WWW-Authenticate"] = {"$ref": "#/components/headers/WWW-Authenticate"}
    title, code, detail, extra = PROBLEM_EXAMPLES.get(status, (slug.capitalize(), slug.replace("-", "_"), PROBLEMS.get(status, slug), {}))
    example = {"type": f"urn:pengkom:problem:{slug}", "title": title, "status": status, "code": code, "detail": detail,
               "instance": "/officers/7c1e5a40-0f5e-5b8e-9d4c-2f1a0c3b9e11/corrections", "request_id": "req-2026-12-03-0001",
               **extra}
    return {"description": f"Problem `urn:pengkom:problem:{slug}` — {PROBLEMS.get(status, slug)}", "headers": headers,
            "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}}}


def complete(doc: dict[str, Any], public_paths: list[str]) -> dict[str, Any]:
    """Complete the generated document in place (and return it)."""
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("parameters", {}).update(HEADER_PARAMETERS)
    components.setdefault("headers", {}).update(RESPONSE_HEADERS)
    public = [re.compile(p) for p in public_paths]
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            is_public = any(p.search(path) for p in public)
            params = [p for p in op.get("parameters", []) if not (isinstance(p, dict) and p.get("in") == "header"
                                                                    and p.get("name", "").lower() in _DECLARED)]
            refs = ["XRequestID", "AcceptLanguage"] + (["IfMatch", "IdempotencyKey"] if is_command(method) else [])
            # Inline (not $ref) so that tools reading `parameters[*].in` directly see them too.
            op["parameters"] = params + [dict(HEADER_PARAMETERS[r]) for r in refs]
            codes = answers(path, method, op, is_public)
            responses: dict[str, Any] = {}
            for code in codes:
                if code >= 400:
                    # One shared declaration per status (components/responses): the document stays small.
                    components.setdefault("responses", {}).setdefault(f"Problem{code}", _problem_response(code))
                    responses[str(code)] = {"$ref": f"#/components/responses/Problem{code}"}
                else:
                    ok = op.get("responses", {}).get(str(code)) or {"description": "OK", "content": {"application/json": {"schema": {}}}}
                    ok.pop("headers", None)
                    headers = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
                               "Content-Language": {"$ref": "#/components/headers/Content-Language"},
                               "ETag": {"$ref": "#/components/headers/ETag"}}
                    if is_command(method):
                        headers |= {"Idempotent-Replayed": {"$ref": "#/components/headers/Idempotent-Replayed"},
                                    "X-Pengkom-Read-Models": {"$ref": "#/components/headers/X-Pengkom-Read-Models"}}
                    responses[str(code)] = {**ok, "headers": headers}
            op["responses"] = responses
            if is_public:
                op["security"] = [{}, {"bearer": []}]
            _apply_operation_doc(doc, path, method, op)
    return doc


def _apply_operation_doc(doc: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> None:
    """The operation's own entry of api/operation_docs.py: description, typed response, examples."""
    from api import operation_docs as od

    entry = od.OPERATIONS.get(op.get("operationId", ""))
    if entry is None:
        return
    if entry.summary:
        op["summary"] = entry.summary
    text = op.get("description") or entry.text
    op["description"] = f"{text}\n\n{od.guideline_line(entry)}"
    op["x-pengkom-guideline"] = {"form": entry.form or None, "section": entry.section or None}
    example = od.examples().get(op["operationId"], {})
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        if example.get("request") is not None and media == "application/json":
            content["example"] = example["request"]
    for status, response in op.get("responses", {}).items():
        if int(status) >= 400:
            continue
        response["description"] = "Created" if status == "201" else "OK"
        if entry.response == od.FILE:
            media_types = UPLOAD_MEDIA_TYPES if "/files/" in path else EXPORT_MEDIA_TYPES + (
                ["application/x-ndjson"] if op["operationId"] == "exportSiasnCourses" else [])
            response["content"] = {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}
            if path.startswith("/exports"):
                response["description"] = f"The file. {od.EXPORT_NOTE}"
            continue
        if entry.response is None:
            continue
        name = entry.response.__name__
        content = {"schema": {"$ref": f"#/components/schemas/{name}"}}
        answer = example.get("response")
        if answer is None and entry.response.__name__ == "CommandResult":
            # A command not yet captured (tests/support/capture_examples.py): every command answers this shape.
            answer = od.examples().get(GENERIC_COMMAND_EXAMPLE, {}).get("response")
        if answer is not None:
            content["example"] = answer
        response["content"] = {"application/json": content}
        if method == "get" and ("/exports" + path) in doc.get("paths", {}):
            # The JSON route answers with its export twin's file when asked (Accept or ?format=): api/exports.py.
            response["content"] |= {m: {"schema": {"type": "string", "format": "binary"}} for m in EXPORT_MEDIA_TYPES}
    components = doc["components"]["schemas"]
    if entry.response not in (None, od.FILE) and entry.response.__name__ not in components:
        for name, schema in response_schemas(list(_RESPONSE_TYPES())).items():
            components.setdefault(name, schema)


def _RESPONSE_TYPES() -> list[Any]:
    from api.responses import ALL

    return ALL


GENERIC_COMMAND_EXAMPLE = "correctOfficer"
EXPORT_MEDIA_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
UPLOAD_MEDIA_TYPES = ["application/pdf", "image/jpeg", "image/png"]


_DECLARED = {h["name"].lower() for h in HEADER_PARAMETERS.values()}


def response_schemas(types: list[Any]) -> dict[str, Any]:
    """JSON Schemas of the response Structs, as components (msgspec's own schema of what it encodes)."""
    _, components = msgspec.json.schema_components(types, ref_template="#/components/schemas/{name}")
    return components


class ContractOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, serving the completed document (built once, on first request)."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        if not self._openapi_schema:
            from api.app import PUBLIC

            self._openapi_schema = complete(self.provide_openapi().to_schema(), PUBLIC)
        return self._openapi_schema
