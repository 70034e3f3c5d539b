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
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RosterOfficer:
    """One active officer as check (d) needs them."""

    officer_id: UUID
    nip: str
    name: str
    employee_type: str

    def __deepcopy__(self, memo: dict[int, Any]) -> RosterOfficer:
        return self  # immutable


@dataclass(frozen=True)
class Roster:
    """The active officers of an agency, read at ``position`` of the event log (``source`` names where from)."""

    agency: str
    officers: tuple[RosterOfficer, ...]
    position: int
    source: str

    @cached_property
    def digest(self) -> str:
        """A fingerprint of who is on the roster as what (SHA-256 of the sorted ``officer_id:nip:type`` lines):
        a ``ChecksRun`` names it, the plan's ``RosterRead`` event holds the list it stands for."""
        known = _DIGESTS.get(id(self.officers))
        if known is not None and known[0] is self.officers:  # the same officers as a roster read before
            return known[1]
        lines = sorted(f"{o.officer_id}:{o.nip}:{o.employee_type}" for o in self.officers)
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        with _DIGESTS_LOCK:
            _DIGESTS[id(self.officers)] = (self.officers, digest)
            while len(_DIGESTS) > 64:
                del _DIGESTS[next(iter(_DIGESTS))]
        return digest


#: The digests of the officer lists of recent rosters (a port reading an unchanged roster hands out the
#: same tuple again, so its digest is not computed again); each entry keeps its tuple alive.
_DIGESTS: dict[int, tuple[tuple[RosterOfficer, ...], str]] = {}
_DIGESTS_LOCK = threading.Lock()


class AgencyRoster(Protocol):
    """The narrow port check (d) reads the agency's officers through."""

    def active_officers(self, agency: str) -> Roster:
        """Every registered, not withdrawn officer of ``agency``, read from a store brought current first."""
        ...
