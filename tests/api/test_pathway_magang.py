"""Narrative: the third-party package tests/plugins/pengkom_magang (entry point pengkom.pathways:
magang, installed by `make install`) adds *magang / praktik kerja* without any change to core/;
its pathway, rules and JP (20 per activity, docs/guideline.md) appear through the API and in the ledger."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start, ok


def test_magang_third_party_pathway_end_to_end(api):
    c = cast(api)

    # The pathway is listed from the plugin manager, with its plugin, version, rules and JP rule.
    listing = ok(api.get("/pathways", headers=c.hr))
    magang = next(p for p in listing["items"] if p["code"] == "magang")
    assert (magang["plugin"], magang["plugin_version"], magang["ruleset_version"]) == ("magang", "1.0.0", "pengkom-magang/r2")
    assert magang["jp_rule"]["domestic"] == "20" and magang["jp_rule"]["unit"] == "per_activity"
    assert {"name": "magang", "version": "1.0.0"} in listing["plugins"]
    assert ok(api.get("/pathways/magang", headers=c.pk_h))["name_id"] == "Magang / Praktik Kerja"

    start = month_start(3) + timedelta(days=6)
    end = start + timedelta(days=4)
    # The plugin's own rule: at least five days.
    r = api.post("/activities/", json={"pathway": "magang", "title": "x", "method": "klasikal", "provider_kind": "host_institution",
                                       "provider_name": "BP2MI", "place": "Jakarta", "start": start.isoformat(),
                                       "end": (start + timedelta(days=2)).isoformat(), "planned_jp": 20}, headers=c.hr)
    assert r.status_code == 422 and "at least 5 days" in r.json()["detail"]

    aid = c.create(pathway="magang", title="Magang di BP2MI", method="klasikal", provider_kind="host_institution",
                   provider_name="BP2MI", place="Jakarta", start=start.isoformat(), end=end.isoformat(), planned_jp=20,
                   budget="3000000", funding_source="apbn")
    c.prepare(aid, [c.pk])
    c.post(aid, "sessions", {"dates": days(start, 5), "minutes": 480, "agreed_with_provider": True})
    for d in days(start, 5):
        c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d, "status": "hadir_full"})
    c.post(aid, "reports", {"officer_id": c.pk, "title": "Laporan magang", "summary": "Proses penempatan PMI."}, who=c.pk_h)
    c.certificate(aid, c.pk, who=c.pk_h, kind="surat_keterangan", issued_on=end)
    assert c.monitoring(aid, today=end + timedelta(days=30))["findings"] == []

    done = c.complete(aid)
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert (credit["jp"], credit["plugin"], credit["plugin_version"]) == (20, "magang", "1.0.0")
    assert credit["rule"].startswith("magang: 20 JP per activity")
    led = c.ledger(c.pk, start.year)
    assert led["by_pathway"]["magang"]["credited_jp"] == 20 and led["below_pns_minimum"] is False
