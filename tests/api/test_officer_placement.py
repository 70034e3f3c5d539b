"""A new placement (Formulir 2.2 jabatan/jenjang/golongan/unit/atasan) is a fact from its effective
date, not a correction: the earlier placement stays true in the record until then."""
from __future__ import annotations

from tests.support.data import officer_body

PROMOTION = {"position": "Pengantar Kerja Ahli Muda", "level": "ahli_muda", "golongan": "III/c",
             "unit": "Direktorat Bina Penempatan", "supervisor_nip": "19700101 199503 1 009", "supervisor_name": "Rudi",
             "reason": "Kenaikan jenjang, SK 800/123/2026", "effective_date": "2026-04-01"}


def test_promotion_is_recorded_as_a_new_placement(api):
    hr = api.as_("hr")
    oid = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]
    r = api.post(f"/officers/{oid}/placement", json=PROMOTION, headers={**hr, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    [event] = r.json()["events"]
    assert event["type"] == "pengkom.officer.PlacementChanged" and event["data"]["reason"].startswith("Kenaikan jenjang")
    assert event["provenance"]["effective_date"] == "2026-04-01"
    profile = api.get(f"/officers/{oid}", headers=hr).json()
    assert {k: profile["jabatan"][k] for k in ("position", "level", "golongan", "unit", "supervisor_nip")} == {
        "position": "Pengantar Kerja Ahli Muda", "level": "ahli_muda", "golongan": "III/c",
        "unit": "Direktorat Bina Penempatan", "supervisor_nip": "197001011995031009"}
    # The registration still says what was true before: nothing was rewritten.
    first = api.get(f"/officers/{oid}/events", headers=hr).json()["events"][0]
    assert first["data"]["level"] == "ahli_pertama"
    # The new supervisor now reads the officer; the old one no longer does.
    assert api.get(f"/officers/{oid}", headers=api.as_("supervisor", nip="197001011995031009")).status_code == 200
    assert api.get(f"/officers/{oid}", headers=api.as_("supervisor", nip="197503032000011003")).status_code == 403


def test_placement_bad_input_and_roles(api):
    hr = api.as_("hr")
    body = api.post("/officers/", json=officer_body(), headers=hr).json()
    oid, nip = body["id"], body["events"][0]["data"]["nip"]
    head = api.services.app.recorder.max_notification_id()
    same = {**PROMOTION, "position": "Pengantar Kerja Ahli Pertama", "level": "ahli_pertama", "golongan": "III/a",
            "unit": officer_body()["unit"], "supervisor_nip": officer_body()["supervisor_nip"], "supervisor_name": "Budi Santoso"}
    for payload, headers, status, fragment in [
        ({**PROMOTION, "golongan": "III/a"}, hr, 422, "tidak sesuai dengan jenjang"),
        (same, hr, 422, "sama dengan penempatan saat ini"),
        ({**PROMOTION, "supervisor_nip": nip}, hr, 422, "atasan langsungnya sendiri"),
        (PROMOTION, api.as_("officer", nip=nip), 403, "hr"),
        (PROMOTION, api.as_("ppk"), 403, "unit SDM"),
        ({**PROMOTION, "reason": ""}, hr, 422, "reason kosong"),
    ]:
        r = api.post(f"/officers/{oid}/placement", json=payload, headers=headers)
        assert r.status_code == status, r.text
        assert fragment in r.json()["detail"]
    assert api.services.app.recorder.max_notification_id() == head
