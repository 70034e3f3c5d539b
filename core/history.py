"""The four histories of Formulir 2.2 as the officer aggregate holds them: riwayat jabatan,
pengembangan kompetensi, hasil penilaian kinerja and angka kredit — one typed record per entry,
with the event that recorded it, the last one that corrected it, and whether it was retracted.

The aggregate's working memory, rebuilt from the events on every load (the events are the contract).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID


@dataclass(slots=True)
class HistoryEntry:
    """One history fact: its year, the event that recorded it and the last one that corrected it."""

    entry_id: UUID
    year: int
    recorded_version: int
    corrected_by_version: int | None = field(default=None, kw_only=True)
    retracted: bool = field(default=False, kw_only=True)

    kind: ClassVar[str]

    def correct(self, changes: dict[str, Any], version: int) -> None:
        """Apply a correction's changes (validated for this kind when recorded)."""
        for name, value in changes.items():
            setattr(self, name, self._typed(name, value))
        self.corrected_by_version = version

    def _typed(self, name: str, value: Any) -> Any:
        return value


@dataclass(slots=True)
class PositionEntry(HistoryEntry):
    """Riwayat jabatan."""

    kind: ClassVar[str] = "position"
    position: str = field(kw_only=True)
    level: str | None = field(kw_only=True)
    unit: str | None = field(kw_only=True)


@dataclass(slots=True)
class DevelopmentEntry(HistoryEntry):
    """Riwayat pengembangan kompetensi."""

    kind: ClassVar[str] = "development"
    competency: str = field(kw_only=True)
    form: str = field(kw_only=True)
    pathway: str | None = field(kw_only=True)
    jp: int | None = field(kw_only=True)
    provider: str | None = field(kw_only=True)


@dataclass(slots=True)
class PerformanceEntry(HistoryEntry):
    """Riwayat hasil penilaian kinerja."""

    kind: ClassVar[str] = "performance"
    predikat: str = field(kw_only=True)


@dataclass(slots=True)
class CreditPointsEntry(HistoryEntry):
    """Riwayat angka kredit; a correction carries the points as text (the event's free-form changes)."""

    kind: ClassVar[str] = "credit_points"
    credit_points: Decimal = field(kw_only=True)

    def _typed(self, name: str, value: Any) -> Any:
        return Decimal(value) if name == "credit_points" else value
