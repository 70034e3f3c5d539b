"""Request bodies at the edge (msgspec Structs), separate from the event classes."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, description="Why the correction is made; kept in the event.")]
Year = Annotated[int, msgspec.Meta(ge=1960, le=2100)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    effective_date: date | None = msgspec.field(default=None)


class RegisterOfficer(Body):
    """Formulir 2.2 identity and placement."""

    nip: Annotated[str, msgspec.Meta(min_length=1, max_length=40, examples=["19900101 201501 1 001"])]
    name: Text
    birth_place: Text
    birth_date: date
    sex: Annotated[str, msgspec.Meta(description="L (laki-laki) or P (perempuan)")]
    employee_type: Annotated[str, msgspec.Meta(description="PNS or PPPK")]
    position: Text
    level: Annotated[str, msgspec.Meta(description="jenjang: ahli_pertama, ahli_muda, ahli_madya, ahli_utama …")]
    golongan: Annotated[str, msgspec.Meta(examples=["III/a"])]
    agency: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    unit: Text
    supervisor_nip: str | None = None
    supervisor_name: str | None = None


class CorrectProfile(Body):
    changes: dict[str, Any]
    reason: Reason
    corrects_version: Annotated[int, msgspec.Meta(ge=1)] = 1


class ChangePlacement(Body, kw_only=True):
    """A new placement (Formulir 2.2 jabatan, jenjang, golongan, unit kerja, atasan langsung) from its effective date."""

    position: Text
    level: str
    golongan: str
    unit: Text
    supervisor_nip: str | None = None
    supervisor_name: str | None = None
    reason: Reason


class Withdraw(Body):
    reason: Reason


class PositionEntry(Body):
    year: Year
    position: Text
    level: str | None = None
    unit: str | None = None


class DevelopmentEntry(Body):
    year: Year
    competency: str
    form: Text
    pathway: str | None = None
    jp: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="the institution that ran it")] | None = None


class PerformanceEntry(Body):
    year: Year
    predikat: Annotated[str, msgspec.Meta(description="sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang")]


class CreditPointsEntry(Body):
    year: Year
    credit_points: Decimal


class CorrectHistory(Body):
    changes: dict[str, Any]
    reason: Reason


class Retract(Body):
    reason: Reason
