"""The evaluation read models (``evaluations`` and the evaluation half of ``deadlines``), on SQLite and
PostgreSQL: after a year evaluated through the API, a rebuild equals the live rows (verify), a replay
rebuilds them identically, and every table has rows — so the rebuild and verify guarantees cover them."""
from __future__ import annotations

from api.bootstrap import open_views
from projections.registry import all_projections
from projections.verify import verify_read_models
from tests.support.evaluation import build, evaluate

NAMES = ["evaluations", "deadlines"]


def test_evaluation_read_models_rebuild_and_verify(api, settings):
    services = api.services
    evaluate(build(api))
    services.projector.barrier()  # the read models apply the log in the background: wait for the last command
    tables = {p.name: p.tables for p in all_projections() if p.name in NAMES}
    for name, names in tables.items():
        for t in names:
            if t.startswith(("ev_", "dl_ev_")):
                assert services.views.fetchone(f"SELECT COUNT(*) AS n FROM {t}")["n"] > 0, f"{name}.{t} is empty"

    scratch = open_views(settings, scratch="verify")
    try:
        reports = verify_read_models(services.app, services.views, scratch, services.projector.resolve(NAMES), fresh=all_projections)
    finally:
        scratch.discard()
    for r in reports:
        assert r.ok, (r.name, r.skipped, [t.lines for t in r.tables])

    before = {t: services.views.fetchall(f"SELECT * FROM {t}") for n in NAMES for t in tables[n]}
    services.projector.reset(NAMES)
    services.projector.catch_up(only=NAMES)
    after = {t: services.views.fetchall(f"SELECT * FROM {t}") for n in NAMES for t in tables[n]}
    key = lambda rows: sorted(map(repr, rows))  # noqa: E731
    assert {t: key(v) for t, v in before.items()} == {t: key(v) for t, v in after.items()}


def test_the_inventory_replays_a_long_batch_in_parts_with_the_same_rows(api, settings, monkeypatch):
    """A staged rebuild's long batch replays the inventory's queued record events every ``_QUEUE_MAX`` events
    (bounding the decoded events it holds) with the documents kept between the parts: with a part of one
    event, the rebuilt Formulir 2.1/2.5 records equal the live ones."""
    from projections import assessments, runner
    from tests.support.seed import seed

    services = api.services
    seed(api)  # every route once: Formulir 2.1 and 2.5 records among them
    services.projector.barrier()
    tables = next(p.tables for p in all_projections() if p.name == "inventory")
    assert all(services.views.fetchone(f"SELECT COUNT(*) AS n FROM {t}")["n"] > 0 for t in ("inv_assessments", "inv_reviews", "inv_proposals"))
    monkeypatch.setattr(assessments, "_QUEUE_MAX", 1)
    monkeypatch.setattr(runner, "STAGE_MIN", 0)  # the scratch store is staged however short the log
    scratch = open_views(settings, scratch="verify")
    try:
        reports = verify_read_models(services.app, services.views, scratch, services.projector.resolve(["inventory"]), fresh=all_projections)
    finally:
        scratch.discard()
    assert [r.ok for r in reports] == [True], [(r.name, [t.lines for t in r.tables]) for r in reports]
    assert {t.table: t.rebuilt_rows > 0 for t in reports[0].tables if t.table != "inv_instrument_ids"} == {t: True for t in tables if t != "inv_instrument_ids"}
