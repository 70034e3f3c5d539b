"""Contract test kit for pathway plugins: subclass :class:`PathwayContract` in your pytest suite.

    from plugins.contract import PathwayContract
    import my_plugin

    class TestMyPlugin(PathwayContract):
        plugin = my_plugin
        name = "my_plugin"

Every built-in plugin and the test suite's third-party package pass it. It checks that the plugin
loads through the same route as installed plugins (``check_pending`` included), that its
declarations are well formed, and that each hook answers as ``plugins/hookspecs.py`` promises for
a typical activity (override :meth:`sample_activity` if yours needs other facts): validation
returns sentences, JP is a deterministic whole number that never comes without recorded
attendance or meetings, an unconfirmed JP value is refused rather than guessed, findings are
:class:`~core.pathways.Finding` values, and Formulir 5.2 cells (if the plugin decides any) are
:class:`~core.evaluation.facts.EvaluationCell` values with a reason for every *Tidak*.
"""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid5

import pytest

from core.catalogue import JpRule
from core.errors import Invalid
from core.evaluation.facts import Cell, PlanRowFacts
from core.jp_table import DEFAULT_TABLE, JpTable
from core.pathways import (
    ActivityFacts,
    AttendanceFact,
    CertificateFact,
    Finding,
    MeetingFact,
    ParticipantFacts,
    PathwayDefinition,
    Session,
)
from plugins.manager import PathwayPlugins, check_definition, create_plugin_manager

_NS = UUID("6f0c1c1e-6a7e-4c55-9a4b-1f6d7c2b9a10")
START = date(2025, 3, 3)  # a Monday; three sessions in one month


class PathwayContract:
    """Mix-in test class: set ``plugin`` (the module or object) and ``name`` (its entry-point name)."""

    plugin: ClassVar[Any]
    name: ClassVar[str]

    # -- fixtures a plugin author may override ------------------------------------------------------

    def jp_table(self) -> JpTable:
        """The table the contract credits by: LAN defaults (add your form here if it is not a LAN one)."""
        return DEFAULT_TABLE

    def sample_participant(self, definition: PathwayDefinition, sessions: tuple[Session, ...], **over: Any) -> ParticipantFacts:
        oid = uuid5(_NS, f"{definition.code}-participant")
        meetings: tuple[MeetingFact, ...] = ()
        if definition.monitoring_form == "3.4":
            meetings = tuple(MeetingFact(meeting_id=uuid5(_NS, f"m{i}"), on=s.on, duration_minutes=90, notes="Sesi coaching")
                             for i, s in enumerate(sessions))
        values: dict[str, Any] = dict(
            officer_id=oid, nip="199001012015011001", name="Siti Rahayu", position="Pengantar Kerja Ahli Pertama",
            level="ahli_pertama", employee_type="PNS", supervisor_nip="197503032000011003", urgency_rank=1, planned_jp=10,
            assignment_number="800/001/2025",
            attendance=tuple(AttendanceFact(session_date=s.on, status="hadir_full", minutes_attended=None, note=None)
                             for s in sessions),
            meetings=meetings, meetings_agreed=len(meetings) or None,
            contract_goals=("Menyusun analisis pasar kerja",) if meetings else (),
            contract_signed_by=("coachee", "coach") if meetings else (),
            report_submitted_on=sessions[-1].on + timedelta(days=3),
            certificates=(CertificateFact(kind="surat_keterangan" if "statement" in definition.evidence_required else "sertifikat",
                                          number="SERT-1", issuer="Penyelenggara", issued_on=sessions[-1].on,
                                          programme_jp=12, sha256="0" * 64),),
            coach_report_submitted_on=sessions[-1].on + timedelta(days=3) if meetings else None,
        )
        values.update(over)
        return ParticipantFacts(**values)

    def sample_activity(self, definition: PathwayDefinition) -> ActivityFacts:
        """A well-prepared, fully attended activity of ``definition``, ready to complete."""
        sessions = tuple(Session(on=START + timedelta(days=7 * i if definition.monitoring_form == "3.4" else i), minutes=360)
                         for i in range(3))
        members = [self.sample_participant(definition, sessions)]
        members.append(self.sample_participant(definition, sessions, officer_id=uuid5(_NS, f"{definition.code}-second"),
                                               nip="198505052010032002", name="Dewi Lestari", level="ahli_muda"))
        return ActivityFacts(
            id=uuid5(_NS, definition.code), agency="kemnaker", year=START.year, pathway=definition.code,
            variant=definition.variants[-1] if definition.variants else None, title=f"Contract sample {definition.code}",
            competency=None, method=definition.methods[0], provider_kind=definition.provider_kinds[0],
            provider_name="Penyelenggara", accreditation_ref="AKR-1", place="Jakarta", start=sessions[0].on,
            end=sessions[-1].on, international=False, planned_jp=10, budget=Decimal("1000000"), funding_source="apbn",
            provider_approved_on=START - timedelta(days=10), proposal_letter_number="PROP-1", sessions=sessions,
            schedule_agreed_with_provider=True, coach_name="Budi" if definition.requires_coach else None,
            coach_kind="coach" if definition.requires_coach else None, materials=("Modul 1",),
            topics=("Topik 1",), discussion_topics=("Topik 1",), group_report_submitted_on=sessions[-1].on,
            recap_submitted_on=None, participants=tuple(members),
        )

    def sample_plan_row(self, definition: PathwayDefinition, activity: ActivityFacts) -> PlanRowFacts:
        """The validated Formulir 2.6 row the sample's first participant implements: as it happened."""
        return PlanRowFacts(plan_id=uuid5(_NS, "plan"), row_id=uuid5(_NS, f"{definition.code}-row"), revision=1, year=activity.year,
                            competency="penempatan_tk_dan_perluasan_kesempatan_kerja", pathway=definition.code,
                            form=definition.jp_form, programme=activity.title, provider=activity.provider_name,
                            start=activity.start, end=activity.end, budget=activity.budget or Decimal(0),
                            funding_source=activity.funding_source or "apbn", planned_jp=10)

    # -- helpers ----------------------------------------------------------------------------------------

    def plugins(self) -> PathwayPlugins:
        return PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[(self.name, self.plugin)]))

    def definitions(self) -> list[PathwayDefinition]:
        return [d for d, _, _ in self.plugins().definitions()]

    # -- the contract -------------------------------------------------------------------------------------

    def test_contract_loads_with_check_pending(self) -> None:
        """Registered like an installed plugin; no misspelt hook (pluggy's check_pending)."""
        pm = create_plugin_manager("none", builtins=False, extra=[(self.name, self.plugin)])
        assert pm.get_plugin(self.name) is self.plugin

    def test_contract_declares_well_formed_pathways(self) -> None:
        definitions = self.definitions()
        assert definitions, "pengkom_register_pathways must declare at least one pathway"
        for d in definitions:
            assert check_definition(d, self.name) is d
            assert d.jp_form in self.jp_table().rules, f"{d.code}: jp_form {d.jp_form!r} is not in the JP table"

    def test_contract_validate_returns_sentences(self) -> None:
        plugins = self.plugins()
        for d in self.definitions():
            for stage in ("create", "complete"):
                problems = plugins.validate(self.sample_activity(d), stage)
                assert problems == [], f"{d.code} ({stage}) refuses the well-prepared sample: {problems}"

    def test_contract_credit_is_a_whole_number_with_its_rule(self) -> None:
        plugins = self.plugins()
        for d in self.definitions():
            activity = self.sample_activity(d)
            for p in activity.participants:
                decision = plugins.credit(activity, p, self.jp_table())
                assert isinstance(decision.jp, int) and 0 < decision.jp <= 1000, f"{d.code}: a fully attended sample earns JP"
                assert decision.rule.strip() and decision.plugin == self.name
                assert decision.ruleset_version == d.ruleset_version
                assert decision.jp_table_version == self.jp_table().version

    def test_contract_credit_is_deterministic(self) -> None:
        plugins = self.plugins()
        for d in self.definitions():
            activity = self.sample_activity(d)
            p = activity.participants[0]
            assert plugins.credit(activity, p, self.jp_table()) == plugins.credit(activity, p, self.jp_table())

    def test_contract_no_attendance_no_jp(self) -> None:
        """JP only from recorded facts: nothing attended or held, nothing credited (or a clear refusal)."""
        plugins = self.plugins()
        for d in self.definitions():
            activity = self.sample_activity(d)
            idle = dataclasses.replace(activity.participants[0], attendance=(), meetings=(), certificates=())
            try:
                decision = plugins.credit(activity, idle, self.jp_table())
            except Invalid:
                continue
            assert decision.jp == 0, f"{d.code} credits {decision.jp} JP without any attendance or meeting"

    def test_contract_unconfirmed_value_is_refused_not_guessed(self) -> None:
        plugins = self.plugins()
        for d in self.definitions():
            table = self.jp_table()
            rule = table.rule(d.jp_form)
            blank = JpTable(agency=None, version="contract/blank",
                            rules={**table.rules, d.jp_form: JpRule(form=rule.form, unit=rule.unit, domestic=None, international=None,
                                                                     max_per_month=rule.max_per_month, grade="U", source="")})
            activity = self.sample_activity(d)
            with pytest.raises(Invalid):
                plugins.credit(activity, activity.participants[0], blank)

    def test_contract_findings_are_findings(self) -> None:
        plugins = self.plugins()
        for d in self.definitions():
            activity = self.sample_activity(d)
            for as_of in (activity.start, activity.end + timedelta(days=400)):
                findings = plugins.findings(activity, as_of)
                assert all(isinstance(f, Finding) for f in findings)
                assert not any(f.code in ("plugin_failed", "plugin_missing") for f in findings), findings

    def test_contract_findings_flag_absence(self) -> None:
        """An absence is a Formulir 3.3 finding for attendance pathways."""
        plugins = self.plugins()
        for d in self.definitions():
            if d.monitoring_form != "3.3":
                continue
            activity = self.sample_activity(d)
            p = activity.participants[0]
            absent = dataclasses.replace(p, attendance=(dataclasses.replace(p.attendance[0], status="tidak_hadir"),
                                                         *p.attendance[1:]))
            activity = dataclasses.replace(activity, participants=(absent, *activity.participants[1:]))
            codes = {f.code for f in plugins.findings(activity, activity.end)}
            assert "absent" in codes, f"{d.code}: an absence is not reported"

    def test_contract_evaluation_cells_are_cells_with_reasons(self) -> None:
        """Formulir 5.2: each cell the plugin decides is an EvaluationCell, the same every time, with a reason for Tidak."""
        plugins = self.plugins()
        for d in self.definitions():
            activity = self.sample_activity(d)
            p = activity.participants[0]
            for row in (self.sample_plan_row(d, activity), None):
                for cell in Cell:
                    first = plugins.evaluation_cell(activity, cell.value, row, p)
                    assert first == plugins.evaluation_cell(activity, cell.value, row, p), f"{d.code} {cell}: not deterministic"
                    if first is not None:
                        assert first.plugin == self.name and first.ruleset_version == d.ruleset_version
                        assert first.cell.sesuai or (first.cell.reason or "").strip(), f"{d.code} {cell}: Tidak without a reason"


__all__ = ["PathwayContract"]
