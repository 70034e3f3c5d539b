"""The command pipeline: If-Match (optimistic concurrency), Idempotency-Key, read-your-writes, request ids."""
from __future__ import annotations

from tests.support.data import officer_body


def register(api):
    r = api.post("/officers/", json=officer_body(), headers=api.as_("hr"))
    assert r.status_code == 201
    return r.json()["id"]


def test_if_match_stale_version_is_a_409_and_records_nothing(api):
    oid = register(api)
    hr = api.as_("hr")
    ok = api.post(f"/officers/{oid}/history/credit-points", json={"year": 2024, "credit_points": "10"}, headers={**hr, "If-Match": '"1"'})
    assert ok.status_code == 201 and ok.headers["etag"] == '"2"'
    stale = api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "11"}, headers={**hr, "If-Match": '"1"'})
    assert stale.status_code == 409 and "versi 2, bukan 1" in stale.json()["detail"]
    assert api.get(f"/officers/{oid}", headers=hr).json()["version"] == 2
    bad = api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "11"}, headers={**hr, "If-Match": "latest"})
    assert bad.status_code == 422 and bad.json()["field"] == "If-Match"


def test_idempotency_key_replays_the_first_response_and_records_nothing_new(api):
    oid = register(api)
    hr = {**api.as_("hr"), "Idempotency-Key": "retry-credit-2025"}
    body = {"year": 2025, "credit_points": "12.5"}
    first = api.post(f"/officers/{oid}/history/credit-points", json=body, headers=hr)
    head = api.services.app.recorder.max_notification_id()
    again = api.post(f"/officers/{oid}/history/credit-points", json=body, headers=hr)
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert api.services.app.recorder.max_notification_id() == head
    # The same key for a different request is refused rather than silently replayed.
    other = api.post(f"/officers/{oid}/history/credit-points", json={"year": 2024, "credit_points": "1"}, headers=hr)
    assert other.status_code == 422 and "permintaan lain" in other.json()["detail"]
    # A failed command does not burn the key: fixing the input and retrying with it works.
    key = {**api.as_("hr"), "Idempotency-Key": "retry-after-fix"}
    assert api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "-1"}, headers=key).status_code == 422
    assert api.post(f"/officers/{oid}/history/credit-points", json={"year": 2025, "credit_points": "-1"}, headers=key).status_code == 422


def test_idempotency_keys_are_per_caller(api):
    oid = register(api)
    body = {"year": 2025, "credit_points": "1"}
    a = api.post(f"/officers/{oid}/history/credit-points", json=body, headers={**api.as_("hr", subject="a"), "Idempotency-Key": "same-key-1"})
    b = api.post(f"/officers/{oid}/history/credit-points", json=body, headers={**api.as_("hr", subject="b"), "Idempotency-Key": "same-key-1"})
    assert a.status_code == b.status_code == 201 and a.json()["version"] == 2 and b.json()["version"] == 3


def test_request_id_is_echoed_and_recorded(api):
    r = api.post("/officers/", json=officer_body(), headers={**api.as_("hr"), "X-Request-ID": "loket-7:42"})
    assert r.headers["x-request-id"] == "loket-7:42"
    assert r.json()["events"][0]["provenance"]["request_id"] == "loket-7:42"
    generated = api.get("/officers/", headers=api.as_("hr"))
    assert len(generated.headers["x-request-id"]) == 36


def test_read_your_writes_across_list_and_detail(api):
    hr = api.as_("hr")
    oid = register(api)
    api.post(f"/officers/{oid}/corrections", json={"changes": {"name": "Siti Rahayu Putri"}, "reason": "Sesuai akta kelahiran"}, headers=hr)
    listing = api.get("/officers/?q=putri", headers=hr).json()
    assert [i["name"] for i in listing["items"]] == ["Siti Rahayu Putri"]
    assert api.get("/officers/?q=199001012015", headers=hr).json()["total"] == 1


def test_health_names_the_store_and_schema_is_served(api, settings):
    auditor = api.as_("auditor", None)
    h = api.get("/health", headers=auditor).json()
    assert h["store"] == ("postgresql" if settings.database_url else "sqlite")
    ready = api.get("/ready", headers=auditor).json()
    assert ready["status"] == "ready" and ready["projection_lag"] == {k: 0 for k in ready["projection_lag"]}
    schema = api.get("/schema/openapi.json")
    assert schema.status_code == 200
    ops = {op["operationId"] for path in schema.json()["paths"].values() for op in path.values() if isinstance(op, dict) and "operationId" in op}
    assert {"registerOfficer", "listOfficers", "getOfficer", "getOfficerEvents", "correctOfficer"} <= ops


def test_a_read_model_failure_after_recording_still_reports_the_recorded_command(api, monkeypatch):
    officers = api.services.projector.projections["officers"]

    def broken(*a, **k):
        raise RuntimeError("read model bug")

    monkeypatch.setitem(officers._handlers, "pengkom.officer.Registered", broken)
    r = api.post("/officers/", json=officer_body(), headers=api.as_("hr"))
    # The event is in the log: the command succeeded, whatever a read model makes of it afterwards
    # (the read models apply it in the background) — never a 500 claiming that nothing was recorded.
    assert r.status_code == 201, r.text
    assert api.services.app.recorder.max_notification_id() == r.json()["events"][0]["position"]
    # The stopped read model says so (503 problem) instead of answering without the recorded officer;
    # /ready names it; the audit trail, another read model, already has the event.
    stopped = api.get(f"/officers/{r.json()['id']}", headers=api.as_("hr"))
    assert stopped.status_code == 503 and "pengkom replay officers" in stopped.json()["detail"]
    ready = api.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "degraded" and list(ready.json()["stopped"]) == ["officers"]
    assert "read model bug" in api.get("/ready", headers=api.as_("auditor", None)).json()["stopped"]["officers"]
    assert api.get(f"/audit/{r.json()['id']}", headers=api.as_("hr")).status_code == 200
    # The next commands are recorded and say that a read model is behind.
    later = api.post("/officers/", json=officer_body("19850505 201003 2 002"), headers=api.as_("hr"))
    assert later.status_code == 201, later.text
    assert later.json()["read_models"]["status"] == "behind" and later.headers["x-pengkom-read-models"] == "behind"
    assert later.json()["read_models"]["stopped"] == ["officers"]
    monkeypatch.undo()
    api.services.projector.reset(["officers"])
    api.services.projector.catch_up(only=["officers"])
    assert api.get(f"/officers/{r.json()['id']}", headers=api.as_("hr")).status_code == 200
