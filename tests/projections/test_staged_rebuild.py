"""Full rebuilds go through a local staging database and one bulk load (projections/staging.py), on
SQLite and PostgreSQL: the result equals the incrementally built read models row by row, an
interrupted staging leaves the store untouched and resumable, a resumed rebuild starts from the
rows already committed, and a staging overtaken by another process is discarded."""
from __future__ import annotations

import pytest

from api.bootstrap import open_views
from projections import rebuild, runner, staging
from projections import streams as streams_mod
from projections.registry import all_projections
from projections.runner import Projector
from projections.verify import verify_read_models
from tests.support.record import T0, populate, register


def _snapshot(services):
    return {t: sorted(map(repr, services.views.fetchall(f"SELECT * FROM {t}")))
            for p in all_projections() for t in p.tables}


def test_verify_through_the_staging_store_finds_no_difference(services, settings, monkeypatch):
    populate(services)
    monkeypatch.setattr(runner, "STAGE_MIN", 0)  # the scratch store is staged however short the log
    loads = []
    real = staging.load
    monkeypatch.setattr(staging, "load", lambda tx, st, p: loads.append(p.name) or real(tx, st, p))
    scratch = open_views(settings, scratch="verify")
    try:
        reports = verify_read_models(services.app, services.views, scratch, services.projector.resolve(None), fresh=all_projections)
    finally:
        scratch.discard()
    assert set(loads) == {p.name for p in all_projections()}
    for r in reports:
        assert r.ok, (r.name, r.skipped, [t.lines for t in r.tables])


def test_an_interrupted_staging_leaves_the_store_as_it_was_and_a_rerun_finishes(services, monkeypatch):
    populate(services)
    before = _snapshot(services)
    services.projector.reset()

    def interrupt(progress):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.projector.catch_up(only=list(services.projector.projections), on_progress=interrupt)
    state = services.projector.tracking()
    assert all(t.rebuilding and t.position == 0 for n, t in state.items() if n != "chain")  # the chain is never reset
    assert services.views.fetchone("SELECT COUNT(*) AS n FROM audit_events")["n"] == 0
    again = Projector(services.app, services.views, all_projections())
    again.catch_up(only=list(again.projections))
    assert not any(t.rebuilding for t in again.tracking().values())
    assert _snapshot(services) == before


def test_a_resumed_rebuild_stages_on_top_of_the_committed_rows(services, settings):
    populate(services)
    before = _snapshot(services)
    services.projector.reset()
    services.projector.catch_up(only=list(services.projector.projections), stop=3)
    assert all(t.rebuilding and t.position == 3 for n, t in services.projector.tracking().items() if n != "chain")
    assert services.views.fetchone("SELECT COUNT(*) AS n FROM officers")["n"] <= 3
    services.projector.catch_up(only=list(services.projector.projections))
    assert not any(t.rebuilding for t in services.projector.tracking().values())
    assert _snapshot(services) == before


def test_a_staging_overtaken_by_another_process_is_discarded(services, monkeypatch):
    populate(services)
    services.projector.reset(["officers"])
    other = Projector(services.app, services.views, all_projections(), staged=False)
    real = staging.read_log

    def racing(app, start, stop, size, **kw):
        # Another process rebuilds the same read model while this one stages it.
        other.catch_up(only=["officers"], stop=2)
        yield from real(app, start, stop, size, **kw)

    monkeypatch.setattr(staging, "read_log", racing)
    services.projector.catch_up(only=["officers"])
    monkeypatch.undo()
    t = services.projector.tracking()["officers"]
    assert not t.rebuilding and t.position == services.app.recorder.max_notification_id()
    register(services, "19700707 199503 1 004", T0.replace(month=6), name="Agus")
    names = {r["name"] for r in services.views.fetchall("SELECT name FROM officers")}
    assert names == {"Siti Rahayu", "Dewi Lestari", "Agus"}


def test_a_rebuild_split_over_two_processes_equals_the_live_read_models(services, monkeypatch):
    populate(services)
    before = _snapshot(services)
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 0)  # the audit trail is staged by a second process
    services.projector.workers = 2
    services.projector.reset()
    services.projector.catch_up(only=list(services.projector.projections))
    assert services.projector.side_peak_rss_mb is not None  # the second process did run
    assert not any(t.rebuilding for t in services.projector.tracking().values())
    assert _snapshot(services) == before


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # the scratch schema is PostgreSQL's
def test_on_postgresql_each_process_loads_into_a_scratch_schema_and_the_final_transaction_moves_the_tables_in(
        services, monkeypatch):
    """The two processes load their shares beside the store (projections.staging.Scratch); the result equals
    the live read models, and nothing of the scratch schema is left. While another rebuild holds the scratch
    schema, a rebuild loads in its final transaction instead — with the same result."""
    populate(services)
    before = _snapshot(services)
    moved = []
    real_move = staging.Scratch.move_in
    monkeypatch.setattr(staging.Scratch, "move_in", lambda self, tx, schema, p: moved.append(p.name) or real_move(self, tx, schema, p))
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 0)
    services.projector.workers = 2
    services.projector.reset()
    services.projector.catch_up(only=list(services.projector.projections))
    assert services.projector.side_peak_rss_mb is not None and set(moved) == set(services.projector.projections) - {"chain"}
    assert _snapshot(services) == before
    scratch = f"{services.views.schema}_rebuild"
    assert services.views.fetchone("SELECT COUNT(*) AS n FROM pg_namespace WHERE nspname = ?", (scratch,))["n"] == 0

    held = staging.Scratch.take(services.projector.store)  # another rebuild is using the scratch schema
    assert held is not None
    try:
        moved.clear()
        services.projector.reset()
        services.projector.catch_up(only=list(services.projector.projections))
        assert moved == [] and _snapshot(services) == before
    finally:
        held.release()


def _spy_streams_and_reads(monkeypatch):
    streamed, topics = [], []
    real_finish, real_read = staging.Streams.finish, staging.read_log
    monkeypatch.setattr(staging.Streams, "finish", lambda self: streamed.append(real_finish(self)) or streamed[-1])

    def reading(app, start, stop, size, topics_=None, **kw):
        topics.append(kw.get("topics", topics_))
        yield from real_read(app, start, stop, size, **kw)

    monkeypatch.setattr(staging, "read_log", reading)
    return streamed, topics


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # streaming and the filtered read are PostgreSQL's
@pytest.mark.parametrize("workers", [1, 2])
def test_on_postgresql_the_audit_trail_is_streamed_and_a_share_reads_only_its_topics(services, monkeypatch, workers):
    """PostgreSQL: the audit trail's rows go straight into the scratch schema (no staging file), and a share
    of read models that takes only some topics reads only those events; the result equals the live
    read models. (The second process is another interpreter: this one sees the first process's share.)"""
    populate(services)
    before = _snapshot(services)
    streamed, topics = _spy_streams_and_reads(monkeypatch)
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 0)
    monkeypatch.setattr(rebuild, "partition", lambda group, counts=None: ([p for p in group if not p.every_event],
                                                             [p for p in group if p.every_event]))
    services.projector.workers = workers
    services.projector.reset()
    services.projector.catch_up(only=list(services.projector.projections))
    assert _snapshot(services) == before
    head = services.app.recorder.max_notification_id()
    if workers == 1:  # one process: it streams the audit trail, and reads every event (the audit trail takes all)
        assert streamed == [{"audit_events": head}] and topics == [None]
    else:  # the audit trail in the second process; this one reads only its read models' topics
        assert streamed == [] and len(topics) == 1 and topics[0] and "pengkom.officer.Registered" in topics[0]
    assert not any(t.rebuilding for t in services.projector.tracking().values())


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # the filtered read is PostgreSQL's
def test_a_filtered_read_of_the_log_gives_every_event_of_its_topics_in_order_in_batches_of_at_most_size(services, monkeypatch):
    """The staged rebuild reads the log in bounded windows of positions (``FILTERED_WINDOW`` batches wide): a
    filtered read returns exactly the events of its topics, in log order, in batches no larger than asked,
    across windows that hold none, some or more than a batch of them."""
    populate(services)
    app = services.app
    head = app.recorder.max_notification_id()
    every = [n for batch in staging.read_log(app, 1, head, 1000) for n in batch]
    assert [n.id for n in every] == sorted(n.id for n in every) and len(every) == len(app.recorder.select_notifications(1, head + 1))
    wanted = frozenset({"pengkom.officer.Registered", every[-1].topic})
    monkeypatch.setattr(staging, "FILTERED_WINDOW", 2)
    for size in (1, 2, 3, 50):
        batches = list(staging.read_log(app, 1, head, size, topics=wanted))
        assert all(0 < len(b) <= size for b in batches)
        got = [(n.id, n.topic, str(n.originator_id), n.originator_version, bytes(n.state)) for b in batches for n in b]
        assert got == [(n.id, n.topic, str(n.originator_id), n.originator_version, bytes(n.state)) for n in every if n.topic in wanted]
    # From the middle of the log to a stop short of its end: only that range.
    middle = [n.id for n in every if n.topic in wanted][1:-1]
    assert [n.id for b in staging.read_log(app, middle[0], middle[-1], 2, topics=wanted) for n in b] == middle


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # planner statistics are PostgreSQL's
def test_a_staged_rebuild_gathers_the_event_tables_statistics_when_the_server_never_did(services):
    """A log PostgreSQL never analyzed (loaded in bulk, autovacuum off) is analyzed before the staged rebuild
    reads it, so its windows are read through the index in order; one already analyzed is left alone."""
    populate(services)
    datastore, table = staging._pg_log(services.app)
    name = table.as_string(None)

    def reltuples() -> float:
        with datastore.get_connection() as conn:
            return conn.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (name,)).fetchone()["reltuples"]

    with datastore.get_connection() as conn:  # as a bulk-loaded table on a server without autovacuum stands
        conn.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = %s::regclass", (name,))
    assert reltuples() == -1
    head = services.app.recorder.max_notification_id()
    assert sum(len(b) for b in staging.read_log(services.app, 1, head, 100)) == head
    assert reltuples() == head  # analyzed: every row counted


    def analyzed() -> int:
        with datastore.get_connection() as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            return conn.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relid = %s::regclass",
                                (name,)).fetchone()["analyze_count"]

    before = analyzed()
    assert before >= 1
    assert sum(len(b) for b in staging.read_log(services.app, 1, head, 100)) == head
    assert analyzed() == before  # statistics there: not gathered again


def test_the_rebuild_is_split_where_its_costlier_share_costs_least_reading_included():
    """The second process takes the read models over every event; of every split of the rest, the one whose
    costlier share (handler weights plus reading the events it needs) costs least — so a read model whose
    events only it wants goes beside the audit trail, which reads them anyway."""
    by_name = {p.name: p for p in all_projections()}
    group = [by_name[n] for n in ("audit", "officers", "inventory", "national", "monitoring", "deadlines", "plans", "jp_ledger",
                                  "evaluations")]
    # The benchmark log's shape: officer events half of it, activities a quarter.
    counts = {t: 0 for p in group for t in p.topics}
    counts.update({"pengkom.officer.DevelopmentHistoryRecorded": 480_000, "pengkom.activity.AttendanceRecorded": 260_000,
                   "pengkom.assessment.SelfScored": 100_000, "pengkom.planning.RowAdded": 60_000, "pengkom.performance.Recorded": 100_000})
    own, side = rebuild.partition(group, counts)
    assert side[0].name == "audit" and "monitoring" in {p.name for p in side}  # the activities read once, beside it
    assert "officers" in {p.name for p in own} and len(own) + len(side) == len(group)
    # Its cost is the least of all splits: moving any one read model across makes the costlier share dearer.
    weights = rebuild.WEIGHTS

    def cost(share):
        read = sum(counts.values()) if any(p.every_event for p in share) else sum(
            n for t, n in counts.items() if any(t in p.topics for p in share))
        return sum(weights[p.name] for p in share) + rebuild.READ_COST * read / 1e6

    worst = max(cost(own), cost(side))
    for p in own:
        assert max(cost([q for q in own if q is not p]), cost(side + [p])) >= worst
    for p in side[1:]:
        assert max(cost(own + [p]), cost([q for q in side if q is not p])) >= worst
    # Without counts, the weights alone; always one read model at least in each process, none split in one.
    assert all(rebuild.partition(group[:k], None)[0] for k in range(2, len(group) + 1))
    assert rebuild.partition([by_name["officers"]], counts) == ([by_name["officers"]], [])


def test_a_streamed_table_takes_plain_inserts_only():
    """Anything but ``INSERT INTO t (…) VALUES (…)`` on a streamed table is refused (it is not in the staging
    file to be read, updated or deleted), as is a value COPY would store otherwise than the staging file."""
    from projections.audit import AuditTrail

    streams = staging.Streams("postgresql://nowhere", "scratch", [AuditTrail()])
    assert streams.target("INSERT INTO audit_events (position, summary) VALUES (?, ?)") == "audit_events"
    assert streams.target("INSERT INTO audit_aggregates (aggregate_id, aggregate_type, agency) VALUES (?, ?, ?)") is None
    assert streams.target("SELECT agency FROM audit_aggregates WHERE aggregate_id = ?") is None
    for sql in ("SELECT position FROM audit_events WHERE aggregate_id = ?",
                "UPDATE audit_events SET summary = ? WHERE position = ?",
                "DELETE FROM audit_events WHERE position = ?",
                "INSERT INTO audit_events (position) SELECT position FROM audit_events",
                "INSERT INTO audit_events (position, summary) VALUES (?, ?) ON CONFLICT DO NOTHING",
                "CREATE INDEX audit_events_x ON audit_events (summary)"):
        with pytest.raises(streams_mod.StreamMisuse):
            streams.target(sql)
    with pytest.raises(streams_mod.StreamMisuse):
        staging._StreamingTx(None, streams).bulk_insert("audit_events", ["position"], [])
    written = []
    streams._start = lambda table, cols: [None, None, type("Copy", (), {"write_row": staticmethod(written.append)})(), cols, 0, None]
    sql = "INSERT INTO audit_events (position, summary, agency) VALUES (?, ?, ?)"
    streams.write("audit_events", sql, [(1, "x", None), (2, "y", "kemnaker")])
    assert written == [(1, "x", None), (2, "y", "kemnaker")]
    for odd in (True, 1.5, b"x"):  # the staging file would store these otherwise than COPY writes them
        with pytest.raises(streams_mod.StreamMisuse):
            streams.write("audit_events", sql, [(3, odd, None)])
    with pytest.raises(streams_mod.StreamMisuse):  # one COPY per table: its columns are fixed by the first INSERT
        streams.write("audit_events", "INSERT INTO audit_events (position, summary) VALUES (?, ?)", [(4, "z")])
    assert not staging.Streams("postgresql://nowhere", "scratch", [p for p in all_projections() if p.name != "audit"])


def _keys_and_indexes(services):
    """Every read-model table's primary key and unique constraints and its indexes, as PostgreSQL states them."""
    schema = services.views.schema
    keys = services.views.fetchall(
        "SELECT c.relname AS t, k.conname AS name, pg_get_constraintdef(k.oid) AS def FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ? AND k.contype IN ('p', 'u') ORDER BY 1, 2", (schema,))
    indexes = services.views.fetchall("SELECT tablename AS t, indexname AS name, indexdef AS def FROM pg_indexes "
                                      "WHERE schemaname = ? ORDER BY 1, 2", (schema,))
    return keys, indexes


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # the deferred keys are PostgreSQL's
@pytest.mark.parametrize("workers", [1, 2])
def test_on_postgresql_a_staged_load_adds_the_keys_after_the_rows_as_the_tables_declare_them(services, monkeypatch, workers):
    """A staged load drops a new table's primary key and unique constraints before its COPY and adds them
    back after it: the rebuilt tables have the constraints and indexes the live ones have (same names, same
    definitions) and the same rows; a duplicate key in the staged rows still fails the load."""
    populate(services)
    before, shape = _snapshot(services), _keys_and_indexes(services)
    assert {(r["t"], r["name"]) for r in shape[0]} >= {("officers", "officers_pkey"), ("officers", "officers_nip_key"),
                                                        ("officer_history", "officer_history_pkey")}
    added = []
    real_keys = staging.key_constraints
    monkeypatch.setattr(staging, "key_constraints", lambda tx, table: added.append(table) or real_keys(tx, table))
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 0)
    services.projector.workers = workers
    services.projector.reset()
    services.projector.catch_up(only=list(services.projector.projections))
    assert "officer_history" in added
    assert _snapshot(services) == before and _keys_and_indexes(services) == shape

    st = staging.Staging()
    try:
        st.conn.execute("CREATE TABLE dup_keys (id TEXT, v TEXT)")  # no key in the staging file: a duplicate gets in
        st.conn.executemany("INSERT INTO dup_keys VALUES (?, ?)", [("a", "1"), ("a", "2")])
        twice = type("Twice", (), {"tables": {"dup_keys": "id TEXT PRIMARY KEY, v TEXT"}, "indexes": ()})()
        with pytest.raises(Exception, match="dup_keys_pkey"):
            with services.views.transaction() as tx:
                staging.load(tx, st, twice)
        assert services.views.fetchone("SELECT to_regclass(?) AS t", ("dup_keys",))["t"] is None
    finally:
        st.close()


def test_a_staged_rebuild_writes_each_officers_version_and_time_once_after_its_last_batch(services, monkeypatch):
    """The officer directory holds each officer's version and last-event time across a staged rebuild's batches
    (nothing is committed batch by batch there) and writes them once, after the last batch: one UPDATE per
    officer instead of one per officer and batch, the same rows as the live read model's. A live catch-up
    still writes them with each batch."""
    from projections.officers import OfficerDirectory

    populate(services)
    before = _snapshot(services)
    writes = []
    real = OfficerDirectory._write_touches
    monkeypatch.setattr(OfficerDirectory, "_write_touches", staticmethod(lambda tx, touched: writes.append(dict(touched)) or real(tx, touched)))
    services.projector.fetch = 3  # many batches
    services.projector.reset(["officers"])
    services.projector.catch_up(only=["officers"])
    assert _snapshot(services) == before
    officers = services.views.fetchone("SELECT COUNT(*) AS n FROM officers")["n"]
    assert len(writes) == 1 and len(writes[0]) == officers > 1  # once, after the last batch
    assert not any(p.staging for p in services.projector.projections.values())

    writes.clear()
    live = Projector(services.app, services.views, all_projections(), staged=False, batch=3)
    live.reset(["officers"])
    live.catch_up(only=["officers"])
    assert _snapshot(services) == before and len([w for w in writes if w]) > 1  # batch by batch
