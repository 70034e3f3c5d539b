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
