"""The OpenAPI contract is complete (issue 12 item 3): every operation of /schema/openapi.json, read at
test time — so a route added later is held to the same contract — has

- a summary, and a description naming its form (Formulir x.y, or that it has none) and its guideline
  section (BAB …, or that it is an operational route);
- the request headers: X-Request-ID and Accept-Language everywhere, If-Match and Idempotency-Key on
  every command;
- every status it can answer, each error as application/problem+json with its problem type;
- a typed request schema (a msgspec Struct) when it takes a body, and a typed success response;
- examples for its request body and its success response, each valid against its schema.

Each failure names the operation and what to add where (api/contract.py for what every route of a
shape gets, api/operation_docs.py for an operation's own description, response type and examples).
"""
from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
import pytest

from api.contract import COMMAND_METHODS, METHODS, PROBLEMS, PUBLIC_ANSWERS

WHERE = "api/operation_docs.py (OPERATIONS[operationId])"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def doc(tmp_path_factory) -> dict[str, Any]:
    from litestar.testing import TestClient

    from api.app import create_app
    from api.bootstrap import build
    from tests.conftest import new_settings

    services = build(new_settings("sqlite", tmp_path_factory.mktemp("contract")))
    try:
        with TestClient(create_app(services)) as client:
            r = client.get("/schema/openapi.json")
            assert r.status_code == 200
            return r.json()
    finally:
        services.close()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items() if method in METHODS]


def _name(path: str, method: str, op: dict[str, Any]) -> str:
    return f"{method.upper()} {path} ({op.get('operationId', 'no operationId')})"


def resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _public(op: dict[str, Any]) -> bool:
    return op.get("operationId") in PUBLIC_ANSWERS


def test_the_document_lists_every_route(doc):
    assert len(operations(doc)) > 100
    ids = [op.get("operationId") for _, _, op in operations(doc)]
    assert all(ids) and len(ids) == len(set(ids)), "every operation has its own operationId"


def test_every_operation_declares_the_request_headers(doc):
    gaps = []
    for path, method, op in operations(doc):
        names = {resolve(doc, p).get("name") for p in op.get("parameters", [])}
        want = {"X-Request-ID", "Accept-Language"} | ({"If-Match", "Idempotency-Key"} if method in COMMAND_METHODS else set())
        if missing := want - names:
            gaps.append(f"{_name(path, method, op)}: headers {sorted(missing)} not declared — api/contract.py complete() adds "
                        "them to every operation (commands: every non-GET method); was the route left out of the document?")
    assert not gaps, "\n".join(gaps)


def test_every_operation_declares_every_status_with_its_problem_type(doc):
    gaps = []
    for path, method, op in operations(doc):
        responses = op.get("responses", {})
        want = {200 if method == "get" else None} - {None}
        if not _public(op):
            want |= {401, 403, 503}
            if any(resolve(doc, p).get("in") in ("path", "query") for p in op.get("parameters", [])):
                want |= {400, 404, 422}
        if method in COMMAND_METHODS:
            want |= {400, 404, 409, 413, 415, 422, 503}
        if missing := {str(s) for s in want} - set(responses):
            gaps.append(f"{_name(path, method, op)}: statuses {sorted(missing)} not declared (api/contract.py answers())")
        if not any(s.startswith("2") for s in responses):
            gaps.append(f"{_name(path, method, op)}: no success status")
        for status, response in responses.items():
            if int(status) < 400:
                continue
            response = resolve(doc, response)
            content = response.get("content", {})
            media = content.get("application/problem+json")
            if media is None or resolve(doc, media.get("schema")) != resolve(doc, {"$ref": "#/components/schemas/Problem"}):
                gaps.append(f"{_name(path, method, op)}: {status} is not application/problem+json with the Problem schema")
            if "urn:pengkom:problem:" not in response.get("description", "") or int(status) not in PROBLEMS:
                gaps.append(f"{_name(path, method, op)}: {status} does not name its problem type (api/contract.py PROBLEMS)")
    assert not gaps, "\n".join(gaps)


def test_every_response_declares_its_headers(doc):
    gaps = []
    for path, method, op in operations(doc):
        for status, response in op.get("responses", {}).items():
            headers = resolve(doc, response).get("headers", {})
            want = {"X-Request-ID", "Content-Language"} | ({"Retry-After"} if status == "503" else set()) | ({"WWW-Authenticate"} if status == "401" else set())
            if status.startswith("2") and method in COMMAND_METHODS:
                want |= {"ETag", "Idempotent-Replayed"}
            if missing := want - set(headers):
                gaps.append(f"{_name(path, method, op)} {status}: response headers {sorted(missing)} not declared (api/contract.py)")
    assert not gaps, "\n".join(gaps)


def test_problem_schema_matches_what_the_api_sends(doc):
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    example = {"type": "urn:pengkom:problem:invalid", "title": "Invalid", "status": 422, "code": "officer.nip_invalid", "kind": "invalid",
               "detail": "NIP 19900101201501101 has 17 digits; an NIP has 18", "instance": "/officers/", "request_id": "r1", "field": "nip"}
    jsonschema_rs.validator_for(problem).validate(example)
    assert json.dumps(doc)  # the document is plain JSON


def test_every_operation_has_a_summary_and_a_description_naming_its_form_and_guideline_section(doc):
    gaps = []
    for path, method, op in operations(doc):
        text = op.get("description") or ""
        guideline = op.get("x-pengkom-guideline")
        if not (op.get("summary") or "").strip():
            gaps.append(f"{_name(path, method, op)}: no summary (give summary= on the route decorator)")
        if guideline is None or not re.search(r"\*\*Form:\*\* (Formulir \d\.\d|none)", text) or \
                not re.search(r"\*\*Guideline:\*\* (Pedoman 2023, (BAB|Tabel)|none)", text):
            gaps.append(f"{_name(path, method, op)}: no description naming its form and guideline section — add "
                        f"D(form, section, text, ResponseStruct) under {op.get('operationId')!r} in {WHERE}")
    assert not gaps, "\n".join(gaps)


def _is_typed(doc: dict[str, Any], schema: Any) -> bool:
    s = resolve(doc, schema)
    if not isinstance(s, dict):
        return False
    if s.get("type") == "string" and s.get("format") == "binary":
        return True
    return bool(s.get("properties")) or bool(s.get("anyOf") or s.get("oneOf"))


def test_every_operation_has_typed_request_and_response_schemas(doc):
    gaps = []
    for path, method, op in operations(doc):
        body = op.get("requestBody")
        if method in COMMAND_METHODS and body is not None:
            for media, content in body.get("content", {}).items():
                if not _is_typed(doc, content.get("schema")):
                    gaps.append(f"{_name(path, method, op)}: request body {media} is untyped — take a msgspec Struct "
                                "(data: JSONBody[SomeStruct])")
        success = {s: r for s, r in op.get("responses", {}).items() if s.startswith("2")}
        for status, response in success.items():
            content = response.get("content", {})
            if not content:
                gaps.append(f"{_name(path, method, op)}: {status} declares no content")
            for media, c in content.items():
                if not _is_typed(doc, c.get("schema")):
                    gaps.append(f"{_name(path, method, op)}: {status} {media} is untyped — name its response Struct "
                                f"(api/responses.py) in {WHERE}")
    assert not gaps, "\n".join(gaps)


def test_every_operation_has_examples_valid_against_their_schemas(doc):
    gaps = []
    components = {"components": doc["components"]}
    for path, method, op in operations(doc):
        pairs = []
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            pairs.append(("request body", body))
        for status, response in op.get("responses", {}).items():
            response = resolve(doc, response)
            json_content = response.get("content", {}).get("application/json") or response.get("content", {}).get(PROBLEM)
            if json_content is not None:
                pairs.append((f"{status} answer", json_content))
        for what, content in pairs:
            if "example" not in content:
                gaps.append(f"{_name(path, method, op)}: no example for the {what} — run the narrative tests with "
                            "tests/support/capture_examples.py to add it to api/openapi_examples.json")
                continue
            validator = jsonschema_rs.validator_for({**components, **content["schema"]})
            errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(content["example"])][:3]
            if errors:
                gaps.append(f"{_name(path, method, op)}: the {what} example does not match its schema: {errors}")
    assert not gaps, "\n".join(gaps)
