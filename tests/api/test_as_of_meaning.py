"""One meaning of ``as_of`` on every route (README "Reading the past: as_of"): a moment of the log — a
position, a timestamp with an offset, or a date (the end of that day in Jakarta). The day a rule is
judged at (monitoring findings of Formulir 3.3 / 3.4, BAB III.B) is ``today=``; the old ``as_of=``
there is refused with a 422 that names the new parameter."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.asof import WIB, parse_moment
from core.errors import Invalid
from tests.support.activities import cast, days, month_start, ok


def test_a_bare_date_is_the_end_of_that_day_in_jakarta():
    assert parse_moment("2026-03-01", dates=True) == datetime(2026, 3, 1, 23, 59, 59, 999999, WIB)
    assert parse_moment("2026-03-01", dates=True) == datetime(2026, 3, 1, 16, 59, 59, 999999, UTC)
    with pytest.raises(Invalid, match="no UTC offset"):
        parse_moment("2026-03-01")  # the audit filters from/to stay timestamps with an offset
    with pytest.raises(Invalid, match="not a date of the calendar"):
        parse_moment("2026-02-30", dates=True)


def test_as_of_a_date_reads_the_log_as_it_stood_when_that_day_ended(api):
    c = cast(api)
    today_wib = datetime.now(UTC).astimezone(WIB).date()
    live = ok(api.get(f"/officers/{c.pk}", headers=c.hr))
    # Today (in Jakarta): the log as it stands now — the same profile as the live read, stamped as of.
    r = ok(api.get(f"/officers/{c.pk}", params={"as_of": today_wib.isoformat()}, headers=c.hr))
    assert r["as_of"]["requested"] == today_wib.isoformat() and r["as_of"]["position"] == live["chain_head"]["position"]
    assert {k: v for k, v in r.items() if k != "as_of"} == live
    # Plans and ledgers take the same form (no more 422 for a date).
    year = today_wib.year
    r = api.get("/ledger/agency", params={"year": year, "as_of": today_wib.isoformat()}, headers=c.hr)
    assert r.status_code == 200, r.text
    assert r.json()["as_of"]["requested"] == today_wib.isoformat()
    # Yesterday (nothing was recorded yet then) and tomorrow: problems that say so.
    for day, phrase in ((today_wib - timedelta(days=1), "sebelum peristiwa pertama"), (today_wib + timedelta(days=1), "di masa depan")):
        r = api.get(f"/officers/{c.pk}", params={"as_of": day.isoformat()}, headers=c.hr)
        assert r.status_code == 422 and phrase in r.json()["detail"], r.text


def test_monitoring_takes_the_reference_day_as_today_and_refuses_the_old_as_of(api):
    c = cast(api)
    start = month_start(4) + timedelta(days=2)
    end = start + timedelta(days=1)
    aid = c.create(pathway="workshop", title="Lokakarya", method="klasikal", provider_kind="independent",
                   provider_name="LPK Mitra Kerja", accreditation_ref="BNSP-LPK-88", place="Bandung",
                   start=start.isoformat(), end=end.isoformat(), planned_jp=10, budget="0")
    c.prepare(aid, [c.pk])
    c.post(aid, "sessions", {"dates": days(start, 2), "minutes": 420})
    m = c.monitoring(aid, today=end + timedelta(days=15))
    assert m["today"] == (end + timedelta(days=15)).isoformat()
    assert "report_missing" in {f["code"] for f in m["findings"]}
    assert c.monitoring(aid)["today"] == datetime.now(UTC).date().isoformat()

    r = api.get(f"/activities/{aid}/monitoring", params={"as_of": "2026-12-02"}, headers=c.hr)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["field"] == "as_of" and problem["code"] == "query.renamed"
    assert "today=YYYY-MM-DD (mis. today=2026-12-02)" in problem["detail"]


def test_plan_formulir_2_6_as_of_a_date_is_no_longer_refused(api):
    """The issue's own example: `GET /plans/{agency}/{year}?as_of=2026-12-02` answered 422; a date is a moment now."""
    from tests.support.planning import PLAN_YEAR, register_officers

    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani")
    ids = register_officers(api, hr)
    row = {"officer_id": ids["pertama"], "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Antarkerja",
           "funding_source": "apbn", "programme_jp": 24}
    ok(api.post(f"/plans/kemnaker/{PLAN_YEAR}/rows", json=row, headers=hr), 201)
    today_wib = datetime.now(UTC).astimezone(WIB).date().isoformat()
    live = ok(api.get(f"/plans/kemnaker/{PLAN_YEAR}", headers=hr))
    past = ok(api.get(f"/plans/kemnaker/{PLAN_YEAR}", params={"as_of": today_wib}, headers=hr))
    assert past["as_of"]["requested"] == today_wib and past["rows"] == live["rows"]
    r = api.get(f"/plans/kemnaker/{PLAN_YEAR}", params={"as_of": "2001-12-02"}, headers=hr)
    assert r.status_code == 422 and "sebelum peristiwa pertama" in r.json()["detail"]
