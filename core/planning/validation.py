"""Validation and submission (BAB II.C): the PPK validates a signed plan with no open finding, a
change afterwards opens a numbered revision, the validated plan goes to the Instansi Pembina and LAN."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core import access
from core.catalogue import RULESET_VERSION
from core.cycle import as_agency_role
from core.errors import Conflict, Invalid
from core.events import Context
from core.i18n import N_, Recorded, joined, msg
from core.inputs import choice, long_text, parse_date
from core.planning.aggregate import DevelopmentPlan, Recipient
from core.planning.base import PlanCommandsBase
from core.planning.guards import can_submit_plan, can_validate_plan


class ValidationCommands(PlanCommandsBase):
    """Validation by the PPK, revisions, submission to the Instansi Pembina and LAN."""

    def validate(self, ctx: Context, agency: str, year: int, *, expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_validate_plan(ctx.actor, agency), expected_version)
        if plan.locked:
            raise Conflict(msg("Revision {revision} of the {year} plan is already validated.", revision=plan.revision, year=year))
        if not plan.rows:
            raise Conflict("The plan has no rows; there is nothing to validate.")
        roster = self._roster(agency)
        if set(self._findings(plan, roster)) != set(plan.findings.values()):
            raise Conflict("The checks give other findings than those recorded (a curriculum standard or the agency's "
                           "officers changed since); the PyB reruns the checks and resolves them first.")
        if plan.open_findings:
            listed = joined([msg("({rule}) {message}", rule=f.rule, message=Recorded(f.message)) for f in plan.open_findings[:5]], "; ")
            raise Conflict(msg("{len_open_findings} finding(s) are still open; only a plan with every finding resolved can be "
                               "validated: {listed}", len_open_findings=len(plan.open_findings), listed=listed))
        if not plan.head_signed:
            raise Conflict("Formulir 2.6 is not signed by the head of the work unit yet.")
        rows = plan.rows.values()
        self._note_roster(plan, ctx, roster)
        plan.record(DevelopmentPlan.Validated, ctx.provenance(), revision=plan.revision, rows=len(plan.rows),
                    total_jp=sum(r.planned_jp for r in rows), total_budget=sum((r.budget for r in rows), Decimal(0)),
                    ruleset_version=RULESET_VERSION, jp_table_version=self.app.jp_tables.table_for(plan.agency).version)
        return plan

    def open_revision(self, ctx: Context, agency: str, year: int, *, reason: str,
                      expected_version: int | None = None) -> DevelopmentPlan:
        role = as_agency_role(ctx.actor, agency, [access.PYB, access.PPK], N_("open a revision of the validated plan"))
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        if not plan.locked:
            raise Conflict(msg("Revision {revision} is not validated yet; change it directly.", revision=plan.revision))
        plan.record(DevelopmentPlan.RevisionOpened, ctx.provenance(), revision=plan.revision + 1,
                    reason=long_text(reason, "reason"))
        return plan

    def submit(self, ctx: Context, agency: str, year: int, *, recipient: str, submitted_on: Any = None,
               revision: int | None = None, expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_submit_plan(ctx.actor, agency), expected_version)
        to = choice(Recipient, recipient, "recipient")
        rev = revision if revision is not None else plan.latest_validated
        if rev is None or rev not in plan.validated:
            raise Conflict("Only a validated plan is submitted; the PPK validates it first." if rev is None
                           else msg("Revision {rev} of the {year} plan is not validated.", rev=rev, year=year))
        when = parse_date(submitted_on, "submitted_on") or ctx.now.date()
        if when > ctx.now.date():
            raise Invalid(msg("The submission date {when} is in the future.", when=when), field="submitted_on")
        if (rev, to) in plan.submissions:
            raise Conflict(msg("Revision {rev} of the {year} plan was already submitted to {to}.", rev=rev, year=year, to=to))
        plan.record(DevelopmentPlan.Submitted, ctx.provenance(effective_date=when), revision=rev, recipient=to, submitted_on=when)
        return plan
