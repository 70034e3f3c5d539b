"""One projection mechanism for both stores: follow the notification log, apply events to the read
models and advance each projection's tracking position in the same transaction.

The library's own projection runner needs subscriptions, which its SQLite store lacks; this runner
only pulls (``select_notifications``), so it works the same on SQLite and PostgreSQL. It resumes
from the tracking rows after a restart. Commands call :meth:`Projector.catch_up` before they
respond, so a query that follows a command's response sees its effect (read-your-writes).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import Invalid
from projections.base import Projection
from projections.store import Tx, ViewStore

TRACKING = "projection_tracking"


@dataclass
class Progress:
    position: int
    last: int
    events: int
    seconds: float


class Projector:
    def __init__(self, app: Any, store: ViewStore, projections: Sequence[Projection], *, batch: int = 1000) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch = batch
        self._lock = threading.Lock()
        self.rebuilding: set[str] = set()
        self._setup()

    # -- set-up and versions ------------------------------------------------------------------------

    def _setup(self) -> None:
        with self.store.transaction() as tx:
            tx.execute(f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, position BIGINT NOT NULL)")
            rows = {r["name"]: r for r in tx.fetchall(f"SELECT name, version, position FROM {TRACKING}")}
            for p in self.projections.values():
                row = rows.get(p.name)
                if row is None:
                    p.create(tx)
                    tx.execute(f"INSERT INTO {TRACKING} (name, version, position) VALUES (?, ?, 0)", (p.name, p.version))
                elif row["version"] != p.version:
                    # A changed projection never serves rows built by its old code: rebuild.
                    self._reset(tx, p)

    def _reset(self, tx: Tx, p: Projection) -> None:
        p.drop(tx)
        p.create(tx)
        tx.execute(f"UPDATE {TRACKING} SET version = ?, position = 0 WHERE name = ?", (p.version, p.name))

    def resolve(self, names: Iterable[str] | None) -> list[Projection]:
        if not names:
            return list(self.projections.values())
        unknown = [n for n in names if n not in self.projections]
        if unknown:
            raise Invalid(f"Unknown projection {', '.join(unknown)}; known: {', '.join(sorted(self.projections))}.", field="projection")
        return [self.projections[n] for n in names]

    def positions(self) -> dict[str, int]:
        rows = self.store.fetchall(f"SELECT name, position FROM {TRACKING}")
        return {r["name"]: int(r["position"]) for r in rows if r["name"] in self.projections}

    def reset(self, names: Iterable[str] | None = None) -> list[str]:
        chosen = self.resolve(names)
        with self._lock, self.store.transaction() as tx:
            for p in chosen:
                self._reset(tx, p)
        return [p.name for p in chosen]

    # -- following the log --------------------------------------------------------------------------

    def catch_up(self, *, only: Iterable[str] | None = None, on_progress: Callable[[Progress], None] | None = None,
                 stop: int | None = None) -> int:
        """Apply every recorded event not yet applied; return how many notifications were read."""
        chosen = self.resolve(only)
        wanted = [p for p in chosen]
        total = 0
        started = time.perf_counter()
        last = self.app.recorder.max_notification_id() or 0
        if stop is not None:
            last = min(last, stop)
        with self._lock:
            while True:
                with self.store.transaction() as tx:
                    positions = self._lock_positions(tx, [p.name for p in wanted])
                    start = min(positions.values(), default=last) + 1
                    if start > last:
                        break
                    notes = self.app.recorder.select_notifications(start=start, limit=self.batch, stop=last)
                    if not notes:
                        break
                    mapper = self.app.mapper
                    for n in notes:
                        event = None
                        for p in wanted:
                            if n.id <= positions[p.name]:
                                continue
                            if p.wants_raw:
                                p.apply_raw(tx, n)
                            if n.topic in p.topics:
                                if event is None:
                                    event = mapper.to_domain_event(n)
                                p.apply(tx, event, n.id)
                    top = notes[-1].id
                    for p in wanted:
                        if positions[p.name] < top:
                            tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name = ?", (top, p.name))
                    total += len(notes)
                if on_progress:
                    on_progress(Progress(top, last, total, time.perf_counter() - started))
                if top >= last:
                    break
        return total

    def _lock_positions(self, tx: Tx, names: list[str]) -> dict[str, int]:
        marks = ",".join("?" * len(names))
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        rows = tx.fetchall(f"SELECT name, position FROM {TRACKING} WHERE name IN ({marks}) ORDER BY name{lock}", names)
        return {r["name"]: int(r["position"]) for r in rows}
