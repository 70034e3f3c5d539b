"""Narrative (BAB III.B; Formulir 3.3; docs/guideline.md "patok banding 10 JP per activity"): benchmarking at an
approved host with a schedule agreed with it; the host's statement; 10 JP."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, days, month_start


def test_patok_banding_approved_host_and_agreed_schedule(api):
    c = cast(api)
    start = month_start(2) + timedelta(days=8)
    end = start + timedelta(days=1)

    # The host is a host institution (no accreditation needed); the head approves it (III.B.5.a.3).
    aid = c.create(pathway="patok_banding", title="Patok banding layanan AK ke Disnaker DIY", method="klasikal",
                   provider_kind="host_institution", provider_name="Disnakertrans DIY", place="Yogyakarta",
                   start=start.isoformat(), end=end.isoformat(), planned_jp=10, budget="7000000", funding_source="apbn")
    # The HR unit cannot approve the host; the head can.
    r = api.post(f"/activities/{aid}/provider-approval", json={"approved_on": start.isoformat(), "approver_name": "X"},
                 headers=c.hr)
    assert r.status_code == 403
    c.prepare(aid, [c.pk2])
    # A schedule not yet agreed with the host: completion is refused by the plugin (III.B.5.a.4).
    c.post(aid, "sessions", {"dates": days(start, 1), "minutes": 420})
    for d in days(start, 1):
        c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": d, "status": "hadir_full"})
    c.post(aid, "reports", {"officer_id": c.pk2, "title": "Laporan patok banding", "summary": "Praktik baik job fair daerah."},
           who=c.pk2_h)
    c.certificate(aid, c.pk2, who=c.pk2_h, kind="surat_keterangan", issued_on=end)
    r = api.post(f"/activities/{aid}/completion", json={}, headers=c.hr)
    assert r.status_code == 422 and "disepakati dengan tuan rumah patok banding" in r.json()["detail"]

    # The second day, agreed with the host; attended fully.
    c.post(aid, "sessions", {"dates": days(end, 1), "minutes": 420, "agreed_with_provider": True, "note": "surat host 12/III"})
    c.post(aid, "attendance", {"officer_id": c.pk2, "session_date": end.isoformat(), "status": "hadir_full"})
    done = c.complete(aid)
    [credit] = [e["data"] for e in done["events"] if e["type"] == "pengkom.activity.JpCredited"]
    assert credit["jp"] == 10 and credit["rule"].startswith("patok banding: 10 JP per activity")
    assert credit["plugin"] == "patok_banding" and credit["ruleset_version"] == "pedoman-pk-2023/patok-banding-r1"
    assert c.ledger(c.pk2, start.year)["by_pathway"]["patok_banding"]["credited_jp"] == 10
    rows = c.monitoring(aid)["formulir_3_3"]
    assert rows[0]["jumlah_jp"] == 10 and rows[0]["jp_credited"] is True
