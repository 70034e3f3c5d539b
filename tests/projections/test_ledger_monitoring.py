"""The JP ledger and monitoring read models: PNS minimum / PPPK cap (BAB I.E angka 7), and rebuilt
from the log with no plugin installed — replays never call a plugin."""
from __future__ import annotations

from datetime import timedelta

from plugins.manager import PathwayPlugins
from projections.ledger import flags
from tests.support.activities import cast, days, month_start, ok


def test_flags_pns_minimum_20_and_pppk_cap_24_bab_i_e_7():
    assert flags("PNS", 12) == {"below_pns_minimum": True, "shortfall_jp": 8, "over_pppk_cap": False, "excess_jp": 0}
    assert flags("PNS", 20)["below_pns_minimum"] is False
    assert flags("PPPK", 30) == {"below_pns_minimum": False, "shortfall_jp": 0, "over_pppk_cap": True, "excess_jp": 6}
    assert flags("PPPK", 24)["over_pppk_cap"] is False and flags("PPPK", 0)["below_pns_minimum"] is False


def test_rebuild_without_plugins_gives_the_same_ledger_and_monitoring(api):
    c = cast(api)
    start = month_start(2) + timedelta(days=1)
    aid = c.create(pathway="workshop", title="Lokakarya", method="klasikal", provider_kind="own_unit", provider_name="Pusdiklat",
                   accreditation_ref="AKR", place="Jakarta", start=start.isoformat(), end=(start + timedelta(days=1)).isoformat(),
                   planned_jp=10)
    c.prepare(aid, [c.pk])
    for d in days(start, 2):
        c.post(aid, "attendance", {"officer_id": c.pk, "session_date": d, "status": "hadir_full"})
    c.post(aid, "reports", {"officer_id": c.pk, "title": "L", "summary": "S"})
    c.certificate(aid, c.pk, issued_on=start + timedelta(days=1))
    c.complete(aid)
    ledger = c.ledger(c.pk, start.year)
    monitoring = c.monitoring(aid)
    assert ledger["credited_jp"] == 10

    # Uninstall every plugin, drop the read models and replay the log: the same numbers come back.
    services = api.services
    services.pathways = PathwayPlugins.load("none", builtins=False)
    names = services.projector.reset(["jp_ledger", "monitoring"])
    # While rebuilding, the reads answer 503 rather than half-built rows.
    assert api.get(f"/ledger/officers/{c.pk}?year={start.year}", headers=c.hr).status_code == 503
    services.projector.catch_up(only=names)
    assert c.ledger(c.pk, start.year) == ledger
    again = c.monitoring(aid)
    assert again["formulir_3_3"] == monitoring["formulir_3_3"]
    # Findings need the plugin: without it the read says so instead of failing.
    assert [f["code"] for f in again["findings"]] == ["plugin_missing"]
    # The aggregate itself replays from its events without any plugin.
    assert ok(api.get(f"/activities/{aid}", headers=c.hr))["participants"][0]["credited_jp"] == 10
