"""Replay and verify, for every read model in the registry (later ones are covered automatically),
on SQLite and PostgreSQL: a rebuild equals the live rows, an interrupted rebuild resumes, reads
during a rebuild say so, and verify names the rows and columns that differ."""
from __future__ import annotations

import pytest

from api.bootstrap import build, open_views
from core.errors import Invalid
from projections.registry import all_projections
from projections.runner import Projector, Rebuilding
from projections.verify import verify_read_models
from tests.support.data import PK_AHLI_PERTAMA
from tests.support.record import T0, populate, register


def _verify(services, settings, names=None):
    chosen = services.projector.resolve(names)
    scratch = open_views(settings, scratch="verify")
    try:
        return verify_read_models(services.app, services.views, scratch, chosen, fresh=all_projections)
    finally:
        scratch.discard()


def test_a_rebuild_equals_the_live_read_models_for_every_projection(services, settings):
    populate(services)
    reports = _verify(services, settings)
    assert [r.name for r in reports] == [p.name for p in all_projections()]
    for r in reports:
        assert r.ok, (r.name, r.skipped, [t.lines for t in r.tables])
        assert {t.table for t in r.tables} == set(services.projector.projections[r.name].tables)
    assert sum(t.live_rows for r in reports for t in r.tables) > 0


def test_replay_drops_and_rebuilds_every_read_model_identically(services, settings):
    populate(services)
    before = {p.name: {t: services.views.fetchall(f"SELECT * FROM {t}") for t in p.tables} for p in all_projections()}
    reset = services.projector.reset()
    # Every read model but the hash chain, an append-only record that a reset never drops.
    assert sorted(reset) == sorted(p.name for p in all_projections() if p.name != "chain")
    tracked = services.projector.tracking()
    assert all(tracked[n].rebuilding and tracked[n].position == 0 for n in reset) and not tracked["chain"].rebuilding
    services.projector.catch_up(only=[p.name for p in all_projections()])
    after = {p.name: {t: services.views.fetchall(f"SELECT * FROM {t}") for t in p.tables} for p in all_projections()}
    key = lambda rows: sorted(map(repr, rows))  # noqa: E731
    for name in before:
        for table in before[name]:
            assert key(before[name][table]) == key(after[name][table]), (name, table)
    assert not any(t.rebuilding for t in services.projector.tracking().values())


def test_an_interrupted_replay_resumes_and_reads_say_rebuilding_meanwhile(services, settings):
    populate(services)
    services.projector.reset(["officers"])
    # The replay is interrupted after the first events: tracking advanced per batch, flag still set.
    services.projector.catch_up(only=["officers"], stop=2)
    state = services.projector.tracking()["officers"]
    assert state.rebuilding and state.position == 2
    with pytest.raises(Rebuilding, match=r"officers \(\d+% of the log\) is being rebuilt"):
        services.projector.require_current("officers")
    # Commands keep working meanwhile; their events wait in the log for the rebuild.
    register(services, "19700707 199503 1 004", T0.replace(month=6), name="Agus")
    assert services.projector.tracking()["officers"].position == 2
    # A new process (a second `pengkom replay`) resumes from position 2 rather than starting over.
    again = Projector(services.app, services.views, all_projections())
    again.catch_up(only=["officers"])
    assert not again.tracking()["officers"].rebuilding
    assert all(r.ok for r in _verify(services, settings))
    names = {r["name"] for r in services.views.fetchall("SELECT name FROM officers")}
    assert names == {"Siti Rahayu", "Dewi Lestari", "Agus"}


def test_a_changed_projection_version_rebuilds_at_start_up(settings, monkeypatch):
    svc = build(settings)
    populate(svc)
    svc.close()
    from projections.audit import AuditTrail

    monkeypatch.setattr(AuditTrail, "version", AuditTrail.version + 1)
    again = build(settings)
    try:
        t = again.projector.tracking()["audit"]
        assert t.version == AuditTrail.version and not t.rebuilding and t.position == again.app.recorder.max_notification_id()
        assert again.views.fetchone("SELECT COUNT(*) AS n FROM audit_events")["n"] == t.position
    finally:
        again.close()


def test_verify_names_the_rows_and_columns_that_differ(services, settings):
    ids = populate(services)
    with services.views.transaction() as tx:
        tx.execute("UPDATE officers SET name = 'Siti R.', golongan = 'IV/a' WHERE id = ?", (str(ids["a"]),))
        tx.execute("DELETE FROM audit_events WHERE position = 3")
    reports = {r.name: r for r in _verify(services, settings)}
    officers = {t.table: t for t in reports["officers"].tables}["officers"]
    assert officers.changed == 1 and not officers.missing and not officers.extra
    [line] = officers.lines
    assert f"id='{ids['a']}'" in line and "name: live 'Siti R.', rebuilt 'Siti Rahayu'" in line and "golongan: live 'IV/a', rebuilt 'III/a'" in line
    audit = {t.table: t for t in reports["audit"].tables}["audit_events"]
    assert audit.missing == 1 and audit.lines == ["audit_events [position=3]: missing from the live read model"]
    assert reports["chain"].ok


def test_unknown_projection_names_are_refused(services):
    with pytest.raises(Invalid, match="Unknown projection plans2; known: "):
        services.projector.reset(["plans2"])


def test_cli_replay_verify_and_chain_exit_codes(settings, monkeypatch, capsys):
    from api.cli import main

    svc = build(settings)
    register(svc, PK_AHLI_PERTAMA, T0)
    svc.close()
    env = {"PENGKOM_DATA_DIR": str(settings.data_dir), "PENGKOM_JWT_SECRET": "x" * 40}
    if settings.database_url:
        env |= {"PENGKOM_DATABASE_URL": settings.database_url, "PENGKOM_PG_SCHEMA": settings.pg_schema}
    for k, v in env.items():
        monkeypatch.setenv(k, v)

    assert main(["replay", "nope"]) == 2
    assert "pengkom replay: Unknown projection nope; known: audit, chain, " in capsys.readouterr().err
    assert main(["replay"]) == 0
    # The hash chain is a record, never rebuilt from the log.
    assert f"rebuilt {', '.join(p.name for p in all_projections() if p.resettable)} from 1 events" in capsys.readouterr().err
    assert main(["verify"]) == 0
    assert "all" in capsys.readouterr().out
    assert main(["verify", "--chain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chain intact: 1 events checked; head position 1, sha256 ")
    digest = out.split("sha256 ")[1][:64]
    assert main(["verify", "--chain", "--expect", f"1:{digest}"]) == 0
    assert main(["verify", "--chain", "--expect", f"1:{'0' * 64}"]) == 1
    assert "the chain no longer holds the head you kept" in capsys.readouterr().err
    assert main(["verify", "--chain", "--expect", "garbage"]) == 2
