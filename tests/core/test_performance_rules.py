"""Formulir 2.5 items 10–11: predikat and gap level from the 9-cell matrix (BAB II.A.3.d)."""
from __future__ import annotations

import pytest

from core.errors import Invalid
from core.performance import qualify

# BAB II.A.3.d items 1)–5), written out from the guideline's text: (hasil kerja, perilaku kerja) → (predikat, gap level).
CELLS = [
    ("di_atas", "di_atas", "sangat_baik", "tidak_ada"),  # 1)
    ("di_atas", "sesuai", "baik", "rendah"),  # 2) a)
    ("sesuai", "sesuai", "baik", "rendah"),  # 2) b)
    ("sesuai", "di_atas", "baik", "rendah"),  # 2) c)
    ("di_bawah", "di_atas", "butuh_perbaikan", "sedang"),  # 3) a)
    ("di_bawah", "sesuai", "butuh_perbaikan", "sedang"),  # 3) b)
    ("di_atas", "di_bawah", "kurang", "tinggi"),  # 4) a)
    ("sesuai", "di_bawah", "kurang", "tinggi"),  # 4) b)
    ("di_bawah", "di_bawah", "sangat_kurang", "sangat_tinggi"),  # 5)
]


@pytest.mark.parametrize("hk, pk, predikat, gap", CELLS)
def test_formulir_2_5_gap_matrix_cell(hk, pk, predikat, gap):
    assert qualify(hk, pk) == (predikat, gap)
    assert qualify(hk, pk, predikat) == (predikat, gap)


@pytest.mark.parametrize("hk, pk, predikat, gap", CELLS)
def test_formulir_2_5_refuses_every_contradicting_predikat_with_the_reason(hk, pk, predikat, gap):
    for stated in {"sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"} - {predikat}:
        with pytest.raises(Invalid, match="contradicts the ratings") as e:
            qualify(hk, pk, stated)
        assert "BAB II.A.3.d" in e.value.message


def test_formulir_2_5_refuses_unknown_ratings():
    with pytest.raises(Invalid, match="di_atas"):
        qualify("excellent", "sesuai")
