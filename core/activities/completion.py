"""Completion (BAB III): the evidence each participant still lacks, and the JP the pathway plugin
credits, recorded with its rule and rule-set versions so a replay never asks the plugin again."""
from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from core.activities.aggregate import Activity
from core.activities.base import ActivityCommandsBase
from core.activities.guards import can_manage_activity
from core.activities.state import Participant
from core.errors import Conflict, Invalid
from core.events import Context
from core.i18n import N_, Recorded, joined, msg
from core.pathways import Evidence, PathwayRules


class CompletionCommands(ActivityCommandsBase):
    """Completion: the evidence still missing and the JP credited by the pathway plugin."""

    def missing_evidence(self, agg: Activity, p: Participant) -> list[str]:
        """What the pathway's declared evidence (recorded at creation) still lacks for ``p``."""
        missing = []
        if p.assignment is None:
            missing.append(str(N_("the assignment letter (surat penugasan)")))
        for ev in agg.evidence_required:
            if ev == Evidence.REPORT and p.report is None:
                missing.append(str(N_("the officer's report")))
            elif ev == Evidence.CERTIFICATE and not any(c.kind == "sertifikat" for c in p.certificates):
                missing.append(str(N_("the certificate (sertifikat)")))
            elif ev == Evidence.STATEMENT and not p.certificates:
                missing.append(str(N_("the host's statement (surat keterangan)")))
            elif ev == Evidence.COACH_REPORT and p.coach_report is None:
                missing.append(str(N_("the coach/mentor's report")))
            elif ev == Evidence.LEARNING_CONTRACT and not p.contract_agreed:
                missing.append(str(N_("the learning contract agreed by both")))
            elif ev == Evidence.DISCUSSION_NOTES and not agg.discussions:
                missing.append(str(N_("discussion notes per topic")))
            elif ev == Evidence.GROUP_REPORT and agg.group_report is None:
                missing.append(str(N_("the group report")))
        return missing

    def complete(self, ctx: Context, aid: UUID, rules: PathwayRules, jp_table: Any, *, officer_ids: list[UUID] | None = None,
                 expected_version: int | None = None) -> Activity:
        """Credit JP to participants who finished (all by default) and close the activity when none is left.

        The plugin computes each credit from the recorded facts; the event records it with the rule
        and the rule-set versions. Nothing is recorded if any participant cannot complete.
        """
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "complete an activity"))
        definition = rules.definition(agg.pathway)
        if definition is None:
            raise Invalid(msg("No installed plugin provides pathway {pathway!r} (it was created by plugin {plugin}); install it to "
                              "complete this activity.", pathway=agg.pathway, plugin=agg.plugin), field="pathway")
        meta = ctx.provenance()
        completed_on = meta.effective_date
        if completed_on < agg.start:
            raise Invalid(msg("An activity that starts on {start} cannot complete on {completed_on}.",
                              start=agg.start, completed_on=completed_on), field="effective_date")
        pending = {oid: p for oid, p in agg.participants.items() if p.pending}
        if not pending:
            raise Conflict(msg("No participant is left to complete; select participants first.") if not agg.participants
                           else msg("Every participant has already completed."))
        if officer_ids:
            unknown = [str(o) for o in officer_ids if o not in pending]
            if unknown:
                raise Invalid(msg("Not pending participants of this activity: {unknown}.", unknown=', '.join(unknown)), field="officer_ids")
            targets = [o for o in pending if o in set(officer_ids)]
        else:
            targets = list(pending)
        if agg.requires_provider_approval and agg.provider_approved_on is None:
            raise Conflict("The provider is not approved by the head of the agency; it must be before completion.")
        if agg.requires_coach and agg.coach is None:
            raise Conflict("No coach or mentor is assigned.")
        problems: list[str] = []
        for oid in targets:
            missing = self.missing_evidence(agg, agg.participants[oid])
            if missing:
                p = agg.participants[oid]
                problems.append(msg("{name} ({nip}) lacks {missing}.", name=p.name, nip=p.nip, missing=joined([Recorded(m) for m in missing], ", ")))
        if problems:
            raise Invalid(msg("Cannot complete yet: {problems}", problems=joined(problems)), field="officer_ids", problems=problems)
        facts = agg.facts()
        problems = rules.validate(facts, "complete")
        if problems:
            raise Invalid(msg("{name_id}: {problems}", name_id=definition.name_id, problems=joined(problems)), field="pathway", problems=problems)
        for oid in targets:
            decision = rules.credit(facts, facts.participant(oid), jp_table)
            agg.record(Activity.JpCredited, replace(meta, on_behalf_of=agg.participants[oid].nip),
                       officer_id=oid, year=agg.year, completed_on=completed_on, jp=decision.jp, rule=decision.rule,
                       ruleset_version=decision.ruleset_version, jp_table_version=decision.jp_table_version,
                       plugin=decision.plugin, plugin_version=decision.plugin_version, detail=decision.detail)
        if all(p.credit is not None for p in agg.participants.values() if p.active):
            agg.record(Activity.Completed, meta, completed_on=completed_on)
        return agg

