"""Tracking: how far each read model has applied the log, whether it is being rebuilt or has stopped.

One row per read model in ``projection_tracking`` (name, version, position, rebuilding, error),
written in the same transaction as the read model's rows, so each event is applied exactly once.
This module owns the table (creation, version checks, resets) and the read guard: a read model
being rebuilt or stopped is never served as if it were complete (:func:`require_current`).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, Invalid
from core.i18n import msg
from projections.base import Projection
from projections.store import Tx, ViewStore

TRACKING = "projection_tracking"
_COLUMNS = "name, version, position, rebuilding, error"


class Unavailable(DomainError):
    """A read model cannot serve now; retry later. What that means in HTTP (503 with Retry-After) is
    decided in api/ (``api.commands.read_models_unavailable``); this only says what kind of refusal it is."""

    kind = "unavailable"


class Rebuilding(Unavailable):
    """A read model is being rebuilt from the log; its rows are incomplete until it finishes."""

    title = "Read model rebuilding"


class Stalled(Unavailable):
    """A read model stopped at an event its code could not apply; the others carry on."""

    title = "Read model stopped"


class Behind(Unavailable):
    """The read models did not reach the commands recorded before this read within the wait allowed."""

    title = "Read models behind"


@dataclass
class Progress:
    position: int
    last: int
    events: int
    seconds: float


@dataclass(frozen=True)
class Tracking:
    name: str
    version: int
    position: int
    rebuilding: bool
    #: Why the read model stopped (the event it could not apply), or None while it follows the log.
    error: str | None = None

    @property
    def live(self) -> bool:
        """Following the log (neither rebuilding nor stopped): what a read waits for."""
        return not self.rebuilding and not self.error


def _row(r: dict[str, Any]) -> Tracking:
    return Tracking(r["name"], int(r["version"]), int(r["position"]), bool(r["rebuilding"]), r["error"])


def setup(tx: Tx, projections: Iterable[Projection]) -> None:
    """Create the table (and columns older stores lack); a new read model gets its tables and a row,
    a read model whose ``version`` changed is reset (dropped, rebuilt before it is served)."""
    tx.execute(f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
               "position BIGINT NOT NULL, rebuilding INTEGER NOT NULL DEFAULT 0, error TEXT)")
    _add_columns(tx)
    # Locked in name order, as catch-ups take them, before any table of theirs is dropped.
    lock_rows = " ORDER BY name FOR UPDATE" if tx.dialect == "postgres" else ""
    rows = {r["name"]: r for r in tx.fetchall(f"SELECT name, version, position FROM {TRACKING}{lock_rows}")}
    for p in projections:
        row = rows.get(p.name)
        if row is None:
            p.create(tx)
            tx.execute(f"INSERT INTO {TRACKING} (name, version, position, rebuilding) VALUES (?, ?, 0, 0)", (p.name, p.version))
        elif row["version"] != p.version:
            # A changed projection never serves rows built by its old code: rebuild.
            reset(tx, p)


def _add_columns(tx: Tx) -> None:
    # Stores created before rebuilds were resumable lack the flag.
    if tx.dialect == "postgres":
        cols = {r["column_name"] for r in tx.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?", (TRACKING,))}
    else:
        cols = {r["name"] for r in tx.fetchall(f"PRAGMA table_info({TRACKING})")}
    if "rebuilding" not in cols:
        tx.execute(f"ALTER TABLE {TRACKING} ADD COLUMN rebuilding INTEGER NOT NULL DEFAULT 0")
    if "error" not in cols:
        tx.execute(f"ALTER TABLE {TRACKING} ADD COLUMN error TEXT")


def reset(tx: Tx, p: Projection) -> None:
    """Drop a read model's tables and mark it for rebuilding from position 0."""
    if not p.resettable:
        raise Invalid(msg("The {name} read model is an append-only record and is never rebuilt from the log; `pengkom verify "
                          "--chain` checks it.", name=p.name), field="projection", code="projection.not_resettable")
    p.drop(tx)
    p.create(tx)
    tx.execute(f"UPDATE {TRACKING} SET version = ?, position = 0, rebuilding = 1, error = NULL WHERE name = ?", (p.version, p.name))


def read(store: ViewStore | Tx, names: Sequence[str] | None = None) -> dict[str, Tracking]:
    """The tracking rows (of ``names``, or all), as one query."""
    if names:
        marks = ",".join("?" * len(names))
        rows = store.fetchall(f"SELECT {_COLUMNS} FROM {TRACKING} WHERE name IN ({marks})", list(names))
    else:
        rows = store.fetchall(f"SELECT {_COLUMNS} FROM {TRACKING}")
    return {r["name"]: _row(r) for r in rows}


def lock(tx: Tx, names: Sequence[str], take_rebuilding: bool) -> dict[str, Tracking]:
    """Lock (PostgreSQL: ``FOR UPDATE``) and read the rows of the named read models a catch-up may
    advance: those rebuilding or stopped only when ``take_rebuilding`` (``pengkom replay``, start-up)."""
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    where = f"name IN ({marks})" + ("" if take_rebuilding else " AND rebuilding = 0 AND error IS NULL")
    lock_rows = " ORDER BY name FOR UPDATE" if tx.dialect == "postgres" else ""
    rows = tx.fetchall(f"SELECT {_COLUMNS} FROM {TRACKING} WHERE {where}{lock_rows}", list(names))
    return {r["name"]: _row(r) for r in rows}


def advance(tx: Tx, positions: dict[str, int]) -> None:
    """Set tracking positions, one statement per distinct position (usually one for all)."""
    by_position: dict[int, list[str]] = {}
    for name, position in positions.items():
        by_position.setdefault(position, []).append(name)
    for position, names in by_position.items():
        marks = ",".join("?" * len(names))
        tx.execute(f"UPDATE {TRACKING} SET position = ? WHERE name IN ({marks})", (position, *names))


def stop(tx: Tx, name: str, position: int, error: str) -> None:
    tx.execute(f"UPDATE {TRACKING} SET error = ?, position = ? WHERE name = ?", (error, position, name))


def finish_rebuild(tx: Tx, names: Sequence[str]) -> None:
    for name in names:
        tx.execute(f"UPDATE {TRACKING} SET rebuilding = 0 WHERE name = ?", (name,))


def require_current(rows: dict[str, Tracking], head: Any) -> int:
    """The position the read models in ``rows`` are built to; raises while any is stopped or rebuilt.

    ``head`` is called (for the percentage done) only when a read model is being rebuilt.
    """
    stopped = sorted((t.name, t.error) for t in rows.values() if t.error)
    if stopped:
        detail = "; ".join(f"{n}: {err}" for n, err in stopped)
        raise Stalled(msg("The read model {detail}. Nothing recorded is lost; operators fix the cause and run `pengkom replay "
                          "{n_for_n___in_stopped}`.",
                          detail=detail, n_for_n___in_stopped=' '.join((n for n, _ in stopped))), stopped=[n for n, _ in stopped])
    busy = sorted(t.name for t in rows.values() if t.rebuilding)
    if busy:
        top = max(int(head() or 0), 1)
        detail = ", ".join(f"{n} ({rows[n].position * 100 // top}% of the log)" for n in busy)
        raise Rebuilding(msg("The read model {detail} is being rebuilt from the event log; nothing is lost, but its rows are "
                             "incomplete until the rebuild ends. Retry in a moment.", detail=detail), rebuilding=busy)
    return min((t.position for t in rows.values()), default=0)


def unknown(names: Iterable[str], known: Iterable[str]) -> None:
    names = list(names)
    known = sorted(known)
    missing = [n for n in names if n not in known]
    if missing:
        raise Invalid(msg("Unknown projection {missing}; known: {known}.", missing=', '.join(missing), known=', '.join(known)), field="projection")
