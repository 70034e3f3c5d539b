"""Search says what it matched and filters refuse unknown values (README "Everyday shortcuts"):
officers of Formulir 2.2 by name or NIP — a whole NIP matches exactly, a 17-digit one matches nothing —
and ``?nip=``; activities (BAB III) by title, provider or place; the audit trail's ``event_type``."""
from __future__ import annotations

from datetime import timedelta

from tests.support.activities import cast, month_start, ok
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA

NIP = PK_AHLI_PERTAMA.replace(" ", "")


def _officers(api, who, **params):
    return ok(api.get("/officers/", params=params, headers=who))


def test_officer_search_formulir_2_2_exact_nip_and_what_matched(api):
    c = cast(api)
    # A whole NIP, with or without the printed spaces: that officer only, matched on the NIP.
    for q in (NIP, PK_AHLI_PERTAMA):
        r = _officers(api, c.hr, q=q)
        assert [(o["nip"], o["matched_on"]) for o in r["items"]] == [(NIP, ["nip"])] and r["total"] == 1
    # 17 digits (one dropped) is a mistyped NIP, not a part of one: it matches no officer.
    r = _officers(api, c.hr, q=NIP[:17])
    assert r["items"] == [] and r["total"] == 0
    # A part of an NIP and a part of a name: each hit says which.
    assert [o["matched_on"] for o in _officers(api, c.hr, q="19900101")["items"]] == [["nip_part"]]
    hits = _officers(api, c.hr, q="dewi")["items"]
    assert [(o["name"], o["matched_on"]) for o in hits] == [("Dewi Lestari", ["name_part"])]
    assert _officers(api, c.hr, q="%")["items"] == []  # the query's own % is a character, not a wildcard
    # ?nip= is an exact lookup; anything but 18 digits is refused, naming q= for parts.
    r = _officers(api, c.hr, nip=PK_AHLI_MUDA)
    assert [o["name"] for o in r["items"]] == ["Dewi Lestari"] and r["items"][0]["matched_on"] == ["nip"]
    r = api.get("/officers/", params={"nip": NIP[:17]}, headers=c.hr)
    assert r.status_code == 422 and r.json()["field"] == "nip" and "NIP terdiri atas 18 angka" in r.json()["detail"]
    assert "ini berisi 17 angka" in r.json()["detail"] and "gunakan q=" in r.json()["detail"]
    # An officer reads only themself, by ?nip= too.
    assert [o["nip"] for o in _officers(api, c.pk_h, nip=NIP)["items"]] == [NIP]
    assert _officers(api, c.pk_h, nip=PK_AHLI_MUDA)["items"] == []
    # A filter takes the code or the Indonesian label a clerk knows (any case) — the same officers either way.
    assert _officers(api, c.hr, level="ahli_muda")["total"] == 1
    assert _officers(api, c.hr, level="Ahli Muda")["items"] == _officers(api, c.hr, level="ahli_muda")["items"]
    assert _officers(api, c.hr, employee_type="pns")["total"] == _officers(api, c.hr, employee_type="PNS")["total"] > 0
    # Unknown filter values: 422 with the valid ones (and the closest), never an empty list.
    r = api.get("/officers/", params={"level": "Ahli Pertamaa"}, headers=c.hr)
    problem = r.json()
    assert r.status_code == 422 and problem["field"] == "level" and problem["code"] == "filter.unknown_value"
    assert "ahli_pertama" in problem["valid"] and "Nilai yang berlaku: ahli_madya, ahli_muda, ahli_pertama" in problem["detail"]
    r = api.get("/officers/", params={"employee_type": "pnss"}, headers=c.hr)
    assert r.status_code == 422 and r.json()["valid"] == ["PNS", "PPPK"] and "Apakah maksud Anda PNS?" in r.json()["detail"]


def test_activity_search_bab_iii_says_what_it_matched_and_refuses_unknown_pathways(api):
    c = cast(api)
    start = month_start(3)
    common = {"method": "klasikal", "provider_kind": "independent", "accreditation_ref": "BNSP-LPK-88",
              "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat(), "planned_jp": 10, "budget": "0"}
    a1 = c.create(pathway="workshop", title="Lokakarya Informasi Pasar Kerja", provider_name="LPK Mitra Kerja", place="Bandung", **common)
    a2 = c.create(pathway="workshop", title="Lokakarya Penempatan", provider_name="Balai Latihan Bandung", place="Jakarta", **common)
    hits = ok(api.get("/activities/", params={"q": "bandung"}, headers=c.hr))
    assert {h["id"]: h["matched_on"] for h in hits["items"]} == {a1: ["place"], a2: ["provider_name"]}
    hits = ok(api.get("/activities/", params={"q": "PASAR"}, headers=c.hr))
    assert [(h["id"], h["matched_on"]) for h in hits["items"]] == [(a1, ["title"])] and hits["total"] == 1
    assert ok(api.get("/activities/", params={"q": "surabaya"}, headers=c.hr))["total"] == 0
    assert ok(api.get("/activities/", params={"pathway": "workshop"}, headers=c.hr))["total"] == 2
    assert ok(api.get("/activities/", params={"pathway": "Lokakarya"}, headers=c.hr))["total"] == 2  # the pathway's label
    r = api.get("/activities/", params={"pathway": "lokakaryaa"}, headers=c.hr)
    assert r.status_code == 422 and r.json()["field"] == "pathway" and "workshop" in r.json()["valid"]
    assert "Nilai yang berlaku:" in r.json()["detail"]


def test_audit_event_type_filter_refuses_unknown_names_with_the_valid_ones(api):
    c = cast(api)
    auditor = api.as_("auditor", None)
    ok(api.post(f"/officers/{c.pk}/corrections", json={"changes": {"name": "Siti R. Rahayu"}, "reason": "Sesuai SK"}, headers=c.hr))
    for name in ("ProfileCorrected", "pengkom.officer.ProfileCorrected"):
        items = ok(api.get("/audit", params={"event_type": name}, headers=auditor))["items"]
        assert [i["event_type"] for i in items] == ["pengkom.officer.ProfileCorrected"]
    r = api.get("/audit", params={"event_type": "OfficerCorrected"}, headers=auditor)
    problem = r.json()
    assert r.status_code == 422 and problem["field"] == "event_type" and problem["code"] == "filter.unknown_value"
    assert "ProfileCorrected" in problem["valid"] and "Registered" in problem["valid"] and "Apakah maksud Anda" in problem["detail"]


def test_level_and_competency_filters_of_reports_refuse_unknown_codes(api):
    pembina = api.as_("pembina", None)
    year = 2026
    for path in ("/national/gap-analysis", "/exports/national/gap-analysis", "/curriculum-standards/"):
        assert api.get(path, params={"year": year, "level": "Ahli Muda"}, headers=pembina).status_code == 200, path  # the label
        r = api.get(path, params={"year": year, "level": "Ahli Mudaa"}, headers=pembina)
        assert r.status_code == 422 and r.json()["field"] == "level" and "Apakah maksud Anda ahli_muda" in r.json()["detail"], (path, r.text)
        r = api.get(path, params={"year": year, "competency": "integrity"}, headers=pembina)
        assert r.status_code == 422 and r.json()["field"] == "competency" and "integritas" in r.json()["valid"], (path, r.text)
    assert api.get("/national/gap-analysis", params={"year": year, "level": "ahli_muda", "competency": "integritas"},
                   headers=pembina).status_code == 200


def test_agency_directory_search_says_what_it_matched(api):
    pembina = api.as_("pembina", None)
    for code, name in (("disnaker-jabar", "Dinas Tenaga Kerja Provinsi Jawa Barat"), ("kemnaker", "Kementerian Ketenagakerjaan")):
        ok(api.post("/agencies/", json={"code": code, "name": name, "kind": "provinsi" if "jabar" in code else "kementerian_lembaga",
                                        "province": "jawa_barat" if "jabar" in code else "dki_jakarta"}, headers=pembina), 201)
    hits = ok(api.get("/agencies/", params={"q": "jabar"}, headers=pembina))["items"]
    assert [(h["code"], h["matched_on"]) for h in hits] == [("disnaker-jabar", ["code"])]
    hits = ok(api.get("/agencies/", params={"q": "PROVINSI"}, headers=pembina))["items"]
    assert [(h["code"], h["matched_on"]) for h in hits] == [("disnaker-jabar", ["name"])]
    hits = ok(api.get("/agencies/", params={"q": "naker"}, headers=pembina))["items"]
    assert {h["code"]: h["matched_on"] for h in hits} == {"disnaker-jabar": ["code"], "kemnaker": ["code"]}
    assert {h["code"]: h["matched_on"] for h in ok(api.get("/agencies/", params={"q": "ketenaga"}, headers=pembina))["items"]} == {
        "kemnaker": ["name"]}
    assert ok(api.get("/agencies/", params={"q": "_"}, headers=pembina))["items"] == []  # _ is a character, not a wildcard
