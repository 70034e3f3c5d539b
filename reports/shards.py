"""Checking a large import file in two processes: the rows split by NIP, the second half in a forked child.

Checking every row (the request schema and the domain verb, row by row) is pure Python and holds one core; on
a machine with two cores or more, while PostgreSQL stages the events (``projections.bulkstage``), the second core
would idle. So a file of at least :data:`PARALLEL_ROWS` rows whose officers are all new is split: every row goes
to the half its NIP hashes to (CRC-32), so an officer's registration, its histories and any repetition of its NIP
— the rows whose checks depend on each other — are always checked in the same process, in file order, exactly as
one process would. The parent checks half 0 and stages its events as it goes; a child forked after the file was
read checks half 1 and sends back its problems, its counts and its events already encoded and checked (the same
``Pengkom.pending``). The parent merges the problems in file order (sheet, row): the answer is the one a single
process gives. Nothing is recorded until both halves passed.

The child touches no database connection, thread or lock of the parent (it reads only what was in memory at the
fork: the file's rows, the domain code, the mapper) and leaves with ``os._exit``; if it fails in any way the
parent checks half 1 itself. Files naming an officer already recorded are checked in one process (the check
reads those officers from the log).
"""
from __future__ import annotations

import gc
import logging
import os
import pickle
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

log = logging.getLogger(__name__)

#: Files with fewer rows are checked in one process (a fork costs more than it saves).
PARALLEL_ROWS = 1000


@dataclass(frozen=True)
class Checked:
    """An officer checked by the child: its id stands in for the aggregate in ``ImportPlan.aggregates``."""

    id: UUID
    pending_events: tuple[Any, ...] = ()


@dataclass
class Result:
    problems: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    order: list[UUID] = field(default_factory=list)
    events: dict[UUID, int] = field(default_factory=dict)
    stored: list[Any] = field(default_factory=list)


@dataclass
class Child:
    pid: int
    fd: int


def available() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def _half(t: Any, cells: list[Any]) -> int:
    col = t.columns.get("nip")
    raw = cells[col] if col is not None and col < len(cells) else None
    if not isinstance(raw, str):
        return 0
    return zlib.crc32(raw.replace(" ", "").strip().encode()) & 1


def keeper(half: int) -> Callable[[Any, list[Any]], bool]:
    return lambda t, cells: _half(t, cells) == half


def start(app: Any, plan: Any, ctx: Any, officers: list[Any], histories: list[Any], schemas: dict[str, Any]) -> Child | None:
    """Fork the child that checks half 1; None if it could not be started (the parent then checks everything)."""
    # Objects that exist at the fork are shared copy-on-write: frozen out of the garbage collector's reach (until the
    # child is done), a collection in either process does not touch — and so copy — every page of the heap.
    gc.freeze()
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError as e:
        gc.unfreeze()
        log.warning("import: could not start the second process (%s); checking in one", e)
        return None
    if pid:
        os.close(write_fd)
        return Child(pid, read_fd)
    # The child: check half 1, send the result, leave without running anything of the parent's.
    code = 1
    try:
        gc.disable()  # a short-lived process: its garbage goes with it
        os.close(read_fd)
        payload = pickle.dumps(_check_half(app, plan, ctx, officers, histories, schemas), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as out:
            out.write(struct.pack("!Q", len(payload)))
            out.write(payload)
        code = 0
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _check_half(app: Any, plan: Any, ctx: Any, officers: list[Any], histories: list[Any], schemas: dict[str, Any]) -> Result:
    from core.officers import OfficerCommands
    from reports.importer import ImportPlan, _check_rows, _Staging

    mine = ImportPlan(digest=plan.digest, agency=plan.agency, rows=plan.rows)
    staging = _Staging(app, set())
    out = Result()

    def hand_over() -> None:
        if mine.problems or not staging.dirty:
            return
        ready = [staging.touched[oid] for oid in staging.dirty]
        staging.dirty.clear()
        for a in ready:
            out.events[a.id] = out.events.get(a.id, 0) + len(a.pending_events)
        out.stored += app.pending(ready)[1]

    _check_rows(mine, staging, OfficerCommands(staging), ctx, officers, histories, schemas, None, hand_over, keeper(1))
    hand_over()
    out.problems = mine.problems
    out.counts = {"officers_new": mine.officers_new, "officers_known": mine.officers_known,
                  "histories_new": mine.histories_new, "histories_known": mine.histories_known}
    if not mine.problems:
        out.order = [oid for oid in staging.touched if out.events.get(oid)]
    else:
        out.stored, out.events = [], {}
    return out


def finish(child: Child) -> Result | None:
    """The child's result, or None (logged) if it failed."""
    try:
        return _finish(child)
    finally:
        gc.unfreeze()


def _finish(child: Child) -> Result | None:
    try:
        with os.fdopen(child.fd, "rb") as f:
            head = f.read(8)
            data = f.read(struct.unpack("!Q", head)[0]) if len(head) == 8 else b""
        _, status = os.waitpid(child.pid, 0)
        if status != 0 or not data:
            log.warning("import: the second process failed (status %s); checking its half here", status)
            return None
        result = pickle.loads(data)
        return result if isinstance(result, Result) else None
    except Exception as e:
        log.warning("import: the second process's result could not be read (%s); checking its half here", e)
        try:
            os.waitpid(child.pid, 0)
        except ChildProcessError:
            pass
        return None


def in_file_order(plan: Any, tables: list[Any]) -> None:
    """The problems as one process finds them: sheet by sheet, row by row (a row has at most one)."""
    order = {t.sheet: n for n, t in enumerate(tables)}
    plan.problems.sort(key=lambda p: (order.get(p.sheet, len(order)), p.row))


def merge(plan: Any, theirs: Result, tables: list[Any]) -> None:
    """The child's half into the plan: problems, counts, its officers and encoded events."""
    plan.problems += theirs.problems
    for name, n in theirs.counts.items():
        setattr(plan, name, getattr(plan, name) + n)
    if not plan.problems:
        plan.aggregates = [Checked(oid) for oid in theirs.order]
        plan.prepared = theirs.stored
        plan.prepared_counts = theirs.events
        plan.events += sum(theirs.events.values())
