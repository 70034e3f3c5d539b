"""Check (c) of verification reads the curriculum standards (core.planning.curriculum.CurriculumCatalogue)
from the plans read model: one query for every standard, instead of one event-store read per competency
and level of the plan on every change.

The read model is read once it holds every event recorded before the command (the read barrier, or a
catch-up where no background projector runs). While it is being rebuilt or has stopped, the standards
are read from their aggregates instead (:class:`core.planning.curriculum.AggregateCurricula`): a plan
command never waits for a rebuild.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from core.planning.curriculum import AggregateCurricula, Curricula, Pair
from core.planning.state import CurriculumStandard
from projections.roster import read_current
from projections.runner import Projector
from projections.store import ViewStore
from projections.tracking import Unavailable

SOURCE = "plans read model"


class PlanCurricula:
    """Every curriculum standard, at the log position the plans read model is built to."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self._last: tuple[list[tuple[Any, ...]], dict[Pair, dict[str, CurriculumStandard]]] | None = None

    def curricula(self, pairs: Collection[Pair]) -> Curricula:
        try:
            return read_current(self.projector, "plans", self._read)
        except Unavailable:
            return AggregateCurricula(self.projector.app).curricula(pairs)

    def _read(self, snap: ViewStore, position: int) -> Curricula:
        rows = [(r["competency"], r["level"], r["code"], r["title"], r["pathways"], r["min_jp"]) for r in snap.fetchall(
            "SELECT competency, level, code, title, pathways, min_jp FROM plan_curriculum ORDER BY competency, level, code")]
        if self._last is not None and self._last[0] == rows:
            standards = self._last[1]
        else:
            standards = {}
            for comp, level, code, title, pathways, min_jp in rows:
                standards.setdefault((comp, level), {})[code] = CurriculumStandard(
                    code, title, tuple(json.loads(pathways)), None if min_jp is None else int(min_jp))
            self._last = (rows, standards)
        return Curricula(standards, source=SOURCE, position=position)
