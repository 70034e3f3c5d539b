"""Preparing an activity (BAB III, "Tahap Persiapan"): planning it from a validated plan row,
provider approval, proposal letter, schedule, participants and their assignment letters, the
coach/mentor and learning contracts, materials and topics."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from core import inputs, labels
from core.activities.aggregate import MAX_ACTIVITY_DAYS, Activity
from core.activities.base import ActivityCommandsBase
from core.activities.guards import (
    can_approve_provider,
    can_manage_activity,
    can_propose_contract,
    can_record_assignment,
    can_record_community,
    can_schedule,
    can_sign_contract,
)
from core.catalogue import FundingSource, Pathway
from core.catalogue import competency as catalogue_competency
from core.errors import Conflict, Forbidden, Invalid
from core.events import Context
from core.i18n import N_, joined, msg
from core.inputs import choice, long_text, money, nip_digits, not_future, text, texts, whole
from core.pathways import ACCREDITED_PROVIDER_KINDS, Method, PathwayRules, ProviderKind


class PreparationCommands(ActivityCommandsBase):
    """Preparation: plan the activity, approve the provider, letters, schedule, participants, coach, contracts."""

    def create(self, ctx: Context, rules: PathwayRules, *, agency: str, pathway: str | None, title: str, method: str,
               provider_kind: str, place: str, provider_name: str | None = None, start: date | None = None,
               end: date | None = None, planned_jp: int | None = None, accreditation_ref: str | None = None,
               variant: str | None = None, competency: str | None = None, international: bool = False,
               budget: Decimal | str | None = None, funding_source: str | None = None,
               plan_id: str | None = None, plan_row_id: str | None = None) -> Activity:
        """Plan the activity. From a validated plan row (Formulir 2.6) the pathway, competency, provider,
        dates, budget, funding source and planned JP default to the row's."""
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agency, "create an activity"))
        plan_revision = None
        year = None
        if isinstance(pathway, str) and (named := labels.resolve(Pathway, pathway)) is not None:
            pathway = str(named.value)  # a built-in pathway by its code in any case or its label ("Bimbingan Teknis")
        if plan_id is not None or plan_row_id is not None:
            row = self._plan_row(plan_id, plan_row_id, agency)
            plan_revision, year = row.revision, row.year
            plan_id, plan_row_id = str(row.plan_id), str(row.row_id)
            pathway = pathway or row.pathway
            if pathway != row.pathway:
                raise Invalid(msg("Plan row {plan_row_id} plans pathway {pathway}, not {pathway2}.",
                                  plan_row_id=plan_row_id, pathway=row.pathway, pathway2=pathway), field="pathway")
            competency = competency or row.competency
            provider_name = provider_name or row.provider
            start, end = start or row.start, end or row.end
            planned_jp = row.planned_jp if planned_jp is None else planned_jp
            if budget is None and funding_source is None:
                budget, funding_source = row.budget, row.funding_source
        missing = [n for n, v in (("pathway", pathway), ("provider_name", provider_name), ("start", start), ("end", end),
                                  ("planned_jp", planned_jp)) if v is None]
        if missing:
            raise Invalid(msg("An activity without a plan row needs {missing}.", missing=', '.join(missing)), field=missing[0])
        definition = rules.definition(pathway) if isinstance(pathway, str) else None
        if definition is None or not isinstance(pathway, str):
            known = ", ".join(getattr(rules, "codes", lambda: [])())
            raise Invalid(msg("No installed pathway plugin provides pathway {pathway!r}; installed pathways: {known_or_none}.",
                              pathway=pathway, known_or_none=known or 'none'),
                          field="pathway")
        plugin, plugin_version, ruleset_version = rules.provider_of(pathway)
        title = text(title, "title")
        method = choice(Method, method, "method", N_("Method"))
        if method not in definition.methods:
            raise Invalid(msg("{name_id} runs by {methods}, not {method} ({guideline_section}).",
                              name_id=definition.name_id, methods=', '.join(definition.methods), method=method,
                              guideline_section=definition.guideline_section), field="method")
        provider_kind = choice(ProviderKind, provider_kind, "provider_kind", N_("Provider kind"))
        if provider_kind not in definition.provider_kinds:
            raise Invalid(msg("{name_id} is delivered by {provider_kinds}, not {provider_kind} ({guideline_section}).",
                              name_id=definition.name_id, provider_kinds=', '.join(definition.provider_kinds), provider_kind=provider_kind,
                              guideline_section=definition.guideline_section), field="provider_kind")
        accreditation_ref = text(accreditation_ref, "accreditation_ref", required=False)
        if provider_kind in ACCREDITED_PROVIDER_KINDS and accreditation_ref is None:
            raise Invalid("The provider must be accredited (BAB III: \"terakreditasi\"); give its accreditation reference.",
                          field="accreditation_ref")
        if not isinstance(start, date) or not isinstance(end, date) or end < start:
            raise Invalid(msg("The activity ends ({end}) before it starts ({start}).", end=end, start=start), field="end")
        if (end - start).days + 1 > MAX_ACTIVITY_DAYS:
            raise Invalid(msg("An activity runs at most a year; {start} to {end} is {end_start_days_1} days.",
                              start=start, end=end, end_start_days_1=(end - start).days + 1), field="end")
        planned_jp = whole(planned_jp, "planned_jp", low=0, high=1000, what=N_("Planned JP"))
        if competency is not None:
            competency = catalogue_competency(competency).code
        if variant is not None or definition.variants:
            if variant not in definition.variants:
                raise Invalid(msg("{name_id} needs a variant, one of {variants}.", name_id=definition.name_id, variants=", ".join(definition.variants))
                              if definition.variants else msg("{name_id} has no variants.", name_id=definition.name_id), field="variant")
        budget_value = money(budget, "budget", required=False)
        if funding_source is not None:
            funding_source = inputs.funding_source(funding_source)
        if budget_value is not None and budget_value > 0 and funding_source is None:
            raise Invalid(msg("Every budget line names its funding source (BAB IV): {FundingSource}.",
                              FundingSource=', '.join(FundingSource)), field="funding_source")
        if not isinstance(international, bool):
            raise Invalid("international must be true or false.", field="international")
        meta = ctx.provenance()
        agg = Activity._create(
            Activity.Created, id=uuid4(), meta=meta, timestamp=meta.recorded_at,
            agency=agency, year=year or start.year, pathway=pathway, variant=variant, title=title, competency=competency,
            method=method, provider_kind=provider_kind, provider_name=text(provider_name, "provider_name"),
            accreditation_ref=accreditation_ref, place=text(place, "place"), start=start, end=end,
            international=international, planned_jp=planned_jp, budget=budget_value, funding_source=funding_source,
            plan_id=plan_id, plan_row_id=plan_row_id, plan_revision=plan_revision,
            monitoring_form=definition.monitoring_form, monitored_by=definition.monitored_by,
            scheduled_by=definition.scheduled_by, evidence_required=tuple(definition.evidence_required),
            requires_provider_approval=definition.requires_provider_approval, requires_coach=definition.requires_coach,
            plugin=plugin, plugin_version=plugin_version, ruleset_version=ruleset_version,
        )
        problems = rules.validate(agg.facts(), "create")
        if problems:
            raise Invalid(msg("{name_id}: {problems}", name_id=definition.name_id, problems=joined(problems)), field="pathway", plugin=plugin,
                          problems=problems)
        return agg

    def _plan_row(self, plan_id: str | None, row_id: str | None, agency: str) -> Any:
        """The validated Formulir 2.6 row an activity or participant implements (planning, issue 3)."""
        if not plan_id or not row_id:
            raise Invalid("A plan row is named by both plan_id and plan_row_id.", field="plan_row_id")
        try:
            from core.planning import validated_plan_row  # the planning area; imported lazily
        except ImportError:
            raise Invalid("Plans are not available in this installation; create the activity without a plan row.",
                          field="plan_id") from None
        try:
            pid, rid = UUID(str(plan_id)), UUID(str(row_id))
        except ValueError:
            raise Invalid("plan_id and plan_row_id are ids (UUIDs) of a plan and one of its rows.", field="plan_row_id") from None
        row = validated_plan_row(self.app, pid, rid)
        if row is None:
            raise Invalid(msg("Row {row_id} of plan {plan_id} is not part of a validated plan (Formulir 2.6 approved by the PPK).",
                              row_id=row_id, plan_id=plan_id),
                          field="plan_row_id")
        if row.agency != agency:
            raise Forbidden("That plan row belongs to another agency.")
        return row

    def approve_provider(self, ctx: Context, aid: UUID, *, approved_on: date, approver_name: str,
                         decision_ref: str | None = None, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_approve_provider(ctx.actor, agg.agency))
        if agg.provider_approved_on is not None:
            raise Conflict(msg("The provider of {title!r} was already approved on {provider_approved_on}.",
                               title=agg.title, provider_approved_on=agg.provider_approved_on))
        not_future(approved_on, ctx.now.date(), "The approval date", "approved_on")
        agg.record(Activity.ProviderApproved, ctx.provenance(effective_date=approved_on), approved_on=approved_on,
                   approver_name=text(approver_name, "approver_name"),
                   decision_ref=text(decision_ref, "decision_ref", required=False))
        return agg

    def send_proposal_letter(self, ctx: Context, aid: UUID, *, number: str, letter_date: date, addressed_to: str | None = None,
                             expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "send the proposal letter"))
        if agg.proposal_letter is not None:
            raise Conflict(msg("The proposal letter {number} was already recorded.", number=agg.proposal_letter.number))
        not_future(letter_date, ctx.now.date(), "The letter date", "letter_date")
        agg.record(Activity.ProposalLetterSent, ctx.provenance(effective_date=letter_date), number=text(number, "number"),
                   letter_date=letter_date, addressed_to=text(addressed_to or agg.provider_name, "addressed_to"))
        return agg

    def schedule(self, ctx: Context, aid: UUID, *, dates: list[date], minutes: int | None = None,
                 agreed_with_provider: bool = False, note: str | None = None, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_schedule(ctx.actor, agg))
        if not dates or len(dates) > MAX_ACTIVITY_DAYS:
            raise Invalid("Give the session dates (one per day).", field="dates")
        if len(set(dates)) != len(dates):
            raise Invalid("A date is listed twice; sessions are one per day.", field="dates")
        for d in dates:
            agg.check_within_dates(d, "Session date", "dates")
            if d in agg.sessions:
                raise Conflict(msg("A session on {d} is already scheduled.", d=d), field="dates")
        if minutes is not None:
            minutes = whole(minutes, "minutes", low=15, high=24 * 60, what=N_("Session length in minutes"))
        agg.record(Activity.SessionsScheduled, ctx.provenance(), dates=tuple(sorted(dates)), minutes=minutes,
                   agreed_with_provider=bool(agreed_with_provider), note=long_text(note, "note", required=False))
        return agg

    def select_participant(self, ctx: Context, aid: UUID, *, officer_id: UUID, urgency_rank: int, reason: str | None = None,
                           plan_id: str | None = None, plan_row_id: str | None = None,
                           expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "select participants"))
        officer = self.app.officers.get(officer_id)
        if officer.agency != agg.agency:
            raise Invalid(msg("{name} ({nip}) is an officer of another agency.", name=officer.name, nip=officer.nip), field="officer_id")
        if officer.withdrawn:
            raise Conflict(msg("The registration of NIP {nip} was withdrawn.", nip=officer.nip), field="officer_id")
        existing = agg.participants.get(officer_id)
        if existing is not None and existing.active:
            raise Conflict(msg("{name} ({nip}) is already a participant.", name=officer.name, nip=officer.nip), field="officer_id")
        rank = whole(urgency_rank, "urgency_rank", low=1, high=10_000, what=N_("Urgency rank (1 = most urgent)"))
        planned_jp = agg.planned_jp
        plan_revision = None
        if plan_id is None and plan_row_id is None and agg.plan_id is not None:
            # The activity was created from one officer's plan row: that officer's participation implements it.
            row = self._plan_row(agg.plan_id, agg.plan_row_id, agg.agency)
            if str(row.officer_id) == str(officer_id):
                plan_id, plan_row_id = agg.plan_id, agg.plan_row_id
        if plan_id is not None or plan_row_id is not None:
            row = self._plan_row(plan_id, plan_row_id, agg.agency)
            if str(row.officer_id) != str(officer_id):
                raise Invalid(msg("Plan row {plan_row_id} is for NIP {nip}, not {nip2}.",
                                  plan_row_id=plan_row_id, nip=row.nip, nip2=officer.nip), field="plan_row_id")
            if row.pathway != agg.pathway:
                raise Invalid(msg("Plan row {plan_row_id} plans pathway {pathway}, not {pathway2}.",
                                  plan_row_id=plan_row_id, pathway=row.pathway, pathway2=agg.pathway), field="plan_row_id")
            planned_jp, plan_revision = int(row.planned_jp), row.revision
        agg.record(Activity.ParticipantSelected, ctx.provenance(on_behalf_of=officer.nip), officer_id=officer_id,
                   nip=officer.nip, name=officer.name, position=officer.position, level=officer.level,
                   employee_type=officer.employee_type, supervisor_nip=officer.supervisor_nip, urgency_rank=rank,
                   reason=long_text(reason, "reason", required=False), planned_jp=planned_jp,
                   plan_id=plan_id, plan_row_id=plan_row_id, plan_revision=plan_revision)
        return agg

    def deselect_participant(self, ctx: Context, aid: UUID, *, officer_id: UUID, reason: str,
                             expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "deselect a participant"))
        p = agg.participant(officer_id)
        agg.check_not_credited(p)
        agg.record(Activity.ParticipantDeselected, ctx.provenance(on_behalf_of=p.nip), officer_id=officer_id,
                   reason=long_text(reason, "reason"))
        return agg

    def issue_assignment(self, ctx: Context, aid: UUID, *, officer_id: UUID, number: str, letter_date: date,
                         signer_name: str, signer_position: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_assignment(ctx.actor, agg.agency))
        p = agg.participant(officer_id)
        if p.assignment is not None:
            raise Conflict(msg("{name} already has assignment letter {number}.", name=p.name, number=p.assignment.number), field="officer_id")
        if agg.requires_provider_approval and agg.provider_approved_on is None:
            raise Conflict(msg("The provider of {title!r} is not approved yet; the head approves it before assigning participants.", title=agg.title))
        not_future(letter_date, ctx.now.date(), "The letter date", "letter_date")
        agg.record(Activity.AssignmentLetterIssued, ctx.provenance(on_behalf_of=p.nip, effective_date=letter_date),
                   officer_id=officer_id, number=text(number, "number"), letter_date=letter_date,
                   signer_name=text(signer_name, "signer_name"), signer_position=text(signer_position, "signer_position"))
        return agg

    def assign_coach(self, ctx: Context, aid: UUID, *, kind: str, subject: str, name: str, institution: str, criteria: str,
                     assignment_number: str, assignment_date: date, nip: str | None = None,
                     expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "assign a coach or mentor"))
        if not agg.requires_coach:
            raise Invalid(msg("Pathway {pathway} has no coach or mentor.", pathway=agg.pathway), field="kind")
        if agg.coach is not None:
            raise Conflict(msg("{name} is already the {kind} of {title!r}.", name=agg.coach.name, kind=agg.coach.kind, title=agg.title))
        if kind not in ("coach", "mentor"):
            raise Invalid("kind must be coach or mentor.", field="kind")
        if nip is not None:
            nip = nip_digits(nip, "nip")
            if any(p.nip == nip for p in agg.participants.values() if p.active):
                raise Invalid("A participant cannot coach or mentor themself.", field="nip")
        not_future(assignment_date, ctx.now.date(), "The assignment date", "assignment_date")
        agg.record(Activity.CoachAssigned, ctx.provenance(), kind=kind, subject=text(subject, "subject"),
                   name=text(name, "name"), nip=nip, institution=text(institution, "institution"),
                   criteria=long_text(criteria, "criteria"), assignment_number=text(assignment_number, "assignment_number"),
                   assignment_date=assignment_date)
        return agg

    def propose_contract(self, ctx: Context, aid: UUID, *, officer_id: UUID, meetings_agreed: int, goals: list[str],
                         expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_propose_contract(ctx.actor, agg))
        if agg.coach is None:
            raise Conflict("Assign the coach or mentor before drawing up learning contracts.")
        p = agg.participant(officer_id)
        agg.check_not_credited(p)
        if p.contract_agreed:
            raise Conflict(msg("{name}'s learning contract is already agreed by both.", name=p.name))
        n = whole(meetings_agreed, "meetings_agreed", low=1, high=1000, what=N_("Meetings agreed"))
        if n > agg.days():
            raise Invalid(msg("{n} meetings cannot fit in {agg_days} days ({start} to {end}); at most one meeting a day.",
                              n=n, agg_days=agg.days(), start=agg.start, end=agg.end),
                          field="meetings_agreed")
        agg.record(Activity.LearningContractProposed, ctx.provenance(on_behalf_of=p.nip), officer_id=officer_id,
                   meetings_agreed=n, goals=texts(goals, "goals", N_("Learning goals")))
        return agg

    def sign_contract(self, ctx: Context, aid: UUID, *, officer_id: UUID, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.participant(officer_id)
        role, party = can_sign_contract(ctx.actor, agg, p)
        ctx = ctx.acting_as(role)
        if p.contract is None:
            raise Conflict(msg("No learning contract has been drawn up for {name} yet.", name=p.name))
        if party in p.contract.signed_by:
            raise Conflict(msg("The {party} has already signed {name}'s learning contract.", party=party, name=p.name))
        agg.record(Activity.LearningContractSigned, ctx.provenance(on_behalf_of=p.nip), officer_id=officer_id,
                   party=party, contract_version=p.contract.version)
        return agg

    def provide_materials(self, ctx: Context, aid: UUID, *, items: list[str], note: str | None = None,
                          expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "provide learning materials"))
        agg.record(Activity.MaterialsProvided, ctx.provenance(), items=texts(items, "items", N_("Materials")),
                   note=long_text(note, "note", required=False))
        return agg

    def set_topics(self, ctx: Context, aid: UUID, *, topics: list[str], expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        agg.record(Activity.TopicsSet, ctx.provenance(), topics=texts(topics, "topics", N_("Topics")))
        return agg

