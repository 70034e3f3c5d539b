"""Property-based fuzzing of every operation of the OpenAPI document (read at test time, so routes
added later are fuzzed too), on the SQLite store.

Schemathesis generates each operation's path, query and body from the document — schema-valid
(positive) and schema-violating (negative) — half of them aimed at seeded records (an officer, a
validated plan, a proposal, an activity…). Each case is sent in-process through Litestar's test
client with the token of one of several roles, sometimes with odd If-Match / Idempotency-Key
headers. No answer may be a 5xx; every 4xx is RFC 9457 problem+json with type, title, status, detail.

Deterministic: derandomized Hypothesis, no example database; a bounded number of examples per
operation keeps the whole file to a few seconds.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.support.activities import PDF
from tests.support.planning import OFFICERS, SUP
from tests.support.seed import AGENCY, Seeded, seeded_app

#: Per operation; PENGKOM_FUZZ_EXAMPLES=200 for a longer (still deterministic) hunt.
EXAMPLES_PER_OPERATION = int(os.environ.get("PENGKOM_FUZZ_EXAMPLES", "12"))
PK_NIP = OFFICERS["pertama"]["nip"].replace(" ", "")
#: (role, agency, nip) of the callers; one is drawn per example.
CALLERS = [("hr", AGENCY, None), ("pyb", AGENCY, None), ("ppk", AGENCY, None), ("officer", AGENCY, PK_NIP),
           ("supervisor", AGENCY, SUP), ("pembina", None, None), ("auditor", None, None), ("hr", "disnaker-jabar", None)]
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=24)


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Seeded, Any]]:
    from tests.conftest import new_settings

    with seeded_app(new_settings("sqlite", tmp_path_factory.mktemp("fuzz-openapi"))) as app:
        yield app


def _strategy(op: Any, seeded: Seeded) -> st.SearchStrategy[Any]:
    names = set(re.findall(r"\{(\w+)\}", op.path))
    values = seeded.params_for(op.path)
    strategies = [op.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    if names and names <= values.keys():
        strategies.append(op.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters={n: values[n] for n in names}))
    # Some operations have no negative cases to generate: then only the positive ones.
    with contextlib.suppress(Exception):
        strategies.append(op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def _send(api: Any, case: Any, caller: tuple[str, str | None, str | None], if_match: str | None, key: str | None) -> Any:
    role, agency, nip = caller
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "content-type", "content-length")}
    headers |= api.as_(role, agency, nip=nip)
    if if_match is not None:
        headers["If-Match"] = if_match
    if key is not None:
        headers["Idempotency-Key"] = key
    kw: dict[str, Any] = {}
    body = case.body
    if type(body).__name__ != "NotSet":
        if case.media_type and case.media_type.startswith("multipart/"):
            fields = body if isinstance(body, dict) else {}
            kw["data"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items() if k != "file"}
            kw["files"] = {"file": ("f.pdf", PDF, "application/pdf")}
        else:  # negative cases may be raw bytes: sent as they are
            kw["content"] = bytes(body) if isinstance(body, (bytes, bytearray)) else json.dumps(body, default=str)
            headers["Content-Type"] = case.media_type or "application/json"
    return api.request(case.method.upper(), case.formatted_path, params=case.query or None, headers=headers, **kw)


def _check(r: Any, where: str) -> None:
    assert r.status_code < 500, f"{where}: {r.status_code} {r.text[:500]}"
    if r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith("application/problem+json"), f"{where}: {r.status_code} {r.headers} {r.text[:300]}"
        body = r.json()
        missing = [k for k in ("type", "title", "status", "detail") if k not in body]
        assert not missing and body["status"] == r.status_code, f"{where}: problem without {missing}: {body}"
        assert isinstance(body["detail"], str) and body["detail"].strip(), f"{where}: empty detail: {body}"


def test_every_operation_survives_generated_input(fuzz):
    api, seeded, schema = fuzz
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 40, "the OpenAPI document lists suspiciously few operations"
    for op in operations:
        write = op.method.lower() != "get"

        @hsettings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None, print_blob=False,
                   phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
        @given(case=_strategy(op, seeded), caller=st.sampled_from(CALLERS),
               if_match=st.none() | HEADER_TEXT if write else st.none(), key=st.none() | HEADER_TEXT if write else st.none())
        def run(case: Any, caller: Any, if_match: str | None, key: str | None) -> None:
            r = _send(api, case, caller, if_match, key)
            # run() is called right below, within this iteration: op is the operation being fuzzed.
            _check(r, f"{op.method.upper()} {case.formatted_path} query={case.query} body={str(case.body)[:300]} as {caller} "  # noqa: B023
                      f"If-Match={if_match!r} Idempotency-Key={key!r}")

        try:
            run()
        except AssertionError as e:
            failures.append(str(e).split("\nFalsifying example")[0])
    assert not failures, "\n\n".join(failures)
