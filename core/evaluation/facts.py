"""What evaluation code and a pathway plugin exchange about Formulir 5.2 — plain frozen values, no pluggy.

A pathway plugin may decide how one *Kesesuaian Rencana dan Pelaksanaan* cell of Formulir 5.2 is
computed for its pathway (hook ``pengkom_evaluation_cell``): it receives the validated plan row the
participation implements (:class:`PlanRowFacts`) and the recorded activity, and answers an
:class:`EvaluationCell`. Core records the answer with the plugin's name, version and rule-set
version, so a replay never asks the plugin again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID


class Cell(StrEnum):
    """The six Sesuai/Tidak cells of Formulir 5.2, items (7)–(12)."""

    JENIS = "jenis"  # (7) kesesuaian jenis pengembangan
    JALUR = "jalur"  # (8) kesesuaian jalur pengembangan
    PENYELENGGARA = "penyelenggara"  # (9) kesesuaian penyelenggara
    JADWAL = "jadwal"  # (10) kesesuaian jadwal dan waktu
    ANGGARAN = "anggaran"  # (11) kesesuaian anggaran
    JAM_PELAJARAN = "jam_pelajaran"  # (12) kesesuaian jam pelajaran


CELL_LABELS: dict[Cell, str] = {
    Cell.JENIS: "Jenis Pengembangan",
    Cell.JALUR: "Jalur Pengembangan",
    Cell.PENYELENGGARA: "Penyelenggara",
    Cell.JADWAL: "Jadwal dan Waktu",
    Cell.ANGGARAN: "Anggaran",
    Cell.JAM_PELAJARAN: "Jam Pelajaran",
}
#: Formulir 5.2 item number of each cell.
CELL_ITEMS: dict[Cell, int] = {Cell.JENIS: 7, Cell.JALUR: 8, Cell.PENYELENGGARA: 9, Cell.JADWAL: 10, Cell.ANGGARAN: 11,
                               Cell.JAM_PELAJARAN: 12}


@dataclass(frozen=True)
class PlanRowFacts:
    """The Formulir 2.6 row a participation implements, as the latest validated revision holds it."""

    plan_id: UUID
    row_id: UUID
    revision: int
    year: int
    competency: str
    pathway: str
    form: str  # the development form (LAN JP conversion form code)
    programme: str
    provider: str | None
    start: date | None
    end: date | None
    budget: Decimal
    funding_source: str
    planned_jp: int


@dataclass(frozen=True)
class EvaluationCell:
    """One cell as decided: ``sesuai`` (True) or *Tidak* (False), what was planned and what happened, in
    words, and — always for *Tidak* — the reason a clerk reads in the form."""

    sesuai: bool
    planned: str
    actual: str
    reason: str | None = None


__all__ = ["CELL_ITEMS", "CELL_LABELS", "Cell", "EvaluationCell", "PlanRowFacts"]
