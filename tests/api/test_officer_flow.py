"""Narrative: an HR clerk registers an officer (Formulir 2.2), records the histories, reads the profile
and its event history with provenance; the app restarts and everything is still there."""
from __future__ import annotations

from litestar.testing import TestClient

from api.app import create_app
from api.bootstrap import build
from tests.support.data import PK_AHLI_PERTAMA, SUPERVISOR, officer_body


def test_formulir_2_2_register_record_read_restart(api, settings):
    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani", name="Ani (Biro SDM)")

    # The HR unit registers the officer: 201, the recorded event and version 1.
    r = api.post("/officers/", json=officer_body(), headers={**hr, "X-Request-ID": "req-register-1"})
    assert r.status_code == 201, r.text
    body = r.json()
    oid = body["id"]
    assert body["version"] == 1 and r.headers["etag"] == '"1"'
    [registered] = body["events"]
    assert registered["type"] == "pengkom.officer.Registered"
    assert registered["data"]["nip"] == PK_AHLI_PERTAMA.replace(" ", "")
    assert registered["provenance"] == {
        "subject": "hr-ani", "subject_name": "Ani (Biro SDM)", "role": "hr", "agency": "kemnaker", "unit": "biro-sdm",
        "on_behalf_of": "199001012015011001", "request_id": "req-register-1",
        "recorded_at": registered["provenance"]["recorded_at"], "effective_date": registered["provenance"]["recorded_at"][:10],
    }

    # The four histories of Formulir 2.2, each a fact with its year; one backdated by its effective date.
    v = 1
    for path, entry in [
        ("positions", {"year": 2015, "position": "CPNS Pengantar Kerja", "level": "ahli_pertama"}),
        ("development", {"year": 2024, "competency": "integritas", "form": "Pelatihan Integritas", "pathway": "pelatihan", "jp": 24}),
        ("performance", {"year": 2025, "predikat": "baik", "effective_date": "2026-01-15"}),
        ("credit-points", {"year": 2025, "credit_points": "12.5"}),
    ]:
        r = api.post(f"/officers/{oid}/history/{path}", json=entry, headers={**hr, "If-Match": f'"{v}"'})
        assert r.status_code == 201, r.text
        v += 1
        assert r.json()["version"] == v
    perf_entry = r.json()["entry_id"]

    # A correction names what it corrects and why; nothing is rewritten.
    r = api.post(f"/officers/{oid}/history/{perf_entry}/corrections",
                 json={"changes": {"credit_points": "13.75"}, "reason": "PAK 2025 diterbitkan ulang"}, headers=hr)
    assert r.status_code == 200, r.text
    corrected = r.json()["events"][0]
    assert corrected["data"]["corrects_version"] == 5 and corrected["data"]["reason"] == "PAK 2025 diterbitkan ulang"

    # Read-your-writes: the profile read right after shows every fact.
    def check_profile(client_api):
        r = client_api.get(f"/officers/{oid}", headers=hr)
        assert r.status_code == 200, r.text
        f = r.json()
        assert f["formulir"] == "2.2" and f["version"] == 6 and r.headers["etag"] == '"6"'
        assert f["identitas"]["name"] == "Siti Rahayu" and f["jabatan"]["supervisor_nip"] == SUPERVISOR.replace(" ", "")
        assert [e["position"] for e in f["riwayat_jabatan"]] == ["CPNS Pengantar Kerja"]
        assert [(e["competency"], e["jp"]) for e in f["riwayat_pengembangan_kompetensi"]] == [("integritas", 24)]
        assert [(e["year"], e["predikat"]) for e in f["riwayat_hasil_penilaian_kinerja"]] == [(2025, "baik")]
        assert [(e["year"], e["credit_points"]) for e in f["riwayat_angka_kredit"]] == [(2025, "13.75")]

    check_profile(api)

    # The event history: every event, in order, with provenance; the backdated one shows both dates.
    r = api.get(f"/officers/{oid}/events", headers=hr)
    events = r.json()["events"]
    assert [e["type"].rsplit(".", 1)[1] for e in events] == [
        "Registered", "PositionHistoryRecorded", "DevelopmentHistoryRecorded", "PerformanceHistoryRecorded",
        "CreditPointsRecorded", "HistoryEntryCorrected"]
    perf = events[3]["provenance"]
    assert perf["effective_date"] == "2026-01-15" and perf["recorded_at"][:10] != "2026-01-15"
    assert all(e["provenance"]["subject"] == "hr-ani" for e in events)

    # Restart: a new process on the same store sees everything, and projections resume, not repeat.
    api.services.close()
    restarted = build(settings)
    try:
        with TestClient(create_app(restarted)) as client:
            class Again:
                def get(self, *a, **k):
                    return client.get(*a, **k)
            check_profile(Again())
            listing = client.get("/officers/", headers=hr).json()
            assert listing["total"] == 1 and listing["items"][0]["version"] == 6
    finally:
        restarted.close()
