"""The officer (Pengantar Kerja) and the profile of Formulir 2.2: identity, placement and histories.

The aggregate id derives from the NIP, so a second registration of the same NIP collides with the
first. Nothing is rewritten: a wrong value is fixed by a correction event that names the event it
corrects and why; a history entry recorded in error is retracted, with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.catalogue import GOLONGAN, LEVEL_GOLONGAN, Level, Pathway, Predikat, competency
from core.errors import Conflict, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.history import CreditPointsEntry, DevelopmentEntry, HistoryEntry, PerformanceEntry, PositionEntry
from core.i18n import N_, msg
from core.inputs import SHORT_MAX, long_text, nip_digits
from core.inputs import choice as _enum
from core.inputs import text as _text
from core.nip import EmployeeType, Sex, validate_nip

HISTORY_KINDS = ("position", "development", "performance", "credit_points")
#: Profile fields a correction may change. The NIP is the identity: a wrong NIP is not corrected,
#: the registration is withdrawn and the officer registered anew under the right number.
CORRECTABLE = (
    "name", "birth_place", "birth_date", "sex", "employee_type", "position", "level", "golongan",
    "unit", "supervisor_nip", "supervisor_name",
)


#: The placement of Formulir 2.2 (jabatan, jenjang, golongan, unit kerja, atasan langsung).
PLACEMENT = ("position", "level", "golongan", "unit", "supervisor_nip", "supervisor_name")


def officer_id(nip: str) -> UUID:
    return derived_id("officer", nip)


class Officer(PengkomAggregate):
    TOPIC = "pengkom.officer.Officer"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.officer.Event"

    class Registered(Event, PengkomAggregate.Created):
        """Formulir 2.2 identity and placement, as first recorded."""

        TOPIC = "pengkom.officer.Registered"
        nip: str
        name: str
        birth_place: str
        birth_date: date
        sex: str
        employee_type: str
        position: str
        level: str
        golongan: str
        agency: str
        unit: str
        supervisor_nip: str | None
        supervisor_name: str | None

    class ProfileCorrected(Event):
        """Some profile fields were wrong; ``corrects_version`` names the event that recorded them."""

        TOPIC = "pengkom.officer.ProfileCorrected"
        corrects_version: int
        reason: str
        changes: dict[str, Any]

        def apply(self, aggregate: Officer) -> None:
            for k, v in self.changes.items():
                setattr(aggregate, k, date.fromisoformat(v) if k == "birth_date" else v)

    class PlacementChanged(Event):
        """A new placement from its effective date: a promotion (kenaikan jenjang), a move to another
        unit, a new direct supervisor. Not a correction — the earlier placement was true until then."""

        TOPIC = "pengkom.officer.PlacementChanged"
        position: str
        level: str
        golongan: str
        unit: str
        supervisor_nip: str | None
        supervisor_name: str | None
        reason: str

        def apply(self, aggregate: Officer) -> None:
            for k in PLACEMENT:
                setattr(aggregate, k, getattr(self, k))

    class RegistrationWithdrawn(Event):
        """The registration itself was a mistake (e.g. a wrong NIP); the profile stays readable."""

        TOPIC = "pengkom.officer.RegistrationWithdrawn"
        reason: str

        def apply(self, aggregate: Officer) -> None:
            aggregate.withdrawn = True

    class PositionHistoryRecorded(Event):
        """Riwayat jabatan: a position held, with its year (Formulir 2.2)."""

        TOPIC = "pengkom.officer.PositionHistoryRecorded"
        entry_id: UUID
        year: int
        position: str
        level: str | None
        unit: str | None

        def apply(self, aggregate: Officer) -> None:
            aggregate.add_entry(PositionEntry(self.entry_id, self.year, aggregate.version + 1, position=self.position,
                                              level=self.level, unit=self.unit))

    class DevelopmentHistoryRecorded(Event):
        """Riwayat pengembangan kompetensi: competency, form and pathway, provider, year (Formulir 2.2).

        Version 2 added ``provider`` (the institution that ran it, which the national course export
        needs); entries stored at version 1 are read with no provider.
        """

        TOPIC = "pengkom.officer.DevelopmentHistoryRecorded"
        class_version = 2
        entry_id: UUID
        year: int
        competency: str
        form: str
        pathway: str | None
        jp: int | None
        provider: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["provider"] = None

        def apply(self, aggregate: Officer) -> None:
            aggregate.add_entry(DevelopmentEntry(self.entry_id, self.year, aggregate.version + 1, competency=self.competency,
                                                 form=self.form, pathway=self.pathway, jp=self.jp, provider=self.provider))

    class PerformanceHistoryRecorded(Event):
        """Riwayat hasil penilaian kinerja: the SKP result (predikat) of a year (Formulir 2.2)."""

        TOPIC = "pengkom.officer.PerformanceHistoryRecorded"
        entry_id: UUID
        year: int
        predikat: str

        def apply(self, aggregate: Officer) -> None:
            aggregate.add_entry(PerformanceEntry(self.entry_id, self.year, aggregate.version + 1, predikat=self.predikat))

    class CreditPointsRecorded(Event):
        """Riwayat angka kredit: credit points earned in a year (Formulir 2.2)."""

        TOPIC = "pengkom.officer.CreditPointsRecorded"
        entry_id: UUID
        year: int
        credit_points: Decimal

        def apply(self, aggregate: Officer) -> None:
            aggregate.add_entry(CreditPointsEntry(self.entry_id, self.year, aggregate.version + 1,
                                                  credit_points=self.credit_points))

    class HistoryEntryCorrected(Event):
        TOPIC = "pengkom.officer.HistoryEntryCorrected"
        entry_id: UUID
        corrects_version: int
        reason: str
        changes: dict[str, Any]

        def apply(self, aggregate: Officer) -> None:
            aggregate.histories[self.entry_id].correct(self.changes, self.originator_version)

    class HistoryEntryRetracted(Event):
        TOPIC = "pengkom.officer.HistoryEntryRetracted"
        entry_id: UUID
        reason: str

        def apply(self, aggregate: Officer) -> None:
            aggregate.histories[self.entry_id].retracted = True

    def __init__(self, nip: str, name: str, birth_place: str, birth_date: date, sex: str, employee_type: str,
                 position: str, level: str, golongan: str, agency: str, unit: str,
                 supervisor_nip: str | None, supervisor_name: str | None) -> None:
        self.nip = nip
        self.name = name
        self.birth_place = birth_place
        self.birth_date = birth_date
        self.sex = sex
        self.employee_type = employee_type
        self.position = position
        self.level = level
        self.golongan = golongan
        self.agency = agency
        self.unit = unit
        self.supervisor_nip = supervisor_nip
        self.supervisor_name = supervisor_name
        self.withdrawn = False
        self.histories: dict[UUID, HistoryEntry] = {}

    def add_entry(self, entry: HistoryEntry) -> None:
        self.histories[entry.entry_id] = entry

    # -- invariants ------------------------------------------------------------------------------

    def check_not_withdrawn(self) -> None:
        if self.withdrawn:
            raise Conflict(msg("The registration of NIP {nip} was withdrawn; nothing more can be recorded on it.", nip=self.nip))

    def check_history_entry(self, entry_id: UUID) -> HistoryEntry:
        entry = self.histories.get(entry_id)
        if entry is None:
            raise NotFound(msg("Officer {nip} has no history entry {entry_id}.", nip=self.nip, entry_id=entry_id), field="entry_id")
        if entry.retracted:
            raise Conflict(msg("History entry {entry_id} was retracted; record a new entry instead.", entry_id=entry_id))
        return entry


# -- validation of profile values (Formulir 2.2) ----------------------------------------------------


def _golongan(value: Any, level: str) -> str:
    if value not in GOLONGAN:
        raise Invalid(msg("Golongan {value!r} is not a civil-service rank; use one of {GOLONGAN}.",
                          value=value, GOLONGAN=', '.join(GOLONGAN)), field="golongan")
    allowed = LEVEL_GOLONGAN.get(Level(level))
    if allowed and value not in allowed:
        raise Invalid(msg("Golongan {value} does not fit level {level} (PermenPANRB 1/2023: {allowed}).",
                          value=value, level=level, allowed=', '.join(allowed)), field="golongan")
    return value


def _supervisor(nip: Any, own_nip: str) -> str | None:
    if nip is None:
        return None
    stripped = nip_digits(nip, "supervisor_nip", N_("Supervisor NIP"))
    if stripped == own_nip:
        raise Invalid("An officer cannot be their own direct supervisor.", field="supervisor_nip")
    return stripped


def _year(value: Any, today: date) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1960 <= value <= today.year:
        raise Invalid(msg("Year {value!r} must be a whole year from 1960 to {year}.", value=value, year=today.year), field="year")
    return value


@dataclass(frozen=True)
class OfficerCommands:
    """Domain verbs on officers; ``app`` is the pengkom application (its repository and save)."""

    app: Any

    def get(self, oid: UUID) -> Officer:
        try:
            officer = self.app.repository.get(oid)
        except Exception as e:  # AggregateNotFoundError
            if type(e).__name__ == "AggregateNotFoundError":
                raise NotFound(msg("No officer with id {oid} is registered.", oid=oid)) from None
            raise
        if not isinstance(officer, Officer):
            raise NotFound(msg("No officer with id {oid} is registered.", oid=oid))
        return officer

    def register(self, ctx: Context, *, nip: str, name: str, birth_place: str, birth_date: date, sex: str,
                 employee_type: str, position: str, level: str, golongan: str, agency: str, unit: str,
                 supervisor_nip: str | None = None, supervisor_name: str | None = None) -> Officer:
        ctx = ctx.acting_as(access.can_register_officer(ctx.actor, agency))
        etype = EmployeeType(_enum(EmployeeType, employee_type, "employee_type"))
        sx = Sex(_enum(Sex, sex, "sex"))
        info = validate_nip(nip, etype, sex=sx, birth_date=birth_date, today=ctx.now.date())
        lvl = _enum(Level, level, "level")
        oid = officer_id(info.nip)
        if not self.app.absent(oid):
            raise Conflict(msg("NIP {nip} is already registered; correct the existing profile instead of registering it again.", nip=info.nip), field="nip")
        meta = ctx.provenance(on_behalf_of=info.nip)
        officer = Officer._create(
            Officer.Registered, id=oid, meta=meta, timestamp=meta.recorded_at,
            nip=info.nip, name=_text(name, "name"), birth_place=_text(birth_place, "birth_place"),
            birth_date=info.birth_date, sex=sx.value, employee_type=etype.value,
            position=_text(position, "position"), level=lvl, golongan=_golongan(golongan, lvl),
            agency=_text(agency, "agency", max_len=SHORT_MAX), unit=_text(unit, "unit"),
            supervisor_nip=_supervisor(supervisor_nip, info.nip),
            supervisor_name=_text(supervisor_name, "supervisor_name", required=False),
        )
        return officer

    def _for_change(self, ctx: Context, oid: UUID, expected_version: int | None) -> tuple[Officer, Context]:
        officer = self.get(oid)
        ctx = ctx.acting_as(access.can_maintain_profile(ctx.actor, agency=officer.agency, nip=officer.nip))
        if expected_version is not None and expected_version != officer.version:
            raise Conflict(
                msg("The profile is at version {version}, not {expected_version}: someone changed it since you read it. "
                    "Reload and try again.", version=officer.version, expected_version=expected_version)
            )
        officer.check_not_withdrawn()
        return officer, ctx

    def correct_profile(self, ctx: Context, oid: UUID, *, changes: dict[str, Any], reason: str,
                        corrects_version: int = 1, expected_version: int | None = None) -> Officer:
        officer, ctx = self._for_change(ctx, oid, expected_version)
        reason = long_text(reason, "reason")
        if not changes:
            raise Invalid("A correction must change at least one field.", field="changes")
        unknown = sorted(set(changes) - set(CORRECTABLE))
        if unknown:
            hint = " The NIP cannot be corrected: withdraw this registration and register the right NIP." if "nip" in unknown else ""
            raise Invalid(msg("Cannot correct {unknown}; correctable fields are {CORRECTABLE}.{hint}",
                              unknown=', '.join(unknown), CORRECTABLE=', '.join(CORRECTABLE), hint=hint), field="changes")
        if not 1 <= corrects_version <= officer.version:
            raise Invalid(msg("corrects_version {corrects_version} names no event of this profile (versions 1–{version}).",
                              corrects_version=corrects_version, version=officer.version), field="corrects_version")
        if ctx.role == access.OFFICER and set(changes) & {"employee_type", "level", "golongan", "unit", "supervisor_nip"}:
            raise access.Forbidden("Placement fields (employee type, level, golongan, unit, supervisor) are corrected by the HR unit.")
        merged = {k: getattr(officer, k) for k in CORRECTABLE} | changes
        etype = EmployeeType(_enum(EmployeeType, merged["employee_type"], "employee_type"))
        birth = merged["birth_date"]
        if isinstance(birth, str):
            try:
                birth = date.fromisoformat(birth)
            except ValueError:
                raise Invalid(msg("Birth date {birth!r} is not a date (YYYY-MM-DD).", birth=birth), field="birth_date") from None
        validate_nip(officer.nip, etype, sex=Sex(_enum(Sex, merged["sex"], "sex")), birth_date=birth, today=ctx.now.date())
        lvl = _enum(Level, merged["level"], "level")
        clean: dict[str, Any] = {}
        for k, v in changes.items():
            if k in ("name", "birth_place", "position", "unit"):
                v = _text(v, k)
            elif k == "supervisor_name":
                v = _text(v, k, required=False)
            elif k == "supervisor_nip":
                v = _supervisor(v, officer.nip)
            elif k == "birth_date":
                v = birth.isoformat()
            elif k == "level":
                v = lvl
            elif k == "employee_type":
                v = etype.value
            elif k == "sex":
                v = _enum(Sex, v, "sex")
            if v == getattr(officer, k) or (k == "birth_date" and v == officer.birth_date.isoformat()):
                raise Invalid(msg("{k} is already {v!r}; a correction must change it.", k=k, v=v), field=k)
            clean[k] = v
        if "golongan" in changes or "level" in changes:
            _golongan(merged["golongan"], lvl)
        officer.record(Officer.ProfileCorrected, ctx.provenance(on_behalf_of=officer.nip),
                       corrects_version=corrects_version, reason=reason, changes=clean)
        return officer

    def change_placement(self, ctx: Context, oid: UUID, *, position: str, level: str, golongan: str, unit: str,
                         supervisor_nip: str | None, supervisor_name: str | None, reason: str,
                         expected_version: int | None = None) -> Officer:
        """The HR unit records a new placement (promotion, transfer within the agency, new supervisor)."""
        officer, ctx = self._for_change(ctx, oid, expected_version)
        ctx = ctx.acting_as(access.require_role(ctx.actor, [access.HR], N_("record a new placement")))
        lvl = _enum(Level, level, "level")
        new = {
            "position": _text(position, "position"), "level": lvl, "golongan": _golongan(golongan, lvl),
            "unit": _text(unit, "unit"), "supervisor_nip": _supervisor(supervisor_nip, officer.nip),
            "supervisor_name": _text(supervisor_name, "supervisor_name", required=False),
        }
        if all(new[k] == getattr(officer, k) for k in PLACEMENT):
            raise Invalid("The new placement is the same as the current one; nothing to record.", field="position")
        officer.record(Officer.PlacementChanged, ctx.provenance(on_behalf_of=officer.nip),
                       reason=long_text(reason, "reason"), **new)
        return officer

    def withdraw_registration(self, ctx: Context, oid: UUID, *, reason: str, expected_version: int | None = None) -> Officer:
        officer, ctx = self._for_change(ctx, oid, expected_version)
        ctx = ctx.acting_as(access.require_role(ctx.actor, [access.HR], N_("withdraw a registration")))
        officer.record(Officer.RegistrationWithdrawn, ctx.provenance(on_behalf_of=officer.nip),
                       reason=long_text(reason, "reason"))
        return officer

    def record_history(self, ctx: Context, oid: UUID, kind: str, *, year: int, expected_version: int | None = None,
                       entry_id: UUID | None = None, **fields: Any) -> tuple[Officer, UUID]:
        """Record a history fact; ``entry_id`` names the entry (a bulk import derives it from the row, so the same
        row imported twice names the same entry), a new id otherwise."""
        officer, ctx = self._for_change(ctx, oid, expected_version)
        today = ctx.now.date()
        if entry_id is not None and entry_id in officer.histories:
            raise Conflict(msg("History entry {entry_id} is already recorded on NIP {nip}.", entry_id=entry_id, nip=officer.nip), field="entry_id")
        entry_id = entry_id or uuid4()
        meta = ctx.provenance(on_behalf_of=officer.nip)
        year = _year(year, today)
        values = self._history_values(kind, fields)
        event_class = {
            "position": Officer.PositionHistoryRecorded,
            "development": Officer.DevelopmentHistoryRecorded,
            "performance": Officer.PerformanceHistoryRecorded,
            "credit_points": Officer.CreditPointsRecorded,
        }[kind]
        officer.record(event_class, meta, entry_id=entry_id, year=year, **values)
        return officer, entry_id

    def _history_values(self, kind: str, fields: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
        spec: dict[str, tuple[str, ...]] = {
            "position": ("position", "level", "unit"),
            "development": ("competency", "form", "pathway", "jp", "provider"),
            "performance": ("predikat",),
            "credit_points": ("credit_points",),
        }
        if kind not in spec:
            raise Invalid(msg("History kind {kind!r} is not one of {HISTORY_KINDS}.", kind=kind, HISTORY_KINDS=', '.join(HISTORY_KINDS)), field="kind")
        unknown = sorted(set(fields) - set(spec[kind]))
        if unknown:
            raise Invalid(msg("A {kind} history entry has no field {unknown}; its fields are year, {spec_kind}.",
                              kind=kind, unknown=', '.join(unknown), spec_kind=', '.join(spec[kind])), field=unknown[0])
        out: dict[str, Any] = {}
        for name in spec[kind]:
            if partial and name not in fields:
                continue
            v = fields.get(name)
            if name in ("position", "form"):
                v = _text(v, name)
            elif name in ("unit", "provider"):
                v = _text(v, name, required=False)
            elif name == "level":
                v = None if v is None else _enum(Level, v, "level")
            elif name == "competency":
                v = competency(v).code if v is not None else _text(v, name)
            elif name == "pathway":
                v = None if v is None else _enum(Pathway, v, "pathway")
            elif name == "jp":
                if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= 1000):
                    raise Invalid(msg("JP {v!r} must be a whole number from 1 to 1000.", v=v), field="jp")
            elif name == "predikat":
                v = _enum(Predikat, v, "predikat")
            elif name == "credit_points":
                try:
                    v = Decimal(str(v))
                except Exception:
                    raise Invalid(msg("Credit points {v!r} must be a number.", v=v), field="credit_points") from None
                if not v.is_finite() or v < 0 or v > 1000 or int(v.as_tuple().exponent) < -3:
                    raise Invalid(msg("Credit points {v} must be from 0 to 1000 with at most 3 decimals.", v=v), field="credit_points")
            out[name] = v
        return out

    def correct_history(self, ctx: Context, oid: UUID, entry_id: UUID, *, changes: dict[str, Any], reason: str,
                        expected_version: int | None = None) -> Officer:
        officer, ctx = self._for_change(ctx, oid, expected_version)
        entry = officer.check_history_entry(entry_id)
        reason = long_text(reason, "reason")
        changes = dict(changes)
        clean: dict[str, Any] = {}
        if "year" in changes:
            clean["year"] = _year(changes.pop("year"), ctx.now.date())
        if not changes and not clean:
            raise Invalid("A correction must change at least one field.", field="changes")
        values = self._history_values(entry.kind, changes, partial=True)
        for k, v in values.items():
            clean[k] = str(v) if isinstance(v, Decimal) else v
        corrects = entry.corrected_by_version or entry.recorded_version
        officer.record(Officer.HistoryEntryCorrected, ctx.provenance(on_behalf_of=officer.nip),
                       entry_id=entry_id, corrects_version=corrects, reason=reason, changes=clean)
        return officer

    def retract_history(self, ctx: Context, oid: UUID, entry_id: UUID, *, reason: str,
                        expected_version: int | None = None) -> Officer:
        officer, ctx = self._for_change(ctx, oid, expected_version)
        officer.check_history_entry(entry_id)
        officer.record(Officer.HistoryEntryRetracted, ctx.provenance(on_behalf_of=officer.nip),
                       entry_id=entry_id, reason=long_text(reason, "reason"))
        return officer
