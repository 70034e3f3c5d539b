"""Formulir 2.2 read (``GET /officers/{id}``) on PostgreSQL through asyncpg, natively async (issue 9, goal 3).

The live read takes one statement on the app's asyncpg pool (api/pgreads.py) and answers exactly what the
synchronous path answers — same body, same ETag, same signed chain head, same 404/403 masking, same 503
while the directory is rebuilt — and never an answer that misses a command acknowledged before it
(read-your-writes). PostgreSQL only: SQLite has no async path (its reads are covered on both stores by
test_officer_flow.py, test_audit_and_as_of.py, test_authz_matrix.py and test_reading_rules.py).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from litestar.testing import TestClient

import api.officers as officers_api
from api import pgreads
from api.app import create_app
from api.bootstrap import build
from tests.conftest import Api, new_settings
from tests.support.data import PK_AHLI_MUDA, SUPERVISOR, officer_body

COMPARED_HEADERS = ("etag", "x-pengkom-chain-head", "content-type")


def _problem(r: Any) -> dict[str, Any]:
    """A problem body without what differs per request (its id, the instance)."""
    return {k: v for k, v in r.json().items() if k not in ("instance", "request_id")}


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the reads answered by the async statement and those that went the synchronous way."""
    seen = {"async": 0, "sync": 0}
    statement, sync = pgreads.PgReads.officer, officers_api._read_officer

    async def counted_statement(self: pgreads.PgReads, officer_id: str) -> pgreads.OfficerSnapshot:
        seen["async"] += 1
        return await statement(self, officer_id)

    def counted_sync(*args: Any) -> Any:
        seen["sync"] += 1
        return sync(*args)

    monkeypatch.setattr(pgreads.PgReads, "officer", counted_statement)
    monkeypatch.setattr(officers_api, "_read_officer", counted_sync)
    return seen


def _sync_only(api: Api) -> Any:
    """The same app with its async pool hidden: the read goes the synchronous (psycopg, thread) way."""
    state = api.client.app.state
    reads = state.pg_reads

    class Restore:
        def __enter__(self) -> None:
            state.pg_reads = None

        def __exit__(self, *exc: Any) -> None:
            state.pg_reads = reads

    return Restore()


def _officer_with_histories(api: Api, hr: dict[str, str]) -> str:
    oid = api.post("/officers/", json=officer_body(supervisor_nip=SUPERVISOR), headers=hr).json()["id"]
    entries = [("positions", {"year": 2015, "position": "CPNS Pengantar Kerja", "level": "ahli_pertama"}),
               ("development", {"year": 2024, "competency": "integritas", "form": "Pelatihan", "pathway": "pelatihan", "jp": 24}),
               ("performance", {"year": 2025, "predikat": "baik"}),
               ("credit-points", {"year": 2024, "credit_points": "10"}),
               ("credit-points", {"year": 2025, "credit_points": "12.5"})]
    ids = []
    for path, body in entries:
        r = api.post(f"/officers/{oid}/history/{path}", json=body, headers=hr)
        assert r.status_code == 201, r.text
        ids.append(r.json()["entry_id"])
    assert api.post(f"/officers/{oid}/history/{ids[-1]}/corrections", json={"changes": {"credit_points": "13.75"}, "reason": "PAK ulang"},
                    headers=hr).status_code == 200
    assert api.post(f"/officers/{oid}/history/{ids[0]}/retraction", json={"reason": "salah input"}, headers=hr).status_code == 200
    return oid


def test_formulir_2_2_live_read_takes_the_async_path_and_answers_exactly_as_the_sync_path(pg, paths):
    assert pgreads.reads_of(pg.client.app) is not None  # the pool opened with the app
    hr = pg.as_("hr")
    oid = _officer_with_histories(pg, hr)
    pg.get(f"/officers/{oid}", headers=hr)  # the first read after the commands may wait at the barrier (sync way)
    paths.update({"async": 0, "sync": 0})

    fast = pg.get(f"/officers/{oid}", headers=hr)
    assert fast.status_code == 200, fast.text
    assert paths == {"async": 1, "sync": 0}
    with _sync_only(pg):
        slow = pg.get(f"/officers/{oid}", headers=hr)
    assert paths["sync"] == 1
    assert fast.json() == slow.json() and fast.content == slow.content
    assert {h: fast.headers.get(h) for h in COMPARED_HEADERS} == {h: slow.headers.get(h) for h in COMPARED_HEADERS}
    body = fast.json()
    assert body["chain_head"]["signature"] and fast.headers["etag"] == f'"{body["version"]}"'
    assert [e["credit_points"] for e in body["riwayat_angka_kredit"]] == ["10", "13.75"]
    assert body["riwayat_jabatan"] == []  # retracted

    # as_of: the synchronous path, as before.
    paths.update({"async": 0, "sync": 0})
    past = pg.get(f"/officers/{oid}", params={"as_of": "1"}, headers=hr)
    assert past.status_code == 200 and paths == {"async": 0, "sync": 1}


def test_async_read_keeps_the_access_rules_and_the_masking(pg, paths):
    hr = pg.as_("hr")
    oid = _officer_with_histories(pg, hr)
    other = pg.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).json()["id"]
    pg.get(f"/officers/{oid}", headers=hr)
    callers = {
        "hr of another agency (404, masked)": pg.as_("hr", agency="bnn"),
        "the officer herself": pg.as_("officer", nip=officer_body()["nip"].replace(" ", "")),
        "the officer's supervisor": pg.as_("supervisor", nip=SUPERVISOR.replace(" ", "")),
        "another officer (403)": pg.as_("officer", nip=PK_AHLI_MUDA.replace(" ", "")),
        "auditor": pg.as_("auditor", agency=None),
    }
    for who, headers in callers.items():
        for target in (oid, other, "00000000-0000-4000-8000-000000000000"):
            paths.update({"async": 0, "sync": 0})
            fast = pg.get(f"/officers/{target}", headers=headers)
            assert paths == {"async": 1, "sync": 0}, who
            with _sync_only(pg):
                slow = pg.get(f"/officers/{target}", headers=headers)
            assert fast.status_code == slow.status_code, (who, target, fast.text, slow.text)
            assert (fast.json() if fast.status_code == 200 else _problem(fast)) == (slow.json() if slow.status_code == 200 else _problem(slow))
    assert pg.get(f"/officers/{oid}", headers=callers["hr of another agency (404, masked)"]).status_code == 404
    assert pg.get(f"/officers/{oid}", headers=callers["another officer (403)"]).status_code == 403


def test_read_right_after_a_command_sees_the_command(pg, paths):
    """Read-your-writes on the async path: every read after an acknowledged command shows it."""
    hr = pg.as_("hr")
    oid = pg.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    for year in range(2000, 2020):
        r = pg.post(f"/officers/{oid}/history/performance", json={"year": year, "predikat": "baik"}, headers=hr)
        assert r.status_code == 201, r.text
        version = r.json()["version"]
        got = pg.get(f"/officers/{oid}", headers=hr)
        assert got.status_code == 200 and got.json()["version"] == version and got.headers["etag"] == f'"{version}"'
        assert [e["year"] for e in got.json()["riwayat_hasil_penilaian_kinerja"]] == list(range(2000, year + 1))
    assert paths["async"] >= 20  # every read tried the statement first; behind the head it waited the sync way


def test_a_snapshot_behind_the_head_is_never_served(tmp_path, paths):
    """Even when this process believes the read models caught up (it learnt so after the statement's
    snapshot), the statement's own tracking row must reach its own log head; otherwise the read goes the
    synchronous way, which waits at the barrier (here: nothing applies the log, so 503 Behind)."""
    services = build(new_settings("postgres", tmp_path))
    services.settings = dataclasses.replace(services.settings, read_wait=0.3)
    services.projector.read_wait = 0.3
    app = create_app(services)
    app.on_startup.remove(services.start)  # no background projector in this "process"; the async pool still opens
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, services)
            hr = api.as_("hr")
            oid = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]
            services.projector.catch_up()
            assert api.get(f"/officers/{oid}", headers=hr).json()["version"] == 1
            assert api.post(f"/officers/{oid}/history/performance", json={"year": 2025, "predikat": "baik"}, headers=hr).status_code == 201
            services.projector.caught_up = lambda head: True  # type: ignore[method-assign]
            paths.update({"async": 0, "sync": 0})
            behind = api.get(f"/officers/{oid}", headers={**hr, "Accept-Language": "en"})
            assert paths == {"async": 1, "sync": 1}
            assert behind.status_code == 503 and behind.headers["retry-after"], behind.text
            assert "not yet the 1 event(s) recorded before this read" in behind.json()["detail"]
            services.projector.catch_up()
            assert api.get(f"/officers/{oid}", headers=hr).json()["version"] == 2
    finally:
        services.close()


def test_503_while_the_directory_is_rebuilt_as_on_the_sync_path(pg, paths):
    hr = pg.as_("hr")
    oid = pg.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    assert pg.get(f"/officers/{oid}", headers=hr).status_code == 200
    pg.services.projector.reset(["officers"])
    paths.update({"async": 0, "sync": 0})
    english = {**hr, "Accept-Language": "en"}
    fast = pg.get(f"/officers/{oid}", headers=english)
    assert paths == {"async": 1, "sync": 0}
    with _sync_only(pg):
        slow = pg.get(f"/officers/{oid}", headers=english)
    assert fast.status_code == slow.status_code == 503 and fast.headers["retry-after"] == slow.headers["retry-after"]
    assert fast.json()["title"] == "Read model rebuilding"
    assert _problem(fast) == _problem(slow)
    pg.services.projector.catch_up(only=["officers"])
    assert pg.get(f"/officers/{oid}", headers=hr).json()["id"] == oid


def test_the_database_away_is_unavailable_within_the_store_timeout(tmp_path):
    """A read the async pool cannot serve (the database away) is the store's "unavailable" (503 with
    Retry-After through api/commands.py's handlers), within the store timeout — never a 500."""
    import asyncio
    import time
    from uuid import uuid4

    from projections import outage

    settings = dataclasses.replace(new_settings("postgres", tmp_path), database_url="postgresql://postgres@127.0.0.1:1/test")
    reads = pgreads.PgReads(settings, "pengkom_events")

    async def read() -> BaseException:
        await reads.open()  # nothing connects at start-up: a database away does not stop the server
        try:
            try:
                await reads.officer(str(uuid4()))
            except Exception as e:
                return e
            raise AssertionError("the read answered without a database")
        finally:
            await reads.close()

    started = time.monotonic()
    error = asyncio.run(read())
    assert outage.is_unavailable(error), repr(error)
    assert time.monotonic() - started <= settings.store_timeout + 1.0


def test_the_read_pool_sends_nothing_on_release_and_each_read_keeps_the_deployments_session_settings(pg):
    """The async read pool's connections go back without asyncpg's reset statement (a round trip per read;
    the reads leave no session state to reset), and a connection taken again still reads the deployment's
    schema under its statement timeout: many concurrent reads through fewer connections all answer."""
    import asyncio
    from uuid import uuid4

    settings = pg.services.settings
    reads = pgreads.PgReads(settings, "pengkom_events")
    hr = pg.as_("hr")
    officer_id = pg.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).json()["id"]
    assert pg.get(f"/officers/{officer_id}", headers=hr).status_code == 200  # (read-your-writes: applied by now)

    async def run() -> tuple[list[Any], list[tuple[str, str, str]]]:
        await reads.open()
        try:
            answers = await asyncio.gather(*(reads.officer(officer_id if i % 2 else str(uuid4())) for i in range(4 * pgreads.POOL_SIZE)))
            seen = []
            for _ in range(3):
                async with reads.pool.acquire() as conn:
                    seen.append((conn.get_reset_query(), await conn.fetchval("SHOW search_path"),
                                 await conn.fetchval("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")))
            return answers, seen
        finally:
            await reads.close()

    answers, seen = asyncio.run(run())
    assert [a.officer is not None for a in answers] == [bool(i % 2) for i in range(4 * pgreads.POOL_SIZE)]
    assert all(a.officer["id"] == officer_id for a in answers if a.officer)
    assert set(seen) == {("", settings.pg_schema, str(int(settings.statement_timeout * 1000)))}
