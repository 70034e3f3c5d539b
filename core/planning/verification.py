"""Verification (BAB II.B.4–6): rerunning checks a–f, accepting findings, the verification team and
its meetings, and the head's signature of Formulir 2.6."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

from core.errors import Conflict, Invalid, NotFound
from core.events import Context
from core.i18n import N_, msg
from core.inputs import LONG_MAX, long_text, nip_digits, parse_date, text
from core.planning.aggregate import DevelopmentPlan
from core.planning.base import PlanCommandsBase
from core.planning.guards import can_record_meeting, can_sign_plan, can_verify_plan


class VerificationCommands(PlanCommandsBase):
    """Verification: checks, findings, the team and its meetings, the head's signature."""

    def rerun_checks(self, ctx: Context, agency: str, year: int, *, expected_version: int | None = None) -> DevelopmentPlan:
        """Rerun a–f, e.g. after the Instansi Pembina registered a curriculum standard."""
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "rerun the checks"), expected_version)
        plan.check_unlocked()
        self._run_checks(plan, ctx, "rerun by the PyB", full=True)
        return plan

    def accept_finding(self, ctx: Context, agency: str, year: int, finding_id: UUID, *, reason: str,
                       expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "accept a finding"), expected_version)
        plan.check_unlocked()
        finding = plan.findings.get(finding_id)
        if finding is None:
            raise NotFound(msg("Finding {finding_id} is not among the plan's current findings; it may have been resolved by a change.",
                               finding_id=finding_id), field="finding_id")
        if not finding.blocking:
            raise Conflict("This finding is a note that needs no resolution.")
        if finding_id in plan.accepted:
            raise Conflict(msg("Finding {finding_id} is already accepted.", finding_id=finding_id))
        reason = long_text(reason, "reason") or ""
        if len(reason) < 10:
            raise Invalid("Accepting a finding needs a written reason of at least 10 characters.", field="reason")
        plan.record(DevelopmentPlan.FindingAccepted, ctx.provenance(), finding_id=finding_id, rule=finding.rule,
                    message=finding.message, reason=reason)
        return plan

    def appoint_member(self, ctx: Context, agency: str, year: int, *, name: str, unit_represented: str,
                       nip: str | None = None, team_role: str | None = None,
                       expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        role = can_verify_plan(ctx.actor, agency, "form the verification team")
        plan, ctx = self._for_change(ctx, agency, year, role, expected_version, create=True)
        plan.check_unlocked()
        if nip is not None:
            nip = nip_digits(nip, "nip", N_("NIP of a team member"))
        member_id = uuid4()
        plan.record(DevelopmentPlan.TeamMemberAppointed, ctx.provenance(), member_id=member_id, name=text(name, "name"),
                    nip=nip, unit_represented=text(unit_represented, "unit_represented"),
                    team_role=text(team_role, "team_role", required=False))
        return plan, member_id

    def release_member(self, ctx: Context, agency: str, year: int, member_id: UUID, *, reason: str,
                       expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_verify_plan(ctx.actor, agency, "change the team"), expected_version)
        plan.check_unlocked()
        if member_id not in plan.team:
            raise NotFound(msg("No team member {member_id} in the {year} verification team.", member_id=member_id, year=year), field="member_id")
        plan.record(DevelopmentPlan.TeamMemberReleased, ctx.provenance(), member_id=member_id,
                    reason=long_text(reason, "reason"))
        return plan

    def record_meeting(self, ctx: Context, agency: str, year: int, *, held_on: Any, attendees: Sequence[str], minutes: str,
                       expected_version: int | None = None) -> tuple[DevelopmentPlan, UUID]:
        plan, ctx = self._for_change(ctx, agency, year, can_record_meeting(ctx.actor, agency), expected_version)
        plan.check_unlocked()
        when = parse_date(held_on, "held_on")
        assert when is not None
        if when > ctx.now.date():
            raise Invalid(msg("The meeting date {when} is in the future; record a meeting once it has been held.", when=when), field="held_on")
        names = tuple(text(a, "attendees") or "" for a in attendees)
        if not names:
            raise Invalid("A meeting lists who attended.", field="attendees")
        meeting_id = uuid4()
        plan.record(DevelopmentPlan.MeetingRecorded, ctx.provenance(effective_date=when), meeting_id=meeting_id, held_on=when,
                    attendees=names, minutes=long_text(minutes, "minutes", max_len=LONG_MAX))
        return plan, meeting_id

    def sign(self, ctx: Context, agency: str, year: int, *, name: str, place: str, nip: str | None = None,
             expected_version: int | None = None) -> DevelopmentPlan:
        plan, ctx = self._for_change(ctx, agency, year, can_sign_plan(ctx.actor, agency), expected_version)
        plan.check_unlocked()
        if plan.head_signed:
            raise Conflict(msg("Formulir 2.6 revision {revision} is already signed; it is signed once.", revision=plan.revision))
        if not plan.rows:
            raise Conflict("Formulir 2.6 has no rows yet; there is nothing to sign.")
        if plan.open_findings:
            raise Conflict(msg("{len_open_findings} finding(s) are still open; the PyB resolves every finding before the head signs.",
                               len_open_findings=len(plan.open_findings)))
        plan.record(DevelopmentPlan.SignedByHead, ctx.provenance(), revision=plan.revision, name=text(name, "name") or "",
                    nip=(nip or ctx.actor.nip), place=text(place, "place") or "")
        return plan

