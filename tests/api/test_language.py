"""Bahasa Indonesia first (issue 12 items 1–2), on both stores: every message a person reads is in Bahasa
Indonesia by default and in English on `Accept-Language: en`; codes and problem types never change with the
language; `Content-Language` states the language; request-decoding errors are the same problem+json as
domain errors (the field, what was wrong, what is accepted) — 400 for a body that is not JSON, 422 for a
value that was read but is not acceptable."""
from __future__ import annotations

from typing import Any

from tests.support.data import PK_AHLI_MUDA, officer_body
from tests.support.planning import assert_problem

EN = {"Accept-Language": "en"}


def both(api: Any, method: str, url: str, **kw: Any) -> tuple[Any, Any]:
    """The same request answered in Bahasa Indonesia (no header) and in English."""
    headers = kw.pop("headers", {})
    return (api.request(method, url, headers=headers, **kw), api.request(method, url, headers={**headers, **EN}, **kw))


def same_codes(id_: dict[str, Any], en: dict[str, Any]) -> None:
    for key in ("type", "status", "code", "kind", "field"):
        assert id_.get(key) == en.get(key), key


def test_a_domain_refusal_reads_in_indonesian_by_default_and_in_english_on_request(api):
    hr = api.as_("hr")
    r_id, r_en = both(api, "POST", "/officers/", json=officer_body("19900101 201501 1 00"), headers=hr)
    assert r_id.headers["content-language"] == "id" and r_en.headers["content-language"] == "en"
    id_ = assert_problem(r_id, 422, "NIP 19900101201501100 terdiri atas 17 angka; NIP terdiri atas 18")
    en = assert_problem(r_en, 422, "NIP 19900101201501100 has 17 digits; an NIP has 18")
    assert id_["title"] == "Masukan tidak valid" and en["title"] == "Invalid input"
    same_codes(id_, en)
    assert id_["field"] == "nip"


def test_field_names_choices_and_rules_of_the_domain_in_both_languages(api):
    hr = api.as_("hr")
    r_id, r_en = both(api, "POST", "/officers/", json=officer_body(PK_AHLI_MUDA, golongan="III/a", level="ahli_madya"), headers=hr)
    id_, en = assert_problem(r_id, 422, "tidak sesuai dengan jenjang"), assert_problem(r_en, 422, "does not fit level")
    same_codes(id_, en)
    r_id, r_en = both(api, "POST", "/officers/", json=officer_body(PK_AHLI_MUDA, name="  "), headers=hr)
    assert_problem(r_id, 422, "name wajib diisi.")
    assert_problem(r_en, 422, "Name is required.")


def test_conflicts_not_found_and_forbidden_read_in_both_languages(api):
    hr = api.as_("hr")
    assert api.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).status_code == 201
    r_id, r_en = both(api, "POST", "/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr)
    id_ = assert_problem(r_id, 409, "sudah terdaftar")
    en = assert_problem(r_en, 409, "is already registered")
    assert id_["title"] == "Konflik" and en["title"] == "Conflict"
    same_codes(id_, en)
    r_id, r_en = both(api, "GET", "/nowhere", headers=hr)
    assert_problem(r_id, 404, "Tidak ada apa pun di GET /nowhere")
    assert_problem(r_en, 404, "There is nothing at GET /nowhere")
    assert r_id.headers["content-language"] == "id"
    r_id, r_en = both(api, "GET", "/officers/")
    assert_problem(r_id, 401, "Kirim 'Authorization: Bearer <token>'")
    assert_problem(r_en, 401, "Send 'Authorization: Bearer <token>'")


def test_decoder_errors_name_the_field_what_was_wrong_and_what_is_accepted(api):
    hr = api.as_("hr")
    # An impossible date: 422 naming birth_date, no "RFC3339".
    r_id, r_en = both(api, "POST", "/officers/", json=officer_body(birth_date="1990-02-30"), headers=hr)
    id_ = assert_problem(r_id, 422, 'birth_date: "1990-02-30" bukan tanggal atau waktu yang ada', "YYYY-MM-DD")
    en = assert_problem(r_en, 422, 'birth_date: "1990-02-30" is not a date or time that exists', "YYYY-MM-DD")
    same_codes(id_, en)
    assert id_["field"] == "birth_date" and id_["code"] == "request.invalid_value" and "RFC3339" not in en["detail"]
    # An empty NIP: 422 with field, like every other NIP refusal.
    r_id, r_en = both(api, "POST", "/officers/", json={**officer_body(), "nip": ""}, headers=hr)
    assert assert_problem(r_id, 422, "nip kosong")["field"] == "nip"
    assert assert_problem(r_en, 422, "nip is empty", "e.g. 19900101 201501 1 001")["field"] == "nip"
    # A reason too short: what was sent and what is accepted, not "Expected `str` of length >= 3".
    oid = api.post("/officers/", json=officer_body(PK_AHLI_MUDA), headers=hr).json()["id"]
    r_id, r_en = both(api, "POST", f"/officers/{oid}/withdrawal", json={"reason": "x"}, headers=hr)
    assert_problem(r_id, 422, "reason terlalu pendek (1)", "teks 3 sampai 1000 karakter")
    en = assert_problem(r_en, 422, "reason is too short (1)", "text of 3 to 1000 characters")
    assert "Expected" not in en["detail"] and en["field"] == "reason"
    # A year sent as text, a missing field, an unknown field.
    r = api.post(f"/officers/{oid}/history/positions", json={"year": "2020", "position": "PK"}, headers={**hr, **EN})
    assert assert_problem(r, 422, 'year: text was sent ("2020"); it accepts a whole number from 1960 to 2100')["field"] == "year"
    body = officer_body(PK_AHLI_MUDA)
    del body["agency"]
    assert assert_problem(api.post("/officers/", json=body, headers=hr), 422, "agency wajib diisi")["field"] == "agency"
    r = api.post("/officers/", json={**officer_body(), "nama": "x"}, headers={**hr, **EN})
    assert assert_problem(r, 422, "nama is not a field of this request; its fields are nip, name")["field"] == "nama"


def test_a_body_that_is_not_json_is_400_and_a_parameter_out_of_range_is_422(api):
    hr = {**api.as_("hr"), "content-type": "application/json"}
    r_id, r_en = both(api, "POST", "/officers/", content=b'{"nip": ', headers=hr)
    assert_problem(r_id, 400, "bukan JSON yang valid")
    assert_problem(r_en, 400, "not valid JSON")
    r_id, r_en = both(api, "GET", "/officers/?limit=100000", headers=hr)
    id_ = assert_problem(r_id, 422, 'limit: "100000" di luar jangkauan; yang diterima: bilangan bulat paling banyak 500')
    en = assert_problem(r_en, 422, 'limit: "100000" is out of range; it accepts a whole number at most 500')
    same_codes(id_, en)
    assert id_["field"] == "limit"


def test_answers_that_succeed_state_their_language_too(api):
    r = api.get("/health")
    assert r.status_code == 200 and r.headers["content-language"] == "id"
    assert api.get("/health", headers={"Accept-Language": "en-GB,en;q=0.9"}).headers["content-language"] == "en"
    assert api.get("/health", headers={"Accept-Language": "fr"}).headers["content-language"] == "id"
    assert "Accept-Language" in api.get("/health").headers["vary"]


def test_enumerated_fields_accept_the_indonesian_label_and_readers_return_both(api):
    hr = api.as_("hr")
    body = officer_body(PK_AHLI_MUDA, level="Ahli Muda", employee_type="pns", sex="Perempuan", golongan="III/c")
    r = api.post("/officers/", json=body, headers=hr)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    r = api.post(f"/officers/{oid}/history/performance", json={"year": 2024, "predikat": "BAIK"}, headers=hr)
    assert r.status_code == 201, r.text
    profile = api.get(f"/officers/{oid}", headers=hr).json()
    assert (profile["jabatan"]["level"], profile["jabatan"]["level_label"]) == ("ahli_muda", "Ahli Muda")
    assert (profile["identitas"]["employee_type"], profile["identitas"]["employee_type_label"]) == ("PNS", "PNS")
    assert (profile["identitas"]["sex"], profile["identitas"]["sex_label"]) == ("P", "Perempuan")
    [performance] = profile["riwayat_hasil_penilaian_kinerja"]
    assert (performance["predikat"], performance["predikat_label"]) == ("baik", "Baik")
    # An unknown value is refused with the codes and their labels, in the reader's language.
    r_id, r_en = both(api, "POST", f"/officers/{oid}/history/performance", json={"year": 2024, "predikat": "Luar Biasa"}, headers=hr)
    assert_problem(r_id, 422, "bukan salah satu dari", "baik (Baik)")
    assert_problem(r_en, 422, "is not one of", "sangat_baik (Sangat Baik)")
