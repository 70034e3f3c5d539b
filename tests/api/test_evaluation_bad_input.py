"""Bad input on the evaluations (BAB V), on SQLite and PostgreSQL: every refusal is problem+json with a
message a clerk can act on and records nothing — answers and scores out of range, a questionnaire for an
activity the officer did not complete or a second one, signatures out of order, another agency's ids —
and the roles follow the guideline: the officer fills their own 5.1 and 5.5 (the HR unit may enter a paper
5.1), only the direct supervisor assesses 5.5, the HR unit verifies and recaps, the PPK or head signs 5.2."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.evaluation import AGENCY, POOR, YEAR, answers, build, d, questionnaire
from tests.support.planning import OFFICERS, SUP, assert_problem, head

# These tests check what each refusal says, in English (Accept-Language: en); tests/api/test_language.py checks
# the same refusals in Bahasa Indonesia, the default.
pytestmark = pytest.mark.language("en")

OTHER = "disnaker-jabar"


def test_bad_input_and_roles_record_nothing(api):
    w = build(api)
    pel, sem = w.activities["pelatihan"], w.activities["seminar"]
    ev = f"/evaluations/activities/{pel}"
    other_hr = api.as_("hr", OTHER, subject="hr-jabar")
    colleague = w.pk["muda"]
    stranger_sup = api.as_("supervisor", nip="197002022000011004", subject="sup-lain")

    def refused(method: str, path: str, status: int, *fragments: str, body: Any = None, who: dict[str, str] | None = None) -> None:
        before = head(api)
        r = api.request(method, path, json=body, headers=who or w.hr) if method != "GET" else api.get(path, headers=who or w.hr)
        assert_problem(r, status, *fragments)
        assert head(api) == before, f"{method} {path} recorded something"

    def q(officer: str, values: tuple[int, ...] = POOR["pertama"], **over: Any) -> dict[str, Any]:
        return {"officer_id": w.ids[officer], "answers": answers(values)} | over

    # -- Formulir 5.1 ---------------------------------------------------------------------------------------------
    bad = answers(POOR["pertama"]) | {"sarana_ruang_kelas": 5}
    refused("POST", f"{ev}/questionnaires", 422, "'Ruang kelas yang nyaman dan asri' (Sarana) is 5", "1 (tidak puas)",
            body={"officer_id": w.ids["pertama"], "answers": bad}, who=w.pk["pertama"])
    missing = {k: v for k, v in answers(POOR["pertama"]).items() if k != "instruktur_bahasa"}
    refused("POST", f"{ev}/questionnaires", 422, "missing", "Penggunaan bahasa", body={"officer_id": w.ids["pertama"],
                                                                                         "answers": missing}, who=w.pk["pertama"])
    refused("POST", f"{ev}/questionnaires", 422, "no statement materi_lain",
            body={"officer_id": w.ids["pertama"], "answers": answers(POOR["pertama"]) | {"materi_lain": 3}}, who=w.pk["pertama"])
    refused("POST", f"/evaluations/activities/{sem}/questionnaires", 409, "has not completed", body=q("utama"), who=w.pk["utama"])
    refused("POST", f"/evaluations/activities/{sem}/questionnaires", 422, "did not take part", body=q("pertama"),
            who=w.pk["pertama"])
    refused("POST", f"{ev}/questionnaires", 403, "themself", body=q("pertama"), who=colleague)  # a colleague answers for Siti
    refused("POST", f"{ev}/questionnaires", 404, "in your agency", body=q("pertama"), who=other_hr)
    questionnaire(w, "pelatihan", "pertama", POOR["pertama"])
    refused("POST", f"{ev}/questionnaires", 409, "already handed in", body=q("pertama"), who=w.hr)  # a second one, on paper
    refused("GET", ev, 404, "in your agency", who=other_hr)

    # -- Formulir 5.2 ---------------------------------------------------------------------------------------------
    override = {"officer_id": w.ids["pertama"], "cell": "jadwal", "sesuai": True, "reason": "Disetujui PPK sebelumnya."}
    refused("POST", f"{ev}/form-5-2/overrides", 404, "compute it first", body=override)
    refused("POST", f"{ev}/form-5-2", 403, "hr", body={}, who=w.pk["pertama"])
    api.post(f"{ev}/form-5-2", json={}, headers=w.hr)
    refused("POST", f"{ev}/form-5-2", 409, "nothing changed", body={})
    refused("POST", f"{ev}/form-5-2/overrides", 422, "no cell 'waktu'", body=override | {"cell": "waktu"})
    refused("POST", f"{ev}/form-5-2/overrides", 422, "at least 10 characters", body=override | {"reason": "ok ya"})
    refused("POST", f"{ev}/form-5-2/overrides", 409, "already reads Tidak", body=override | {"sesuai": False})
    refused("POST", f"{ev}/form-5-2/signature", 409, "not verified", body={"name": "Sekjen", "place": "Jakarta"}, who=w.ppk)
    refused("POST", f"{ev}/form-5-2/signature", 403, "ppk, head", body={"name": "Ani", "place": "Jakarta"}, who=w.hr)
    refused("POST", f"{ev}/form-5-2/verification", 403, "hr", body={}, who=w.ppk)

    # -- Result evaluation (5.3 / 5.4) -------------------------------------------------------------------------------
    res = f"/evaluations/results/{pel}/{w.ids['pertama']}"
    refused("POST", f"/evaluations/results/{sem}/{w.ids['utama']}/ekspose", 409, "has not completed",
            body={"held_on": d(6, 1).isoformat(), "place": "Ruang rapat"})
    refused("POST", f"{res}/ekspose", 422, "held after the activity", body={"held_on": d(4, 1).isoformat(), "place": "Ruang"})
    refused("POST", f"{res}/ekspose", 403, "hr", body={"held_on": d(4, 20).isoformat(), "place": "Ruang"}, who=w.sup)
    api.post(f"{res}/ekspose", json={"held_on": d(4, 20).isoformat(), "place": "Ruang rapat"}, headers=w.hr)
    form = {"assessor_name": "Budi Santoso", "assessor_nip": SUP, "assessor_position": "Kepala Seksi", "capacity": "supervisor",
            "scores": {"I1": 8, "I2": 7, "I3": 9}}
    refused("POST", f"{res}/assessments", 422, "indicator I2", "is 11", "from 0", body=form | {"scores": {"I1": 8, "I2": 11, "I3": 9}})
    refused("POST", f"{res}/assessments", 422, "Indicator I3", "has no score", body=form | {"scores": {"I1": 8, "I2": 7}})
    refused("POST", f"{res}/assessments", 422, "cannot assess themself",
            body=form | {"assessor_nip": OFFICERS["pertama"]["nip"], "capacity": "colleague", "assessor_name": "Siti"})
    refused("POST", f"{res}/assessments", 422, "not the direct supervisor",
            body=form | {"assessor_nip": "197002022000011004"})
    refused("POST", f"{res}/assessments", 403, "assessor themself", body=form | {"assessor_nip": "197002022000011004",
                                                                                 "capacity": "colleague"}, who=w.sup)
    refused("POST", f"{res}/assessments", 422, "capacity 'boss'", body=form | {"capacity": "boss"})
    api.post(f"{res}/assessments", json=form, headers=w.sup)
    refused("POST", f"{res}/assessments", 409, "already filled Formulir 5.3", body=form)
    refused("POST", f"{res}/signature", 403, "hr", body={"name": "Budi", "position": "Kepala Seksi"}, who=w.sup)
    refused("POST", f"{res}/ekspose/rescheduling", 409, "was held",
            body={"held_on": d(4, 25).isoformat(), "place": "Aula", "reason": "Ruang dipakai"})

    # -- Formulir 5.5 ----------------------------------------------------------------------------------------------
    imp = f"/evaluations/impact/{pel}/{w.ids['pertama']}"
    item = {"behaviour": "Menyusun peta pasar kerja", "contribution": "IKU penempatan", "target": "IKU 2"}
    refused("POST", f"{imp}/self-assessment", 403, "themself", body={"obstacles": "Tidak ada", "items": [item]}, who=w.hr)
    refused("POST", f"{imp}/self-assessment", 403, "themself", body={"obstacles": "Tidak ada", "items": [item]}, who=colleague)
    refused("POST", f"{imp}/self-assessment", 422, "column 10", body={"obstacles": "Tidak ada",
                                                                      "items": [item | {"target": None}]}, who=w.pk["pertama"])
    refused("POST", f"{imp}/self-assessment", 422, "was not uploaded",
            body={"obstacles": "Tidak ada", "items": [item | {"evidence": [{"kind": "file", "sha256": "ab" * 32}]}]},
            who=w.pk["pertama"])
    refused("POST", f"{imp}/self-assessment", 422, "credit points",
            body={"obstacles": "Tidak ada", "items": [item | {"evidence": [{"kind": "credit_points", "credit_points": "-1"}]}]},
            who=w.pk["pertama"])
    api.post(f"{imp}/self-assessment", json={"obstacles": "Tidak ada", "items": [item]}, headers=w.pk["pertama"])
    refused("POST", f"{imp}/dialogue", 409, "supervisor's assessment first", body={"held_on": d(11, 1).isoformat(), "notes": ["x"]},
            who=w.sup)
    refused("POST", f"{imp}/supervisor-assessment", 403, "direct supervisor", body={"note": "Baik"}, who=stranger_sup)
    refused("POST", f"{imp}/supervisor-assessment", 422, "item 'S9.9' is not on the form",
            body={"note": "Baik", "remove": [{"item_id": "S9.9", "reason": "tidak ada"}]}, who=w.sup)
    api.post(f"{imp}/supervisor-assessment", json={"note": "Baik"}, headers=w.sup)
    refused("POST", f"{imp}/self-assessment", 409, "supervisor has assessed", body={"obstacles": "Lain", "items": []},
            who=w.pk["pertama"])
    refused("POST", f"{imp}/signatures", 409, "no dialogue", body={"name": "Budi"}, who=w.sup)
    refused("POST", f"{imp}/dialogue", 422, "does nothing", body={"held_on": d(11, 1).isoformat()}, who=w.sup)
    refused("POST", f"{imp}/dialogue", 403, "direct supervisor", body={"held_on": d(11, 1).isoformat(), "notes": ["x"]},
            who=w.pk["pertama"])
    refused("GET", imp, 404, "in your agency", who=other_hr)

    # -- Recap (V.D) ------------------------------------------------------------------------------------------------
    rec = f"/evaluations/recaps/{AGENCY}/{YEAR}"
    refused("POST", f"{rec}/finalisation", 404, "computes it first", body={"analysis": "Analisis lengkap unit SDM."})
    refused("POST", f"{rec}/computation", 403, "hr", body={}, who=w.pk["pertama"])
    refused("POST", f"{rec}/computation", 403, "another agency", body={}, who=other_hr)
    api.post(f"{rec}/computation", json={}, headers=w.hr)
    refused("POST", f"{rec}/submissions", 409, "finalised", body={})
    refused("POST", f"{rec}/finalisation", 422, "at least 20 characters", body={"analysis": "Singkat."})
    refused("POST", f"{rec}/finalisation", 422, "no programme 'Pelatihan Lain'",
            body={"analysis": "Analisis lengkap unit SDM atas tahun ini.", "overrides": [
                {"kind": "programme", "name": "Pelatihan Lain", "recommendation": "stop", "reason": "Kualitas rendah sekali."}]})
    refused("GET", rec, 403, "submitted", who=api.as_("pembina", None))
