"""The Instansi Pembina's curriculum standards (BAB II.B.3 huruf f): one aggregate per competency and
level, the standards that check (c) of verification holds a plan row against."""
from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol
from uuid import UUID

from core.catalogue import Level, Pathway, competency
from core.errors import Conflict, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import msg
from core.inputs import CODE_MAX, choice, count, long_text, text
from core.planning.guards import can_register_curriculum
from core.planning.state import CurriculumStandard


def curriculum_id(competency_code: str, level: str) -> UUID:
    return derived_id("curriculum", competency_code, level)


class CurriculumStandards(PengkomAggregate):
    """The curriculum standards the Instansi Pembina registered for one competency at one level."""

    TOPIC = "pengkom.planning.CurriculumStandards"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.planning.CurriculumEvent"

    class Created(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.planning.CurriculumCreated"
        competency: str
        level: str

    class StandardRegistered(Event):
        TOPIC = "pengkom.planning.CurriculumStandardRegistered"
        code: str
        title: str
        pathways: tuple[str, ...]
        min_jp: int | None
        note: str | None

        def apply(self, aggregate: CurriculumStandards) -> None:
            aggregate.standards[self.code] = CurriculumStandard(self.code, self.title, self.pathways, self.min_jp)

    class StandardWithdrawn(Event):
        TOPIC = "pengkom.planning.CurriculumStandardWithdrawn"
        code: str
        reason: str

        def apply(self, aggregate: CurriculumStandards) -> None:
            del aggregate.standards[self.code]

    def __init__(self, competency: str, level: str) -> None:
        self.competency = competency
        self.level = level
        self.standards: dict[str, CurriculumStandard] = {}



def curriculum_standards(app: Any, competency_code: str, level: str) -> dict[str, CurriculumStandard]:
    """The standards registered for ``competency_code`` at ``level`` (none registered: empty)."""
    agg = app.get(curriculum_id(competency_code, level))
    return dict(agg.standards) if isinstance(agg, CurriculumStandards) else {}


Pair = tuple[str, str]


@dataclass(frozen=True)
class Curricula:
    """Curriculum standards as check (c) holds plan rows against them: per (competency, level), the
    standards by code, read from ``source`` (at log ``position`` when it is a read model)."""

    standards: Mapping[Pair, Mapping[str, CurriculumStandard]]
    source: str
    position: int | None = None

    def of(self, competency_code: str, level: str) -> Mapping[str, CurriculumStandard]:
        return self.standards.get((competency_code, level), {})

    @cached_property
    def digest(self) -> str:
        """A fingerprint of what check (c) uses of the standards read (code, pathways, minimum JP per
        competency and level): the plan's checks record it, and check every row again when it changes."""
        lines = sorted(f"{comp}\t{level}\t{s.code}\t{','.join(s.pathways)}\t{s.min_jp}"
                       for (comp, level), by_code in self.standards.items() for s in by_code.values())
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class CurriculumCatalogue(Protocol):
    """The narrow port check (c) reads curriculum standards through."""

    def curricula(self, pairs: Collection[Pair]) -> Curricula:
        """The standards of at least the (competency, level) ``pairs`` (an implementation may read them all)."""
        ...


class AggregateCurricula:
    """Curriculum standards read from their aggregates in the event store, one per (competency, level):
    the port's default, and what a read model falls back to while it is being rebuilt."""

    source = "event store"

    def __init__(self, app: Any) -> None:
        self.app = app

    def curricula(self, pairs: Collection[Pair]) -> Curricula:
        return Curricula({p: curriculum_standards(self.app, *p) for p in pairs}, source=self.source)


class CurriculumCommands:
    """The Instansi Pembina registers and withdraws curriculum standards."""

    app: Any

    def curriculum(self, competency_code: str, level: str) -> dict[str, CurriculumStandard]:
        return curriculum_standards(self.app, competency_code, level)

    def register_curriculum(self, ctx: Context, *, competency_code: str, level: str, code: str, title: str,
                            pathways: Iterable[str] = (), min_jp: int | None = None, note: str | None = None) -> CurriculumStandards:
        ctx = ctx.acting_as(can_register_curriculum(ctx.actor))
        comp = competency(competency_code).code
        lvl = choice(Level, level, "level")
        code = text(code, "code", max_len=CODE_MAX) or ""
        paths = tuple(choice(Pathway, p, "pathways") for p in pathways)
        meta = ctx.provenance()
        agg = self.app.get(curriculum_id(comp, lvl))
        if agg is None:
            agg = CurriculumStandards._create(CurriculumStandards.Created, id=curriculum_id(comp, lvl), meta=meta,
                                              timestamp=meta.recorded_at, competency=comp, level=lvl)
        if code in agg.standards:
            raise Conflict(msg("Curriculum standard {code} is already registered for {comp} at {lvl}; withdraw it first to replace it.",
                               code=code, comp=comp, lvl=lvl), field="code")
        agg.record(CurriculumStandards.StandardRegistered, meta, code=code, title=text(title, "title") or "",
                   pathways=paths, min_jp=count(min_jp, "min_jp", 1000),
                   note=long_text(note, "note", required=False))
        return agg

    def withdraw_curriculum(self, ctx: Context, *, competency_code: str, level: str, code: str, reason: str) -> CurriculumStandards:
        ctx = ctx.acting_as(can_register_curriculum(ctx.actor))
        comp, lvl = competency(competency_code).code, choice(Level, level, "level")
        agg = self.app.get(curriculum_id(comp, lvl))
        if not isinstance(agg, CurriculumStandards) or code not in agg.standards:
            raise NotFound(msg("No curriculum standard {code} is registered for {comp} at {lvl}.", code=code, comp=comp, lvl=lvl), field="code")
        agg.record(CurriculumStandards.StandardWithdrawn, ctx.provenance(), code=code,
                   reason=long_text(reason, "reason"))
        return agg

