"""Staged rebuilds: a read model built from scratch goes through a local staging database.

A rebuild from the start of the log (``pengkom replay``, ``pengkom verify``'s scratch store, a
changed projection version at start-up, a new read model) applies the projections' own handlers to
a private SQLite file, then loads the result into the store in one transaction with the tracking
positions (:mod:`projections.staging` does the staging and the load; this module decides what is
staged and runs it). A long rebuild may stage the read models over every event in a second process.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from projections import staging as staging_mod
from projections import tracking
from projections.base import Projection
from projections.tracking import Progress, Tracking

log = logging.getLogger("projections.runner")

#: A read model at position 0 that is not marked ``rebuilding`` (a new read model, a verify scratch
#: store) is built through the staging database when at least this many events wait for it; one
#: marked ``rebuilding`` (reset, changed version) always is.
STAGE_MIN = 5000
#: Notifications read per query by a staged rebuild.
FETCH = 5000
#: A staged rebuild from position 0 of at least this many events uses a second process (2+ cores).
PARALLEL_MIN = 100_000


def staged(projector: Any, chosen: list[Projection], take_rebuilding: bool, last: int,
           on_progress: Callable[[Progress], None] | None, started: float) -> int:
    """Build the read models that start from scratch (or are being rebuilt) up to ``last`` through a
    local staging database, then load them into the store in one transaction with their tracking
    positions (:mod:`projections.staging`). Returns the notifications read (0 when none qualify).

    Nothing is written to the read models' tables before that final transaction, and it only commits
    if the tracking rows are still as they were when the staging began (another process may have
    advanced them meanwhile: then the staged rows are dropped and the ordinary catch-up carries on).
    On PostgreSQL each process loads what it staged into a scratch schema beside the store (rows by
    ``COPY``, then the indexes) in its own transaction, so the final transaction only moves the tables
    in (:class:`projections.staging.Scratch`); on SQLite it loads them itself.

    A long rebuild from position 0 is split over two processes, each reading the log and staging its
    share of the read models (:func:`partition`, balanced by their measured costs).
    """
    with projector.store.transaction() as tx:
        state = tracking.lock(tx, [p.name for p in chosen], take_rebuilding)

    def qualifies(t: Tracking) -> bool:
        gap = last - t.position
        return gap > 0 and (t.rebuilding or (t.position == 0 and gap >= projector.stage_min))

    group = [p for p in chosen if p.name in state and qualifies(state[p.name])]
    if not group:
        return 0
    before = {p.name: state[p.name] for p in group}
    after = {n: t.position for n, t in before.items()}
    start = min(after.values()) + 1
    # A long rebuild from position 0 is shared with a second process, each reading the log and staging
    # its share of the read models (the shares balanced by their measured cost).
    parallel = projector.workers > 1 and last - start + 1 >= PARALLEL_MIN and not any(after.values()) and len(group) > 1
    own, side = partition(group, staging_mod.topic_counts(projector.app, start, last)) if parallel else (group, [])
    # PostgreSQL: each process loads what it staged into a scratch schema in its own transaction.
    scratch = staging_mod.Scratch.take(projector.store)
    # The first process stages the read models with large keyed tables (the officer history's 405 k rows under a
    # random UUID key on the benchmark log): a larger page cache there saved 1.3 CPU-s (48 MiB against 16 MiB, the
    # share staged alone) for +33 MB; the second process, streaming the audit trail, gained nothing from it.
    staging = staging_mod.Staging(cache_kib=staging_mod.FIRST_CACHE_KIB if side else None)
    if scratch is not None:
        # Append-only tables of the read models built from position 0 go straight into the scratch schema.
        streams = staging_mod.Streams(scratch.conninfo, scratch.schema, [p for p in own if not before[p.name].position])
        staging.streams = streams if streams else None
    stores = {p.name: staging for p in own}
    side_process = None
    try:
        if side:
            side_path = staging.path.with_name("staging-side.sqlite")
            side_process = staging_mod.SideProcess(projector.app, [type(p) for p in side], start, last, projector.fetch, side_path,
                                                   scratch=scratch)
        staging.begin()
        staging.create(own)
        seeded = [p for p in own if before[p.name].position]
        if seeded:
            with projector.store.read() as rtx:
                for p in seeded:
                    staging.seed(rtx, p)

        def progress(top: int, total: int) -> None:
            if on_progress:
                on_progress(Progress(top, last, total, time.perf_counter() - started))

        total, top = staging.apply(projector.app, own, after, start, last, projector.fetch, progress)
        staging.commit()
        staging.release()
        if scratch is not None:
            scratch.load(staging, own)
        if side_process is not None:
            try:
                _, side_top = side_process.result()
                ok = side_top == top
                projector.side_peak_rss_mb = side_process.peak_rss_mb
            except RuntimeError as e:
                log.warning("%s; staging its read models here instead", e)
                ok = False
            if ok and scratch is None:
                stores.update({p.name: staging_mod.Staging(side_path, cache_kib=staging_mod._LOAD_CACHE_KIB) for p in side})
            elif not ok:
                # The second process failed (or read a different log): stage its share here.
                retry = staging_mod.Staging(staging.path.with_name("staging-retry.sqlite"))
                retry.begin()
                retry.create(side)
                retry.apply(projector.app, side, after, start, top or last, projector.fetch)
                retry.commit()
                stores.update({p.name: retry for p in side})
                if scratch is not None:
                    scratch.load(retry, side)
        if top is None:
            return 0
        with projector.store.transaction() as tx:
            now = tracking.lock(tx, [p.name for p in group], True)
            if any(now.get(n) != t for n, t in before.items()):
                return 0
            if scratch is not None:
                for p in group:
                    scratch.move_in(tx, projector.store.schema, p)
            else:
                if tx.dialect == "postgres":
                    tx.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds after the bulk load
                    tx.execute("SET LOCAL statement_timeout = 0")  # a bulk load of a million rows is one COPY
                for p in group:
                    staging_mod.load(tx, stores[p.name], p)
            tracking.advance(tx, {p.name: top for p in group})
        return total
    finally:
        if side_process is not None:
            side_process.stop()
        for st in {id(s): s for s in stores.values()}.values():
            if st is not staging:
                st.close()
        staging.close()
        if scratch is not None:
            scratch.release()


#: CPU seconds each read model's handlers cost over the benchmark's 1 M-event cycle log (measured on the
#: 2-core development machine by staging each alone, less the reading and decoding of its events): with
#: :data:`READ_COST`, what :func:`partition` balances. A read model not listed weighs 1.
WEIGHTS = {"audit": 9.5, "officers": 7.5, "inventory": 5.0, "national": 3.5, "monitoring": 2.8, "deadlines": 1.5,
           "plans": 1.2, "jp_ledger": 0.4, "evaluations": 0.05}
#: CPU seconds a process spends reading and decoding a million events of the log (the same measurements).
READ_COST = 4.5


def partition(group: list[Projection], counts: dict[str, int] | None = None) -> tuple[list[Projection], list[Projection]]:
    """(this process's share, the second process's): of every split, the one whose costlier share costs least,
    a share's cost being its read models' :data:`WEIGHTS` plus reading and decoding the events it needs —
    every event where a read model takes them all, else those of its read models' topics (``counts``: events
    per topic in the log to rebuild; without them only the weights count). The read models over every event
    go to the second process; each process gets at least one read model. (A few read models make a few
    hundred splits.)

    On the benchmark log this puts the audit trail, monitoring, deadlines, the JP ledger and plans in the
    second process and the rest in the first, which then reads 67 k of the 263 k activity events (those the
    national recap takes) instead of all of them: rebuilt in 30.7-32.2 s, against 32.6-32.8 s with plans in
    the first and 34.8 s with the activity read models split between both processes (the greedy balance of
    handler costs alone that this replaced). The choice is close: topic counts estimated from the planner's
    statistics (within 1-8 % of the counts here) gave another split (the audit trail and plans alone in the
    second process), so the counts are exact (0.4 s on the benchmark log)."""
    every = [p for p in group if p.every_event or p.wants_raw]
    rest = [p for p in group if not (p.every_event or p.wants_raw)]
    total = sum(counts.values()) if counts else 0

    def cost(share: list[Projection]) -> float:
        if not share:
            return 0.0
        handlers = sum(WEIGHTS.get(p.name, 1.0) for p in share)
        if not counts:
            return handlers
        if any(p.every_event or p.wants_raw for p in share):
            read = total
        else:
            topics = frozenset().union(*(p.topics for p in share))
            read = sum(n for t, n in counts.items() if t in topics)
        return handlers + READ_COST * read / 1_000_000

    best: tuple[float, list[Projection], list[Projection]] | None = None
    for mask in range(1 << len(rest)):  # bit i set: rest[i] goes to the second process
        own = [p for i, p in enumerate(rest) if not mask >> i & 1]
        side = every + [p for i, p in enumerate(rest) if mask >> i & 1]
        if not own or not side:
            continue
        worst = max(cost(own), cost(side))
        if best is None or worst < best[0]:
            best = (worst, own, side)
    if best is None:  # a single read model: this process
        return list(group), []
    return best[1], best[2]
