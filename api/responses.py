"""What the API answers, as msgspec Structs: the typed success responses of the OpenAPI document.

The handlers build their answers from read models and aggregates; these Structs describe them for the
contract (api/operation_docs.py names one per operation; api/contract.py puts its JSON Schema in the
document). Every answer carries at least the fields declared here with these types; nested documents
whose layout follows a form (Formulir 2.6 rows, the recap's tables) are typed as objects, and answers
may carry more fields than declared (a client ignores what it does not know). The contract tests
check real answers against them on both stores (tests/api/test_openapi_contract.py,
tests/api/test_openapi_conformance.py).

Why this module is longer than ~500 lines: one Struct per kind of answer of about 150 operations, kept together so the
contract reads in one place (each is a few declarative lines).
"""
from __future__ import annotations

from typing import Any

import msgspec

Obj = dict[str, Any]


class R(msgspec.Struct, kw_only=True):
    """Base of every response Struct (unknown fields allowed: answers may carry more)."""


# -- shared pieces ---------------------------------------------------------------------------------------------


class ChainHead(R, kw_only=True):
    """The signed head of the hash chain a read was computed at (POSITION:DIGEST:SIGNATURE, docs/audit.md)."""

    position: int
    digest: str
    algorithm: str
    signature: str | None = None
    signature_algorithm: str | None = None
    key_id: str | None = None


class Provenance(R, kw_only=True):
    """Who recorded an event, in which role and agency, on whose behalf, with which request, when, effective when."""

    subject: str
    subject_name: str
    role: str
    agency: str | None
    unit: str | None
    on_behalf_of: str | None
    request_id: str
    recorded_at: str
    effective_date: str


class Recorded(R, kw_only=True):
    """Who recorded a step of a form, in which role, when (the provenance shown inside a form)."""

    subject: str
    name: str
    role: str
    recorded_at: str
    effective_date: str | None = None
    on_behalf_of: str | None = None


class EventView(R, kw_only=True):
    """One recorded event: its type (stable topic), aggregate, version, log position, provenance and data."""

    type: str
    aggregate_id: str
    version: int
    position: int | None
    provenance: Provenance
    data: Obj


class ReadModelsBehind(R, kw_only=True):
    status: str
    stopped: list[str]
    detail: str


class CommandResult(R, kw_only=True):
    """Every command's answer: the record's id and new version (also the ETag), and the events it recorded."""

    id: str
    version: int
    events: list[EventView]
    read_models: ReadModelsBehind | None = None


class HistoryEntryRecorded(CommandResult, kw_only=True):
    entry_id: str


class InstrumentPublished(CommandResult, kw_only=True):
    instrument_version: int


class ProposalItemAdded(CommandResult, kw_only=True):
    item_id: str


class PlanRowAdded(CommandResult, kw_only=True):
    row_id: str


class TeamMemberAppointed(CommandResult, kw_only=True):
    member_id: str


class TeamMeetingRecorded(CommandResult, kw_only=True):
    meeting_id: str


class MeetingRecorded(CommandResult, kw_only=True):
    meeting_id: str


class SessionAttendanceRecorded(CommandResult, kw_only=True):
    session_date: str
    recorded: int
    still_missing: list[str]


class CertificateUploaded(CommandResult, kw_only=True):
    sha256: str
    size: int
    content_type: str
    certificate_id: str


class EvidenceUploaded(CommandResult, kw_only=True):
    sha256: str
    size: int
    content_type: str


class AssessmentRecorded(CommandResult, kw_only=True):
    assessment_id: str


class JpTableConfigured(CommandResult, kw_only=True):
    jp_table: Obj


class ImportResult(R, kw_only=True):
    """A bulk import (or its dry run): what was (or would be) recorded, by batch."""

    events: int | None = None
    first_position: int | None = None
    last_position: int | None = None


class EventList(R, kw_only=True):
    id: str
    version: int
    events: list[EventView]


class Page(R, kw_only=True):
    total: int
    limit: int
    offset: int


class CursorPage(R, kw_only=True):
    """Where a page of a keyset-paged answer started and how to ask for the next one (api/paging.py)."""

    limit: int
    cursor: str | None = None
    next_cursor: str | None = None
    next: str | None = None


# -- system -------------------------------------------------------------------------------------------------


class Health(R, kw_only=True):
    status: str
    store: str | None = None
    where: str | None = None


class Readiness(R, kw_only=True):
    status: str
    rebuilding: list[str] | None = None
    stopped: Any = None
    store: str | None = None
    log_position: int | None = None
    projection_lag: dict[str, int] | None = None
    error: str | None = None


class SignedChainHead(ChainHead, kw_only=True):
    signed_text: str
    public_key: str
    check: str


class ChainPublicKey(R, kw_only=True):
    algorithm: str
    key_id: str
    public_key_pem: str
    signed_text: str
    signature_encoding: str


class Identity(R, kw_only=True):
    subject: str
    name: str
    roles: list[str]
    agency: str | None
    unit: str | None
    nip: str | None


class Catalogue(R, kw_only=True):
    ruleset_version: str
    jp_table_version: str
    levels: list[Obj]
    competency_kinds: list[Obj]
    competencies: list[Obj]
    pathways: list[Obj]
    tabel_3_1: dict[str, dict[str, list[str]]]
    performance_gap: Obj
    reaction_bands: list[Obj]
    credit_points: Obj
    golongan: list[str]
    level_golongan: dict[str, list[str]]
    jp: Obj


# -- officers (Formulir 2.2) -----------------------------------------------------------------------------------


class OfficerRow(R, kw_only=True):
    id: str
    nip: str
    name: str
    employee_type: str
    position: str | None
    level: str | None
    golongan: str | None
    agency: str
    unit: str | None
    supervisor_nip: str | None = None
    withdrawn: bool
    version: int


class OfficerList(Page, kw_only=True):
    items: list[OfficerRow]
    matched_on: Any = None


class AsOf(R, kw_only=True):
    position: int
    requested: str | None = None
    last_event_recorded_at: str | None = None


class HistoryEntry(R, kw_only=True):
    """An entry of a Formulir 2.2 history, with the version that recorded it and the one that corrected it."""

    entry_id: str
    year: int
    recorded_version: int
    corrected_version: int | None


class PositionHistoryEntry(HistoryEntry, kw_only=True):
    position: str
    level: str | None
    unit: str | None


class DevelopmentHistoryEntry(HistoryEntry, kw_only=True):
    competency: str
    form: str
    pathway: str | None
    jp: int | None
    provider: str | None


class PerformanceHistoryEntry(HistoryEntry, kw_only=True):
    predikat: str


class CreditPointsEntry(HistoryEntry, kw_only=True):
    credit_points: str


class Identitas(R, kw_only=True):
    nip: str
    name: str
    birth_place: str
    birth_date: str
    sex: str
    employee_type: str


class Jabatan(R, kw_only=True):
    position: str | None
    level: str | None
    golongan: str | None
    agency: str
    unit: str | None
    supervisor_nip: str | None
    supervisor_name: str | None


class Formulir22(R, kw_only=True):
    """Formulir 2.2 (profil Pengantar Kerja): identity, placement and the four histories."""

    formulir: str
    judul: str
    id: str
    version: int
    identitas: Identitas
    jabatan: Jabatan
    withdrawn: bool
    riwayat_jabatan: list[PositionHistoryEntry]
    riwayat_pengembangan_kompetensi: list[DevelopmentHistoryEntry]
    riwayat_hasil_penilaian_kinerja: list[PerformanceHistoryEntry]
    riwayat_angka_kredit: list[CreditPointsEntry]
    registered_at: str | None = None
    updated_at: str | None = None
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class AuditAggregate(R, kw_only=True):
    id: str
    type: str
    version: int
    agency: str | None


class AuditActor(R, kw_only=True):
    subject: str
    name: str
    role: str
    agency: str | None
    unit: str | None


class AuditItem(R, kw_only=True):
    position: int
    aggregate: AuditAggregate
    event_type: str
    actor: AuditActor
    on_behalf_of: str | None
    request_id: str | None
    recorded_at: str
    effective_date: str | None
    summary: str


class AuditTrail(Page, kw_only=True):
    items: list[AuditItem]
    aggregate_id: str | None = None
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


# -- assessment, performance, proposals (BAB II.A–B) ------------------------------------------------------------------


class InstrumentList(R, kw_only=True):
    items: list[Obj]


class Instrument(R, kw_only=True):
    instrument_id: str
    code: str
    version: int
    title: str
    note: str | None
    questions: list[Obj]
    standards: list[Obj]
    published: Obj


class AssessmentForms(R, kw_only=True):
    """Formulir 2.3 (supervisor) and 2.4 (self) as filled, and the competency-gap analysis."""

    id: str
    version: int
    officer_id: str
    year: int
    instrument: Obj | None
    identitas: Obj
    formulir_2_3: Obj
    formulir_2_4: Obj
    analisis_kesenjangan_kompetensi: Obj | None


class Formulir25(R, kw_only=True):
    """Formulir 2.5: work targets, ratings, predikat, performance-gap level, the supervisor's signature."""

    formulir: str
    judul: str
    id: str
    version: int
    officer_id: str
    nip: str
    agency: str
    tahun_kinerja: int
    sasaran_kerja: list[Obj]
    hasil_kerja: str
    perilaku_kerja: str
    predikat: str
    tingkat_kesenjangan_kinerja: str
    ruleset_version: str
    recorded: Obj
    tanda_tangan_atasan: Obj | None


class Formulir21(R, kw_only=True):
    """Formulir 2.1: the officer's development proposal for a plan year, its signatures and consideration."""

    formulir: str
    judul: str
    id: str
    version: int
    officer_id: str
    plan_year: int
    identitas_atasan: Obj | None
    identitas_pengantar_kerja: Obj
    kesenjangan_kompetensi: list[Obj]
    kesenjangan_kinerja: list[Obj]
    tanda_tangan_pengantar_kerja: Obj | None
    tanda_tangan_atasan: Obj | None
    tanda_tangan_dibatalkan: list[Obj]
    pertimbangan: list[Obj]
    diteruskan_ke_pyb: Obj | None


class ProposalList(R, kw_only=True):
    items: list[Formulir21]


# -- planning (BAB II.B–C) ---------------------------------------------------------------------------------------


class PlanSummary(R, kw_only=True):
    id: str
    agency: str
    year: int
    revision: int
    status: str
    submitted: bool
    validated_revisions: list[int]
    submissions: list[Obj]


class PlanList(R, kw_only=True):
    items: list[PlanSummary]


class Finding(R, kw_only=True):
    """A finding of verification checks a–f: the rule, the message a clerk acts on, its citation, its status."""

    finding_id: str
    rule: str
    rule_id: str
    message: str
    citation: str
    ruleset_version: str
    row_id: str | None
    officer_id: str | None
    blocking: bool
    resolution: Obj | None
    status: str


class PlanRow(R, kw_only=True):
    """One row of Formulir 2.6 (items 1–12)."""

    no: int
    row_id: str
    officer_id: str
    nama_pegawai_dan_nip: Obj
    jabatan: Obj
    jenis_kompetensi: Obj
    jenis_dan_jalur_pengembangan: Obj
    penyelenggara: str | None
    jadwal_dan_waktu_pelaksanaan: Obj
    anggaran: Obj
    jumlah_jp: int | None
    jp_conversion: Obj | None
    target_kenaikan_angka_kredit: Obj | None
    proposal: Obj | None
    findings: list[str]


class Formulir26(R, kw_only=True):
    """Formulir 2.6 (Rencana Pengembangan Kompetensi): rows, totals, findings of checks a–f, the team and its meetings,
    the head's signature, budgets, revisions, validations and submissions."""

    formulir: str
    judul: str
    plan_id: str
    instansi: str
    tahun: int
    revision: int
    status: str
    rows: list[PlanRow]
    totals: Obj
    findings: list[Finding]
    open_findings: int
    checks: Obj | None
    tim_verifikasi: list[Obj]
    rapat_tim_verifikasi: list[Obj]
    kepala_satuan_kerja: Obj | None
    version: int | None = None
    revisions: list[Obj] | None = None
    budgets: Obj | None = None
    validations: list[Obj] | None = None
    validation: Obj | None = None
    submissions: list[Obj] | None = None
    voided_signatures: list[Obj] | None = None
    as_submitted: Obj | None = None
    page: CursorPage | None = None
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class CurriculumStandards(R, kw_only=True):
    items: list[Obj]


class Deadlines(R, kw_only=True):
    agency: str | None
    plan_year: int
    today: str
    summary: dict[str, int]
    items: list[Obj]
    findings: list[Obj]


class JpTable(R, kw_only=True):
    agency: str | None
    version: str | None
    rules: dict[str, Obj]


class Pathway(R, kw_only=True):
    code: str
    name_id: str
    name_en: str
    on_the_job: bool
    methods: list[str]
    provider_kinds: list[str]
    variants: list[Any]
    evidence_required: list[str]
    monitoring_form: str | None
    monitored_by: str | None
    scheduled_by: str | None
    requires_provider_approval: bool
    requires_coach: bool
    guideline_section: str | None
    rules: list[str]
    description: str | None
    jp_form: str | None
    ruleset_version: str | None
    plugin: str
    plugin_version: str | None
    jp_table_version: str | None = None  # with the agency's JP table (agency roles, or ?agency=)
    jp_rule: Obj | None = None


class PathwayList(R, kw_only=True):
    jp_table_version: str | None
    plugins: list[Obj]
    items: list[Pathway]


# -- ledgers ---------------------------------------------------------------------------------------------------------


class OfficerLedger(R, kw_only=True):
    """An officer's JP for a year: credited per activity (the rule and versions used), planned, the PNS/PPPK limits."""

    officer_id: str
    nip: str
    name: str
    agency: str
    year: int
    employee_type: str
    entries: list[Obj]
    by_pathway: dict[str, Obj]
    planned_jp_activities: int
    planned_jp_plan: int
    credited_jp: int
    below_pns_minimum: bool
    shortfall_jp: int
    over_pppk_cap: bool
    excess_jp: int
    pns_min_jp: int
    pppk_max_jp: int
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class AgencyLedger(R, kw_only=True):
    agency: str
    year: int
    officers: list[Obj]
    by_pathway: list[Obj]
    credited_jp: int
    pns_below_minimum: int
    pppk_over_cap: int
    pns_min_jp: int
    pppk_max_jp: int
    officers_total: int | None = None
    page: CursorPage | None = None
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


# -- activities (BAB III) -----------------------------------------------------------------------------------------------


class ActivityRow(R, kw_only=True):
    id: str
    agency: str
    year: int
    pathway: str
    title: str
    version: int
    variant: str | None = None
    provider_name: str | None = None
    place: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    planned_jp: int | None = None
    monitoring_form: str | None = None
    completed_on: str | None = None


class ActivityList(Page, kw_only=True):
    items: list[ActivityRow]
    matched_on: Any = None


class Participant(R, kw_only=True):
    """A participant of an activity: placement, urgency, letters, attendance or meetings, reports, certificates, JP."""

    officer_id: str
    nip: str
    name: str
    employee_type: str
    urgency_rank: int | None
    planned_jp: int | None
    assignment_number: str | None
    attendance: list[Obj]
    meetings: list[Obj]
    certificates: list[Obj]
    report_submitted_on: str | None
    credited_jp: int | None
    completed_on: str | None


class Activity(R, kw_only=True):
    """An activity: preparation (provider, letters, schedule), participants with their evidence, completion."""

    id: str
    agency: str
    year: int
    pathway: str
    title: str
    method: str | None
    provider_kind: str | None
    provider_name: str | None
    place: str | None
    start: str
    end: str
    planned_jp: int | None
    participants: list[Participant]
    version: int
    status: str
    monitoring_form: str | None
    evidence_required: list[str]
    plugin: str
    completed_on: str | None = None


class Monitoring(R, kw_only=True):
    """Formulir 3.3 (attendance) or 3.4 (coaching/mentoring meetings) and the pathway's findings on a day."""

    activity_id: str
    title: str
    pathway: str
    agency: str
    today: str
    monitoring_form: str | None
    version: int
    findings: list[Obj]
    satuan_kerja: str | None = None
    monitored_by: str | None = None
    formulir_3_3: list[Obj] | None = None
    formulir_3_4: list[Obj] | None = None


# -- evaluation (BAB V) ---------------------------------------------------------------------------------------------


class EvaluationList(R, kw_only=True):
    items: list[Obj]


class AdministrativeEvaluation(R, kw_only=True):
    """Formulir 5.1 (questionnaires, weights, Tabel 5.1 bands) and Formulir 5.2 of one activity, with deadlines."""

    activity_id: str
    agency: str
    year: int
    activity: Obj
    version: int
    formulir_5_1: Obj
    formulir_5_2: Obj
    deadlines: list[Obj]
    findings: list[Obj]
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class ResultEvaluation(R, kw_only=True):
    """The ekspose, every Formulir 5.3 and the Formulir 5.4 recap of one officer and activity."""

    id: str
    activity_id: str
    officer_id: str
    agency: str
    year: int
    officer: Obj
    indicators: list[Obj]
    ekspose: Obj | None
    version: int
    formulir_5_3: list[Obj]
    formulir_5_4: Obj
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class ImpactEvaluation(R, kw_only=True):
    """Formulir 5.5 as written by the officer, as assessed by the supervisor, as agreed, with signatures."""

    formulir: str
    id: str
    activity_id: str
    officer_id: str
    agency: str
    year: int
    officer: Obj
    version: int
    evidence_files: list[Obj]
    as_written: Obj | None
    as_assessed: Obj | None
    as_agreed: Obj | None
    signatures: Obj
    status: str
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


class RecapList(R, kw_only=True):
    items: list[Obj]


class EvaluationRecap(R, kw_only=True):
    """The yearly evaluation recap (BAB V.D): computed tables, the written analysis, the submission."""

    id: str
    agency: str
    year: int
    computed: Obj | None
    computations: int
    finalisation: Obj | None
    submission: Obj | None
    version: int
    status: str
    chain_head: ChainHead | None = None
    as_of: AsOf | None = None


# -- agencies and national reporting ----------------------------------------------------------------------------------


class Agency(R, kw_only=True):
    code: str
    name: str
    kind: str
    province: str | None
    kind_label: str | None = None
    province_name: str | None = None


class AgencyList(R, kw_only=True):
    items: list[Obj]
    total: int
    position: int | None = None
    chain_head: ChainHead | None = None


class Provinces(R, kw_only=True):
    provinces: list[Obj]
    kinds: list[Obj]


class NationalPage(R, kw_only=True):
    limit: int
    offset: int
    returned: int
    total: int


class NationalRecap(R, kw_only=True):
    year: int
    scope: Obj
    agencies: list[Obj]
    national: Obj
    reference_date: str | None = None
    position: int | None = None
    chain_head: ChainHead | None = None


class NationalAgency(R, kw_only=True):
    year: int
    agency: Obj
    officers: list[Obj]
    page: NationalPage
    reference_date: str | None = None
    position: int | None = None
    chain_head: ChainHead | None = None


class GapAnalysis(R, kw_only=True):
    year: int
    scope: Obj
    agencies: int
    by_competency_and_level: list[Obj]
    officers: list[Obj]
    page: NationalPage
    position: int | None = None
    chain_head: ChainHead | None = None


#: Every response Struct, for the document's components.
ALL: list[type[R]] = [t for t in list(globals().values()) if isinstance(t, type) and issubclass(t, R) and t is not R]
