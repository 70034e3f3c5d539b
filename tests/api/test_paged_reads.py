"""Paged reads (issue 9, goal 3): the agency's JP ledger and Formulir 2.6 a page at a time, on SQLite and
PostgreSQL through the same query functions; on PostgreSQL the live reads (and the officer list) in one
statement through asyncpg, with exactly the documents of the synchronous path.

Every item is served exactly once across the pages, in a stable order; the totals the forms need count the
whole agency or plan on every page; one page holding everything is the document the exports are made from;
an altered cursor or another listing's is 422 problem+json; access rules and agency isolation are unchanged.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from api import pgreads
from api.app import create_app
from api.bootstrap import build
from core.planning import plan_id
from projections.ledger import agency_ledger
from projections.plans import formulir_2_6
from tests.conftest import Api, new_settings

YEAR = 2027
COMPETENCIES = ("integritas", "kerja_sama", "komunikasi", "penempatan_tk_dan_perluasan_kesempatan_kerja", "pengendalian_penggunaan_tka")
SAME_NAME = "Pegawai Kembar"  # two officers share a name: the keyset orders them by NIP


def _nip(n: int, pppk: bool) -> tuple[str, date]:
    born = date(1975, 1, 1) + timedelta(days=(n * 37) % 9000)
    if pppk:
        return f"{born:%Y%m%d}{born.year + 30:04d}21{1}{n % 999 + 1:03d}", born
    return f"{born:%Y%m%d}{born.year + 25:04d}01{1}{n % 999 + 1:03d}", born


def _officers(api: Api, hr: dict[str, str], agency: str, count: int, first: int = 0) -> list[str]:
    ids = []
    for n in range(first, first + count):
        pppk = n % 5 == 4
        nip, born = _nip(n, pppk)
        name = SAME_NAME if n - first in (3, 4) else f"Pegawai {(n * 7) % 97:03d}"
        body = {"nip": nip, "name": name, "birth_place": "Bandung", "birth_date": born.isoformat(), "sex": "L",
                "employee_type": "PPPK" if pppk else "PNS", "position": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama",
                "golongan": "III/a", "agency": agency, "unit": f"Bidang {n % 3}"}
        r = api.post("/officers/", json=body, headers=hr)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def _plan(api: Api, hr: dict[str, str], agency: str, officers: list[str], rows: int) -> str:
    plan = f"/plans/{agency}/{YEAR}"
    assert api.post(f"{plan}/budgets", json={"funding_source": "apbn", "amount": "9000000"}, headers=hr).status_code == 200
    row_ids = []
    for k in range(rows):
        comp = COMPETENCIES[k % len(COMPETENCIES)]
        body: dict[str, Any] = {
            "officer_id": officers[k % len(officers)], "competency": comp, "pathway": "pelatihan", "programme": f"Pelatihan {k}",
            "funding_source": "apbd" if k % 4 == 3 else "apbn", "budget": f"{1000000 + 250 * k}.50", "programme_jp": 8 + k % 5,
            "curriculum_code": f"K-{comp[:8]}", "start": date(YEAR, 1 + k % 12, 1).isoformat(),
            "end": date(YEAR, 1 + k % 12, 3).isoformat()}
        if k % 3:
            body["provider"] = "Pusdiklat Ketenagakerjaan"  # the others name none: a finding about the row
        r = api.post(f"{plan}/rows", json=body, headers=hr)
        assert r.status_code == 201, r.text
        row_ids.append(r.json()["row_id"])
    # A removed row leaves a gap in the log positions the cursor pages by.
    assert api.post(f"{plan}/rows/{row_ids[2]}/removal", json={"reason": "dobel, dihapus"}, headers=hr).status_code == 200
    return plan


@pytest.fixture
def seeded(api: Api) -> dict[str, Any]:
    hr, pembina = api.as_("hr"), api.as_("pembina", agency=None)
    for comp in COMPETENCIES[:3]:  # the other competencies have no curriculum standard: findings
        r = api.post("/curriculum-standards/", json={"competency": comp, "level": "ahli_pertama", "code": f"K-{comp[:8]}",
                                                     "title": f"Kurikulum {comp}", "pathways": ["pelatihan"], "min_jp": 10},
                     headers=pembina)
        assert r.status_code == 201, r.text
    ids = _officers(api, hr, "kemnaker", 23)
    plan = _plan(api, hr, "kemnaker", ids, 19)
    bnn_hr = api.as_("hr", agency="bnn")
    bnn = _officers(api, bnn_hr, "bnn", 3, first=500)
    _plan(api, bnn_hr, "bnn", bnn, 4)
    return {"hr": hr, "plan": plan, "ids": ids, "bnn_hr": bnn_hr}


def _pages(api: Api, path: str, headers: dict[str, str], limit: int, key: str, **query: Any) -> list[dict[str, Any]]:
    pages = []
    params: dict[str, Any] = {**query, "limit": limit}
    while True:
        r = api.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body)
        assert len(body[key]) <= limit
        page = body["page"]
        if page["next_cursor"] is None:
            assert page["next"] is None
            return pages
        follow = api.get(page["next"], headers=headers)  # the link asks for the same page as the cursor
        params = {**query, "limit": limit, "cursor": page["next_cursor"]}
        assert page["next"].startswith(f"{path}?") and follow.json() == api.get(path, params=params, headers=headers).json()


def _raw(answer: Any, doc: Any) -> Any:
    """``answer`` as the read's document ``doc`` has it: without what the API adds (labels, page, chain head)."""
    if isinstance(doc, dict):
        return {k: _raw(answer[k], v) for k, v in doc.items()} if isinstance(answer, dict) else answer
    if isinstance(doc, list) and isinstance(answer, list) and len(doc) == len(answer):
        return [_raw(a, d) for a, d in zip(answer, doc, strict=True)]
    return answer


def _without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in keys}


LEDGER_TOTALS = ("agency", "year", "by_pathway", "credited_jp", "pns_below_minimum", "pppk_over_cap", "pns_min_jp", "pppk_max_jp")


@pytest.mark.language("en")
def test_ledger_pages_serve_every_officer_once_with_the_agency_totals(api, seeded):
    hr = seeded["hr"]
    whole = api.get("/ledger/agency", params={"year": YEAR, "limit": 500}, headers=hr).json()
    assert whole["page"] == {"limit": 500, "cursor": None, "next_cursor": None, "next": None}
    assert whole["officers_total"] == len(whole["officers"]) == 23
    assert whole["pns_below_minimum"] > 0 and whole["chain_head"]["signature"]
    # One page holding every officer is the full ledger (the document the exports are made from).
    full = agency_ledger(api.services.views, agency="kemnaker", year=YEAR)
    assert _raw(whole, full) == full
    assert api.get("/ledger/agency", params={"year": YEAR}, headers=hr).json()["page"]["limit"] == 100  # the default page

    for limit in (1, 4, 7, 23):
        pages = _pages(api, "/ledger/agency", hr, limit, "officers", year=YEAR)
        assert len(pages) == -(-23 // limit)
        served = [o for p in pages for o in p["officers"]]
        assert served == whole["officers"], limit  # each once, in the same order
        for p in pages:
            assert {k: p[k] for k in (*LEDGER_TOTALS, "officers_total")} == {k: whole[k] for k in (*LEDGER_TOTALS, "officers_total")}
    twins = [o["nip"] for o in whole["officers"] if o["name"] == SAME_NAME]
    assert twins == sorted(twins) and len(twins) == 2


@pytest.mark.language("en")  # the findings' messages as recorded (in English), as the read model holds them
def test_plan_pages_serve_every_row_and_finding_once_with_the_plan_totals(api, seeded):
    hr, plan = seeded["hr"], seeded["plan"]
    r = api.get(plan, params={"limit": 500}, headers=hr)
    assert r.status_code == 200 and r.headers["etag"]
    whole = r.json()
    full = formulir_2_6(api.services.views, str(plan_id("kemnaker", YEAR)))
    assert full is not None
    # One page holding every row is Formulir 2.6 as the full read (and the exports) give it.
    assert _raw(whole, full) == full
    assert whole["totals"]["rows"] == len(whole["rows"]) == 18
    assert whole["findings"] and whole["open_findings"] > 0
    assert set(whole["totals"]["budget_by_source"]) == {"apbn", "apbd"}

    for limit in (1, 5, 18):
        pages = _pages(api, plan, hr, limit, "rows")
        rows = [row for p in pages for row in p["rows"]]
        assert rows == whole["rows"], limit  # each row once, numbered through the plan
        assert [row["no"] for row in rows] == list(range(1, 19))
        findings = [f["finding_id"] for p in pages for f in p["findings"]]
        assert sorted(findings) == sorted(f["finding_id"] for f in whole["findings"]) and len(set(findings)) == len(findings)
        row_ids = {row["row_id"] for row in rows}
        for p in pages:
            assert _without(p, "rows", "findings", "page", "chain_head") == _without(whole, "rows", "findings", "page", "chain_head")
            # A page's findings: those about its rows, and at most `limit` of those about no row of the plan.
            on_page = {row["row_id"] for row in p["rows"]}
            assert all(f["row_id"] in on_page for f in p["findings"] if f["row_id"] in row_ids)
            assert sum(1 for f in p["findings"] if f["row_id"] not in row_ids) <= limit
        if limit == 1:
            assert len(pages) > 18  # the findings about officers (check d) outnumber the rows: pages go on until both are served


@pytest.mark.language("en")
def test_an_altered_cursor_or_another_listings_is_422(api, seeded):
    hr, plan = seeded["hr"], seeded["plan"]
    ledger = api.get("/ledger/agency", params={"year": YEAR, "limit": 2}, headers=hr).json()["page"]["next_cursor"]
    rows = api.get(plan, params={"limit": 2}, headers=hr).json()["page"]["next_cursor"]
    body, _, digest = ledger.partition(".")
    altered = [ledger[:-1] + ("A" if ledger[-1] != "A" else "B"), ledger[:10], f"{body[:-2]}xx.{digest}", "not-a-cursor", ".", "%%%",
               rows.replace(".", "..")]
    for cursor in altered:
        r = api.get("/ledger/agency", params={"year": YEAR, "cursor": cursor}, headers=hr)
        assert r.status_code == 422, (cursor, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "page.cursor_invalid"
    for path, cursor in ((plan, ledger), ("/ledger/agency", rows), (f"/plans/kemnaker/{YEAR + 1}", rows),
                         ("/ledger/agency?year=2026", ledger)):
        r = api.get(path, params={"cursor": cursor} | ({} if "year=" in path or path.startswith("/plans") else {"year": YEAR}),
                    headers=hr)
        assert r.status_code == 422 and "another listing" in r.json()["detail"], (path, r.text)


def test_another_agencys_ledger_and_plan_stay_invisible(api, seeded):
    hr, bnn_hr, plan = seeded["hr"], seeded["bnn_hr"], seeded["plan"]
    mine = api.get("/ledger/agency", params={"year": YEAR, "limit": 500}, headers=bnn_hr).json()
    assert mine["agency"] == "bnn" and mine["officers_total"] == 3 and len(mine["officers"]) == 3
    assert not {o["officer_id"] for o in mine["officers"]} & set(seeded["ids"])
    assert api.get("/ledger/agency", params={"year": YEAR, "agency": "kemnaker"}, headers=bnn_hr).status_code == 403
    # The next page of kemnaker's ledger, asked by bnn's HR unit: the cursor is not bnn's listing.
    cursor = api.get("/ledger/agency", params={"year": YEAR, "limit": 2}, headers=hr).json()["page"]["next_cursor"]
    assert api.get("/ledger/agency", params={"year": YEAR, "cursor": cursor}, headers=bnn_hr).status_code == 422
    for headers in (bnn_hr, api.as_("officer", nip=_nip(0, False)[0]), api.as_("pembina", agency=None)):
        assert api.get(plan, headers=headers).status_code == 403
        assert api.get(plan, params={"limit": 1}, headers=headers).status_code == 403
    assert api.get("/ledger/agency", params={"year": YEAR}, headers=api.as_("officer", nip=_nip(0, False)[0])).status_code == 403
    assert api.get("/ledger/agency", params={"year": YEAR, "agency": "bnn"},
                   headers=api.as_("auditor", agency=None)).json()["officers_total"] == 3


# -- PostgreSQL: the asyncpg statement and the synchronous path give the same documents -----------------------


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the page reads answered by the one asyncpg statement."""
    seen: list[int] = []
    page = pgreads.PgReads.page

    async def counted(self: pgreads.PgReads, *args: Any) -> pgreads.PageSnapshot:
        seen.append(1)
        return await page(self, *args)

    monkeypatch.setattr(pgreads.PgReads, "page", counted)
    return seen


def _both(api: Api, statements: list[int], path: str, headers: dict[str, str], params: dict[str, Any]) -> Any:
    """The answer of the async path and of the synchronous path (the app's pool hidden)."""
    state = api.client.app.state
    statements.clear()
    fast = api.get(path, params=params, headers=headers)
    took_async = bool(statements)
    reads, state.pg_reads = state.pg_reads, None
    try:
        slow = api.get(path, params=params, headers=headers)
    finally:
        state.pg_reads = reads
    assert fast.status_code == slow.status_code, (path, params, fast.text, slow.text)
    if fast.status_code == 200:
        assert fast.json() == slow.json(), (path, params)
        assert fast.headers.get("etag") == slow.headers.get("etag")
        assert fast.headers.get("x-pengkom-chain-head") == slow.headers.get("x-pengkom-chain-head")
    else:
        drop = ("instance", "request_id")
        assert _without(fast.json(), *drop) == _without(slow.json(), *drop)
    return fast, took_async


def test_async_pages_answer_exactly_as_the_synchronous_path(pg, statements):
    hr = pg.as_("hr")
    for comp in COMPETENCIES[:3]:
        pg.post("/curriculum-standards/", json={"competency": comp, "level": "ahli_pertama", "code": f"K-{comp[:8]}",
                                                "title": f"Kurikulum {comp}", "pathways": ["pelatihan"], "min_jp": 10},
                headers=pg.as_("pembina", agency=None))
    ids = _officers(pg, hr, "kemnaker", 12)
    plan = _plan(pg, hr, "kemnaker", ids, 9)
    pg.get("/officers/", headers=hr)  # the first read after the commands may wait at the barrier (sync way)

    cursor_l = pg.get("/ledger/agency", params={"year": YEAR, "limit": 5}, headers=hr).json()["page"]["next_cursor"]
    cursor_p = pg.get(plan, params={"limit": 4}, headers=hr).json()["page"]["next_cursor"]
    nip = _nip(0, False)[0]
    cases = [
        ("/ledger/agency", hr, {"year": YEAR}), ("/ledger/agency", hr, {"year": YEAR, "limit": 5}),
        ("/ledger/agency", hr, {"year": YEAR, "limit": 5, "cursor": cursor_l}), ("/ledger/agency", hr, {"year": YEAR - 1}),
        (plan, hr, {}), (plan, hr, {"limit": 4}), (plan, hr, {"limit": 4, "cursor": cursor_p}), (plan, pg.as_("pyb"), {"limit": 3}),
        ("/officers/", hr, {}), ("/officers/", hr, {"limit": 5, "offset": 3}), ("/officers/", hr, {"q": "kembar"}),
        ("/officers/", hr, {"q": nip[:8]}), ("/officers/", hr, {"nip": nip}), ("/officers/", hr, {"employee_type": "PPPK"}),
        ("/officers/", hr, {"level": "Ahli Pertama", "unit": "Bidang 1"}), ("/officers/", pg.as_("officer", nip=nip), {}),
        ("/officers/", pg.as_("pembina", agency=None), {"agency": "kemnaker"}),
    ]
    for path, headers, params in cases:
        r, took_async = _both(pg, statements, path, headers, params)
        assert r.status_code == 200 and took_async, (path, params, r.text)
    # Refusals and the cases the synchronous path decides answer as before.
    refused = [("/ledger/agency", pg.as_("officer", nip=nip), {"year": YEAR}), (plan, pg.as_("hr", agency="bnn"), {}),
               ("/officers/", pg.as_("officer", nip=nip), {"nip": _nip(1, False)[0]}), ("/officers/", pg.as_("supervisor"), {}),
               (f"/plans/kemnaker/{YEAR + 1}", hr, {}), (plan, pg.as_("pembina", agency=None), {})]
    for path, headers, params in refused:
        _both(pg, statements, path, headers, params)


# -- the same record on SQLite and on PostgreSQL (asyncpg) gives the same pages ----------------------------------


def _stable(doc: Any) -> Any:
    """A page without what differs between two stores holding the same record: ids made at random (rows, findings),
    moments of recording, log positions, the chain head and the cursors."""
    drop = {"row_id", "finding_id", "findings", "recorded_at", "registered_at", "updated_at", "chain_head", "page", "position",
            "plan_id", "id", "last_change", "revisions", "checks", "budgets", "budget_registered"}
    if isinstance(doc, dict):
        return {k: _stable(v) for k, v in doc.items() if k not in drop}
    if isinstance(doc, list):
        return [_stable(v) for v in doc]
    return doc


def test_sqlite_and_postgresql_give_the_same_pages(tmp_path):
    answers = {}
    for kind in ("sqlite", "postgres"):
        services = build(new_settings(kind, tmp_path / kind))
        try:
            with TestClient(create_app(services), raise_server_exceptions=False) as client:
                api = Api(client, services)
                hr = api.as_("hr")
                for comp in COMPETENCIES[:3]:
                    api.post("/curriculum-standards/", json={"competency": comp, "level": "ahli_pertama", "code": f"K-{comp[:8]}",
                                                             "title": f"Kurikulum {comp}", "pathways": ["pelatihan"], "min_jp": 10},
                             headers=api.as_("pembina", agency=None))
                ids = _officers(api, hr, "kemnaker", 9)
                plan = _plan(api, hr, "kemnaker", ids, 8)
                assert (pgreads.reads_of(client.app) is not None) == (kind == "postgres")
                ledger = _pages(api, "/ledger/agency", hr, 4, "officers", year=YEAR)
                rows = _pages(api, plan, hr, 3, "rows")
                answers[kind] = {"ledger": [_stable(p) for p in ledger], "plan": [_stable(p) for p in rows],
                                 "findings": [sorted((f["rule"], f["message"]) for f in p["findings"]) for p in rows],
                                 "officers": [o["officer_id"] for p in ledger for o in p["officers"]]}
        finally:
            services.close()
    assert answers["sqlite"] == answers["postgres"]
    assert len(answers["sqlite"]["officers"]) == 9
