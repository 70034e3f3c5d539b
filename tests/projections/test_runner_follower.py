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
