"""The audit trail API (read-only; agencies see only their own records) and as-of reads of the
officer profile (Formulir 2.2) with the chain head they were computed from."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projections.registry import all_projections
from projections.runner import Projector
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, officer_body

JABAR = "disnaker-jabar"


def _register(api, nip, agency="kemnaker", **over):
    hr = api.as_("hr", agency, subject=f"hr-{agency}", name=f"HR {agency}")
    r = api.post("/officers/", json=officer_body(nip, agency=agency, **over), headers=hr)
    assert r.status_code == 201, r.text
    return r.json()


def test_audit_trail_reads_who_did_what_and_refuses_other_agencies(api):
    a = _register(api, PK_AHLI_PERTAMA)
    b = _register(api, PK_AHLI_MUDA, JABAR, level="ahli_muda", golongan="III/c", name="Dewi")
    hr = api.as_("hr", subject="hr-kemnaker", name="HR kemnaker")
    r = api.post(f"/officers/{a['id']}/corrections", json={"changes": {"name": "Siti R. Rahayu"}, "reason": "Sesuai SK CPNS"},
                 headers={**hr, "X-Request-ID": "req-fix-name"})
    assert r.status_code == 200, r.text

    # The agency's HR reads its own agency: who, in which role, for whom, when recorded / effective.
    r = api.get("/audit/", headers=hr)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and {i["aggregate"]["agency"] for i in body["items"]} == {"kemnaker"}
    fix = body["items"][-1]
    assert fix["event_type"] == "pengkom.officer.ProfileCorrected" and fix["aggregate"] == {
        "id": a["id"], "type": "Officer", "version": 2, "agency": "kemnaker"}
    assert fix["actor"] == {"subject": "hr-kemnaker", "name": "HR kemnaker", "role": "hr", "agency": "kemnaker", "unit": None}
    assert fix["on_behalf_of"] == "199001012015011001" and fix["request_id"] == "req-fix-name"
    assert fix["summary"].startswith("ProfileCorrected: reason=Sesuai SK CPNS") and fix["effective_date"] == fix["recorded_at"][:10]
    # Every response names the chain head it was computed from.
    head = body["chain_head"]
    assert head["position"] == 3 and len(head["digest"]) == 64
    assert r.headers["x-pengkom-chain-head"] == f"3:{head['digest']}:{head['signature']}"

    # Filters: actor, event type (topic or short name), time range, one aggregate.
    assert api.get("/audit/", params={"event_type": "Registered"}, headers=hr).json()["total"] == 1
    assert api.get("/audit/", params={"actor": "someone-else"}, headers=hr).json()["total"] == 0
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert api.get("/audit/", params={"from": later}, headers=hr).json()["total"] == 0
    assert api.get(f"/audit/{a['id']}", headers=hr).json()["total"] == 2

    # Another agency's records: refused, whether asked by agency or by id.
    for path, params in [("/audit/", {"agency": JABAR}), (f"/audit/{b['id']}", {}), ("/audit/", {"aggregate_id": b["id"]})]:
        r = api.get(path, params=params, headers=hr)
        assert r.status_code == 403, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")

    # National roles and auditors read across agencies, or one agency at a time.
    auditor = api.as_("auditor", None)
    assert api.get("/audit/", headers=auditor).json()["total"] == 3
    assert api.get("/audit/", params={"agency": JABAR}, headers=auditor).json()["total"] == 1
    assert api.get(f"/audit/{b['id']}", headers=api.as_("lan", None)).json()["items"][0]["actor"]["agency"] == JABAR

    # An officer sees the entries recorded on their behalf; read-only for everyone.
    me = api.as_("officer", nip=PK_AHLI_PERTAMA.replace(" ", ""))
    assert api.get("/audit/", headers=me).json()["total"] == 2
    assert api.get("/audit/", params={"on_behalf_of": "199001012015011099"}, headers=me).status_code == 403
    assert api.get("/audit/", headers=api.as_("supervisor", nip="197503032000011003")).status_code == 403
    assert api.post("/audit/", json={}, headers=api.as_("auditor", None)).status_code == 405
    assert api.get(f"/audit/{'0' * 8}-0000-0000-0000-{'0' * 12}", headers=auditor).status_code == 404


def test_bad_audit_filters_are_problems(api):
    _register(api, PK_AHLI_PERTAMA)
    auditor = api.as_("auditor", None)
    for params, phrase in [({"from": "yesterday"}, "from 'yesterday' bukan stempel waktu atau tanggal ISO 8601. Berikan stempel waktu"),
                           ({"to": "2026-01-01T00:00:00"}, "to '2026-01-01T00:00:00' tidak memiliki selisih UTC"),
                           ({"to": "2026-02-30"}, "to '2026-02-30' bukan tanggal di kalender"),
                           ({"from": "2026-01-02", "to": "2026-01-01"}, "berada setelah to"),
                           ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "berada setelah to")]:
        r = api.get("/audit/", params=params, headers=auditor)
        assert r.status_code == 422 and phrase in r.json()["detail"], r.text
        assert "posisi log" not in r.json()["detail"]  # from / to are moments, never positions
    # A date is a day in Jakarta: from its start, to its end — today's entries are within today.
    from api.asof import WIB

    today = datetime.now(UTC).astimezone(WIB).date().isoformat()
    assert api.get("/audit/", params={"from": today, "to": today}, headers=auditor).json()["total"] == 1
    tomorrow = (datetime.now(UTC).astimezone(WIB) + timedelta(days=1)).date().isoformat()
    assert api.get("/audit/", params={"from": tomorrow}, headers=auditor).json()["total"] == 0


def test_officer_profile_as_of_a_past_position_or_moment(api):
    hr = api.as_("hr", subject="hr-kemnaker", name="HR kemnaker")
    reg = _register(api, PK_AHLI_PERTAMA)
    oid = reg["id"]
    at_registration = reg["events"][0]["position"]
    registered_at = reg["events"][0]["provenance"]["recorded_at"]
    r = api.post(f"/officers/{oid}/corrections", json={"changes": {"name": "Siti R. Rahayu", "position": "Analis"}, "reason": "Sesuai SK"}, headers=hr)
    assert r.status_code == 200, r.text
    _register(api, PK_AHLI_MUDA, level="ahli_muda", golongan="III/c", name="Dewi")

    # Now: the corrected profile, with its ETag and the chain head.
    now = api.get(f"/officers/{oid}", headers=hr)
    assert now.json()["identitas"]["name"] == "Siti R. Rahayu" and now.headers["etag"] == '"2"'
    assert now.json()["chain_head"]["position"] == 3

    # As of the registration (by position, and by the moment it was recorded): the profile as first recorded.
    for as_of in (str(at_registration), registered_at):
        r = api.get(f"/officers/{oid}", params={"as_of": as_of}, headers=hr)
        assert r.status_code == 200, r.text
        past = r.json()
        assert past["identitas"]["name"] == "Siti Rahayu" and past["jabatan"]["position"] == "Pengantar Kerja Ahli Pertama"
        assert past["version"] == 1 and "etag" not in r.headers
        assert past["as_of"] == {"position": at_registration, "requested": as_of, "last_event_recorded_at": past["as_of"]["last_event_recorded_at"]}
        assert past["chain_head"]["position"] == at_registration
        assert r.headers["x-pengkom-chain-head"].startswith(f"{at_registration}:")
    # Deterministic: the same position gives the same document, every time.
    first = api.get(f"/officers/{oid}", params={"as_of": "1"}, headers=hr).json()
    assert api.get(f"/officers/{oid}", params={"as_of": "1"}, headers=hr).json() == first
    # The latest position equals the live read.
    latest = api.get(f"/officers/{oid}", params={"as_of": "3"}, headers=hr).json()
    assert {k: v for k, v in latest.items() if k != "as_of"} == now.json()


def test_as_of_outside_the_log_or_unreadable_is_a_problem(api):
    hr = api.as_("hr", subject="hr-kemnaker", name="HR kemnaker")
    oid = _register(api, PK_AHLI_PERTAMA)["id"]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for as_of, phrase in [("2001-01-01T00:00:00+07:00", "berada sebelum peristiwa pertama (tercatat pada "),
                          (future, "berada di masa depan"),
                          ("0", "sebelum peristiwa pertama (posisi 1)"),
                          ("99", "melewati akhir log (peristiwa terakhir ada pada posisi 1)"),
                          ("last tuesday", "bukan posisi log dan bukan stempel waktu ISO 8601"),
                          ("2026-03-01T10:00:00", "tidak memiliki selisih UTC"),
                          ("2001-01-01", "berada sebelum peristiwa pertama (tercatat pada "),
                          ("2026-02-30", "bukan tanggal di kalender"),
                          ((datetime.now(UTC) + timedelta(days=2)).date().isoformat(), "berada di masa depan")]:
        r = api.get(f"/officers/{oid}", params={"as_of": as_of}, headers=hr)
        assert r.status_code == 422, (as_of, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert phrase in r.json()["detail"], (as_of, r.json()["detail"])
    # An officer registered later did not exist at position 1.
    later = _register(api, PK_AHLI_MUDA, level="ahli_muda", golongan="III/c")["id"]
    r = api.get(f"/officers/{later}", params={"as_of": "1"}, headers=hr)
    assert r.status_code == 404 and "belum terdaftar pada posisi log 1" in r.json()["detail"]


def test_reads_of_a_read_model_being_rebuilt_say_so(api):
    hr = api.as_("hr", subject="hr-kemnaker", name="HR kemnaker")
    oid = _register(api, PK_AHLI_PERTAMA)["id"]
    # Another process (`pengkom replay officers`) dropped the officers read model and is rebuilding it.
    other = Projector(api.services.app, api.services.views, all_projections())
    other.reset(["officers"])
    r = api.get(f"/officers/{oid}", headers=hr)
    assert r.status_code == 503 and r.headers["content-type"].startswith("application/problem+json")
    assert "sedang dibangun ulang" in r.json()["detail"] and r.json()["rebuilding"] == ["officers"]
    ready = api.get("/ready").json()
    assert ready["status"] == "rebuilding" and ready["rebuilding"] == ["officers"]
    # The audit trail keeps serving; a command's events are kept for the rebuild to apply.
    assert api.get("/audit/", headers=hr).status_code == 200
    r = api.post("/officers/", json=officer_body(PK_AHLI_MUDA, level="ahli_muda", golongan="III/c", name="Dewi"), headers=hr)
    assert r.status_code == 201, r.text
    other.catch_up(only=["officers"])
    listing = api.get("/officers/", headers=hr).json()
    assert listing["total"] == 2 and api.get("/ready").json()["status"] == "ready"
