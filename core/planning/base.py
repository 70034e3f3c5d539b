"""What every plan command shares: loading the plan, opening it, and rerunning the checks after a change."""
from __future__ import annotations

from typing import Any

from core.catalogue import JP_TABLE_VERSION, RULESET_VERSION
from core.cycle import load
from core.errors import NotFound
from core.events import Context
from core.inputs import check_version, year_in
from core.planning.aggregate import DevelopmentPlan, plan_id
from core.planning.checks import Finding, run_checks
from core.planning.curriculum import curriculum_standards


class PlanCommandsBase:
    """Domain verbs on development plans; ``app`` is the pengkom application."""

    app: Any

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
        plan.record(DevelopmentPlan.ChecksRun, ctx.provenance(), trigger=trigger, findings=self._findings(plan),
                    ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION)

    def _findings(self, plan: DevelopmentPlan) -> tuple[Finding, ...]:
        rows = list(plan.rows.values())
        curricula = {(r.competency, r.level): curriculum_standards(self.app, r.competency, r.level) for r in rows}
        return run_checks(plan.id, plan.year, rows, plan.budgets, curricula)

