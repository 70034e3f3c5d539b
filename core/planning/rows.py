"""Budgets and plan rows (BAB II.B.3 huruf b; Formulir 2.6 items 4–12): the HR unit recaps the
forwarded proposals into rows, each with the officer's placement and its planned-JP decision."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from core import inputs
from core.catalogue import Pathway, competency
from core.errors import Invalid
from core.events import Context
from core.i18n import msg
from core.inputs import CODE_MAX, choice, count, long_text, money, parse_date, text
from core.planning.aggregate import DevelopmentPlan
from core.planning.base import PlanCommandsBase
from core.planning.guards import can_compose_plan
from core.planning.jp import convert_jp, suggested_credit_target
from core.planning.state import PlanRow
from core.proposal import DevelopmentProposal


class RowCommands(PlanCommandsBase):
    """Budgets and plan rows: the HR unit or PyB registers budgets and recaps rows."""

    def register_budget(self, ctx: Context, agency: str, year: int, *, funding_source: str, amount: Any,
                        note: str | None = None, expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "register the agency's development budget")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        source = inputs.funding_source(funding_source)
        plan.record(DevelopmentPlan.BudgetRegistered, ctx.provenance(), funding_source=source,
                    amount=money(amount, "amount"), note=long_text(note, "note", required=False))
        self._changed(plan, ctx, f"budget {source}")
        return plan

    def _row(self, plan: DevelopmentPlan, row_id: UUID, data: Mapping[str, Any]) -> PlanRow:
        """Formulir 2.6 row content from the clerk's input, with the officer's placement and the JP decision."""
        oid = data.get("officer_id")
        if not isinstance(oid, UUID):
            raise Invalid("A plan row names the officer (officer_id).", field="officer_id")
        officer = self.app.officers.get(oid)
        if officer.agency != plan.agency:
            raise Invalid(msg("Officer NIP {nip} belongs to another agency; the {agency} plan holds only {agency}'s officers.",
                              nip=officer.nip, agency=plan.agency), field="officer_id")
        officer.check_not_withdrawn()
        comp = competency(data.get("competency")).code
        pathway = choice(Pathway, data.get("pathway"), "pathway")
        form = data.get("form") or pathway
        table = self.app.jp_tables.table_for(plan.agency)  # the agency's own JP table (national defaults if it set none)
        if form not in table.rules:
            raise Invalid(msg("Development form {form!r} has no JP conversion in the JP table {version}; forms: {rules}.",
                              form=form, version=table.version, rules=', '.join(table.rules)), field="form")
        start, end = parse_date(data.get("start"), "start"), parse_date(data.get("end"), "end")
        if start and end and end < start:
            raise Invalid(msg("The schedule ends ({end}) before it starts ({start}).", end=end, start=start), field="end")
        days = count(data.get("days"), "days", 366)
        sessions = count(data.get("sessions"), "sessions", 200)
        programme_jp = count(data.get("programme_jp"), "programme_jp", 2000)
        stated = count(data.get("jp"), "jp", 2000)
        international = bool(data.get("international", False))
        jp = convert_jp(form, table=table, days=days, sessions=sessions, programme_jp=programme_jp,
                        international=international, stated_jp=stated, start=start, end=end)
        if data.get("credit_target") is None:
            credit, credit_source = suggested_credit_target(officer.level)
        else:
            credit = money(data.get("credit_target"), "credit_target")
            if credit > 1000:
                raise Invalid(msg("A credit-point target of {credit} a year is not plausible; at most 1000.", credit=credit), field="credit_target")
            credit_source = "stated by the agency"
        pid, item = data.get("proposal_id"), data.get("proposal_item_id")
        if (pid is None) != (item is None):
            raise Invalid("A row recapped from a proposal names both proposal_id and proposal_item_id.", field="proposal_id")
        if pid is not None:
            prop = self.app.get(pid)
            if not isinstance(prop, DevelopmentProposal) or prop.officer_id != officer.id:
                raise Invalid(msg("Proposal {pid} is not a proposal of officer {nip}.", pid=pid, nip=officer.nip), field="proposal_id")
            if not prop.forwarded:
                raise Invalid(msg("The proposal of officer {nip} has not been forwarded to the PyB yet.", nip=officer.nip), field="proposal_id")
            if prop.plan_year != plan.year:
                raise Invalid(msg("Proposal {pid} is for plan year {plan_year}, not {year}.",
                                  pid=pid, plan_year=prop.plan_year, year=plan.year), field="proposal_id")
            if not isinstance(item, UUID):
                raise Invalid("proposal_item_id is the id (UUID) of an item of the proposal.", field="proposal_item_id")
            prop.check_item(item)
        return PlanRow(
            row_id=row_id, officer_id=officer.id, nip=officer.nip, officer_name=officer.name, position=officer.position,
            level=officer.level, employee_type=officer.employee_type, unit=officer.unit, competency=comp, pathway=pathway,
            form=form, programme=text(data.get("programme"), "programme"),
            curriculum_code=text(data.get("curriculum_code"), "curriculum_code", max_len=CODE_MAX, required=False),
            provider=text(data.get("provider"), "provider", required=False), start=start, end=end,
            budget=money(data.get("budget", 0), "budget"),
            funding_source=inputs.funding_source(data.get("funding_source")),
            days=days, sessions=sessions, programme_jp=programme_jp, international=international, stated_jp=stated,
            planned_jp=jp.jp, jp_rule=jp.rule, jp_basis=jp.basis, jp_table_version=jp.table_version,
            credit_target=credit, credit_target_source=credit_source, proposal_id=pid, proposal_item_id=item,
        )

    def add_row(self, ctx: Context, agency: str, year: int, *, row: Mapping[str, Any],
                expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        role = can_compose_plan(ctx.actor, agency, "add a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        row_id = uuid4()
        content = self._row(plan, row_id, row)
        plan.record(DevelopmentPlan.RowAdded, ctx.provenance(on_behalf_of=content.nip), **content.fields())
        self._changed(plan, ctx, f"row {row_id} added")
        return plan, row_id

    def change_row(self, ctx: Context, agency: str, year: int, row_id: UUID, *, row: Mapping[str, Any], reason: str,
                   expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "change a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        plan.check_unlocked()
        old = plan.check_row(row_id)
        content = self._row(plan, row_id, row)
        if content == old:
            raise Invalid("The row already reads exactly so; nothing to change.", field="row")
        plan.record(DevelopmentPlan.RowChanged, ctx.provenance(on_behalf_of=content.nip),
                    reason=long_text(reason, "reason"), **content.fields())
        self._changed(plan, ctx, f"row {row_id} changed")
        return plan

    @staticmethod
    def row_input(row: PlanRow) -> dict[str, Any]:
        """What a clerk would send to recap ``row`` as it stands: the inputs, not what pengkom derived
        from them (a form that defaulted to the pathway, a suggested credit target stay defaults)."""
        return {
            "officer_id": row.officer_id, "competency": row.competency, "pathway": row.pathway,
            "form": None if row.form == row.pathway else row.form, "programme": row.programme,
            "curriculum_code": row.curriculum_code, "provider": row.provider, "start": row.start, "end": row.end,
            "budget": row.budget, "funding_source": row.funding_source, "days": row.days, "sessions": row.sessions,
            "programme_jp": row.programme_jp, "international": row.international, "jp": row.stated_jp,
            "credit_target": row.credit_target if row.credit_target_source == "stated by the agency" else None,
            "proposal_id": row.proposal_id, "proposal_item_id": row.proposal_item_id,
        }

    def patch_row(self, ctx: Context, agency: str, year: int, row_id: UUID, *, changes: Mapping[str, Any], reason: str,
                  expected_version: int | None = None) -> DevelopmentPlan:
        """Change only the named fields of a row (the rest as they stand), with a reason: the same
        ``RowChanged`` event and the same rules as a change of the whole row, checks a–f rerun."""
        role = can_compose_plan(ctx.actor, agency, "change a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        plan.check_unlocked()
        old = plan.check_row(row_id)
        if not changes:
            raise Invalid("Name at least one field of the row to change (and the reason).", field="row")
        unknown = sorted(set(changes) - set(self.row_input(old)))
        if unknown:
            raise Invalid(msg("A plan row has no field {unknown}.", unknown=', '.join(unknown)), field=unknown[0])
        content = self._row(plan, row_id, {**self.row_input(old), **changes})
        if content == old:
            raise Invalid(msg("The row already reads so ({sorted_changes} unchanged); nothing to change.",
                              sorted_changes=', '.join(sorted(changes))), field="row")
        plan.record(DevelopmentPlan.RowChanged, ctx.provenance(on_behalf_of=content.nip),
                    reason=long_text(reason, "reason"), **content.fields())
        self._changed(plan, ctx, f"row {row_id} changed ({', '.join(sorted(changes))})")
        return plan

    def remove_row(self, ctx: Context, agency: str, year: int, row_id: UUID, *, reason: str,
                   expected_version: int | None = None) -> DevelopmentPlan:
        role = can_compose_plan(ctx.actor, agency, "remove a plan row")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version)
        plan.check_unlocked()
        old = plan.check_row(row_id)
        plan.record(DevelopmentPlan.RowRemoved, ctx.provenance(on_behalf_of=old.nip), row_id=row_id,
                    reason=long_text(reason, "reason"))
        self._changed(plan, ctx, f"row {row_id} removed")
        return plan

