"""The projection mechanism on both stores: tracking in the read model's transaction, exactly-once, resume."""
from __future__ import annotations

import pytest

from api.bootstrap import build
from core.events import Actor, Context
from projections.officers import search_officers
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, officer_body


def ctx() -> Context:
    return Context(actor=Actor("hr-1", "HR", frozenset({"hr"}), agency="kemnaker"), request_id="t")


def register(services, nip, **over):
    body = officer_body(nip, **over)
    body["birth_date"] = __import__("datetime").date.fromisoformat(body["birth_date"])
    services.app.record(services.app.officers.register(ctx(), **body))


def test_catch_up_applies_each_event_once_and_resumes_after_restart(settings):
    first = build(settings)
    register(first, PK_AHLI_PERTAMA)
    first.projector.catch_up()
    assert first.projector.positions() == {"officers": 1} | {k: v for k, v in first.projector.positions().items() if k != "officers"}
    # A second catch-up reads nothing new and changes nothing.
    assert first.projector.catch_up() == 0
    # Events recorded while no projector runs are applied after a restart, once.
    register(first, PK_AHLI_MUDA, level="ahli_muda", golongan="III/c", name="Dewi")
    first.close()
    second = build(settings)
    try:
        rows, total = search_officers(second.views, agency="kemnaker")
        assert total == 2 and sorted(r["name"] for r in rows) == ["Dewi", "Siti Rahayu"]
        assert second.projector.positions()["officers"] == 2
    finally:
        second.close()


def test_a_failing_read_model_stops_alone_at_the_event_it_cannot_apply(services, monkeypatch):
    from projections.runner import Stalled

    register(services, PK_AHLI_PERTAMA)
    services.projector.catch_up()
    register(services, PK_AHLI_MUDA, level="ahli_muda", golongan="III/c")
    officers = services.projector.projections["officers"]

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setitem(officers._handlers, "pengkom.officer.Registered", boom)
    services.projector.catch_up()  # does not raise: the other read models carry on
    tracking = services.projector.tracking()
    assert tracking["officers"].position == 1 and "stopped at event 2" in tracking["officers"].error
    assert "disk full" in tracking["officers"].error
    assert tracking["audit"].position == 2 and tracking["audit"].error is None
    with pytest.raises(Stalled, match="pengkom replay officers"):
        services.projector.require_current("officers")
    # It is not retried on every later catch-up: it waits for an operator.
    monkeypatch.undo()
    services.projector.catch_up()
    assert services.projector.tracking()["officers"].position == 1
    # Once the cause is fixed, a replay clears the stop and rebuilds it from the log.
    services.projector.reset(["officers"])
    services.projector.catch_up(only=["officers"])
    assert services.projector.tracking()["officers"].error is None
    assert search_officers(services.views, agency="kemnaker")[1] == 2


def test_unknown_projection_name_is_a_clear_error(services):
    from core.errors import Invalid

    with pytest.raises(Invalid, match="Unknown projection nope; known: .*officers"):
        services.projector.catch_up(only=["nope"])


def test_changed_projection_version_forces_a_rebuild(settings, monkeypatch):
    svc = build(settings)
    register(svc, PK_AHLI_PERTAMA)
    svc.projector.catch_up()
    with svc.views.transaction() as tx:  # simulate rows written by an older version of the projection
        tx.execute("UPDATE officers SET name = 'STALE'")
    svc.close()
    from projections.officers import OfficerDirectory

    monkeypatch.setattr(OfficerDirectory, "version", OfficerDirectory.version + 1)
    again = build(settings)
    try:
        rows, _ = search_officers(again.views, agency="kemnaker")
        assert [r["name"] for r in rows] == ["Siti Rahayu"]
    finally:
        again.close()


def test_postgres_uses_the_compiled_psycopg_driver():
    import psycopg

    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert psycopg.pq.__impl__ == "binary", f"psycopg runs its {psycopg.pq.__impl__} implementation; install psycopg[binary]"


def test_a_failed_transaction_leaves_no_cache_behind(services, monkeypatch):
    """The audit trail remembers each aggregate's agency across batches; if the transaction that wrote
    an aggregate's row fails, the memory must go too, or the replayed creating event would skip it."""
    from projections.audit import aggregate_agency

    register(services, PK_AHLI_PERTAMA)
    store = services.projector.store
    real = store.transaction

    from contextlib import contextmanager

    @contextmanager
    def failing_commit():
        with real() as tx:
            writes: list[str] = []
            execute, executemany, run_batch = tx.execute, tx.executemany, tx.run_batch
            tx.execute = lambda sql, params=(): (writes.append(sql), execute(sql, params))[1]
            tx.executemany = lambda sql, rows: (writes.append(sql), executemany(sql, rows))[1]
            tx.run_batch = lambda groups: (writes.extend(g[0] for g in groups), run_batch(groups))[1]
            yield tx
            if any("audit_aggregates" in w for w in writes):  # the transaction that applied the events
                raise RuntimeError("connection lost at commit")

    monkeypatch.setattr(store, "transaction", failing_commit)
    with pytest.raises(RuntimeError):
        services.projector.catch_up()
    monkeypatch.setattr(store, "transaction", real)
    services.projector.catch_up()
    from core.officers import officer_id

    assert aggregate_agency(store, str(officer_id("199001012015011001"))) == (True, "kemnaker")
