"""The API answers as its OpenAPI contract says (issue 12 item 3), on both stores.

Schemathesis reads /schema/openapi.json from the real app (so routes added later are covered) and, for
every operation, with its response-conformance checks on — no 5xx, every status declared, every content
type declared, every declared required header present, every body valid against its declared schema:

1. sends the operation as the narrative of an agency's year would: the seeded records' ids and a valid
   body (tests/support/seed.py), by each caller in turn until one may — so success answers are checked
   against their response Structs, not only refusals;
2. sends a few schemathesis-generated requests (schema-valid, some aimed at the seeded records, and
   schema-violating), each as one of several callers.

Deterministic (derandomized Hypothesis, no example database) and bounded: PENGKOM_CONFORMANCE_EXAMPLES
(default 5) generated requests per operation and store.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.activities import PDF
from tests.support.planning import OFFICERS, SUP
from tests.support.seed import AGENCY, Seeded, seeded_app

EXAMPLES_PER_OPERATION = int(os.environ.get("PENGKOM_CONFORMANCE_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
PK_NIP = OFFICERS["pertama"]["nip"].replace(" ", "")
#: (role, agency, nip): the callers, in the order the narrative pass tries them.
CALLERS = [("hr", AGENCY, None), ("supervisor", AGENCY, SUP), ("officer", AGENCY, PK_NIP), ("pyb", AGENCY, None),
           ("ppk", AGENCY, None), ("head", AGENCY, None), ("pembina", None, None), ("verifier", AGENCY, None),
           ("auditor", None, None), ("hr", "disnaker-jabar", None)]


@pytest.fixture
def contract(settings: Any) -> Iterator[tuple[Any, Seeded, Any]]:
    with seeded_app(settings) as app:
        yield app


def _headers(api: Any, caller: tuple[str, str | None, str | None]) -> dict[str, str]:
    role, agency, nip = caller
    return api.as_(role, agency, nip=nip)


def _send(api: Any, case: Any, caller: tuple[str, str | None, str | None]) -> tuple[Any, dict[str, str]]:
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "content-type", "content-length")}
    headers |= _headers(api, caller)
    kw: dict[str, Any] = {}
    body = case.body
    if type(body).__name__ != "NotSet":
        if case.media_type and case.media_type.startswith("multipart/"):
            fields = body if isinstance(body, dict) else {}
            kw["data"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items() if k != "file"}
            kw["files"] = {"file": ("f.pdf", PDF, "application/pdf")}
        elif case.media_type and not case.media_type.endswith("json"):
            kw["content"] = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = case.media_type
        else:  # negative cases may be raw bytes: sent as they are
            kw["content"] = bytes(body) if isinstance(body, (bytes, bytearray)) else json.dumps(body, default=str)
            headers["Content-Type"] = case.media_type or "application/json"
    r = api.request(case.method.upper(), case.formatted_path, params=case.query or None, headers=headers, **kw)
    return r, headers


def _validate(case: Any, r: Any, headers: dict[str, str], where: str, failures: list[str]) -> None:
    with contextlib.suppress(Exception):  # a multipart request's body is a stream: read it for the report
        r.request.read()
    try:
        case.validate_response(r, checks=CHECKS, headers=headers)
    except FailureGroup as group:
        failures.append(f"{where}: {r.status_code} " + "; ".join(f"{f.title}: {f.message}"[:600] for f in group.exceptions))


def _narrative_case(op: Any, seeded: Seeded) -> Any:
    values = seeded.params_for(op.path)
    names = re.findall(r"\{(\w+)\}", op.path)
    path = {n: values.get(n, "00000000-0000-4000-8000-000000000000") for n in names}
    query = {}
    for p in op.definition.raw.get("parameters", []):
        if p.get("in") == "query" and p.get("required") and p["name"] in values:
            query[p["name"]] = values[p["name"]]
    oid = op.definition.raw.get("operationId", "")
    content = op.definition.raw.get("requestBody", {}).get("content", {})
    if op.method.lower() == "get" or not content:
        return op.Case(path_parameters=path, query=query or None)
    if "multipart/form-data" in content:
        body = {"officer_id": seeded.path["officer_id"], "number": "X-1", "issuer": "Pusdiklat", "issued_on": "2026-10-02",
                "kind": "sertifikat"}
        return op.Case(path_parameters=path, query=query or None, body=body, media_type="multipart/form-data")
    if oid == "importOfficers":
        return op.Case(path_parameters=path, query={"agency": AGENCY}, body=seeded.bodies[oid]["csv"], media_type="text/csv")
    return op.Case(path_parameters=path, query=query or None, body=seeded.bodies.get(oid, {}), media_type="application/json")


def test_every_answer_conforms_to_the_contract(contract):
    api, seeded, schema = contract
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 100
    failures: list[str] = []
    succeeded: dict[str, int] = {"get": 0, "command": 0}
    # 1. The narrative pass: reads first (on the seeded state), then commands; each by the callers in turn until one may.
    for op in sorted(operations, key=lambda o: o.method.lower() != "get"):
        case = _narrative_case(op, seeded)
        for caller in CALLERS:
            r, headers = _send(api, case, caller)
            _validate(case, r, headers, f"{op.method.upper()} {case.formatted_path} as {caller}", failures)
            if r.status_code < 300:
                succeeded["get" if op.method.lower() == "get" else "command"] += 1
                break
    reads = sum(1 for op in operations if op.method.lower() == "get")
    # Not only refusals: most operations answer 2xx for some caller on the seeded records, checked against their Structs.
    assert succeeded["get"] >= reads * 0.6 and succeeded["command"] >= 20, f"too few success answers checked: {succeeded} of {reads} reads"
    # 2. Generated requests, schema-valid, some aimed at the seeded records.
    for op in operations:
        values = seeded.params_for(op.path)
        names = set(re.findall(r"\{(\w+)\}", op.path))
        strategies = [op.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        if names and names <= values.keys():
            strategies.append(op.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters={n: values[n] for n in names}))
        # Schema-violating requests too: their refusals must be declared problems as well. Some operations have none.
        with contextlib.suppress(Exception):
            strategies.append(op.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @hsettings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None, print_blob=False,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies), caller=st.sampled_from(CALLERS))
        def run(case: Any, caller: Any) -> None:
            r, headers = _send(api, case, caller)
            _validate(case, r, headers, f"{case.method.upper()} {case.formatted_path} query={case.query} "
                                        f"body={str(case.body)[:200]} as {caller}", failures)

        run()
    kinds = Counter(re.sub(r"^.*?: \d{3} ", "", f).split(":")[0] for f in failures)
    assert not failures, f"{len(failures)} answers do not conform ({dict(kinds)}):\n\n" + "\n\n".join(failures[:25])
