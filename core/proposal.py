"""The inventory of development proposals of one officer for one plan year (BAB II.A; Formulir 2.1).

Items come from competency gaps (competency and behaviour indicator, items 8–13) or from unmet
performance standards (items 14–18), each with form, pathway, target time and remark. The officer
and the direct supervisor sign (items 19–20), each signature an event; changing the items of a
signed proposal voids both signatures. The proposal is then considered up the hierarchy (who,
when, note) and forwarded to the PyB, after which it is closed: the PyB's verification works on
the plan rows recapped from it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.catalogue import Pathway, competency
from core.cycle import as_agency_role, as_direct_supervisor, as_officer_self, as_self_or_supervisor, is_direct_supervisor, load
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import SHORT_MAX, check_version, choice, long_text, text, year_in


def proposal_id(officer_id: UUID, plan_year: int) -> UUID:
    return derived_id("proposal", officer_id, plan_year)


class ItemSource(StrEnum):
    COMPETENCY = "competency"  # Hasil Identifikasi Kesenjangan Kompetensi (items 8–13)
    PERFORMANCE = "performance"  # Hasil Identifikasi Kesenjangan Kinerja (items 14–18)


class DevelopmentProposal(PengkomAggregate):
    TOPIC = "pengkom.proposal.DevelopmentProposal"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.proposal.Event"

    class Opened(Event, PengkomAggregate.Created):
        """Formulir 2.1 identities (items 1–7) as they stood when the inventory began."""

        TOPIC = "pengkom.proposal.Opened"
        officer_id: UUID
        nip: str
        officer_name: str
        agency: str
        unit: str
        level: str
        employee_type: str
        plan_year: int
        supervisor_nip: str | None
        supervisor_name: str | None

    class ItemAdded(Event):
        TOPIC = "pengkom.proposal.ItemAdded"
        item_id: UUID
        source: str
        competency: str | None
        behaviour_indicator: str | None
        performance_standard: str | None
        form: str
        pathway: str
        target_time: str
        remark: str | None

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.items[self.item_id] = _item(self)

    class ItemChanged(Event):
        """An item's new content, complete."""

        TOPIC = "pengkom.proposal.ItemChanged"
        item_id: UUID
        source: str
        competency: str | None
        behaviour_indicator: str | None
        performance_standard: str | None
        form: str
        pathway: str
        target_time: str
        remark: str | None

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.items[self.item_id] = _item(self)

    class ItemRemoved(Event):
        TOPIC = "pengkom.proposal.ItemRemoved"
        item_id: UUID
        reason: str

        def apply(self, aggregate: DevelopmentProposal) -> None:
            del aggregate.items[self.item_id]

    class SignaturesVoided(Event):
        """The items changed after signing: both must sign the new content."""

        TOPIC = "pengkom.proposal.SignaturesVoided"
        reason: str

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.officer_signed = aggregate.supervisor_signed = False

    class SignedByOfficer(Event):
        TOPIC = "pengkom.proposal.SignedByOfficer"
        nip: str

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.officer_signed = True

    class SignedBySupervisor(Event):
        TOPIC = "pengkom.proposal.SignedBySupervisor"
        nip: str

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.supervisor_signed = True

    class Considered(Event):
        """A consideration up the hierarchy of the work unit: who (provenance), position, note."""

        TOPIC = "pengkom.proposal.Considered"
        position: str
        note: str | None

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.considerations += 1

    class Forwarded(Event):
        """Handed on to the PyB (through the HR unit's recap); the proposal is closed."""

        TOPIC = "pengkom.proposal.Forwarded"
        to: str

        def apply(self, aggregate: DevelopmentProposal) -> None:
            aggregate.forwarded = True

    def __init__(self, officer_id: UUID, nip: str, officer_name: str, agency: str, unit: str, level: str,
                 employee_type: str, plan_year: int, supervisor_nip: str | None, supervisor_name: str | None) -> None:
        self.officer_id = officer_id
        self.nip = nip
        self.officer_name = officer_name
        self.agency = agency
        self.unit = unit
        self.level = level
        self.employee_type = employee_type
        self.plan_year = plan_year
        self.supervisor_nip = supervisor_nip
        self.supervisor_name = supervisor_name
        self.items: dict[UUID, ProposalItem] = {}
        self.officer_signed = False
        self.supervisor_signed = False
        self.considerations = 0
        self.forwarded = False

    def check_not_forwarded(self) -> None:
        if self.forwarded:
            raise Conflict(msg("The {plan_year} proposal of officer {nip} was forwarded to the PyB; it is closed. Changes are made "
                               "on the plan rows during verification.", plan_year=self.plan_year, nip=self.nip))

    def check_item(self, item_id: UUID) -> ProposalItem:
        if item_id not in self.items:
            raise NotFound(msg("The {plan_year} proposal of officer {nip} has no item {item_id}.",
                               plan_year=self.plan_year, nip=self.nip, item_id=item_id), field="item_id")
        return self.items[item_id]


@dataclass(frozen=True, slots=True)
class ProposalItem:
    """One item of Formulir 2.1 as the proposal holds it: a competency gap (items 8–13) or a performance gap (14–18)."""

    item_id: UUID
    source: str
    competency: str | None
    behaviour_indicator: str | None
    performance_standard: str | None
    form: str
    pathway: str
    target_time: str
    remark: str | None

    def content(self) -> dict[str, Any]:
        """The item's fields as an item event carries them (without the id)."""
        return {k: getattr(self, k) for k in _ITEM_FIELDS}


_ITEM_FIELDS = tuple(f.name for f in fields(ProposalItem) if f.name != "item_id")


def _item(e: Any) -> ProposalItem:
    return ProposalItem(item_id=e.item_id, **{k: getattr(e, k) for k in _ITEM_FIELDS})


def check_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Formulir 2.1: a competency item names competency and behaviour indicator (items 8–9); a
    performance item names the unmet performance standard (item 14); both give form, pathway and
    target time (items 10–12 / 15–17) and may carry a remark (13 / 18)."""
    source = choice(ItemSource, raw.get("source"), "source")
    comp = raw.get("competency")
    out: dict[str, Any] = {"source": source}
    if source == ItemSource.COMPETENCY:
        if comp is None:
            raise Invalid("A competency-gap item names the competency (Formulir 2.1 item 8).", field="competency")
        out["competency"] = competency(comp).code
        out["behaviour_indicator"] = long_text(raw.get("behaviour_indicator"), "behaviour_indicator")
        out["performance_standard"] = None
    else:
        out["competency"] = None if comp is None else competency(comp).code
        out["behaviour_indicator"] = None
        out["performance_standard"] = long_text(raw.get("performance_standard"), "performance_standard")
    out["form"] = text(raw.get("form"), "form")
    out["pathway"] = choice(Pathway, raw.get("pathway"), "pathway")
    out["target_time"] = text(raw.get("target_time"), "target_time", max_len=SHORT_MAX)
    out["remark"] = long_text(raw.get("remark"), "remark", required=False)
    return out


@dataclass(frozen=True)
class ProposalCommands:
    app: Any

    def get(self, officer_id: UUID, plan_year: int) -> DevelopmentProposal:
        return load(self.app, proposal_id(officer_id, plan_year), DevelopmentProposal,
                    msg("No {plan_year} proposal (Formulir 2.1) of officer {officer_id} has been started.", plan_year=plan_year, officer_id=officer_id))

    def _changeable(self, ctx: Context, officer_id: UUID, plan_year: int, expected_version: int | None,
                    action: str) -> tuple[DevelopmentProposal, Context]:
        prop = self.get(officer_id, plan_year)
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_self_or_supervisor(ctx.actor, officer, action))
        check_version("proposal", prop.version, expected_version)
        prop.check_not_forwarded()
        return prop, ctx

    def _void_if_signed(self, prop: DevelopmentProposal, ctx: Context, what: str) -> None:
        if prop.officer_signed or prop.supervisor_signed:
            prop.record(DevelopmentProposal.SignaturesVoided, ctx.provenance(on_behalf_of=prop.nip),
                        reason=f"{what} after signing; the officer and the supervisor sign the new content.")

    def add_item(self, ctx: Context, officer_id: UUID, plan_year: int, *, item: Mapping[str, Any],
                 expected_version: int | None = None) -> tuple[DevelopmentProposal, UUID]:
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_self_or_supervisor(ctx.actor, officer, N_("propose development (Formulir 2.1)")))
        plan_year = year_in(plan_year, "plan_year")
        this_year = ctx.now.year
        if not this_year <= plan_year <= this_year + 2:
            raise Invalid(msg("A proposal is for a coming plan year ({this_year}–{this_year_2}), not {plan_year}.",
                              this_year=this_year, this_year_2=this_year + 2, plan_year=plan_year), field="plan_year")
        officer.check_not_withdrawn()
        clean = check_item(item)
        meta = ctx.provenance(on_behalf_of=officer.nip)
        prop = self.app.get(proposal_id(officer.id, plan_year))
        if prop is None:
            prop = DevelopmentProposal._create(
                DevelopmentProposal.Opened, id=proposal_id(officer.id, plan_year), meta=meta, timestamp=meta.recorded_at,
                officer_id=officer.id, nip=officer.nip, officer_name=officer.name, agency=officer.agency, unit=officer.unit,
                level=officer.level, employee_type=officer.employee_type, plan_year=plan_year,
                supervisor_nip=officer.supervisor_nip, supervisor_name=officer.supervisor_name)
        else:
            check_version("proposal", prop.version, expected_version)
            prop.check_not_forwarded()
        item_id = uuid4()
        prop.record(DevelopmentProposal.ItemAdded, meta, item_id=item_id, **clean)
        self._void_if_signed(prop, ctx, "An item was added")
        return prop, item_id

    def change_item(self, ctx: Context, officer_id: UUID, plan_year: int, item_id: UUID, *, item: Mapping[str, Any],
                    expected_version: int | None = None) -> DevelopmentProposal:
        prop, ctx = self._changeable(ctx, officer_id, plan_year, expected_version, "change a proposal item")
        old = prop.check_item(item_id)
        clean = check_item(item)
        if old.content() == clean:
            raise Invalid("The item already reads exactly so; nothing to change.", field="item")
        prop.record(DevelopmentProposal.ItemChanged, ctx.provenance(on_behalf_of=prop.nip), item_id=item_id, **clean)
        self._void_if_signed(prop, ctx, "An item was changed")
        return prop

    def remove_item(self, ctx: Context, officer_id: UUID, plan_year: int, item_id: UUID, *, reason: str,
                    expected_version: int | None = None) -> DevelopmentProposal:
        prop, ctx = self._changeable(ctx, officer_id, plan_year, expected_version, "remove a proposal item")
        prop.check_item(item_id)
        prop.record(DevelopmentProposal.ItemRemoved, ctx.provenance(on_behalf_of=prop.nip), item_id=item_id,
                    reason=long_text(reason, "reason"))
        self._void_if_signed(prop, ctx, "An item was removed")
        return prop

    def sign(self, ctx: Context, officer_id: UUID, plan_year: int, *, expected_version: int | None = None) -> DevelopmentProposal:
        """Formulir 2.1 items 19–20: the officer signs as themself, the direct supervisor as supervisor."""
        prop = self.get(officer_id, plan_year)
        officer = self.app.officers.get(officer_id)
        check_version("proposal", prop.version, expected_version)
        event: type[DevelopmentProposal.Event]
        if is_direct_supervisor(ctx.actor, officer):
            ctx = ctx.acting_as(as_direct_supervisor(ctx.actor, officer, N_("sign Formulir 2.1 as supervisor")))
            signed, event, who = prop.supervisor_signed, DevelopmentProposal.SignedBySupervisor, "the supervisor"
        else:
            ctx = ctx.acting_as(as_officer_self(ctx.actor, officer, N_("sign their own Formulir 2.1")))
            signed, event, who = prop.officer_signed, DevelopmentProposal.SignedByOfficer, "the officer"
        prop.check_not_forwarded()
        if signed:
            raise Conflict(msg("The {plan_year} proposal of officer {nip} is already signed by {who}; a signature is given once.",
                               plan_year=plan_year, nip=prop.nip, who=who))
        if not prop.items:
            raise Conflict("The proposal has no items; add at least one before signing.")
        prop.record(event, ctx.provenance(on_behalf_of=prop.nip), nip=ctx.actor.nip)
        return prop

    def consider(self, ctx: Context, officer_id: UUID, plan_year: int, *, position: str, note: str | None = None,
                 expected_version: int | None = None) -> DevelopmentProposal:
        """Consideration up the hierarchy (BAB II.A: "secara berjenjang"): a supervisor or the head
        of the same agency, other than the officer, records their position and note."""
        prop = self.get(officer_id, plan_year)
        role = as_agency_role(ctx.actor, prop.agency, [access.SUPERVISOR, access.HEAD], N_("consider a proposal"))
        if ctx.actor.nip == prop.nip:
            raise Forbidden("An officer does not consider their own proposal.")
        ctx = ctx.acting_as(role)
        check_version("proposal", prop.version, expected_version)
        prop.check_not_forwarded()
        if not (prop.officer_signed and prop.supervisor_signed):
            raise Conflict("The proposal is considered up the hierarchy after the officer and the supervisor have signed it.")
        prop.record(DevelopmentProposal.Considered, ctx.provenance(on_behalf_of=prop.nip),
                    position=text(position, "position") or "", note=long_text(note, "note", required=False))
        return prop

    def forward(self, ctx: Context, officer_id: UUID, plan_year: int, *, expected_version: int | None = None) -> DevelopmentProposal:
        """Hand the signed proposal to the PyB (BAB II.B.5.a(1)): the direct supervisor or the HR unit."""
        prop = self.get(officer_id, plan_year)
        officer = self.app.officers.get(officer_id)
        if is_direct_supervisor(ctx.actor, officer):
            role = access.SUPERVISOR
        else:
            role = as_agency_role(ctx.actor, prop.agency, [access.HR], N_("forward a proposal to the PyB"))
        ctx = ctx.acting_as(role)
        check_version("proposal", prop.version, expected_version)
        if prop.forwarded:
            raise Conflict(msg("The {plan_year} proposal of officer {nip} was already forwarded to the PyB.", plan_year=plan_year, nip=prop.nip))
        if not (prop.officer_signed and prop.supervisor_signed):
            missing = [w for w, s in (("the officer", prop.officer_signed), ("the supervisor", prop.supervisor_signed)) if not s]
            raise Conflict(msg("The proposal is forwarded once both have signed; not yet signed by {missing}.", missing=' and '.join(missing)))
        prop.record(DevelopmentProposal.Forwarded, ctx.provenance(on_behalf_of=prop.nip), to="pyb")
        return prop
