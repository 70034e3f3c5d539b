"""Builders for the planning-cycle tests (BAB II): four officers at the four Ahli levels (one a
PPPK), an instrument with questions for each level, and the years of the cycle relative to today."""
from __future__ import annotations

from datetime import date
from typing import Any

from tests.support.data import SUPERVISOR, officer_body

TODAY = date.today()
PLAN_YEAR = TODAY.year + 1  # the plan is prepared in the budget year before it
ASSESSMENT_YEAR = TODAY.year  # the 180° assessment runs in Q1 of the cycle year
PERFORMANCE_YEAR = TODAY.year - 1  # Formulir 2.5 measures the previous year
SUP = SUPERVISOR.replace(" ", "")

#: NIP, level, golongan, employee type, name; the technical competency each is developed in.
OFFICERS: dict[str, dict[str, Any]] = {
    "pertama": dict(nip="19900101 201501 1 001", level="ahli_pertama", golongan="III/a", employee_type="PNS",
                    name="Siti Rahayu", competency="penempatan_tk_dan_perluasan_kesempatan_kerja"),
    "muda": dict(nip="19850505 201003 2 002", level="ahli_muda", golongan="III/c", employee_type="PNS",
                 name="Dewi Lestari", competency="perencanaan_pelaksanaan_antar_kerja"),
    "madya": dict(nip="19800202 200501 1 003", level="ahli_madya", golongan="IV/a", employee_type="PNS",
                  name="Agus Salim", competency="pengembangan_antar_kerja"),
    "utama": dict(nip="19780404 2021 01 1 004", level="ahli_utama", golongan="IV/d", employee_type="PPPK",
                  name="Bambang Wijaya", competency="pengendalian_penggunaan_tka"),
}


def register_officers(api: Any, hr: dict[str, str], agency: str = "kemnaker") -> dict[str, str]:
    ids = {}
    for key, o in OFFICERS.items():
        body = officer_body(o["nip"], name=o["name"], level=o["level"], golongan=o["golongan"], employee_type=o["employee_type"],
                            position=f"Pengantar Kerja {o['level'].replace('_', ' ').title()}", agency=agency)
        r = api.post("/officers/", json=body, headers=hr)
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    return ids


def instrument_body() -> dict[str, Any]:
    """Two questions per level: Integritas (managerial) and the level's technical competency."""
    questions, standards = [], []
    for key, o in OFFICERS.items():
        for n, comp in enumerate(("integritas", o["competency"]), start=1):
            questions.append({"question_id": f"{key.upper()}-{n}", "competency": comp, "level": o["level"],
                              "text": f"Seberapa baik Anda menunjukkan {comp} di jenjang {o['level']}?"})
            questions.append({"question_id": f"{key.upper()}-{n}b", "competency": comp, "level": o["level"],
                              "text": f"Contoh perilaku {comp} dalam tugas antar kerja"})
            standards.append({"competency": comp, "level": o["level"], "target": "8"})
    return {"title": "Instrumen Penilaian 180 Derajat JF Pengantar Kerja", "questions": questions, "standards": standards}


def scores(key: str, values: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    ids = [f"{key.upper()}-1", f"{key.upper()}-1b", f"{key.upper()}-2", f"{key.upper()}-2b"]
    return [{"question_id": q, "score": v} for q, v in zip(ids, values, strict=True)]


def head(api: Any) -> int:
    return api.services.app.recorder.max_notification_id() or 0


def assert_problem(r: Any, status: int, *fragments: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["type"].startswith("urn:pengkom:problem:")
    for f in fragments:
        assert f in body["detail"], body["detail"]
    return body
