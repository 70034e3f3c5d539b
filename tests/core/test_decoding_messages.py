"""Request-decoding errors read like domain refusals (issue 12 item 2): each msgspec complaint becomes the field,
what was sent and what the field accepts, in both languages (api/decoding.py). Pure: no store needed."""
from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
import pytest

from api.decoding import CODE, body_error, parameter_error
from core.i18n import translate


class Row(msgspec.Struct, forbid_unknown_fields=True):
    start: date
    jp: Annotated[int, msgspec.Meta(ge=1, le=1000)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=10, max_length=2000)]
    officer_id: UUID
    rows: Annotated[list[Row], msgspec.Meta(min_length=1, max_length=50)]
    note: str | None = None


GOOD = {"reason": "Sesuai SK Kepala", "officer_id": "00000000-0000-0000-0000-000000000001", "rows": [{"start": "2026-01-05", "jp": 8}]}


def refuse(**change):
    body = msgspec.json.encode({**GOOD, **change})
    with pytest.raises(msgspec.ValidationError) as e:
        msgspec.json.decode(body, type=Body, strict=True)
    return body_error(e.value, body, Body)


@pytest.mark.parametrize("change, field, english, indonesian", [
    ({"reason": "short"}, "reason", "reason is too short (5); it accepts text of 10 to 2000 characters.",
     "reason terlalu pendek (5); yang diterima: teks 10 sampai 2000 karakter."),
    ({"reason": ""}, "reason", "reason is empty; it accepts text of 10 to 2000 characters.", "reason kosong"),
    ({"reason": 12}, "reason", "reason: a whole number was sent (12); it accepts text of 10 to 2000 characters.",
     "reason: yang dikirim bilangan bulat (12)"),
    ({"officer_id": "x"}, "officer_id", 'officer_id: "x" is not an id (UUID); it accepts an id (UUID).', "bukan id (UUID)"),
    ({"rows": []}, "rows", "rows is empty; it accepts a list of 1 to 50 entries, each an object with the fields start, jp.",
     "rows kosong; yang diterima: daftar berisi 1 sampai 50 entri"),
    ({"rows": [{"start": "1990-02-30", "jp": 8}]}, "rows[0].start",
     'rows[0].start: "1990-02-30" is not a date or time that exists; it accepts a date YYYY-MM-DD that exists in the calendar.',
     "bukan tanggal atau waktu yang ada"),
    ({"rows": [{"start": "2026-01-05", "jp": 0}]}, "rows[0].jp", "rows[0].jp: 0 is out of range; it accepts a whole number from 1 to 1000.",
     "di luar jangkauan"),
    ({"rows": [{"start": "2026-01-05"}]}, "rows[0].jp", "rows[0].jp is required: a whole number from 1 to 1000.", "wajib diisi"),
    ({"nama": "x"}, "nama", "nama is not a field of this request; its fields are reason, officer_id, rows, note.",
     "nama bukan isian permintaan ini"),
    ({"note": 3}, "note", "note: a whole number was sent (3); it accepts text, or null.", "atau null"),
])
def test_every_kind_of_decoding_error_names_the_field_and_what_is_accepted(change, field, english, indonesian):
    e = refuse(**change)
    assert (e.field, e.code, e.kind) == (field, CODE, "invalid")
    assert english in translate(e.message, "en")
    assert indonesian in translate(e.message, "id")
    assert "Expected" not in translate(e.message, "en") and "`" not in translate(e.message, "en")


def test_a_query_parameter_out_of_range_says_what_is_accepted():
    e = parameter_error("limit", "Expected `int` <= 500", "100000")
    assert e.field == "limit" and e.code == CODE
    assert translate(e.message, "en") == 'limit: "100000" is out of range; it accepts a whole number at most 500.'
    assert translate(e.message, "id") == 'limit: "100000" di luar jangkauan; yang diterima: bilangan bulat paling banyak 500.'
