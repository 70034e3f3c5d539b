"""Commands never depend on read models (issue 8 item 7): while the officer directory is rebuilt,
commands on an existing officer are recorded (they load the aggregate), reads answer 503, and
another agency's officer is still 'not found' for commands."""
from __future__ import annotations

from typing import Any

from projections.registry import all_projections
from projections.runner import Projector
from tests.support.data import SUPERVISOR, officer_body
from tests.support.planning import ASSESSMENT_YEAR, PERFORMANCE_YEAR, PLAN_YEAR, instrument_body, scores

SUP = SUPERVISOR.replace(" ", "")


def test_commands_on_an_officer_work_while_the_directory_is_rebuilt(api: Any) -> None:
    hr = api.as_("hr")
    sup = api.as_("supervisor", nip=SUP)
    r = api.post("/officers/", json=officer_body(level="ahli_pertama", golongan="III/a"), headers=hr)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert api.post("/instruments/skj-pk/versions", json=instrument_body(), headers=api.as_("pembina", None)).status_code == 201
    # Another process starts rebuilding the officer directory (and leaves it marked while it works).
    Projector(api.services.app, api.services.views, all_projections()).reset(["officers"])
    read = api.get(f"/officers/{oid}", headers=hr)
    assert read.status_code == 503 and read.json()["code"] == "rebuilding", read.text

    commands = [
        ("post", f"/officers/{oid}/history/positions", {"year": 2020, "position": "Pengantar Kerja"}, hr, 201),
        ("post", f"/officers/{oid}/corrections", {"changes": {"birth_place": "Bogor"}, "reason": "Sesuai akta"}, hr, 200),
        ("post", f"/assessments/{oid}/{ASSESSMENT_YEAR}/supervisor", {"instrument": "skj-pk", "scores": scores("pertama", (7, 7, 6, 6))}, sup, 200),
        ("post", f"/performance-reviews/{oid}/{PERFORMANCE_YEAR}",
         {"targets": [{"description": "Penempatan", "achieved": True}], "hasil_kerja": "sesuai", "perilaku_kerja": "sesuai"}, sup, 200),
        ("post", f"/proposals/{oid}/{PLAN_YEAR}/items",
         {"source": "competency", "form": "Pelatihan", "pathway": "pelatihan", "target_time": "Triwulan II",
          "competency": "integritas", "behaviour_indicator": "Jujur"}, sup, 201),
    ]
    for method, path, body, headers, status in commands:
        r = getattr(api, method)(path, json=body, headers=headers)
        assert r.status_code == status, (path, r.text)
    # Another agency's officer stays invisible to commands, rebuilding or not.
    other = api.post(f"/officers/{oid}/history/positions", json={"year": 2020, "position": "PK"},
                     headers=api.as_("hr", agency="disnaker-jabar"))
    assert other.status_code == 404 and other.json()["code"] == "officer.not_found", other.text
    missing = api.post("/officers/6f1c0b9e-0000-4000-8000-000000000000/history/positions", json={"year": 2020, "position": "PK"},
                       headers=hr)
    assert missing.status_code == 404
