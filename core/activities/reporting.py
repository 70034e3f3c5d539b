"""Reporting (BAB III, "Output" and "Tahap Pelaporan"): the officer's report and certificates,
the coach/mentor's report, a community's discussion notes and group report, the HR recap."""
from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from core.activities.aggregate import CERTIFICATE_KINDS, Activity
from core.activities.base import ActivityCommandsBase
from core.activities.guards import can_coach_report, can_manage_activity, can_record_community, can_submit_report
from core.errors import Conflict, Invalid
from core.events import Context
from core.i18n import N_, msg
from core.inputs import LONG_MAX, check_version, long_text, not_future, text, whole


class ReportingCommands(ActivityCommandsBase):
    """Reporting: the officer's and the coach's reports, certificates, community notes, the HR recap."""

    def submit_report(self, ctx: Context, aid: UUID, *, officer_id: UUID, title: str, summary: str,
                      expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_submit_report(ctx.actor, agg, p))
        agg.check_not_credited(p)
        if p.report is not None:
            raise Conflict(msg("{name}'s report was already handed in on {report}.", name=p.name, report=p.report))
        meta = ctx.provenance(on_behalf_of=p.nip)
        if meta.effective_date < agg.start:
            raise Invalid(msg("A report handed in on {effective_date} predates the activity ({start}).",
                              effective_date=meta.effective_date, start=agg.start), field="effective_date")
        agg.record(Activity.ReportSubmitted, meta, officer_id=officer_id, submitted_on=meta.effective_date,
                   title=text(title, "title"), summary=long_text(summary, "summary", max_len=LONG_MAX))
        return agg

    def record_certificate(self, ctx: Context, aid: UUID, *, officer_id: UUID, kind: str, number: str, issuer: str,
                           issued_on: date, sha256: str, content_type: str, size: int, filename: str | None = None,
                           programme_jp: int | None = None, expected_version: int | None = None) -> tuple[Activity, UUID]:
        agg = self._open(aid, expected_version)
        p = agg.check_assigned(officer_id)
        ctx = ctx.acting_as(can_submit_report(ctx.actor, agg, p))
        agg.check_not_credited(p)
        if kind not in CERTIFICATE_KINDS:
            raise Invalid(msg("kind must be one of {CERTIFICATE_KINDS} (sertifikat from a provider, surat keterangan from a "
                              "benchmarking host).", CERTIFICATE_KINDS=', '.join(CERTIFICATE_KINDS)), field="kind")
        number = text(number, "number")
        if any(c.number == number for c in p.certificates):
            raise Conflict(msg("Certificate {number} of {name} is already recorded.", number=number, name=p.name), field="number")
        not_future(issued_on, ctx.now.date(), "The issue date", "issued_on")
        if issued_on < agg.start:
            raise Invalid(msg("A certificate issued on {issued_on} predates the activity ({start}).",
                              issued_on=issued_on, start=agg.start), field="issued_on")
        if programme_jp is not None:
            programme_jp = whole(programme_jp, "programme_jp", low=1, high=1000, what=N_("The programme's JP on the certificate"))
        cid = uuid4()
        agg.record(Activity.CertificateRecorded, ctx.provenance(on_behalf_of=p.nip), officer_id=officer_id,
                   certificate_id=cid, kind=kind, number=number, issuer=text(issuer, "issuer"), issued_on=issued_on,
                   programme_jp=programme_jp, sha256=sha256, content_type=content_type, size=size,
                   filename=text(filename, "filename", required=False))
        return agg, cid

    def submit_coach_report(self, ctx: Context, aid: UUID, *, officer_id: UUID, summary: str,
                            expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_coach_report(ctx.actor, agg))
        p = agg.check_assigned(officer_id)
        agg.check_not_credited(p)
        if p.coach_report is not None:
            raise Conflict(msg("The coach/mentor's report on {name} was already handed in on {coach_report}.", name=p.name, coach_report=p.coach_report))
        meta = ctx.provenance(on_behalf_of=p.nip)
        agg.record(Activity.CoachReportSubmitted, meta, officer_id=officer_id, submitted_on=meta.effective_date,
                   summary=long_text(summary, "summary", max_len=LONG_MAX))
        return agg

    def record_discussion_notes(self, ctx: Context, aid: UUID, *, topic: str, held_on: date, notes: str,
                                expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        topic = text(topic, "topic")
        if agg.topics and topic not in agg.topics:
            raise Invalid(msg("Topic {topic!r} is not one of the community's topics: {topics}.", topic=topic, topics=', '.join(agg.topics)), field="topic")
        agg.check_within_dates(held_on, "Discussion date", "held_on")
        not_future(held_on, ctx.now.date(), "Discussion date", "held_on")
        agg.record(Activity.DiscussionNotesRecorded, ctx.provenance(effective_date=held_on), topic=topic, held_on=held_on,
                   notes=long_text(notes, "notes", max_len=LONG_MAX))
        return agg

    def submit_group_report(self, ctx: Context, aid: UUID, *, summary: str, expected_version: int | None = None) -> Activity:
        agg = self._open(aid, expected_version)
        ctx = ctx.acting_as(can_record_community(ctx.actor, agg))
        if agg.group_report is not None:
            raise Conflict(msg("The group report was already handed in on {group_report}.", group_report=agg.group_report))
        meta = ctx.provenance()
        agg.record(Activity.GroupReportSubmitted, meta, submitted_on=meta.effective_date,
                   summary=long_text(summary, "summary", max_len=LONG_MAX))
        return agg

    def record_recap(self, ctx: Context, aid: UUID, *, summary: str, expected_version: int | None = None) -> Activity:
        agg = self.get(aid)
        check_version("activity", agg.version, expected_version)
        ctx = ctx.acting_as(can_manage_activity(ctx.actor, agg.agency, "record the HR recap"))
        if agg.recap is not None:
            raise Conflict(msg("The HR recap was already recorded on {recap}.", recap=agg.recap))
        meta = ctx.provenance()
        agg.record(Activity.RecapRecorded, meta, submitted_on=meta.effective_date, summary=long_text(summary, "summary", max_len=LONG_MAX))
        return agg

