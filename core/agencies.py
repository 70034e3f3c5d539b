"""The agency directory (*instansi*), kept by the Instansi Pembina: every agency's code, official name,
kind (ministry/agency, province, regency/city) and province, as recorded facts with provenance.

National reports group and filter by these facts. Tokens and records keep naming an agency by its
code; an agency that acts in pengkom before the Pembina registers it is simply reported as "not in the
directory" (nothing refuses it). A change of name, kind or province is a new fact from its effective
date (a renamed ministry, a new province), recorded with a reason; the earlier facts stay readable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from core import access, labels
from core.errors import Conflict, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import check_version, long_text
from core.inputs import choice as _choice
from core.inputs import text as _text


class AgencyKind(StrEnum):
    """The three kinds of agency that employ Pengantar Kerja (instansi pusat and daerah)."""

    KEMENTERIAN_LEMBAGA = "kementerian_lembaga"
    PROVINSI = "provinsi"
    KABUPATEN_KOTA = "kabupaten_kota"


KIND_LABELS: dict[str, str] = {
    AgencyKind.KEMENTERIAN_LEMBAGA: "Kementerian/Lembaga",
    AgencyKind.PROVINSI: "Pemerintah Provinsi",
    AgencyKind.KABUPATEN_KOTA: "Pemerintah Kabupaten/Kota",
}
labels.register(AgencyKind, KIND_LABELS, fields=("kind",))

#: The 38 provinces of Indonesia (since the 2022 division of Papua), code -> official name.
PROVINCES: dict[str, str] = {
    "aceh": "Aceh", "sumatera_utara": "Sumatera Utara", "sumatera_barat": "Sumatera Barat", "riau": "Riau",
    "jambi": "Jambi", "sumatera_selatan": "Sumatera Selatan", "bengkulu": "Bengkulu", "lampung": "Lampung",
    "kepulauan_bangka_belitung": "Kepulauan Bangka Belitung", "kepulauan_riau": "Kepulauan Riau",
    "dki_jakarta": "DKI Jakarta", "jawa_barat": "Jawa Barat", "jawa_tengah": "Jawa Tengah",
    "di_yogyakarta": "DI Yogyakarta", "jawa_timur": "Jawa Timur", "banten": "Banten", "bali": "Bali",
    "nusa_tenggara_barat": "Nusa Tenggara Barat", "nusa_tenggara_timur": "Nusa Tenggara Timur",
    "kalimantan_barat": "Kalimantan Barat", "kalimantan_tengah": "Kalimantan Tengah",
    "kalimantan_selatan": "Kalimantan Selatan", "kalimantan_timur": "Kalimantan Timur",
    "kalimantan_utara": "Kalimantan Utara", "sulawesi_utara": "Sulawesi Utara", "sulawesi_tengah": "Sulawesi Tengah",
    "sulawesi_selatan": "Sulawesi Selatan", "sulawesi_tenggara": "Sulawesi Tenggara", "gorontalo": "Gorontalo",
    "sulawesi_barat": "Sulawesi Barat", "maluku": "Maluku", "maluku_utara": "Maluku Utara", "papua": "Papua",
    "papua_barat": "Papua Barat", "papua_selatan": "Papua Selatan", "papua_tengah": "Papua Tengah",
    "papua_pegunungan": "Papua Pegunungan", "papua_barat_daya": "Papua Barat Daya",
}

_CODE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
FIELDS = ("name", "kind", "province", "regency")


def agency_id(code: str) -> UUID:
    return derived_id("agency", code)


def province_code(value: Any) -> str:
    """A province by its code or its name, in any case ("Jawa Barat" is jawa_barat)."""
    if isinstance(value, str):
        key = "_".join(value.strip().lower().replace(".", "").split())
        if key in PROVINCES:
            return key
        for code, name in PROVINCES.items():
            if name.lower() == value.strip().lower():
                return code
    raise Invalid(msg("Province {value!r} is not one of Indonesia's 38 provinces; use a code such as jawa_barat or its "
                      "name (GET /agencies/provinces lists them).", value=value), field="province")


def agency_code(value: Any, field: str = "code") -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise Invalid(msg("Agency code {value!r} must be 1–100 lower-case letters, digits, '.', '_' or '-', starting with a "
                          "letter or digit (the code tokens name the agency by, e.g. kemnaker or disnaker-jabar).", value=value), field=field)
    return value


def _details(name: Any, kind: Any, province: Any, regency: Any) -> dict[str, Any]:
    k = _choice(AgencyKind, kind, "kind", N_("Agency kind"))
    reg = _text(regency, "regency", required=False)
    if k == AgencyKind.KABUPATEN_KOTA and reg is None:
        raise Invalid("A regency/city government (kabupaten_kota) names its regency or city (regency).", field="regency")
    if k != AgencyKind.KABUPATEN_KOTA and reg is not None:
        raise Invalid(msg("Only a regency/city government names a regency or city; a {kind_labels_k} does not.",
                          kind_labels_k=KIND_LABELS[k]), field="regency")
    return {"name": _text(name, "name"), "kind": k, "province": province_code(province), "regency": reg}


class Agency(PengkomAggregate):
    TOPIC = "pengkom.agency.Agency"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.agency.Event"

    class Registered(Event, PengkomAggregate.Created):
        """An agency entered in the directory by the Instansi Pembina."""

        TOPIC = "pengkom.agency.Registered"
        code: str
        name: str
        kind: str
        province: str
        regency: str | None

    class DetailsChanged(Event):
        """New official details from the effective date (a renamed or reorganised agency), with the reason."""

        TOPIC = "pengkom.agency.DetailsChanged"
        name: str
        kind: str
        province: str
        regency: str | None
        reason: str

        def apply(self, aggregate: Agency) -> None:
            for k in FIELDS:
                setattr(aggregate, k, getattr(self, k))

    def __init__(self, code: str, name: str, kind: str, province: str, regency: str | None) -> None:
        self.code = code
        self.name = name
        self.kind = kind
        self.province = province
        self.regency = regency


def can_keep_directory(actor: Any) -> str:
    """The Instansi Pembina keeps the agency directory; no agency role and no other national role writes it."""
    return access.require_role(actor, [access.PEMBINA], N_("keep the agency directory"))


@dataclass(frozen=True)
class AgencyCommands:
    app: Any

    def get(self, code: str) -> Agency:
        agg = self.app.get(agency_id(code))
        if not isinstance(agg, Agency):
            raise NotFound(msg("Agency {code} is not in the directory.", code=code), field="code")
        return agg

    def register(self, ctx: Context, *, code: str, name: str, kind: str, province: str, regency: str | None = None) -> Agency:
        ctx = ctx.acting_as(can_keep_directory(ctx.actor))
        code = agency_code(code)
        details = _details(name, kind, province, regency)
        if not self.app.absent(agency_id(code)):
            raise Conflict(msg("Agency {code} is already in the directory; record a change of its details instead.", code=code), field="code")
        meta = ctx.provenance()
        return Agency._create(Agency.Registered, id=agency_id(code), meta=meta, timestamp=meta.recorded_at, code=code, **details)

    def change(self, ctx: Context, code: str, *, name: str, kind: str, province: str, regency: str | None = None,
               reason: str, expected_version: int | None = None) -> Agency:
        ctx = ctx.acting_as(can_keep_directory(ctx.actor))
        agg = self.get(agency_code(code))
        check_version("agency", agg.version, expected_version)
        details = _details(name, kind, province, regency)
        if all(details[k] == getattr(agg, k) for k in FIELDS):
            raise Invalid(msg("The details given are agency {code}'s current details; nothing to record.", code=code), field="name")
        agg.record(Agency.DetailsChanged, ctx.provenance(), reason=long_text(reason, "reason"), **details)
        return agg
