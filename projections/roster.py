"""The officer roster check (d) of verification reads (core.planning.roster.AgencyRoster), from the
officers read model brought current first.

Registering an officer touches only that officer's aggregate; the roster is a read of the officers
read model once it holds every event recorded before the read (the read barrier of
:mod:`projections.runner`, or a catch-up where no background projector runs), and the plan records
what it read (the officers and the log position). While the officers read model is being rebuilt or
is behind, the read answers 503 (:class:`projections.runner.Rebuilding`, ``Behind``) rather than an
incomplete roster.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from core.planning.roster import Roster, RosterOfficer
from projections.runner import Projector
from projections.store import ViewStore

T = TypeVar("T")

SOURCE = "officers read model"


class OfficerRoster:
    """Every registered, not withdrawn officer of an agency, at the log position the read model is built to.

    A plan row's checks read the roster on every change, so it is read lean: caught up only when the read
    model is behind the log head, and the officers of an unchanged roster are the same objects as last
    time (their digest is then not computed again)."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        #: agency -> (the rows last read, the officers made of them)
        self._last: dict[str, tuple[list[tuple[Any, ...]], tuple[RosterOfficer, ...]]] = {}

    def active_officers(self, agency: str) -> Roster:
        def read(snap: ViewStore, position: int) -> Roster:
            rows = [(r["id"], r["nip"], r["name"], r["employee_type"]) for r in snap.fetchall(
                "SELECT id, nip, name, employee_type FROM officers WHERE agency = ? AND withdrawn = 0 ORDER BY nip", (agency,))]
            last = self._last.get(agency)
            if last is not None and last[0] == rows:
                officers = last[1]
            else:
                officers = tuple(RosterOfficer(UUID(str(i)), nip, name, etype) for i, nip, name, etype in rows)
                self._last[agency] = (rows, officers)
            return Roster(agency=agency, officers=officers, position=position, source=SOURCE)

        return read_current(self.projector, "officers", read)


def read_current(projector: Projector, name: str, read: Callable[[ViewStore, int], T]) -> T:
    """``read(snapshot, position)`` of the read model ``name`` once it holds every event recorded before this
    call: serving, the background projector applies the log and this waits at the read barrier; where no
    projector runs (tools, tests) the log is applied here, only when the read model has not reached its head.
    Raises :class:`projections.tracking.Unavailable` (503) while it is being rebuilt, has stopped or lags."""
    if projector.follower is not None:
        projector.barrier()
        with projector.store.snapshot() as snap:
            return read(snap, projector.require_current(name, store=snap))
    head = projector.app.recorder.max_notification_id() or 0
    for attempt in (1, 2):
        with projector.store.snapshot() as snap:
            position = projector.require_current(name, store=snap)
            if position >= head or attempt == 2:
                return read(snap, position)
        projector.catch_up()
    raise AssertionError("unreachable")  # pragma: no cover
