"""One agency's records through the API, for the route-generic hardening tests (fuzzing, the
authorization matrix): officers, a history entry, a 180° assessment, Formulir 2.5, a proposal, a
validated and submitted plan, a team member, a seminar activity with a certificate file.

``seed(api)`` returns the values the routes' path parameters take (by parameter name), the ids and
NIPs that must never show in another agency's answers, and a valid request body per write
operation (by ``operationId``) aimed at the seeded records.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from core.evaluation.rules import STATEMENT_CODES
from tests.support.activities import PDF, month_start
from tests.support.data import SUPERVISOR, officer_body
from tests.support.planning import (
    ASSESSMENT_YEAR,
    OFFICERS,
    PERFORMANCE_YEAR,
    PLAN_YEAR,
    SUP,
    TODAY,
    instrument_body,
    register_officers,
    scores,
)

AGENCY = "kemnaker"
OTHER = "disnaker-jabar"
#: An officer of the other agency (its own data, so its listings are not trivially empty).
OTHER_NIP = "19920303 201801 2 005"


@dataclass
class Seeded:
    path: dict[str, Any]  # path parameter name -> a value naming a seeded record
    path_by_prefix: dict[str, dict[str, Any]]  # route prefix -> overrides (e.g. {code} of /instruments vs /pathways)
    secrets: set[str]  # ids and NIPs of AGENCY that another agency must never see
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # operationId -> a valid JSON body
    other_officer: str = ""

    def params_for(self, path: str) -> dict[str, Any]:
        values = dict(self.path)
        for prefix, over in self.path_by_prefix.items():
            if path.startswith(prefix):
                values |= over
        return values


def _ok(r: Any, *status: int) -> dict[str, Any]:
    assert r.status_code in (status or (200, 201)), f"seeding {r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def seed(api: Any) -> Seeded:
    hr = api.as_("hr", AGENCY, unit="biro-sdm", subject="seed-hr")
    sup = api.as_("supervisor", AGENCY, nip=SUP, subject="seed-sup")
    pyb = api.as_("pyb", AGENCY, subject="seed-pyb")
    head = api.as_("head", AGENCY, subject="seed-head")
    ppk = api.as_("ppk", AGENCY, subject="seed-ppk")
    pembina = api.as_("pembina", None, subject="seed-pembina")
    pk = api.as_("officer", AGENCY, nip=OFFICERS["pertama"]["nip"].replace(" ", ""), subject="seed-pk")

    ids = register_officers(api, hr, AGENCY)
    oid = ids["pertama"]
    other = _ok(api.post("/officers/", json=officer_body(OTHER_NIP, agency=OTHER, name="Rina Jabar"),
                         headers=api.as_("hr", OTHER, subject="seed-hr-jabar")), 201)["id"]
    entry = _ok(api.post(f"/officers/{oid}/history/credit-points", json={"year": 2024, "credit_points": "12.5"}, headers=hr), 201)["entry_id"]

    _ok(api.post("/instruments/skj-pk/versions", json=instrument_body(), headers=pembina), 201)
    _ok(api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/supervisor", json={"instrument": "skj-pk", "scores": scores("pertama", (8, 7, 5, 6))}, headers=sup))
    _ok(api.post(f"/assessments/{oid}/{ASSESSMENT_YEAR}/self", json={"scores": scores("pertama", (9, 8, 7, 6))}, headers=pk))
    review = {"targets": [{"description": "Penempatan 120 pencari kerja", "achieved": True, "evidence": "Laporan"}],
              "hasil_kerja": "sesuai", "perilaku_kerja": "sesuai"}
    _ok(api.post(f"/performance-reviews/{oid}/{PERFORMANCE_YEAR}", json=review, headers=sup))
    item = {"source": "competency", "competency": OFFICERS["pertama"]["competency"], "behaviour_indicator": "Menyusun rencana",
            "form": "Pelatihan teknis", "pathway": "pelatihan", "target_time": f"Triwulan II {PLAN_YEAR}"}
    item_id = _ok(api.post(f"/proposals/{oid}/{PLAN_YEAR}/items", json=item, headers=sup), 201)["item_id"]

    # The plan: a budget, a row, a team member; every finding accepted, signed, validated, submitted.
    plan = f"/plans/{AGENCY}/{PLAN_YEAR}"
    _ok(api.post(f"{plan}/budgets", json={"funding_source": "apbn", "amount": "100000000"}, headers=hr))
    row = {"officer_id": oid, "competency": OFFICERS["pertama"]["competency"], "pathway": "pelatihan", "programme": "Pelatihan teknis",
           "provider": "Pusat Pelatihan Kemnaker", "start": f"{PLAN_YEAR}-04-01", "end": f"{PLAN_YEAR}-04-05",
           "budget": "5000000", "funding_source": "apbn", "programme_jp": 24}
    row_id = _ok(api.post(f"{plan}/rows", json=row, headers=hr), 201)["row_id"]
    member_id = _ok(api.post(f"{plan}/team", json={"name": "Tono", "unit_represented": "Biro Perencanaan"}, headers=pyb), 201)["member_id"]
    findings = [f["finding_id"] for f in _ok(api.get(plan, headers=pyb))["findings"] if f["status"] == "open"]
    for f in findings:
        _ok(api.post(f"{plan}/findings/{f}/acceptance", json={"reason": "Instansi memutuskan kebutuhan unit mengharuskan ini."}, headers=pyb))
    _ok(api.post(f"{plan}/signature", json={"name": "Joko", "place": "Jakarta"}, headers=head))
    _ok(api.post(f"{plan}/validation", json={}, headers=ppk))
    _ok(api.post(f"{plan}/submissions", json={"recipient": "pembina", "submitted_on": TODAY.isoformat()}, headers=ppk))
    finding_id = findings[0] if findings else "00000000-0000-0000-0000-000000000000"

    # A seminar in the past: the head approves the provider, a participant with an assignment letter, a certificate.
    start = month_start(3) + timedelta(days=1)
    activity = {"pathway": "seminar", "title": "Seminar Nasional Pasar Kerja", "method": "klasikal", "provider_kind": "other_agency",
                "provider_name": "Pusdiklat Kemnaker", "accreditation_ref": "LAN-AKR-2024-17", "place": "Jakarta",
                "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(), "planned_jp": 8,
                "competency": OFFICERS["pertama"]["competency"], "budget": "2500000", "funding_source": "apbn", "agency": AGENCY}
    aid = _ok(api.post("/activities/", json=activity, headers=hr), 201)["id"]
    on = (start - timedelta(days=30)).isoformat()
    _ok(api.post(f"/activities/{aid}/provider-approval", json={"approved_on": on, "approver_name": "Kepala Badan"}, headers=head))
    _ok(api.post(f"/activities/{aid}/proposal-letter", json={"number": "800/PROP/01", "letter_date": on}, headers=hr))
    _ok(api.post(f"/activities/{aid}/participants", json={"officer_id": oid, "urgency_rank": 1, "reason": "kesenjangan"}, headers=hr), 201)
    _ok(api.post(f"/activities/{aid}/assignment-letters", json={"officer_id": oid, "number": "800/ST/001", "letter_date": on,
                                                                 "signer_name": "Dr. Kepala", "signer_position": "Kepala Badan"}, headers=hr), 201)
    up = api.post(f"/activities/{aid}/certificates", headers=pk, files={"file": ("sertifikat.pdf", PDF, "application/pdf")},
                  data={"officer_id": oid, "number": "SEM-1", "issuer": "Pusdiklat", "issued_on": (start + timedelta(days=1)).isoformat(),
                        "kind": "sertifikat"})
    sha = _ok(up, 201)["sha256"]

    path = {"officer_id": oid, "aggregate_id": oid, "entry_id": entry, "year": PLAN_YEAR, "plan_year": PLAN_YEAR, "agency": AGENCY,
            "row_id": row_id, "finding_id": finding_id, "member_id": member_id, "revision": 1, "item_id": item_id,
            "activity_id": aid, "sha256": sha, "code": "skj-pk"}
    by_prefix = {"/assessments/": {"year": ASSESSMENT_YEAR}, "/performance-reviews/": {"year": PERFORMANCE_YEAR},
                 "/pathways/": {"code": "seminar"}, "/ledger/": {"year": start.year}}
    secrets = {*ids.values(), *(o["nip"].replace(" ", "") for o in OFFICERS.values()), entry, row_id, member_id, item_id, aid, sha}

    day = start.isoformat()
    reason = {"reason": "Dicatat keliru oleh petugas"}
    bodies: dict[str, dict[str, Any]] = {
        "registerOfficer": officer_body("19950505 202001 1 006", agency=AGENCY),
        "correctOfficer": {"changes": {"birth_place": "Bogor"}, "reason": "Sesuai akta kelahiran"},
        "withdrawOfficer": reason,
        "changeOfficerPlacement": {"position": "Pengantar Kerja Ahli Muda", "level": "ahli_muda", "golongan": "III/c",
                                   "unit": "Direktorat Bina Penempatan", "reason": "Kenaikan jenjang"},
        "recordPositionHistory": {"year": 2020, "position": "Pengantar Kerja Ahli Pertama"},
        "recordDevelopmentHistory": {"year": 2023, "competency": "integritas", "form": "Pelatihan Integritas"},
        "recordPerformanceHistory": {"year": 2023, "predikat": "baik"},
        "recordCreditPoints": {"year": 2023, "credit_points": "10"},
        "correctHistoryEntry": {"changes": {"credit_points": "13"}, **reason},
        "retractHistoryEntry": reason,
        "publishInstrumentVersion": instrument_body(),
        "scoreAsSupervisor": {"instrument": "skj-pk", "scores": scores("pertama", (8, 8, 8, 8))},
        "scoreSelf": {"scores": scores("pertama", (8, 8, 8, 8))},
        "closeGapAnalysis": {},
        "recordPerformanceReview": review,
        "signPerformanceReview": {},
        "addProposalItem": item,
        "changeProposalItem": item,
        "removeProposalItem": reason,
        "signProposal": {},
        "considerProposal": {"position": "Direktur Penempatan"},
        "forwardProposal": {},
        "registerPlanBudget": {"funding_source": "apbd", "amount": "1000000"},
        "addPlanRow": row,
        "changePlanRow": row | reason,
        "removePlanRow": reason,
        "patchPlanRow": {"programme": "Pelatihan Analisis Pasar Kerja", **reason},
        "rerunPlanChecks": {},
        "acceptFinding": {"reason": "Instansi memutuskan kebutuhan unit mengharuskan ini."},
        "appointTeamMember": {"name": "Sari", "unit_represented": "Biro Keuangan"},
        "releaseTeamMember": reason,
        "recordTeamMeeting": {"held_on": TODAY.isoformat(), "attendees": ["Rina"], "minutes": "Rapat verifikasi"},
        "signPlan": {"name": "Joko", "place": "Jakarta"},
        "validatePlan": {},
        "openPlanRevision": {"reason": "Penyelenggara berganti"},
        "submitPlan": {"recipient": "lan", "submitted_on": TODAY.isoformat()},
        "registerCurriculumStandard": {"competency": OFFICERS["pertama"]["competency"], "level": "ahli_pertama", "code": "KUR-X",
                                       "title": "Kurikulum X"},
        "withdrawCurriculumStandard": {"competency": OFFICERS["pertama"]["competency"], "level": "ahli_pertama", "code": "KUR-X",
                                       "reason": "Diganti kurikulum baru"},
        "createActivity": activity,
        "approveProvider": {"approved_on": on, "approver_name": "Kepala Badan"},
        "recordProposalLetter": {"number": "800/PROP/02", "letter_date": on},
        "selectParticipant": {"officer_id": ids["muda"], "urgency_rank": 2},
        "deselectParticipant": {"officer_id": oid, **reason},
        "recordAssignmentLetter": {"officer_id": oid, "number": "800/ST/002", "letter_date": on, "signer_name": "Dr. Kepala",
                                   "signer_position": "Kepala Badan"},
        "scheduleSessions": {"dates": [day], "minutes": 360, "agreed_with_provider": True},
        "recordAttendance": {"officer_id": oid, "session_date": day, "status": "hadir_full"},
        "correctAttendance": {"officer_id": oid, "session_date": day, "status": "tidak_hadir", **reason},
        "recordSessionAttendance": {"session_date": day, "participants": [{"officer_id": oid, "status": "hadir_full"}]},
        "submitReport": {"officer_id": oid, "title": "Laporan seminar", "summary": "Ringkasan materi."},
        "recordRecap": {"summary": "Rekap kegiatan."},
        "completeActivity": {},
        "provideMaterials": {"items": ["Modul 1"]},
        "setTopics": {"topics": ["Pasar kerja"]},
        "recordDiscussionNotes": {"topic": "Pasar kerja", "held_on": day, "notes": "Catatan diskusi."},
        "submitGroupReport": {"summary": "Laporan kelompok."},
        "submitCoachReport": {"officer_id": oid, "summary": "Laporan coach."},
        "proposeLearningContract": {"officer_id": oid, "meetings_agreed": 4, "goals": ["Menguasai analisis pasar kerja"]},
        "signLearningContract": {"officer_id": oid},
        "recordMeeting": {"officer_id": oid, "meeting_date": day, "duration_minutes": 60, "notes": "Pertemuan coaching."},
        "correctMeeting": {"meeting_id": entry, "meeting_date": day, "duration_minutes": 60, "notes": "Koreksi.", **reason},
        "retractMeeting": {"meeting_id": entry, **reason},
        "assignCoach": {"kind": "coach", "subject": "coach-1", "name": "Dr. Coach", "institution": "Kemnaker", "criteria": "Ahli Madya",
                        "assignment_number": "800/C/1", "assignment_date": on},
        "configureJpTable": {"version_id": "2026-01", "overrides": {}, "reason": "Penyesuaian tabel JP", "agency": AGENCY},
        # Evaluation (BAB V)
        "submitQuestionnaire": {"officer_id": oid, "answers": {code: 3 for code in STATEMENT_CODES}, "perbaikan": "Waktu praktik"},
        "computeAdministrativeForm": {},
        "overrideAdministrativeCell": {"officer_id": oid, "cell": "jadwal", "sesuai": False, **reason},
        "verifyAdministrativeForm": {},
        "signAdministrativeForm": {"name": "Sekretaris Jenderal", "place": "Jakarta"},
        "scheduleEkspose": {"held_on": TODAY.isoformat(), "place": "Ruang rapat"},
        "rescheduleEkspose": {"held_on": TODAY.isoformat(), "place": "Ruang rapat", **reason},
        "recordCompetencyAssessment": {"assessor_name": "Budi Santoso", "assessor_position": "Kepala Seksi", "capacity": "supervisor",
                                       "scores": {"I1": 8, "I2": 7, "I3": 9}},
        "signResultRecap": {"name": "Ani", "position": "Kepala Biro SDM"},
        "selfAssessImpact": {"obstacles": "Belum ada hambatan berarti.", "items": []},
        "supervisorAssessImpact": {"note": "Sesuai pengamatan atasan."},
        "recordImpactDialogue": {"held_on": TODAY.isoformat(), "notes": ["Lanjutkan penerapan."]},
        "signImpactEvaluation": {"name": "Siti Rahayu"},
        "computeRecap": {},
        "finaliseRecap": {"analysis": "Analisis Unit Pengelola SDM Aparatur atas hasil evaluasi tahun ini."},
        "submitRecap": {},
        # National reporting (issue 11): the agency directory and the bulk import.
        "registerAgency": {"code": "disnaker-bali", "name": "Dinas Tenaga Kerja Provinsi Bali", "kind": "provinsi", "province": "bali"},
        "changeAgency": {"name": "Kementerian Ketenagakerjaan RI", "kind": "kementerian_lembaga", "province": "dki_jakarta",
                         "reason": "Nama resmi diperbarui"},
        "importOfficers": {"csv": "NIP,Nama,Tempat Lahir,Tanggal Lahir,Jenis Kelamin (L/P),Jenis Pegawai (PNS/PPPK),Jabatan,Jenjang,"
                                  "Golongan,Unit Kerja\r\n199505052020011006,Rudi,Bogor,1995-05-05,L,PNS,Pengantar Kerja Ahli Pertama,"
                                  "ahli_pertama,III/a,Direktorat Penempatan\r\n"},
    }
    return Seeded(path=path, path_by_prefix=by_prefix, secrets={str(s) for s in secrets}, bodies=bodies, other_officer=other)


def fill(template: str, values: dict[str, Any]) -> str:
    """``/officers/{officer_id}`` with the seeded values; unknown parameters keep a well-formed absent id."""
    import re

    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "00000000-0000-4000-8000-000000000000")), template)


__all__ = ["AGENCY", "OTHER", "OTHER_NIP", "SUPERVISOR", "Seeded", "fill", "seed"]


@contextmanager
def seeded_app(settings: Any) -> Iterator[tuple[Any, Seeded, Any]]:
    """The real app on ``settings``' store, seeded (:func:`seed`), with its OpenAPI document loaded by schemathesis:
    what the fuzz and contract runs work against. httpx's one INFO line per request is silenced meanwhile."""
    import logging

    import schemathesis
    from litestar.testing import TestClient

    from api.app import create_app
    from api.bootstrap import build
    from tests.conftest import Api

    services = build(settings)
    quiet = logging.getLogger("httpx")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # one INFO line per request would drown a failure's report
    try:
        with TestClient(create_app(services), raise_server_exceptions=False) as client:
            api = Api(client, services)
            seeded = seed(api)
            yield api, seeded, schemathesis.openapi.from_dict(api.get("/schema/openapi.json").json())
    finally:
        quiet.setLevel(level)
        services.close()
