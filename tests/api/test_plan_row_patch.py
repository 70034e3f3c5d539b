"""Partial update of a Formulir 2.6 row (BAB II.B.3 huruf b, items 4–12; README "Everyday shortcuts"):
PATCH only the fields that change, with a mandatory reason — the same RowChanged event, the same
rules as a change of the whole row, checks a–f rerun, If-Match honoured, nothing recorded on refusal."""
from __future__ import annotations

from tests.support.planning import OFFICERS, PLAN_YEAR, assert_problem, head, register_officers

PLAN = f"/plans/kemnaker/{PLAN_YEAR}"


def _plan_with_a_row(api):
    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani", name="Ani (Biro SDM)")
    ids = register_officers(api, hr)
    row = {"officer_id": ids["pertama"], "competency": "integritas", "pathway": "pelatihan", "programme": "Pelatihan Antarkerja",
           "funding_source": "apbn", "programme_jp": 24, "provider": "Pusdiklat", "budget": "1500000"}
    r = api.post(f"{PLAN}/rows", json=row, headers=hr)
    assert r.status_code == 201, r.text
    return hr, ids, r.json()["row_id"], r.json()["version"]


def _row_of(api, hr, row_id):
    r = api.get(PLAN, headers=hr)
    assert r.status_code == 200, r.text
    return next(x for x in r.json()["rows"] if x["row_id"] == row_id)


def test_patch_formulir_2_6_row_changes_only_the_given_fields_with_a_reason(api):
    hr, ids, row_id, _ = _plan_with_a_row(api)
    before = _row_of(api, hr, row_id)
    r = api.patch(f"{PLAN}/rows/{row_id}", json={"programme_jp": 32, "reason": "Kurikulum baru 32 JP"}, headers=hr)
    assert r.status_code == 200, r.text
    changed = next(e for e in r.json()["events"] if e["type"].endswith(".RowChanged"))
    assert changed["data"]["reason"] == "Kurikulum baru 32 JP" and changed["data"]["programme_jp"] == 32
    assert changed["provenance"]["on_behalf_of"] == OFFICERS["pertama"]["nip"].replace(" ", "")
    assert changed["provenance"]["subject"] == "hr-ani"
    after = _row_of(api, hr, row_id)
    assert after["jumlah_jp"] == 32 and before["jumlah_jp"] == 24
    # Every other field as it was recorded.
    same = {k: v for k, v in before.items() if k not in ("jumlah_jp", "jp_conversion", "findings")}
    assert {k: after[k] for k in same} == same
    # null clears an optional field; absent keeps it.
    r = api.patch(f"{PLAN}/rows/{row_id}", json={"provider": None, "reason": "Penyelenggara belum ditetapkan"}, headers=hr)
    assert r.status_code == 200, r.text
    assert _row_of(api, hr, row_id)["penyelenggara"] is None and _row_of(api, hr, row_id)["jumlah_jp"] == 32


def test_patch_formulir_2_6_row_rechecks_every_rule_and_records_nothing_when_refused(api):
    hr, ids, row_id, version = _plan_with_a_row(api)
    at = head(api)
    cases = [
        ({"funding_source": "hibah", "reason": "Sumber dana berubah"}, 422, "apbn"),  # same rule as the full update
        ({"start": f"{PLAN_YEAR}-05-01", "end": f"{PLAN_YEAR}-04-01", "reason": "Jadwal"}, 422, "berakhir"),
        ({"programme_jp": None, "reason": "Tanpa JP"}, 422, "programme_jp"),  # pelatihan needs its programme JP
        ({"reason": "Tidak ada perubahan"}, 422, "Sebutkan sekurang-kurangnya satu isian"),
        ({"programme_jp": 24, "reason": "Sama saja"}, 422, "tidak ada yang diubah"),
    ]
    for body, status, phrase in cases:
        assert_problem(api.patch(f"{PLAN}/rows/{row_id}", json=body, headers=hr), status, phrase)
        assert head(api) == at, body
    # The reason is mandatory; unknown fields are refused at the edge.
    for body, name in (({"programme_jp": 30}, "reason"), ({"programme_jp": 30, "reason": "Ok ok", "jp_total": 3}, "jp_total")):
        r = api.patch(f"{PLAN}/rows/{row_id}", json=body, headers=hr)
        assert r.status_code in (400, 422) and name in r.json()["detail"] and head(api) == at, r.text
    # Another agency's HR, and a row that does not exist.
    other = api.as_("hr", "disnaker-jabar", subject="hr-jabar")
    assert api.patch(f"{PLAN}/rows/{row_id}", json={"programme_jp": 30, "reason": "Coba"}, headers=other).status_code == 403
    r = api.patch(f"{PLAN}/rows/{ids['pertama']}", json={"programme_jp": 30, "reason": "Coba"}, headers=hr)
    assert r.status_code in (404, 422) and head(api) == at
    # If-Match: stale → 409, nothing recorded; current → recorded.
    r = api.patch(f"{PLAN}/rows/{row_id}", json={"programme_jp": 30, "reason": "Revisi"}, headers={**hr, "If-Match": f'"{version - 1}"'})
    assert r.status_code == 409 and head(api) == at
    r = api.patch(f"{PLAN}/rows/{row_id}", json={"programme_jp": 30, "reason": "Revisi"}, headers={**hr, "If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text
