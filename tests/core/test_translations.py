"""Bahasa Indonesia first: every message a person reads has its Indonesian translation in the catalogue
(core/locale/id/LC_MESSAGES/pengkom.po), with the same placeholders, and the committed .mo is the .po
compiled. Fails when a message is added to the code without a translation: run `make messages`, translate
the new entries in the .po (msgstr), and run it again to compile."""
from __future__ import annotations

import gettext

import pytest
from babel.messages.pofile import read_po

from core.errors import Invalid
from core.i18n import FieldName, catalogue, joined, msg, negotiate, translate
from core.i18n_tools import MO, PO, placeholders, scan


@pytest.fixture(scope="module")
def po():
    with PO.open("rb") as f:
        return read_po(f, locale="id")


@pytest.fixture(scope="module")
def found():
    return scan()


def test_every_message_in_the_code_has_an_indonesian_translation(po, found):
    messages, _ = found
    assert len(messages) > 400  # the scan sees the code's messages (domain errors, problems, findings)
    missing = [f"{where[0]}: {msgid!r}" for msgid, where in sorted(messages.items())
               if po.get(msgid) is None or not po.get(msgid).string or po.get(msgid).fuzzy]
    assert not missing, (f"{len(missing)} message(s) without an Indonesian translation; run `make messages` and translate them in "
                         f"{PO.name}:\n" + "\n".join(missing[:40]))


def test_translations_use_exactly_the_placeholders_of_their_message(po):
    wrong = [f"{m.id!r}: {sorted(placeholders(m.id) ^ placeholders(m.string))}"
             for m in po if m.id and m.string and placeholders(m.id) != placeholders(m.string)]
    assert not wrong, "translations whose placeholders differ from the message's:\n" + "\n".join(wrong)


def test_no_domain_error_is_raised_with_an_untranslatable_f_string(found):
    _, bad = found
    assert not bad, ("domain errors raised with an f-string cannot be translated; write msg(\"… {name} …\", name=value):\n"
                     + "\n".join(bad))


def test_the_committed_mo_is_the_po_compiled(po):
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in po:
        if m.id and m.string and not m.fuzzy:
            assert compiled.gettext(m.id) == m.string, f"{MO.name} is stale; run `make messages` ({m.id!r})"


def test_a_message_renders_in_each_language_with_its_values():
    m = msg("NIP {digits} has {len_digits} digits; an NIP has {NIP_LENGTH}", digits="1990", len_digits=4, NIP_LENGTH=18)
    assert str(m) == "NIP 1990 has 4 digits; an NIP has 18"  # the English text is the str itself
    assert translate(m, "en") == "NIP 1990 has 4 digits; an NIP has 18"
    assert translate(m, "id") == "NIP 1990 terdiri atas 4 angka; NIP terdiri atas 18"
    assert translate(Invalid.title, "id") == "Masukan tidak valid"
    assert translate("Budi Santoso", "id") == "Budi Santoso"  # a value, not a message: shown as it is
    # Nested messages, joined messages and field names are translated too.
    nested = msg("{field} is required.", field=FieldName("funding_source"))
    assert translate(nested, "en") == "Funding source is required."
    assert translate(nested, "id") == "funding_source wajib diisi."
    both = joined([msg("Conflict"), msg("Forbidden")])
    assert translate(both, "id") == "Konflik Tidak diizinkan"


def test_accept_language_chooses_english_or_indonesian():
    assert negotiate(None) == negotiate("") == "id"
    assert negotiate("en") == negotiate("en-US,en;q=0.9") == negotiate("EN-gb") == "en"
    assert negotiate("id") == negotiate("id-ID,en;q=0.5") == negotiate("in") == "id"
    assert negotiate("fr, de;q=0.8") == "id"  # nothing pengkom speaks: the default
    assert negotiate("fr, en;q=0.3") == "en"
    assert negotiate("en;q=0.2, id;q=0.9") == "id"
    assert negotiate("*") == "id"
    assert negotiate("en;q=abc, ;;, id;q=") in ("id", "en")  # malformed parts never fail


def test_the_catalogue_loads_from_the_package():
    assert isinstance(catalogue("id"), gettext.GNUTranslations)
