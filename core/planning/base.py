"""What every plan command shares: loading the plan, opening it, and rerunning the checks after a change."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from core.catalogue import RULESET_VERSION
from core.cycle import load
from core.errors import NotFound
from core.events import Context
from core.i18n import msg
from core.inputs import check_version, year_in
from core.planning.aggregate import DevelopmentPlan, plan_id
from core.planning.checks import Finding, run_checks
from core.planning.curriculum import AggregateCurricula, Curricula, CurriculumCatalogue
from core.planning.recheck import recheck
from core.planning.roster import AgencyRoster, Roster


class PlanCommandsBase:
    """Domain verbs on development plans; ``app`` is the pengkom application."""

    app: Any
    roster: AgencyRoster | None
    curricula: CurriculumCatalogue | None

    def get(self, agency: str, year: int) -> DevelopmentPlan:
        return load(self.app, plan_id(agency, year), DevelopmentPlan, msg("{agency} has no development plan for {year} yet.", agency=agency, year=year))

    def _for_change(self, ctx: Context, agency: str, year: int, role: str, expected_version: int | None,
                    *, create: bool = False) -> tuple[DevelopmentPlan, Context]:
        ctx = ctx.acting_as(role)
        year = year_in(year)
        plan = self.app.get(plan_id(agency, year))
        if plan is None:
            if not create:
                raise NotFound(msg("{agency} has no development plan for {year} yet; the HR unit starts it by recapping a row.", agency=agency, year=year))
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

    def _run_checks(self, plan: DevelopmentPlan, ctx: Context, trigger: str, *, full: bool = False) -> None:
        """Checks a–f with the agency's roster as it stands now, recorded with what they used: only what
        changed since the last checks is checked again (:mod:`core.planning.recheck`), the whole plan
        when ``full``."""
        # BAB V.D: the evaluation recap feeds the next plan (lazy import: evaluation reads validated plan rows).
        from core.evaluation.recap import recap_findings, stop_recommendations

        roster = self._roster(plan.agency)
        self._note_roster(plan, ctx, roster)
        stops = stop_recommendations(self.app, plan.agency, plan.year)
        curricula = self._curricula(plan)
        digest_of_stops = stops_digest(stops)
        done = recheck(plan, roster=roster, curricula=curricula, recap_digest=digest_of_stops,
                       recap=lambda rows: recap_findings(self.app, plan.id, plan.agency, plan.year, rows) if stops and rows else [],
                       full=full)
        plan.record(DevelopmentPlan.ChecksUpdated, ctx.provenance(), trigger=trigger, scope=done.scope, added=done.added,
                    removed=done.removed, ruleset_version=RULESET_VERSION,
                    jp_table_version=self.app.jp_tables.table_for(plan.agency).version, roster_position=roster.position,
                    roster_digest=roster.digest, curriculum_digest=curricula.digest, recap_digest=digest_of_stops)

    def _roster(self, agency: str) -> Roster:
        """The agency's active officers, through the port the application was given (core.planning.roster)."""
        if self.roster is None:
            raise RuntimeError("PlanCommands has no AgencyRoster port: check (d) needs the agency's officers "
                               "(api.bootstrap wires the officers read model).")
        return self.roster.active_officers(agency)

    def _curricula(self, plan: DevelopmentPlan) -> Curricula:
        """The curriculum standards of (at least) the plan's competencies and levels, through the port the
        application was given (the curriculum aggregates themselves when none)."""
        port = self.curricula if self.curricula is not None else AggregateCurricula(self.app)
        return port.curricula(plan.checks.pairs.keys())

    @staticmethod
    def _note_roster(plan: DevelopmentPlan, ctx: Context, roster: Roster) -> None:
        """Record the roster in the plan's log when it differs from the one the plan last recorded."""
        if roster.digest != plan.roster_digest:
            plan.record(DevelopmentPlan.RosterRead, ctx.provenance(), source=roster.source, position=roster.position,
                        digest=roster.digest, officers=roster.officers)

    def full_checks(self, plan: DevelopmentPlan) -> frozenset[Finding]:
        """Checks a–f over the whole plan, with the roster, curriculum standards and recaps as they stand
        now: what the findings the plan's commands keep incrementally must equal (validation compares them)."""
        return frozenset(self._findings(plan, self._roster(plan.agency)))

    def _findings(self, plan: DevelopmentPlan, roster: Roster) -> tuple[Finding, ...]:
        """Checks a–f over the whole plan (what the incremental checks must equal)."""
        from core.evaluation.recap import recap_findings

        rows = list(plan.rows.values())
        curricula = self._curricula(plan)
        found = run_checks(plan.id, plan.year, rows, plan.budgets,
                           {(r.competency, r.level): curricula.of(r.competency, r.level) for r in rows}, roster=roster.officers)
        return tuple(sorted((*found, *recap_findings(self.app, plan.id, plan.agency, plan.year, rows)), key=lambda f: f.rule))


def stops_digest(stops: Mapping[tuple[str, str], tuple[Any, Any]]) -> str:
    """A fingerprint of the recaps' stop recommendations the recap finding (BAB V.D) reads."""
    lines = sorted(f"{kind}\t{key}\t{recap.id}\t{recap.year}\t{recap.finalised_on}\t{rec!r}"
                   for (kind, key), (recap, rec) in stops.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
