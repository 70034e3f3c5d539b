"""The background projector and the read barrier, on both stores.

Commands no longer catch the read models up; one process per deployment (the leader) applies the
log in the background, and a read waits until the read models reached the log head as it was when
the read began. These tests run two API "processes" (two sets of services on one store) in one
test process: the advisory lock (PostgreSQL) and the file lock (SQLite) are per session / per
open file, so only one of them leads.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.bootstrap import build
from tests.conftest import Api
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, officer_body


@pytest.fixture
def two(settings: Any) -> Iterator[tuple[Api, Api]]:
    """Two API processes on one store; the first one started leads."""
    a, b = build(settings), build(settings)
    with TestClient(create_app(a), raise_server_exceptions=False) as ca:
        deadline = time.monotonic() + 10
        while not a.projector.follower.leader and time.monotonic() < deadline:
            time.sleep(0.02)
        with TestClient(create_app(b), raise_server_exceptions=False) as cb:
            yield Api(ca, a), Api(cb, b)


def _wait_for(predicate: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_one_process_leads_and_reads_in_any_process_see_every_acknowledged_command(two):
    a, b = two
    assert a.services.projector.follower.leader and not b.services.projector.follower.leader
    hr = b.as_("hr")
    # Recorded through the process that does not lead: the leader applies it; a read in either
    # process, started after the acknowledgement, sees it.
    oid = b.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    assert b.get(f"/officers/{oid}", headers=hr).status_code == 200
    assert a.get(f"/officers/{oid}", headers=hr).status_code == 200
    oid2 = a.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).json()["id"]
    assert b.get(f"/officers/{oid2}", headers=hr).status_code == 200
    assert b.get("/officers/", headers=hr).json()["total"] == 2


def test_when_the_leader_stops_another_process_takes_over(two):
    a, b = two
    a.services.projector.stop()
    _wait_for(lambda: b.services.projector.follower.leader)
    hr = b.as_("hr")
    oid = b.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    assert b.get(f"/officers/{oid}", headers=hr).status_code == 200


def test_commands_do_not_apply_the_read_models_themselves(services):
    """Without a background projector nothing applies the command's events: the command is recorded
    at the store's pace, and the read models follow later (here: an explicit catch-up)."""
    from litestar.testing import TestClient

    quick = dataclasses.replace(services.settings, read_wait=0.3)
    services.settings = quick
    services.projector.read_wait = 0.3
    app = create_app(services)
    app.on_startup.clear()  # no background projector in this "process"
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client, services)
        hr = api.as_("hr")
        head = services.projector.positions()["officers"]
        r = api.post("/officers/", json=officer_body(), headers=hr)
        assert r.status_code == 201
        assert services.projector.positions()["officers"] == head  # not applied by the command
        # A read cannot see it yet, and says so instead of answering without it.
        behind = api.get(f"/officers/{r.json()['id']}", headers=hr)
        assert behind.status_code == 503 and behind.headers["retry-after"], behind.text
        assert "belum 1 peristiwa yang tercatat sebelum bacaan ini" in behind.json()["detail"]
        services.projector.catch_up()
        assert api.get(f"/officers/{r.json()['id']}", headers=hr).status_code == 200


def test_a_commit_wakes_the_projector_at_once(api):
    hr = api.as_("hr")
    api.post("/officers/", json=officer_body(PK_AHLI_PERTAMA), headers=hr)
    projector = api.services.projector
    _wait_for(lambda: projector.reached() == api.services.app.recorder.max_notification_id(), seconds=2.0)


def test_reads_wait_only_for_read_models_that_follow_the_log(api, monkeypatch):
    """A stopped read model is not waited for (its own reads answer 503 at once); the others serve."""
    officers = api.services.projector.projections["officers"]
    monkeypatch.setitem(officers._handlers, "pengkom.officer.Registered", lambda *a, **k: 1 / 0)
    hr = api.as_("hr")
    oid = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    started = time.monotonic()
    assert api.get(f"/audit/{oid}", headers=hr).status_code == 200
    assert api.get(f"/officers/{oid}", headers=hr).status_code == 503
    assert time.monotonic() - started < 2.0


def test_standby_api_processes_leave_the_lead_to_a_running_worker(settings):
    """PENGKOM_PROJECTOR=standby (the API replicas of docker/compose.yaml): an API process applies the
    log only while no `pengkom follow` worker runs; once one runs it hands the lead over and does not
    take it back, so replicas never compete with the worker; while the worker is away (a crash, a
    restart) the replica leads again and reads keep seeing every acknowledged command."""
    a = build(dataclasses.replace(settings, projector="standby"))
    worker = None
    try:
        with TestClient(create_app(a), raise_server_exceptions=False) as client:
            api = Api(client, a)
            hr = api.as_("hr")
            _wait_for(lambda: a.projector.follower.leader)  # no worker yet
            first = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]
            assert api.get(f"/officers/{first}", headers=hr).status_code == 200
            worker = build(settings)
            worker.start_worker()
            _wait_for(lambda: worker.projector.follower.leader and not a.projector.follower.leader)
            second = api.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).json()["id"]
            assert api.get(f"/officers/{second}", headers=hr).status_code == 200  # applied by the worker
            time.sleep(1.5)  # three of the standby's looks: it does not take the lead back
            assert worker.projector.follower.leader and not a.projector.follower.leader
            worker.close()
            worker = None
            _wait_for(lambda: a.projector.follower.leader)
            third = api.post("/officers/", json=officer_body(PK_AHLI_PERTAMA[:-1] + "9"), headers=hr).json()["id"]
            assert api.get(f"/officers/{third}", headers=hr).status_code == 200
            assert api.get("/officers/", headers=hr).json()["total"] == 3
    finally:
        if worker is not None:
            worker.close()


def test_serve_starts_no_projector_process_in_standby(monkeypatch, tmp_path, capsys):
    from api import cli

    started: list[Any] = []
    monkeypatch.setattr(cli, "_projector_process", started.append)
    monkeypatch.setattr(cli, "_run_uvicorn", lambda *args: None)
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PENGKOM_PROJECTOR", "standby")
    assert cli.main(["serve"]) == 0 and started == []
    monkeypatch.setenv("PENGKOM_PROJECTOR", "process")
    assert cli.main(["serve"]) == 0 and len(started) == 1
    monkeypatch.setenv("PENGKOM_PROJECTOR", "off")
    assert cli.main(["serve"]) == 2 and len(started) == 1
    assert "PENGKOM_PROJECTOR 'off' must be one of process, thread, standby" in capsys.readouterr().err


def test_commands_commit_at_their_pace_while_the_projector_holds_a_batch_open(services, monkeypatch):
    """Incremental catch-up never blocks a command for longer than one batch — in fact not at all: a command
    only appends to the log and takes none of the locks a batch holds (its transaction, the tracking rows,
    the read models' rows). Here a batch of a backlog is held open halfway through, and commands recorded
    meanwhile commit as fast as before; the projector then applies the backlog and them."""
    import threading

    from tests.support.record import T0, ctx, hr

    def record_officer(i: int) -> float:
        nip = f"19800101 2005{i % 12 + 1:02d} 1 {i:03d}"
        body = officer_body(nip)
        body["birth_date"] = __import__("datetime").date.fromisoformat(body["birth_date"])
        started = time.perf_counter()
        services.app.record(services.app.officers.register(ctx(hr(), T0, f"req-{i}"), **body))
        return time.perf_counter() - started

    services.projector.catch_up()
    baseline = max(record_officer(i) for i in range(1, 6))
    for i in range(6, 31):  # a backlog of 25 commands, applied 5 events a batch
        record_officer(i)
    services.projector.batch = 5
    entered, release = threading.Event(), threading.Event()
    officers = services.projector.projections["officers"]
    real = officers._handlers["pengkom.officer.Registered"]
    calls = []

    def held(self, tx, e, position):
        calls.append(position)
        if len(calls) == 3:  # halfway through the second batch (5 events applied, the 6th's transaction open)
            entered.set()
            assert release.wait(30)
        return real(self, tx, e, position)

    monkeypatch.setitem(officers._handlers, "pengkom.officer.Registered", held)
    worker = threading.Thread(target=services.projector.catch_up, kwargs={"follower": True})
    worker.start()
    try:
        assert entered.wait(10)
        head = services.app.recorder.max_notification_id()
        during = [record_officer(i) for i in range(31, 36)]  # while the batch is held open
        assert services.app.recorder.max_notification_id() == head + 5  # all five committed meanwhile
        assert not release.is_set() and worker.is_alive()
        # As fast as without a backlog (a generous bound for a shared machine; held, they would wait 30 s).
        assert max(during) < max(5 * baseline, 1.0), (during, baseline)
    finally:
        release.set()
        worker.join(30)
    services.projector.catch_up()
    assert services.projector.reached() == services.app.recorder.max_notification_id()
    assert services.views.fetchone("SELECT COUNT(*) AS n FROM officers")["n"] == 35
