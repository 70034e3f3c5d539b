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

from uuid import UUID

from core.planning.roster import Roster, RosterOfficer
from projections.runner import Projector

SOURCE = "officers read model"


class OfficerRoster:
    """Every registered, not withdrawn officer of an agency, at the log position the read model is built to."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def active_officers(self, agency: str) -> Roster:
        if self.projector.follower is not None:
            # Serving: the background projector applies the log; wait until the read models hold every
            # event recorded before now (every registration acknowledged so far).
            self.projector.barrier()
        else:
            # No background projector in this process (tools, tests): apply the log here.
            self.projector.catch_up()
        with self.projector.store.snapshot() as snap:
            position = self.projector.require_current("officers", store=snap)
            rows = snap.fetchall("SELECT id, nip, name, employee_type FROM officers WHERE agency = ? AND withdrawn = 0 "
                                 "ORDER BY nip", (agency,))
        officers = tuple(RosterOfficer(UUID(str(r["id"])), r["nip"], r["name"], r["employee_type"]) for r in rows)
        return Roster(agency=agency, officers=officers, position=position, source=SOURCE)
