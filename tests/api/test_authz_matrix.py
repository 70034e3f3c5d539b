"""Role × route × agency matrix over every route of the OpenAPI document (discovered at test time,
so routes added later are covered without touching this file), on SQLite and PostgreSQL.

Agency "kemnaker" is seeded through the API (tests/support/seed.py); then:
- every route but /health, /ready and /schema answers 401 problem+json without a (valid) token;
- every agency role of "disnaker-jabar" reading a kemnaker record gets 403 or 404, asking for
  kemnaker explicitly (``?agency=kemnaker``) gets 403, and no answer it gets names a kemnaker id or NIP;
- its writes against kemnaker records (or naming kemnaker in the body) are 403/404 and record nothing;
- a kemnaker officer writes nothing about a colleague;
- the national roles read every route without a 5xx;
- auditor, LAN and BKN write nothing: every write is 403/404/405 and the log does not move.
"""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.planning import OFFICERS, SUP
from tests.support.seed import AGENCY, OTHER, OTHER_NIP, Seeded, fill, seed

PUBLIC = re.compile(r"^/(health|ready|schema|chain/public-key)(/|$)")
WRITE_METHODS = ("post", "put", "patch", "delete")
KEMNAKER_PK_NIP = OFFICERS["pertama"]["nip"].replace(" ", "")

#: Every agency role of the other agency. The officer and the supervisor carry kemnaker's NIPs on purpose:
#: a NIP alone never opens another agency's records.
OTHER_AGENCY_CALLERS: list[tuple[str, dict[str, Any]]] = [
    ("hr", {}), ("pyb", {}), ("verifier", {}), ("ppk", {}), ("head", {}),
    ("officer", {"nip": KEMNAKER_PK_NIP}), ("officer", {"nip": OTHER_NIP.replace(" ", "")}), ("supervisor", {"nip": SUP}),
]
NATIONAL = ("pembina", "lan", "bkn", "auditor")
READ_ONLY_NATIONAL = ("auditor", "lan", "bkn")
#: Path parameters that name shared reference data (instruments, pathways), not an agency's records.
REFERENCE_PARAMS = {"code"}


def operations(api: Any) -> list[tuple[str, str, dict[str, Any]]]:
    doc = api.get("/schema/openapi.json").json()
    ops = [(method, path, op) for path, item in doc["paths"].items() for method, op in item.items()
           if method in ("get", *WRITE_METHODS)]
    assert len(ops) > 40, "the OpenAPI document lists suspiciously few operations"
    return ops


def query_for(op: dict[str, Any], values: dict[str, Any], **over: Any) -> dict[str, Any] | None:
    """The required query parameters filled from the seeded values (None: one cannot be filled)."""
    q: dict[str, Any] = {}
    for p in op.get("parameters", []):
        if p["in"] == "query" and p.get("required"):
            if p["name"] not in values:
                return None
            q[p["name"]] = values[p["name"]]
    return q | over


def send(api: Any, method: str, path: str, op: dict[str, Any], s: Seeded, headers: dict[str, str]) -> Any:
    url = fill(path, s.params_for(path))
    if method == "get":
        return api.get(url, params=query_for(op, s.params_for(path)) or {}, headers=headers)
    content = op.get("requestBody", {}).get("content", {})
    if op.get("operationId") == "importOfficers":
        # A file body: a clean CSV of one kemnaker officer, imported into kemnaker (?agency=kemnaker).
        return api.request(method.upper(), url, headers={**headers, "Content-Type": "text/csv"}, params={"agency": AGENCY},
                           content=s.bodies["importOfficers"]["csv"].encode())
    if "multipart/form-data" in content:
        from tests.support.activities import PDF

        return api.request(method.upper(), url, headers=headers, files={"file": ("s.pdf", PDF, "application/pdf")},
                           data={"officer_id": s.path["officer_id"], "number": "X-1", "issuer": "Pusdiklat",
                                 "issued_on": "2020-01-01", "kind": "sertifikat"})
    return api.request(method.upper(), url, headers=headers, json=s.bodies.get(op.get("operationId", ""), {}))


def is_problem(r: Any) -> bool:
    if not r.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    body = r.json()
    return all(k in body for k in ("type", "title", "status", "detail")) and body["status"] == r.status_code


def head(api: Any) -> int:
    return api.services.app.recorder.max_notification_id() or 0


def label(method: str, path: str, role: str, kw: dict[str, Any]) -> str:
    return f"{method.upper()} {path} as {role}{'(' + kw['nip'] + ')' if kw.get('nip') else ''}"


@pytest.fixture
def seeded(api: Any) -> Seeded:
    return seed(api)


def test_every_non_public_route_requires_a_valid_token(api, seeded):
    bad = []
    expired = api.services.tokens.issue(subject="x", name="x", roles=["hr"], agency=AGENCY, ttl=-120)
    for method, path, op in operations(api):
        if PUBLIC.match(path):
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Bearer {expired}"},
                        {"Authorization": "Basic aGk6aGk="}):
            before = head(api)
            r = send(api, method, path, op, seeded, headers)
            if r.status_code != 401 or not is_problem(r) or head(api) != before:
                bad.append(f"{method.upper()} {path} {headers or 'no token'}: {r.status_code} {r.text[:200]}")
    assert not bad, "\n".join(bad)


def test_another_agency_never_reads_kemnaker_records(api, seeded):
    bad = []
    for method, path, op in operations(api):
        if method != "get" or PUBLIC.match(path):
            continue
        has_path = bool(set(re.findall(r"\{(\w+)\}", path)) - REFERENCE_PARAMS)
        asks_agency = any(p["in"] == "query" and p["name"] == "agency" for p in op.get("parameters", []))
        for role, kw in OTHER_AGENCY_CALLERS:
            h = api.as_(role, OTHER, **kw)
            secrets = seeded.secrets - {kw.get("nip")}
            r = send(api, method, path, op, seeded, h)
            where = label(method, path, role, kw)
            if r.status_code >= 500:
                bad.append(f"{where}: {r.status_code} {r.text[:300]}")
            elif has_path and r.status_code not in (403, 404):
                bad.append(f"{where}: {r.status_code}, expected 403/404 for another agency's record: {r.text[:200]}")
            elif r.status_code >= 400 and not is_problem(r):
                bad.append(f"{where}: {r.status_code} is not problem+json: {r.text[:200]}")
            elif r.status_code < 300 and (leaked := [x for x in secrets if x in r.text]):
                bad.append(f"{where}: 200 names kemnaker's {leaked[:3]}")
            if asks_agency and not has_path:
                q = query_for(op, seeded.params_for(path), agency=AGENCY)
                if q is None:
                    continue
                r = api.get(fill(path, seeded.params_for(path)), params=q, headers=h)
                if r.status_code != 403 or not is_problem(r):
                    bad.append(f"{where}?agency={AGENCY}: {r.status_code}, expected 403: {r.text[:200]}")
    assert not bad, "\n".join(bad)


def test_another_agency_never_writes_kemnaker_records(api, seeded):
    bad = []
    for method, path, op in operations(api):
        if method == "get" or PUBLIC.match(path):
            continue
        for role, kw in OTHER_AGENCY_CALLERS:
            before = head(api)
            r = send(api, method, path, op, seeded, api.as_(role, OTHER, **kw))
            where = label(method, path, role, kw)
            if r.status_code not in (403, 404) or not is_problem(r):
                bad.append(f"{where}: {r.status_code}, expected 403/404: {r.text[:300]}")
            if head(api) != before:
                bad.append(f"{where}: recorded {head(api) - before} event(s) in kemnaker's records")
    assert not bad, "\n".join(bad)


def test_national_roles_read_every_route_without_a_5xx(api, seeded):
    bad = []
    for method, path, op in operations(api):
        if method != "get":
            continue
        for role in NATIONAL:
            r = send(api, method, path, op, seeded, api.as_(role, None))
            if r.status_code >= 500 or (r.status_code >= 400 and not is_problem(r)):
                bad.append(f"GET {path} as {role}: {r.status_code} {r.text[:300]}")
    assert not bad, "\n".join(bad)
    # The national reading the guideline gives them: the submitted plan and the officer it names.
    for role in NATIONAL:
        h = api.as_(role, None)
        # The seeded plan was submitted to the Instansi Pembina only: LAN has received nothing (never the draft).
        assert api.get(fill("/plans/{agency}/{year}", seeded.path), headers=h).status_code == (404 if role == "lan" else 200), role
        assert api.get(fill("/officers/{officer_id}", seeded.path), headers=h).status_code == 200, role


def test_auditor_lan_and_bkn_write_nothing(api, seeded):
    bad = []
    for method, path, op in operations(api):
        if method == "get":
            continue
        for role in READ_ONLY_NATIONAL:
            before = head(api)
            r = send(api, method, path, op, seeded, api.as_(role, None))
            if r.status_code not in (403, 404, 405) or not is_problem(r):
                bad.append(f"{method.upper()} {path} as {role}: {r.status_code}, expected 403/404/405: {r.text[:300]}")
            if head(api) != before:
                bad.append(f"{method.upper()} {path} as {role}: recorded {head(api) - before} event(s)")
    assert not bad, "\n".join(bad)


def test_an_officer_of_the_same_agency_writes_nothing_about_a_colleague(api, seeded):
    """Formulir 2.2, 2.1, 2.3/2.4, plans, activities: a Pengantar Kerja acts only on their own records."""
    colleague = api.as_("officer", AGENCY, nip=OFFICERS["muda"]["nip"].replace(" ", ""), subject="pk-colleague")
    bad = []
    for method, path, op in operations(api):
        if method == "get" or PUBLIC.match(path) or "{" not in path:
            continue
        before = head(api)
        r = send(api, method, path, op, seeded, colleague)
        if r.status_code not in (403, 404) or not is_problem(r):
            bad.append(f"{method.upper()} {path} as a colleague officer: {r.status_code}, expected 403/404: {r.text[:300]}")
        if head(api) != before:
            bad.append(f"{method.upper()} {path} as a colleague officer: recorded {head(api) - before} event(s)")
    assert not bad, "\n".join(bad)
