"""The agency's roster for check (d) of verification (BAB II.B.4 huruf d; BAB I.E angka 7): every
active PNS and PPPK of the agency, so that a PNS with no plan row at all is found too.

Core does not keep a roster aggregate: sixteen HR clerks registering officers at once must not
contend on one shared record. The verification command asks a narrow port, :class:`AgencyRoster`,
implemented outside core (``projections/roster.py``: the officers read model, brought current first),
and records what it was given — the officers' NIPs and the log position the roster was read at — so
the finding stays auditable and a replay never recomputes it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RosterOfficer:
    """One active officer as check (d) needs them."""

    officer_id: UUID
    nip: str
    name: str
    employee_type: str


@dataclass(frozen=True)
class Roster:
    """The active officers of an agency, read at ``position`` of the event log (``source`` names where from)."""

    agency: str
    officers: tuple[RosterOfficer, ...]
    position: int
    source: str

    @property
    def digest(self) -> str:
        """A fingerprint of who is on the roster as what (SHA-256 of the sorted ``officer_id:nip:type`` lines):
        a ``ChecksRun`` names it, the plan's ``RosterRead`` event holds the list it stands for."""
        lines = sorted(f"{o.officer_id}:{o.nip}:{o.employee_type}" for o in self.officers)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class AgencyRoster(Protocol):
    """The narrow port check (d) reads the agency's officers through."""

    def active_officers(self, agency: str) -> Roster:
        """Every registered, not withdrawn officer of ``agency``, read from a store brought current first."""
        ...
