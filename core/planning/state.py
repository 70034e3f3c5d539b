"""The plan's state as its events build it: typed records for a plan row and a curriculum standard.

They are the aggregates' working memory, rebuilt from the events on every load and never stored
(the events are the persisted contract), so their shape may change freely.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One row of Formulir 2.6 (items 4–12): who, what, by which pathway and provider, when, how much,
    the planned JP with the conversion that gave them, and the credit-point target."""

    row_id: UUID
    officer_id: UUID
    nip: str
    officer_name: str
    position: str
    level: str
    employee_type: str
    unit: str
    competency: str
    pathway: str
    form: str
    programme: str
    curriculum_code: str | None
    provider: str | None
    start: date | None
    end: date | None
    budget: Decimal
    funding_source: str
    days: int | None
    sessions: int | None
    programme_jp: int | None
    international: bool
    stated_jp: int | None
    planned_jp: int
    jp_rule: str
    jp_basis: str
    jp_table_version: str
    credit_target: Decimal
    credit_target_source: str
    proposal_id: UUID | None
    proposal_item_id: UUID | None

    @classmethod
    def of(cls, source: Any) -> PlanRow:
        """The row carried by a row event (or any object with the row's attributes)."""
        return cls(**{name: getattr(source, name) for name in ROW_FIELDS})

    def fields(self) -> dict[str, Any]:
        """The row as the keyword arguments of a row event."""
        return {name: getattr(self, name) for name in ROW_FIELDS}

    def but(self, **changes: Any) -> PlanRow:
        return replace(self, **changes)

    def __deepcopy__(self, memo: dict[int, Any]) -> PlanRow:
        return self  # immutable: a copy of the plan (the aggregate cache) shares it


#: The fields of a plan row, in Formulir 2.6 order (the row events carry exactly these).
ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PlanRow))


@dataclass(frozen=True, slots=True)
class CurriculumStandard:
    """A curriculum standard the Instansi Pembina registered for a competency at a level (BAB II.B.3 huruf f):
    the pathways that deliver it (none named: any) and the least JP a programme needs (None: no minimum)."""

    code: str
    title: str
    pathways: tuple[str, ...]
    min_jp: int | None

    def __deepcopy__(self, memo: dict[int, Any]) -> CurriculumStandard:
        return self  # immutable
