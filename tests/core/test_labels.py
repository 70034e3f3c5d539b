"""Enumerated fields accept their code and their Indonesian label, in any case (issue 12 item 1); readers
return both (core/labels.py)."""
from __future__ import annotations

import pytest

from core import labels
from core.catalogue import FundingSource, GapLevel, Level, Pathway, Predikat, Rating
from core.errors import Invalid
from core.i18n import translate
from core.inputs import choice, funding_source
from core.nip import EmployeeType, Sex
from core.pathways import Attendance


@pytest.mark.parametrize("enum, given, code", [
    (Level, "ahli_pertama", "ahli_pertama"), (Level, "Ahli Pertama", "ahli_pertama"), (Level, "AHLI  PERTAMA", "ahli_pertama"),
    (Level, "Ahli_Muda", "ahli_muda"),
    (Predikat, "Baik", "baik"), (Predikat, "sangat baik", "sangat_baik"), (Predikat, "Kurang", "kurang"),
    (Predikat, "Misconduct", "kurang"), (Predikat, "Butuh Perbaikan", "butuh_perbaikan"),
    (Rating, "Sesuai ekspektasi", "sesuai"), (GapLevel, "Tidak ada kesenjangan", "tidak_ada"),
    (FundingSource, "APBN", "apbn"), (FundingSource, "Lainnya", "lainnya"),
    (Pathway, "Seminar", "seminar"), (Pathway, "Konferensi", "seminar"), (Pathway, "Bimbingan Teknis", "bimtek"),
    (Pathway, "Benchmarking", "patok_banding"), (Pathway, "E-learning", "e_learning"),
    (EmployeeType, "pns", "PNS"), (EmployeeType, "PPPK", "PPPK"), (Sex, "Perempuan", "P"), (Sex, "l", "L"),
    (Attendance, "Hadir tidak full", "hadir_tidak_full"),
])
def test_a_code_or_its_label_names_the_member(enum, given, code):
    assert choice(enum, given, "field") == code


def test_every_registered_label_resolves_to_its_member():
    assert len(labels.registered()) >= 9
    for enum, names in labels.registered().items():
        for member, label in names.items():
            assert labels.resolve(enum, label) == enum(member), (enum, label)
            assert labels.resolve(enum, label.upper()) == enum(member), (enum, label)


def test_a_refusal_lists_the_codes_with_their_labels():
    with pytest.raises(Invalid) as e:
        funding_source("hibah")
    assert "apbn (APBN), apbd (APBD), lainnya (Lainnya)" in e.value.message
    assert "bukan salah satu dari: apbn (APBN)" in translate(e.value.message, "id")
    with pytest.raises(Invalid):
        choice(Level, "Ahli", "level")  # a label is matched whole, not by a part of a word
    with pytest.raises(Invalid):
        choice(Level, 3, "level")


def test_readers_get_the_label_beside_the_code():
    read = {"level": "ahli_muda", "rows": [{"funding_source": "apbn", "pathway": "magang", "predikat": "baik"}], "name": "Siti"}
    assert labels.with_labels(read) == {
        "level": "ahli_muda", "level_label": "Ahli Muda", "name": "Siti",
        "rows": [{"funding_source": "apbn", "funding_source_label": "APBN", "pathway": "magang",  # a plugin's pathway: no label
                  "predikat": "baik", "predikat_label": "Baik"}]}
