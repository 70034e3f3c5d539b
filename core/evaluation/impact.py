"""Impact evaluation (BAB V.C), Formulir 5.5, per officer and developed competency (one per activity).

Three steps, each its own events, and nothing the officer wrote is ever overwritten (V.C.4–5):
the officer's *self assessment* (columns 5–11: competency, activity, work behaviours applying it — may
be none —, obstacles, contribution to the agency's activities/IKU, the activity/IKU targeted,
evidence: uploaded files by content hash, credit points, or a description); the direct supervisor's
*separate* assessment, which may add or remove items; the supervisor–officer *dialogue*, which
confirms, adds or removes items and adds notes; then both sign (columns 12–13). The form can therefore
be read as the officer wrote it, as the supervisor assessed it, and as agreed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from core.access import OFFICER
from core.catalogue import competency as catalogue_competency
from core.cycle import as_self_or_supervisor, check_version, long_text, text
from core.errors import Conflict, Invalid, NotFound
from core.evaluation.common import as_self, as_supervisor, completed, load_activity, officer_of, plan_links, plan_row
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import msg
from core.inputs import LINE_MAX, LONG_MAX, REASON_MAX


def impact_id(activity_id: UUID, officer_id: UUID) -> UUID:
    return derived_id("evaluation-impact", activity_id, officer_id)


EVIDENCE_KINDS = ("file", "credit_points", "description")


@dataclass(frozen=True)
class ImpactEvidence:
    """Column 11: a tangible file (by its SHA-256, uploaded to this form), credit points, or a description."""

    kind: str
    sha256: str | None = None
    credit_points: Decimal | None = None
    description: str | None = None


@dataclass(frozen=True)
class ImpactItem:
    """One work behaviour (column 7) with its contribution (9), the activity/IKU targeted (10) and evidence (11)."""

    item_id: str
    behaviour: str
    contribution: str | None
    target: str | None
    evidence: tuple[ImpactEvidence, ...]


@dataclass(frozen=True)
class Removal:
    item_id: str
    reason: str


class ImpactEvaluation(PengkomAggregate):
    TOPIC = "pengkom.evaluation.ImpactEvaluation"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.evaluation.ImpactEvaluationEvent"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.evaluation.ImpactOpened"
        activity_id: UUID
        officer_id: UUID
        agency: str
        year: int
        nip: str
        name: str
        supervisor_nip: str | None
        programme: str
        pathway: str
        competency: str | None
        activity_end: date

    class EvidenceAttached(Event):
        TOPIC = "pengkom.evaluation.ImpactEvidenceAttached"
        sha256: str
        content_type: str
        size: int
        filename: str | None

        def apply(self, a: ImpactEvaluation) -> None:
            a.files.add(self.sha256)

    class SelfAssessed(Event):
        """The officer's self assessment (V.C.5.b.1); a later one before the supervisor's assessment supersedes it."""

        TOPIC = "pengkom.evaluation.ImpactSelfAssessed"
        revision: int
        competency: str
        activity: str
        obstacles: str
        items: tuple[ImpactItem, ...]

        def apply(self, a: ImpactEvaluation) -> None:
            a.self_revision = self.revision
            a.items = {i.item_id: "officer" for i in self.items}
            a.contributing = {i.item_id: bool(i.contribution) for i in self.items}

    class SupervisorAssessed(Event):
        """The supervisor's separate identification (V.C.5.b.2): items added or removed, and a note."""

        TOPIC = "pengkom.evaluation.ImpactSupervisorAssessed"
        note: str
        added: tuple[ImpactItem, ...]
        removed: tuple[Removal, ...]

        def apply(self, a: ImpactEvaluation) -> None:
            a.supervisor_assessed = True
            for r in self.removed:
                a.items.pop(r.item_id, None)
                a.contributing.pop(r.item_id, None)
            for i in self.added:
                a.items[i.item_id] = "supervisor"
                a.contributing[i.item_id] = bool(i.contribution)
            a.sequence += len(self.added)

    class DialogueItemConfirmed(Event):
        TOPIC = "pengkom.evaluation.ImpactDialogueItemConfirmed"
        item_id: str
        held_on: date

        def apply(self, a: ImpactEvaluation) -> None:
            a.dialogue = True

    class DialogueItemAdded(Event):
        TOPIC = "pengkom.evaluation.ImpactDialogueItemAdded"
        item: ImpactItem
        held_on: date

        def apply(self, a: ImpactEvaluation) -> None:
            a.dialogue = True
            a.items[self.item.item_id] = "dialogue"
            a.contributing[self.item.item_id] = bool(self.item.contribution)
            a.sequence += 1

    class DialogueItemRemoved(Event):
        TOPIC = "pengkom.evaluation.ImpactDialogueItemRemoved"
        item_id: str
        reason: str
        held_on: date

        def apply(self, a: ImpactEvaluation) -> None:
            a.dialogue = True
            a.items.pop(self.item_id, None)
            a.contributing.pop(self.item_id, None)

    class DialogueNoteAdded(Event):
        """V.C.5.b.3.b: the supervisor's note on the quality and quantity of the contribution, feedback, motivation."""

        TOPIC = "pengkom.evaluation.ImpactDialogueNoteAdded"
        note: str
        held_on: date

        def apply(self, a: ImpactEvaluation) -> None:
            a.dialogue = True

    class Signed(Event):
        """Columns 12–13: the officer or the supervisor agrees to the whole impact evaluation."""

        TOPIC = "pengkom.evaluation.ImpactSigned"
        party: str  # "officer" or "supervisor"
        name: str
        nip: str | None

        def apply(self, a: ImpactEvaluation) -> None:
            a.signed_by.add(self.party)

    class SignaturesVoided(Event):
        TOPIC = "pengkom.evaluation.ImpactSignaturesVoided"
        reason: str

        def apply(self, a: ImpactEvaluation) -> None:
            a.signed_by.clear()

    def __init__(self, activity_id: UUID, officer_id: UUID, agency: str, nip: str, name: str, competency: str | None) -> None:
        self.activity_id = activity_id
        self.officer_id = officer_id
        self.agency = agency
        self.nip = nip
        self.name = name
        self.competency = competency
        self.files: set[str] = set()
        self.self_revision = 0
        self.items: dict[str, str] = {}  # current item id -> origin
        self.contributing: dict[str, bool] = {}  # current item id -> has a contribution to the agency (column 9)
        self.sequence = 0  # items added by the supervisor and in the dialogue, for their ids
        self.supervisor_assessed = False
        self.dialogue = False
        self.signed_by: set[str] = set()

    @property
    def agreed(self) -> bool:
        return {"officer", "supervisor"} <= self.signed_by

    def check_open(self) -> None:
        if {"officer", "supervisor"} <= self.signed_by:
            raise Conflict(msg("Formulir 5.5 of {name} ({nip}) is signed by both; it is closed.", name=self.name, nip=self.nip))


def _evidence(value: Any, files: set[str], where: str) -> ImpactEvidence:
    if not isinstance(value, dict) or value.get("kind") not in EVIDENCE_KINDS:
        raise Invalid(msg("{where}: evidence is {{kind: file, sha256}}, {{kind: credit_points, credit_points}} or {{kind: "
                          "description, description}}.", where=where), field=where)
    kind = value["kind"]
    if kind == "file":
        sha = value.get("sha256")
        if sha not in files:
            raise Invalid(msg("{where}: file {sha!r} was not uploaded to this Formulir 5.5; upload it first (…/evidence).",
                              where=where, sha=sha), field=where)
        return ImpactEvidence("file", sha256=sha)
    if kind == "credit_points":
        try:
            cp = Decimal(str(value.get("credit_points")))
        except (InvalidOperation, ValueError):
            cp = Decimal(-1)
        if not cp.is_finite() or cp <= 0 or cp > 1000 or cp.as_tuple().exponent < -3:  # type: ignore[operator]
            raise Invalid(msg("{where}: credit points (angka kredit) must be a number above 0 and at most 1000, with at most 3 "
                              "decimals, not {value_get_credit_points!r}.", where=where, value_get_credit_points=value.get('credit_points')), field=where)
        return ImpactEvidence("credit_points", credit_points=cp)
    return ImpactEvidence("description", description=long_text(value.get("description"), where, max_len=REASON_MAX))


def _items(values: Any, files: set[str], ids: Sequence[str], field: str) -> tuple[ImpactItem, ...]:
    if not isinstance(values, (list, tuple)) or len(values) > 30:
        raise Invalid(msg("{field}: give at most 30 work behaviours.", field=field), field=field)
    out = []
    for n, (v, iid) in enumerate(zip(values, ids, strict=False)):
        where = f"{field}[{n}]"
        if not isinstance(v, dict):
            raise Invalid(msg("{where}: an item is {{behaviour, contribution, target, evidence}}.", where=where), field=where)
        unknown = set(v) - {"behaviour", "contribution", "target", "evidence"}
        if unknown:
            raise Invalid(msg("{where}: unknown field(s) {sorted_unknown}.", where=where, sorted_unknown=', '.join(sorted(unknown))), field=where)
        contribution = long_text(v.get("contribution"), f"{where}.contribution", max_len=REASON_MAX, required=False)
        target = text(v.get("target"), f"{where}.target", max_len=LINE_MAX, required=False)
        if contribution and not target:
            raise Invalid(msg("{where}: a contribution names the agency activity or IKU it contributes to (column 10, target).", where=where),
                          field=f"{where}.target")
        evidence = v.get("evidence") or []
        if not isinstance(evidence, list) or len(evidence) > 10:
            raise Invalid(msg("{where}.evidence: give at most 10 pieces of evidence.", where=where), field=f"{where}.evidence")
        out.append(ImpactItem(iid, long_text(v.get("behaviour"), f"{where}.behaviour", max_len=REASON_MAX) or "", contribution, target,
                              tuple(_evidence(e, files, f"{where}.evidence[{k}]") for k, e in enumerate(evidence))))
    return tuple(out)


def _removals(values: Any, current: dict[str, str], field: str) -> tuple[Removal, ...]:
    if not isinstance(values, (list, tuple)):
        raise Invalid(msg("{field}: a list of {{item_id, reason}}.", field=field), field=field)
    out = []
    for n, v in enumerate(values):
        iid = v.get("item_id") if isinstance(v, dict) else None
        if iid not in current:
            raise Invalid(msg("{field}[{n}]: item {iid!r} is not on the form; its items are {join_current_or_none}.",
                              field=field, n=n, iid=iid, join_current_or_none=', '.join(current) or 'none'),
                          field=f"{field}[{n}]")
        out.append(Removal(iid, long_text(v.get("reason"), f"{field}[{n}].reason", max_len=REASON_MAX) or ""))
    if len({r.item_id for r in out}) != len(out):
        raise Invalid(msg("{field}: an item is listed twice.", field=field), field=field)
    return tuple(out)


@dataclass(frozen=True)
class ImpactCommands:
    app: Any

    def find(self, activity_id: UUID, officer_id: UUID) -> ImpactEvaluation | None:
        agg = self.app.get(impact_id(activity_id, officer_id))
        return agg if isinstance(agg, ImpactEvaluation) else None

    def get(self, activity_id: UUID, officer_id: UUID) -> ImpactEvaluation:
        agg = self.find(activity_id, officer_id)
        if agg is None:
            raise NotFound(msg("Officer {officer_id} has not started Formulir 5.5 for activity {activity_id} yet.",
                               officer_id=officer_id, activity_id=activity_id))
        return agg

    def _open(self, ctx: Context, activity_id: UUID, officer_id: UUID, expected_version: int | None) -> ImpactEvaluation:
        agg = self.find(activity_id, officer_id)
        if agg is not None:
            check_version("impact evaluation", agg.version, expected_version)
            agg.check_open()
            return agg
        if expected_version not in (None, 0):
            check_version("impact evaluation", 0, expected_version)
        activity = load_activity(self.app, activity_id)
        officer = officer_of(self.app, officer_id, activity.agency)
        p = completed(activity, officer_id, "an impact evaluation (Formulir 5.5)")
        row = plan_row(self.app, *plan_links(self.app, activity_id).get(officer_id, (None, None)))
        meta = ctx.provenance(on_behalf_of=p.nip)
        return ImpactEvaluation._create(
            ImpactEvaluation.Opened, id=impact_id(activity_id, officer_id), meta=meta, timestamp=meta.recorded_at,
            activity_id=activity_id, officer_id=officer_id, agency=activity.agency, year=activity.year, nip=officer.nip,
            name=officer.name, supervisor_nip=officer.supervisor_nip, programme=activity.title, pathway=activity.pathway,
            competency=activity.competency or (row.competency if row else None), activity_end=activity.end)

    def _guard(self, ctx: Context, activity_id: UUID, officer_id: UUID, who: str, action: str) -> Context:
        activity = load_activity(self.app, activity_id)
        officer = officer_of(self.app, officer_id, activity.agency)
        if who == "self":
            return ctx.acting_as(as_self(ctx.actor, officer, action))
        if who == "supervisor":
            return ctx.acting_as(as_supervisor(ctx.actor, officer, action))
        return ctx.acting_as(as_self_or_supervisor(ctx.actor, officer, action))

    def attach_evidence(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, sha256: str, content_type: str, size: int,
                        filename: str | None = None, expected_version: int | None = None) -> ImpactEvaluation:
        ctx = self._guard(ctx, activity_id, officer_id, "either", "attach evidence to Formulir 5.5")
        agg = self._open(ctx, activity_id, officer_id, expected_version)
        if sha256 in agg.files:
            raise Conflict("This file is already attached to the form.", field="file")
        agg.record(ImpactEvaluation.EvidenceAttached, ctx.provenance(on_behalf_of=agg.nip), sha256=sha256,
                   content_type=content_type, size=size, filename=text(filename, "filename", required=False))
        return agg

    def self_assess(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, obstacles: str, items: Any,
                    competency: str | None = None, expected_version: int | None = None) -> ImpactEvaluation:
        ctx = self._guard(ctx, activity_id, officer_id, "self", "fill the self assessment of Formulir 5.5")
        agg = self._open(ctx, activity_id, officer_id, expected_version)
        if agg.supervisor_assessed:
            raise Conflict("The supervisor has assessed the form; what the officer wrote stands, and changes are made in the "
                           "supervisor–officer dialogue.")
        code = competency or agg.competency
        if code is None:
            raise Invalid("The activity names no competency; write the competency developed (column 5).", field="competency")
        code = catalogue_competency(code).code
        if agg.competency is not None and code != agg.competency:
            raise Invalid(msg("The activity developed {competency}, not {code} (column 5).", competency=agg.competency, code=code), field="competency")
        activity = load_activity(self.app, activity_id)
        revision = agg.self_revision + 1
        values = _items(items, agg.files, [f"S{revision}.{n}" for n in range(1, 31)], "items")
        agg.record(ImpactEvaluation.SelfAssessed, ctx.provenance(on_behalf_of=agg.nip), revision=revision, competency=code,
                   activity=f"{activity.title} ({activity.pathway})", obstacles=long_text(obstacles, "obstacles", max_len=LONG_MAX) or "",
                   items=values)
        return agg

    def supervisor_assess(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, note: str, add: Any = (),
                          remove: Any = (), expected_version: int | None = None) -> ImpactEvaluation:
        ctx = self._guard(ctx, activity_id, officer_id, "supervisor", "assess Formulir 5.5 as the supervisor")
        agg = self.get(activity_id, officer_id)
        check_version("impact evaluation", agg.version, expected_version)
        agg.check_open()
        if agg.self_revision == 0:
            raise Conflict(msg("{name} has not written the self assessment yet; the supervisor assesses it afterwards.", name=agg.name))
        if agg.supervisor_assessed:
            raise Conflict("The supervisor's assessment is recorded; further changes are made in the dialogue.")
        removed = _removals(list(remove), agg.items, "remove")
        added = _items(list(add), agg.files, [f"A{agg.sequence + n}" for n in range(1, 31)], "add")
        agg.record(ImpactEvaluation.SupervisorAssessed, ctx.provenance(on_behalf_of=agg.nip),
                   note=long_text(note, "note", max_len=LONG_MAX) or "", added=added, removed=removed)
        return agg

    def dialogue(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, held_on: date, confirm: Any = (), add: Any = (),
                 remove: Any = (), notes: Any = (), expected_version: int | None = None) -> ImpactEvaluation:
        """The supervisor–officer dialogue (V.C.5.b.3): each confirmation, addition, removal and note is its own event."""
        ctx = self._guard(ctx, activity_id, officer_id, "supervisor", "record the supervisor–officer dialogue")
        agg = self.get(activity_id, officer_id)
        check_version("impact evaluation", agg.version, expected_version)
        agg.check_open()
        if not agg.supervisor_assessed:
            raise Conflict("The dialogue discusses the self assessment and the supervisor's assessment; record the supervisor's "
                           "assessment first.")
        if not isinstance(held_on, date) or held_on > ctx.now.date():
            raise Invalid(msg("The dialogue date {held_on} must be a date that has passed.", held_on=held_on), field="held_on")
        confirm, notes = list(confirm), list(notes)
        unknown = [i for i in confirm if i not in agg.items]
        if unknown or len(set(confirm)) != len(confirm):
            raise Invalid(msg("confirm: {join_map_str_unknown_or} — the form's items are {join_agg_items_or_none}.",
                              join_map_str_unknown_or=', '.join(map(str, unknown)) or 'an item listed twice',
                              join_agg_items_or_none=', '.join(agg.items) or 'none'), field="confirm")
        removed = _removals(list(remove), agg.items, "remove")
        if {r.item_id for r in removed} & set(confirm):
            raise Invalid("An item cannot be confirmed and removed at once.", field="remove")
        added = _items(list(add), agg.files, [f"D{agg.sequence + n}" for n in range(1, 31)], "add")
        cleaned = [long_text(n, "notes", max_len=LONG_MAX) or "" for n in notes]
        if not (confirm or added or removed or cleaned):
            raise Invalid("The dialogue confirms, adds or removes items or adds a note; this one does nothing.", field="confirm")
        meta = ctx.provenance(on_behalf_of=agg.nip, effective_date=held_on)
        if agg.signed_by:
            agg.record(ImpactEvaluation.SignaturesVoided, meta,
                       reason=f"The dialogue changed the form after it was signed by {', '.join(sorted(agg.signed_by))}; both sign again.")
        for iid in confirm:
            agg.record(ImpactEvaluation.DialogueItemConfirmed, meta, item_id=iid, held_on=held_on)
        for r in removed:
            agg.record(ImpactEvaluation.DialogueItemRemoved, meta, item_id=r.item_id, reason=r.reason, held_on=held_on)
        for item in added:
            agg.record(ImpactEvaluation.DialogueItemAdded, meta, item=item, held_on=held_on)
        for note in cleaned:
            agg.record(ImpactEvaluation.DialogueNoteAdded, meta, note=note, held_on=held_on)
        return agg

    def sign(self, ctx: Context, activity_id: UUID, officer_id: UUID, *, name: str,
             expected_version: int | None = None) -> ImpactEvaluation:
        """Columns 12–13: the officer and the direct supervisor each sign once, after the dialogue."""
        ctx = self._guard(ctx, activity_id, officer_id, "either", "sign Formulir 5.5")
        party = "officer" if ctx.role == OFFICER else "supervisor"
        agg = self.get(activity_id, officer_id)
        check_version("impact evaluation", agg.version, expected_version)
        agg.check_open()
        if not agg.dialogue:
            raise Conflict("Formulir 5.5 is signed at the end of the supervisor–officer dialogue; no dialogue is recorded yet.")
        if party in agg.signed_by:
            raise Conflict(msg("The {party} has already signed Formulir 5.5 of {name}.", party=party, name=agg.name))
        agg.record(ImpactEvaluation.Signed, ctx.provenance(on_behalf_of=agg.nip), party=party, name=text(name, "name") or "",
                   nip=ctx.actor.nip)
        return agg


__all__ = ["EVIDENCE_KINDS", "ImpactCommands", "ImpactEvaluation", "ImpactEvidence", "ImpactItem", "Removal", "impact_id"]
