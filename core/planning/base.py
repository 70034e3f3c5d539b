"""What every plan command shares: loading the plan, opening it, and rerunning the checks after a change."""
from __future__ import annotations

from typing import Any

from core.catalogue import RULESET_VERSION
from core.cycle import load
from core.errors import NotFound
from core.events import Context
from core.inputs import check_version, year_in
from core.planning.aggregate import DevelopmentPlan, plan_id
from core.planning.checks import Finding, run_checks
from core.planning.curriculum import curriculum_standards
from core.planning.roster import AgencyRoster, Roster


class PlanCommandsBase:
    """Domain verbs on development plans; ``app`` is the pengkom application."""

    app: Any
    roster: AgencyRoster | None

    def get(self, agency: str, year: int) -> DevelopmentPlan:
        return load(self.app, plan_id(agency, year), DevelopmentPlan, f"{agency} has no development plan for {year} yet.")

    def _for_change(self, ctx: Context, agency: str, year: int, role: str, expected_version: int | None,
                    *, create: bool = False) -> tuple[DevelopmentPlan, Context]:
        ctx = ctx.acting_as(role)
        year = year_in(year)
        plan = self.app.get(plan_id(agency, year))
        if plan is None:
            if not create:
                raise NotFound(f"{agency} has no development plan for {year} yet; the HR unit starts it by recapping a row.")
            meta = ctx.provenance()
            plan = DevelopmentPlan._create(DevelopmentPlan.Opened, id=plan_id(agency, year), meta=meta,
                                           timestamp=meta.recorded_at, agency=agency, year=year)
        else:
            check_version("plan", plan.version, expected_version)
        return plan, ctx

    def _changed(self, plan: DevelopmentPlan, ctx: Context, trigger: str) -> None:
        """After every change: void the head's signature of this revision and rerun checks a–f."""
        if plan.head_signed:
            plan.record(DevelopmentPlan.SignatureVoided, ctx.provenance(),
                        reason=f"The plan changed after the head signed it ({trigger}); Formulir 2.6 is signed again.")
        self._run_checks(plan, ctx, trigger)

    def _run_checks(self, plan: DevelopmentPlan, ctx: Context, trigger: str) -> None:
        """Checks a–f with the agency's roster as it stands now, recorded with what they used."""
        roster = self._roster(plan.agency)
        self._note_roster(plan, ctx, roster)
        plan.record(DevelopmentPlan.ChecksRun, ctx.provenance(), trigger=trigger, findings=self._findings(plan, roster),
                    ruleset_version=RULESET_VERSION, jp_table_version=self.app.jp_tables.table_for(plan.agency).version,
                    roster_position=roster.position, roster_digest=roster.digest)

    def _roster(self, agency: str) -> Roster:
        """The agency's active officers, through the port the application was given (core.planning.roster)."""
        if self.roster is None:
            raise RuntimeError("PlanCommands has no AgencyRoster port: check (d) needs the agency's officers "
                               "(api.bootstrap wires the officers read model).")
        return self.roster.active_officers(agency)

    @staticmethod
    def _note_roster(plan: DevelopmentPlan, ctx: Context, roster: Roster) -> None:
        """Record the roster in the plan's log when it differs from the one the plan last recorded."""
        if roster.digest != plan.roster_digest:
            plan.record(DevelopmentPlan.RosterRead, ctx.provenance(), source=roster.source, position=roster.position,
                        digest=roster.digest, officers=roster.officers)

    def _findings(self, plan: DevelopmentPlan, roster: Roster) -> tuple[Finding, ...]:
        rows = list(plan.rows.values())
        curricula = {(r.competency, r.level): curriculum_standards(self.app, r.competency, r.level) for r in rows}
        found = run_checks(plan.id, plan.year, rows, plan.budgets, curricula, roster=roster.officers)
        # BAB V.D: the evaluation recap feeds the next plan (lazy import: evaluation reads validated plan rows).
        from core.evaluation.recap import recap_findings
        return tuple(sorted((*found, *recap_findings(self.app, plan.id, plan.agency, plan.year, rows)), key=lambda f: f.rule))
