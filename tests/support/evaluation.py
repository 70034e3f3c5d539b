"""Builders for the evaluation (BAB V) tests: one agency's year N (last year, so every date is past) with
a validated plan and three completed activities of three pathways, ready to be evaluated.

- pelatihan from Siti's plan row (planned in March, ran in April), with Dewi and Agus as unplanned
  participants; the programme is poorly received (Formulir 5.1 below 50 %), so the recap stops it;
- seminar from Dewi's row, with Bambang selected but absent and never completed;
- coaching from Agus's row: 4 meetings agreed, 3 held (the coaching plugin's 5.2 *jadwal* cell).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.evaluation.rules import STATEMENT_CODES
from tests.support.activities import PDF, days, ok
from tests.support.planning import OFFICERS, SUP, register_officers

TODAY = date.today()
YEAR = TODAY.year - 1  # the evaluated year: wholly past
AGENCY = "kemnaker"
COACH_SUBJECT = "coach-hendra"
PELATIHAN_PROGRAMME = "Pelatihan Teknis Penempatan Tenaga Kerja"
PELATIHAN_PROVIDER = "Pusat Pelatihan Kemnaker"
#: Formulir 5.1 part A answers in the form's order, per respondent.
POOR = {"pertama": (2, 2, 1, 1, 2, 2, 1, 2), "muda": (2, 2, 2, 2, 2, 1, 2, 2), "madya": (1, 2, 1, 2, 2, 1, 2, 1)}


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


def answers(values: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(STATEMENT_CODES, values, strict=True))


@dataclass
class World:
    api: Any
    hr: dict[str, str]
    head: dict[str, str]
    ppk: dict[str, str]
    pyb: dict[str, str]
    sup: dict[str, str]
    coach: dict[str, str]
    ids: dict[str, str]
    pk: dict[str, dict[str, str]]
    rows: dict[str, str] = field(default_factory=dict)
    activities: dict[str, str] = field(default_factory=dict)
    ends: dict[str, date] = field(default_factory=dict)

    def post(self, path: str, body: dict[str, Any], who: dict[str, str] | None = None, status: int = 200) -> dict[str, Any]:
        return ok(self.api.post(path, json=body, headers=who or self.hr), status)

    def act(self, key: str, path: str, body: dict[str, Any], who: dict[str, str] | None = None, status: int | None = None) -> dict[str, Any]:
        created = {"participants", "assignment-letters", "attendance", "meetings", "reports", "coach-reports", "learning-contracts"}
        return self.post(f"/activities/{self.activities[key]}/{path}", body, who, status or (201 if path in created else 200))

    def certificate(self, key: str, officer: str) -> None:
        r = self.api.post(f"/activities/{self.activities[key]}/certificates", headers=self.pk[officer],
                          files={"file": ("sertifikat.pdf", PDF, "application/pdf")},
                          data={"officer_id": self.ids[officer], "number": f"SERT-{key}-{officer}", "issuer": "Penyelenggara",
                                "issued_on": self.ends[key].isoformat(), "kind": "sertifikat", "programme_jp": "24"})
        assert r.status_code == 201, r.text


def _plan(w: World) -> None:
    """Plan year N: three rows, every finding accepted, signed by the head, validated by the PPK."""
    plan = f"/plans/{AGENCY}/{YEAR}"
    w.post(f"{plan}/budgets", {"funding_source": "apbn", "amount": "100000000"})
    rows = {
        "pelatihan": {"officer_id": w.ids["pertama"], "competency": OFFICERS["pertama"]["competency"], "pathway": "pelatihan",
                      "programme": PELATIHAN_PROGRAMME, "provider": PELATIHAN_PROVIDER, "start": d(3, 2).isoformat(),
                      "end": d(3, 4).isoformat(), "budget": "5000000", "funding_source": "apbn", "programme_jp": 24},
        "seminar": {"officer_id": w.ids["muda"], "competency": OFFICERS["muda"]["competency"], "pathway": "seminar",
                    "programme": "Seminar Nasional Pasar Kerja", "provider": "Pusdiklat Kemnaker", "start": d(5, 11).isoformat(),
                    "end": d(5, 12).isoformat(), "budget": "2000000", "funding_source": "apbn", "days": 2},
        "coaching": {"officer_id": w.ids["madya"], "competency": "orientasi_pada_hasil", "pathway": "coaching",
                     "programme": "Coaching Kepemimpinan Layanan", "provider": "Hendra", "start": d(6, 1).isoformat(),
                     "end": d(7, 31).isoformat(), "budget": "0", "funding_source": "apbn", "sessions": 4},
    }
    for key, body in rows.items():
        w.rows[key] = w.post(f"{plan}/rows", body, status=201)["row_id"]
    for f in ok(w.api.get(plan, headers=w.pyb))["findings"]:
        if f["status"] == "open":
            w.post(f"{plan}/findings/{f['finding_id']}/acceptance",
                   {"reason": "Diterima PyB: kebutuhan unit kerja (uji alur evaluasi)."}, w.pyb)
    w.post(f"{plan}/signature", {"name": "Joko", "place": "Jakarta"}, w.head)
    w.post(f"{plan}/validation", {}, w.ppk)


def _prepare(w: World, key: str, officers: list[str], on: date, *, approve: bool = True) -> None:
    if approve:
        w.act(key, "provider-approval", {"approved_on": on.isoformat(), "approver_name": "Kepala Badan"}, w.head)
        w.act(key, "proposal-letter", {"number": f"800/PROP/{key}", "letter_date": on.isoformat()})
    for rank, officer in enumerate(officers, start=1):
        w.act(key, "participants", {"officer_id": w.ids[officer], "urgency_rank": rank, "reason": "kesenjangan kompetensi"})
        w.act(key, "assignment-letters", {"officer_id": w.ids[officer], "number": f"800/ST/{key}/{rank}",
                                          "letter_date": on.isoformat(), "signer_name": "Dr. Kepala", "signer_position": "Kepala Badan"})


def _report(w: World, key: str, officer: str, on: date) -> None:
    w.act(key, "reports", {"officer_id": w.ids[officer], "title": f"Laporan {key}", "summary": "Ringkasan dan tindak lanjut.",
                           "effective_date": on.isoformat()}, w.pk[officer])


def build(api: Any) -> World:
    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani", name="Ani (Biro SDM)")
    w = World(api=api, hr=hr, head=api.as_("head", nip="196901011990031001", subject="head-joko", name="Joko (Kepala)"),
              ppk=api.as_("ppk", nip="196501011990031002", subject="ppk-sekjen", name="Sekretaris Jenderal"),
              pyb=api.as_("pyb", subject="pyb-rina", name="Rina (PyB)"),
              sup=api.as_("supervisor", nip=SUP, subject="sup-budi", name="Budi Santoso"),
              coach=api.as_("supervisor", subject=COACH_SUBJECT, name="Hendra (coach)", nip="197001012000011009"),
              ids=register_officers(api, hr), pk={})
    w.pk = {k: api.as_("officer", nip=o["nip"].replace(" ", ""), subject=f"pk-{k}", name=o["name"]) for k, o in OFFICERS.items()}
    _plan(w)
    plan_id = ok(api.get(f"/plans/{AGENCY}/{YEAR}", headers=w.hr))["plan_id"]

    # Pelatihan from Siti's row, moved from March to April; Dewi and Agus join unplanned.
    start, w.ends["pelatihan"] = d(4, 6), d(4, 8)
    w.activities["pelatihan"] = w.post("/activities/", {
        "plan_id": plan_id, "plan_row_id": w.rows["pelatihan"], "title": "Pelatihan Teknis Penempatan TK Angkatan I",
        "method": "klasikal", "provider_kind": "own_unit", "accreditation_ref": "LAN-AKR-PUSLAT-2023", "place": "Bekasi",
        "variant": "teknis", "start": start.isoformat(), "end": d(4, 8).isoformat()}, status=201)["id"]
    _prepare(w, "pelatihan", ["pertama", "muda", "madya"], d(3, 20))
    w.act("pelatihan", "sessions", {"dates": days(start, 3), "minutes": 480, "agreed_with_provider": True})
    for officer in ("pertama", "muda", "madya"):
        for day in days(start, 3):
            w.act("pelatihan", "attendance", {"officer_id": w.ids[officer], "session_date": day, "status": "hadir_full"})
        _report(w, "pelatihan", officer, d(4, 9))
        w.certificate("pelatihan", officer)
    w.post(f"/activities/{w.activities['pelatihan']}/completion", {"effective_date": d(4, 10).isoformat()})

    # Seminar from Dewi's row; Bambang is selected, absent, and never completed.
    start, w.ends["seminar"] = d(5, 11), d(5, 12)
    w.activities["seminar"] = w.post("/activities/", {
        "plan_id": plan_id, "plan_row_id": w.rows["seminar"], "title": "Seminar Nasional Pasar Kerja", "method": "klasikal",
        "provider_kind": "other_agency", "accreditation_ref": "LAN-AKR-2024-17", "place": "Jakarta"}, status=201)["id"]
    _prepare(w, "seminar", ["muda", "utama"], d(4, 20))
    w.act("seminar", "sessions", {"dates": days(start, 2), "minutes": 360, "agreed_with_provider": True})
    for day in days(start, 2):
        w.act("seminar", "attendance", {"officer_id": w.ids["muda"], "session_date": day, "status": "hadir_full"})
        w.act("seminar", "attendance", {"officer_id": w.ids["utama"], "session_date": day, "status": "tidak_hadir"})
    _report(w, "seminar", "muda", d(5, 13))
    w.certificate("seminar", "muda")
    w.post(f"/activities/{w.activities['seminar']}/completion", {"officer_ids": [w.ids["muda"]],
                                                                  "effective_date": d(5, 14).isoformat()})

    # Coaching from Agus's row: a learning contract of 4 meetings, 3 held.
    w.ends["coaching"] = d(7, 31)
    w.activities["coaching"] = w.post("/activities/", {
        "plan_id": plan_id, "plan_row_id": w.rows["coaching"], "title": "Coaching Kepemimpinan Layanan", "method": "klasikal",
        "provider_kind": "coach_mentor", "place": "Kantor pusat"}, status=201)["id"]
    _prepare(w, "coaching", ["madya"], d(5, 25), approve=False)
    w.act("coaching", "coach", {"kind": "coach", "subject": COACH_SUBJECT, "name": "Hendra", "nip": "197001012000011009",
                                "institution": "Direktorat Bina Penta", "criteria": "Bersertifikat coach",
                                "assignment_number": "800/ST-COACH/01", "assignment_date": d(5, 25).isoformat()})
    w.act("coaching", "learning-contracts", {"officer_id": w.ids["madya"], "meetings_agreed": 4,
                                             "goals": ["Memimpin rapat koordinasi penempatan"]}, w.coach)
    w.act("coaching", "learning-contracts/signatures", {"officer_id": w.ids["madya"]}, w.pk["madya"])
    w.act("coaching", "learning-contracts/signatures", {"officer_id": w.ids["madya"]}, w.coach)
    for day in (d(6, 3), d(6, 17), d(7, 8)):
        w.act("coaching", "meetings", {"officer_id": w.ids["madya"], "meeting_date": day.isoformat(), "duration_minutes": 90,
                                       "notes": "Sesi coaching"}, w.coach)
    _report(w, "coaching", "madya", d(8, 1))
    w.act("coaching", "coach-reports", {"officer_id": w.ids["madya"], "summary": "Ada kemajuan."}, w.coach)
    w.post(f"/activities/{w.activities['coaching']}/completion", {"effective_date": d(8, 2).isoformat()})
    return w


def questionnaire(w: World, key: str, officer: str, values: tuple[int, ...], *, who: dict[str, str] | None = None,
                  on: date | None = None, status: int = 201, **open_answers: str) -> Any:
    body: dict[str, Any] = {"officer_id": w.ids[officer], "answers": answers(values), **open_answers}
    if on is not None:
        body["effective_date"] = on.isoformat()
    r = w.api.post(f"/evaluations/activities/{w.activities[key]}/questionnaires", json=body, headers=who or w.pk[officer])
    assert r.status_code == status, r.text
    return r.json()


__all__ = ["AGENCY", "COACH_SUBJECT", "PELATIHAN_PROGRAMME", "PELATIHAN_PROVIDER", "POOR", "TODAY", "YEAR", "World", "answers",
           "build", "d", "evaluate", "questionnaire"]


def evaluate(w: World) -> None:
    """A short pass through every evaluation: 5.1, 5.2 signed, 5.3/5.4 signed, 5.5 agreed, the recap submitted."""
    pel = w.activities["pelatihan"]
    for officer in ("pertama", "muda"):
        questionnaire(w, "pelatihan", officer, POOR[officer], on=d(4, 15), perbaikan="Sarana perlu diperbaiki.")
    questionnaire(w, "pelatihan", "madya", POOR["madya"], who=w.hr, on=d(4, 16))
    ev = f"/evaluations/activities/{pel}"
    w.post(f"{ev}/form-5-2", {})
    w.post(f"{ev}/form-5-2/overrides", {"officer_id": w.ids["pertama"], "cell": "jadwal", "sesuai": True,
                                        "reason": "Pergeseran jadwal disetujui PPK."})
    w.post(f"{ev}/form-5-2/verification", {"qualitative_summary": "Sarana kurang."})
    w.post(f"{ev}/form-5-2/signature", {"name": "Sekretaris Jenderal", "place": "Jakarta"}, w.ppk)
    res = f"/evaluations/results/{pel}/{w.ids['pertama']}"
    w.post(f"{res}/ekspose", {"held_on": d(4, 18).isoformat(), "place": "Ruang rapat"}, status=201)
    w.post(f"{res}/assessments", {"assessor_name": "Budi Santoso", "assessor_nip": SUP, "assessor_position": "Kepala Seksi",
                                  "capacity": "supervisor", "scores": {"I1": 8, "I2": 7, "I3": 9}}, w.sup, status=201)
    w.post(f"{res}/signature", {"name": "Ani", "position": "Kepala Biro SDM", "effective_date": d(4, 20).isoformat()})
    imp = f"/evaluations/impact/{pel}/{w.ids['pertama']}"
    w.post(f"{imp}/self-assessment", {"obstacles": "Data terlambat.", "items": [
        {"behaviour": "Menyusun peta pasar kerja", "contribution": "IKU penempatan", "target": "IKU 2"}]}, w.pk["pertama"])
    w.post(f"{imp}/supervisor-assessment", {"note": "Terbukti.", "add": [{"behaviour": "Memimpin rapat koordinasi"}]}, w.sup)
    w.post(f"{imp}/dialogue", {"held_on": d(11, 20).isoformat(), "confirm": ["S1.1"], "notes": ["Lanjutkan."]}, w.sup)
    w.post(f"{imp}/signatures", {"name": "Budi Santoso"}, w.sup)
    w.post(f"{imp}/signatures", {"name": "Siti Rahayu"}, w.pk["pertama"])
    rec = f"/evaluations/recaps/{AGENCY}/{YEAR}"
    w.post(f"{rec}/computation", {})
    w.post(f"{rec}/finalisation", {"analysis": "Pelatihan teknis tidak diulang; seminar dan coaching dilanjutkan."})
    w.post(f"{rec}/submissions", {})
