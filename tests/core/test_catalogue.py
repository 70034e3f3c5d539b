"""The reference catalogue against the guideline's tables, cell by cell.

Expected values are written out literally from docs/guideline.md (checked against the Indonesian
text), never computed from the module under test.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core import catalogue as cat
from core.catalogue import (
    GapLevel,
    JpRule,
    Level,
    Pathway,
    Predikat,
    Rating,
    ReactionBand,
)
from core.errors import Invalid

# --- Tabel 3.1 ---------------------------------------------------------------------------------

# The digest's short codes, spelled out independently of the module.
SHORT = {
    "PEL": Pathway("pelatihan"),
    "SEM": Pathway("seminar"),
    "WS": Pathway("workshop"),
    "BIMTEK": Pathway("bimtek"),
    "COACH": Pathway("coaching"),
    "MENTOR": Pathway("mentoring"),
    "MANDIRI": Pathway("belajar_mandiri"),
    "KOM": Pathway("komunitas_belajar"),
    "ELEARN": Pathway("e_learning"),
    "BENCH": Pathway("patok_banding"),
}

LEVELS = ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")

# Tabel 3.1 as printed in docs/guideline.md "Tabel 3.1": one string per cell, "—" for a blank cell.
# Columns: Ahli Pertama | Ahli Muda | Ahli Madya | Ahli Utama.
EXPECTED_TABEL_3_1: dict[str, tuple[str, str, str, str]] = {
    "integritas": ("PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "SEM WS COACH KOM"),
    "kerja_sama": ("PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM"),
    "komunikasi": ("PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM"),
    "orientasi_pada_hasil": (
        "PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM",
    ),
    "pelayanan_publik": (
        "PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM",
    ),
    "pengembangan_diri_dan_orang_lain": (
        "PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM",
    ),
    "mengelola_perubahan": (
        "PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM",
    ),
    "pengambilan_keputusan": (
        "PEL COACH MANDIRI KOM", "PEL WS COACH MANDIRI KOM", "PEL SEM WS COACH KOM", "PEL SEM WS COACH KOM",
    ),
    "perekat_bangsa": ("PEL COACH KOM", "PEL WS COACH KOM", "PEL SEM WS COACH KOM", "SEM WS COACH KOM"),
    "penempatan_tk_dan_perluasan_kesempatan_kerja": (
        "ELEARN PEL BIMTEK MENTOR MANDIRI", "ELEARN PEL BIMTEK MENTOR", "ELEARN PEL SEM BIMTEK MENTOR COACH", "—",
    ),
    "pengendalian_penggunaan_tka": (
        "ELEARN PEL BIMTEK MENTOR MANDIRI",
        "ELEARN PEL BIMTEK MENTOR",
        "ELEARN PEL SEM BIMTEK MENTOR COACH",
        "SEM WS BENCH",
    ),
    "pembinaan_kelembagaan_dan_sd_penempatan": (
        "ELEARN PEL BIMTEK MENTOR MANDIRI", "ELEARN PEL BIMTEK MENTOR", "—", "—",
    ),
    "perencanaan_pelaksanaan_antar_kerja": (
        "—", "ELEARN PEL BIMTEK MENTOR", "ELEARN PEL SEM BIMTEK MENTOR COACH", "SEM WS BENCH",
    ),
    "evaluasi_dan_laporan_pelaksanaan_ak": (
        "—", "ELEARN PEL BIMTEK MENTOR", "ELEARN PEL SEM BIMTEK MENTOR COACH", "SEM WS BENCH",
    ),
    "pengembangan_antar_kerja": ("—", "—", "ELEARN PEL SEM BIMTEK MENTOR COACH", "SEM WS BENCH"),
}

TABEL_3_1_CELLS = [
    pytest.param(code, level, cells[i], id=f"{code}-{level}")
    for code, cells in EXPECTED_TABEL_3_1.items()
    for i, level in enumerate(LEVELS)
]


def _pathways(cell: str) -> frozenset[Pathway]:
    return frozenset() if cell == "—" else frozenset(SHORT[token] for token in cell.split())


@pytest.mark.parametrize(("code", "level", "cell"), TABEL_3_1_CELLS)
def test_tabel_3_1_cell(code: str, level: str, cell: str) -> None:
    """Tabel 3.1 (BAB III): each of the 15 × 4 cells, "—" meaning not listed for the level."""
    expected = _pathways(cell)
    assert cat.allowed_pathways(code, Level(level)) == expected
    assert cat.competency_listed_for_level(code, level) is (cell != "—")
    if cell == "—":
        assert Level(level) not in cat.TABEL_3_1[code]
    else:
        assert cat.TABEL_3_1[code][Level(level)] == expected


def test_tabel_3_1_has_exactly_the_15_competencies_and_the_ahli_levels() -> None:
    """Tabel 3.1 rows are the 15 competencies; its columns only the four Ahli levels."""
    assert set(cat.TABEL_3_1) == set(EXPECTED_TABEL_3_1)
    assert {lvl for row in cat.TABEL_3_1.values() for lvl in row} <= {Level(v) for v in LEVELS}


@pytest.mark.parametrize("level", ["terampil", "mahir", "penyelia"])
def test_tabel_3_1_keterampilan_levels_get_no_pathway_check(level: str) -> None:
    """docs/guideline.md "Tabel 3.1": Tabel 3.1 covers only Ahli levels; other levels get ``None`` (no check)."""
    assert cat.allowed_pathways("integritas", level) is None
    assert cat.competency_listed_for_level("pengembangan_antar_kerja", Level(level)) is None


def test_tabel_3_1_unknown_level_is_invalid() -> None:
    with pytest.raises(Invalid) as err:
        cat.allowed_pathways("integritas", "ahli_super")
    assert err.value.field == "level"
    assert "ahli_pertama" in err.value.message


def test_tabel_3_1_is_read_only() -> None:
    with pytest.raises(TypeError):
        cat.TABEL_3_1["integritas"] = {}  # type: ignore[index]


# --- Competencies (BAB I.E angka 3–5) ----------------------------------------------------------


def test_competencies_are_8_managerial_1_sociocultural_6_technical_in_guideline_order() -> None:
    """BAB I.E angka 3–5: the competency model, in the guideline's order."""
    assert [c.code for c in cat.COMPETENCIES] == [
        "integritas",
        "kerja_sama",
        "komunikasi",
        "orientasi_pada_hasil",
        "pelayanan_publik",
        "pengembangan_diri_dan_orang_lain",
        "mengelola_perubahan",
        "pengambilan_keputusan",
        "perekat_bangsa",
        "perencanaan_pelaksanaan_antar_kerja",
        "penempatan_tk_dan_perluasan_kesempatan_kerja",
        "pengendalian_penggunaan_tka",
        "pembinaan_kelembagaan_dan_sd_penempatan",
        "evaluasi_dan_laporan_pelaksanaan_ak",
        "pengembangan_antar_kerja",
    ]
    kinds = [c.kind.value for c in cat.COMPETENCIES]
    assert kinds == ["manajerial"] * 8 + ["sosiokultural"] + ["teknis"] * 6


def test_competency_lookup_gives_indonesian_name() -> None:
    c = cat.competency("pengendalian_penggunaan_tka")
    assert c.name == "Pengendalian Penggunaan Tenaga Kerja Asing"
    assert c.kind is cat.CompetencyKind.TEKNIS


def test_unknown_competency_code_lists_the_valid_codes() -> None:
    with pytest.raises(Invalid) as err:
        cat.competency("integrity")
    message = err.value.message
    assert "'integrity'" in message
    assert all(c.code in message for c in cat.COMPETENCIES)
    assert err.value.field == "competency"


def test_tabel_3_1_lookup_with_unknown_competency_is_invalid() -> None:
    with pytest.raises(Invalid, match="Unknown competency code 'bahasa_inggris'"):
        cat.allowed_pathways("bahasa_inggris", Level.AHLI_MUDA)


def test_every_level_has_an_indonesian_label() -> None:
    assert cat.LEVEL_LABELS[Level.AHLI_PERTAMA] == "Ahli Pertama"
    assert cat.LEVEL_LABELS[Level.PENYELIA] == "Penyelia"
    assert set(cat.LEVEL_LABELS) == set(Level)


# --- Performance gap (Formulir 2.5) ------------------------------------------------------------

# Formulir 2.5 matrix (docs/guideline.md "Assessing the gaps"): rows hasil kerja, columns perilaku kerja.
EXPECTED_GAP = [
    ("di_atas", "di_atas", "tidak_ada", "sangat_baik"),
    ("di_atas", "sesuai", "rendah", "baik"),
    ("di_atas", "di_bawah", "tinggi", "kurang"),
    ("sesuai", "di_atas", "rendah", "baik"),
    ("sesuai", "sesuai", "rendah", "baik"),
    ("sesuai", "di_bawah", "tinggi", "kurang"),
    ("di_bawah", "di_atas", "sedang", "butuh_perbaikan"),
    ("di_bawah", "sesuai", "sedang", "butuh_perbaikan"),
    ("di_bawah", "di_bawah", "sangat_tinggi", "sangat_kurang"),
]


@pytest.mark.parametrize(
    ("hasil", "perilaku", "gap", "predikat"),
    [pytest.param(*row, id=f"hasil_{row[0]}-perilaku_{row[1]}") for row in EXPECTED_GAP],
)
def test_formulir_2_5_performance_gap_cell(hasil: str, perilaku: str, gap: str, predikat: str) -> None:
    """Formulir 2.5 item 11 (BAB II.A.3.d): gap level and predikat from the two SKP ratings."""
    assert cat.performance_gap(Rating(hasil), Rating(perilaku)) == (GapLevel(gap), Predikat(predikat))
    assert cat.performance_gap(hasil, perilaku) == (GapLevel(gap), Predikat(predikat))


def test_formulir_2_5_bad_rating_is_invalid() -> None:
    with pytest.raises(Invalid) as err:
        cat.performance_gap("di_atas", "excellent")
    assert err.value.field == "perilaku_kerja"


def test_formulir_2_5_kurang_is_labelled_misconduct() -> None:
    assert cat.PREDIKAT_LABELS[Predikat.KURANG] == "Kurang/Misconduct"


# --- Tabel 5.1 and the Formulir 5.1 item weight ------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "poor"),
        (49.99, "poor"),
        (Decimal("49.999"), "poor"),
        (50, "better"),
        (Decimal("50"), "better"),
        (60, "better"),
        (60.0, "better"),
        (60.01, "positive"),
        (61, "positive"),
        (80, "positive"),
        (80.01, "highly_positive"),
        (81, "highly_positive"),
        (100, "highly_positive"),
        (Decimal("100.00"), "highly_positive"),
    ],
)
def test_tabel_5_1_band_edges(percent: Decimal | float, band: str) -> None:
    """Tabel 5.1 as interpreted in docs/guideline.md "The evaluation": <50 | 50 ≤ x ≤ 60 | 60 < x ≤ 80 | x > 80."""
    assert cat.reaction_band(percent) is ReactionBand(band)


@pytest.mark.parametrize("percent", [-0.01, -1, 100.01, Decimal("101"), float("nan"), float("inf"), Decimal("NaN")])
def test_tabel_5_1_out_of_range_is_invalid(percent: Decimal | float) -> None:
    with pytest.raises(Invalid) as err:
        cat.reaction_band(percent)
    assert err.value.field == "percent"


def test_tabel_5_1_bands_have_the_guideline_interpretations() -> None:
    poor = cat.REACTION_BAND_LABELS[ReactionBand.POOR]
    assert poor == "Peserta menunjukkan reaksi yang kurang baik terhadap pelatihan"
    assert cat.REACTION_BAND_LABELS[ReactionBand.HIGHLY_POSITIVE] == "Peserta menunjukkan reaksi positif yang tinggi"
    assert set(cat.REACTION_BAND_LABELS) == set(ReactionBand)


@pytest.mark.parametrize(
    ("scores", "weight"),
    [
        ([4], Decimal(100)),
        ([1], Decimal(25)),
        ([4, 4, 4, 4], Decimal(100)),
        ([3, 4, 2, 3], Decimal("75")),  # 12 / (4 × 4) × 100
        ([2, 2, 3, 3, 2], Decimal("60")),  # 12 / (4 × 5) × 100: top of the "50-60%" band
        ([1, 2, 4], Decimal(700) / Decimal(12)),  # 7 / (4 × 3) × 100
    ],
)
def test_formulir_5_1_item_weight(scores: list[int], weight: Decimal) -> None:
    """Formulir 5.1: bobot item = total scores / (4 × respondents) × 100%."""
    assert cat.questionnaire_item_weight(scores) == weight


def test_formulir_5_1_weight_feeds_tabel_5_1() -> None:
    assert cat.reaction_band(cat.questionnaire_item_weight([2, 2, 3, 3, 2])) is ReactionBand.BETTER
    assert cat.reaction_band(cat.questionnaire_item_weight([3, 3, 3, 4, 3])) is ReactionBand.POSITIVE  # 80


@pytest.mark.parametrize("scores", [[], [0], [5], [3, 4, 5], [2.5], [True], ["3"]])
def test_formulir_5_1_scores_outside_1_to_4_are_invalid(scores: list[object]) -> None:
    with pytest.raises(Invalid) as err:
        cat.questionnaire_item_weight(scores)  # type: ignore[arg-type]
    assert err.value.field == "scores"


# --- Credit points (docs/guideline.md; Formulir 2.6 item 12) -----------------------------------------------


@pytest.mark.parametrize(
    ("level", "coefficient"),
    [
        ("ahli_pertama", "12.5"),
        ("ahli_muda", "25"),
        ("ahli_madya", "37.5"),
        ("ahli_utama", "50"),
        ("terampil", "5"),
        ("mahir", "12.5"),
        ("penyelia", "25"),
    ],
)
def test_credit_point_coefficient_per_level(level: str, coefficient: str) -> None:
    """docs/guideline.md "Credit points" (PermenPANRB 1/2023): annual coefficient; predikat Baik earns exactly it."""
    assert cat.ANNUAL_CREDIT_COEFFICIENT[Level(level)] == Decimal(coefficient)
    assert cat.annual_credit_points(level, "baik") == Decimal(coefficient)


@pytest.mark.parametrize(
    ("predikat", "points"),
    [
        ("sangat_baik", "56.25"),  # 37.5 × 150%
        ("baik", "37.5"),
        ("butuh_perbaikan", "28.125"),  # 37.5 × 75%
        ("kurang", "18.75"),
        ("sangat_kurang", "9.375"),
    ],
)
def test_credit_points_by_predikat_for_ahli_madya(predikat: str, points: str) -> None:
    assert cat.annual_credit_points(Level.AHLI_MADYA, Predikat(predikat)) == Decimal(points)


def test_credit_points_prorated_by_months() -> None:
    assert cat.annual_credit_points("ahli_pertama", "sangat_baik", months=6) == Decimal("9.375")  # 18.75 / 2
    assert cat.annual_credit_points("ahli_muda", "baik", months=3) == Decimal("6.25")
    assert cat.annual_credit_points("ahli_utama", "baik", months=1) * 12 == Decimal("50")


@pytest.mark.parametrize("months", [0, 13, -1, True, 6.5])
def test_credit_points_months_outside_1_to_12_are_invalid(months: object) -> None:
    with pytest.raises(Invalid) as err:
        cat.annual_credit_points("ahli_muda", "baik", months=months)  # type: ignore[arg-type]
    assert err.value.field == "months"


def test_credit_point_predikat_percentages() -> None:
    assert {p.value: v for p, v in cat.PREDIKAT_PERCENT.items()} == {
        "sangat_baik": Decimal(150),
        "baik": Decimal(100),
        "butuh_perbaikan": Decimal(75),
        "kurang": Decimal(50),
        "sangat_kurang": Decimal(25),
    }


# --- Rank ranges (docs/guideline.md "Credit points"; PermenPANRB 1/2023) ---------------------------


def test_golongan_are_the_17_ranks_in_order() -> None:
    assert cat.GOLONGAN == (
        "I/a", "I/b", "I/c", "I/d",
        "II/a", "II/b", "II/c", "II/d",
        "III/a", "III/b", "III/c", "III/d",
        "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
    )  # fmt: skip


def test_level_golongan_ranges_for_keahlian() -> None:
    """docs/guideline.md: Ahli Pertama III/a–III/b; Muda III/c–III/d; Madya IV/a–IV/c; Utama IV/d–IV/e."""
    assert dict(cat.LEVEL_GOLONGAN) == {
        Level.AHLI_PERTAMA: ("III/a", "III/b"),
        Level.AHLI_MUDA: ("III/c", "III/d"),
        Level.AHLI_MADYA: ("IV/a", "IV/b", "IV/c"),
        Level.AHLI_UTAMA: ("IV/d", "IV/e"),
    }
    assert all(rank in cat.GOLONGAN for ranks in cat.LEVEL_GOLONGAN.values() for rank in ranks)


# --- JP conversion defaults (docs/guideline.md; Perlan LAN 10/2018 Lampiran II) -----------------------------

# form: (unit, domestic, international, max_per_month, grade), from docs/guideline.md.
EXPECTED_JP = {
    "pelatihan": ("programme_hours", "1", "1.2", None, "B"),
    "kursus": ("programme_hours", "1", "1.2", None, "C"),
    "bimtek": ("programme_hours", "1", "1.2", None, "C"),
    "seminar": ("per_day", "4", "6", None, "B"),
    "sosialisasi": ("per_day", "4", "6", None, "C"),
    "workshop": ("per_day", "5", "7", None, "B"),
    "coaching": ("per_session", "2", None, 2, "B"),
    "mentoring": ("per_session", "2", None, 2, "B"),
    "e_learning": ("per_day_max", "3", None, None, "B"),
    "patok_banding": ("per_activity", "10", "20", None, "B"),
    "belajar_mandiri": ("per_day_max", "2", "2.4", None, "B"),
    "komunitas_belajar": ("per_day_max", "2", "2.4", None, "B"),
    "magang": ("per_activity", "20", "24", None, "B"),
    "pertukaran": ("per_activity", "20", "24", None, "B"),
    "detasering": ("per_activity", "20", None, None, "B"),
}


def test_jp_defaults_cover_every_form() -> None:
    assert set(cat.JP_CONVERSION_DEFAULTS) == set(EXPECTED_JP)


@pytest.mark.parametrize("form", list(EXPECTED_JP))
def test_jp_default_per_form(form: str) -> None:
    """docs/guideline.md "Converting a development form into JP": value, unit and grade; None = unconfirmed."""
    unit, domestic, international, max_per_month, grade = EXPECTED_JP[form]
    rule = cat.JP_CONVERSION_DEFAULTS[form]
    assert isinstance(rule, JpRule)
    assert rule.form == form
    assert rule.unit == unit
    assert rule.domestic == (None if domestic is None else Decimal(domestic))
    assert rule.international == (None if international is None else Decimal(international))
    assert rule.max_per_month == max_per_month
    assert rule.grade == grade
    assert rule.source


def test_every_tabel_3_1_pathway_has_a_jp_default() -> None:
    assert {p.value for p in Pathway} <= set(cat.JP_CONVERSION_DEFAULTS)


def test_jp_general_rules() -> None:
    """docs/guideline.md; BAB I.E angka 7: 1 JP = 45 min; PNS ≥ 20 JP a year; PPPK ≤ 24 JP a year."""
    assert (cat.JP_MINUTES, cat.PNS_MIN_JP_PER_YEAR, cat.PPPK_MAX_JP_PER_YEAR) == (45, 20, 24)


def test_jp_rule_rejects_unknown_unit() -> None:
    with pytest.raises(Invalid, match="per_week"):
        JpRule("x", "per_week", Decimal(1), None, None, "B", "test")


# --- The catalogue document ----------------------------------------------------------------------


def test_catalogue_document_is_json_and_carries_the_versions() -> None:
    doc = json.loads(json.dumps(cat.catalogue_document()))
    assert doc["ruleset_version"] == "pedoman-pk-2023/r1" == cat.RULESET_VERSION
    assert doc["jp_table_version"] == "perlan-10-2018-lampiran-ii/r1" == cat.JP_TABLE_VERSION
    assert len(doc["competencies"]) == 15
    assert doc["tabel_3_1"]["pengembangan_antar_kerja"] == {
        "ahli_madya": ["pelatihan", "seminar", "bimtek", "coaching", "mentoring", "e_learning"],
        "ahli_utama": ["seminar", "workshop", "patok_banding"],
    }
    assert len(doc["performance_gap"]["matrix"]) == 9
    assert doc["jp"]["conversion_defaults"]["coaching"]["international"] is None
    assert doc["jp"]["conversion_defaults"]["workshop"]["domestic"] == "5"
    assert doc["credit_points"]["annual_coefficient"]["ahli_madya"] == "37.5"
    assert doc["level_golongan"]["ahli_madya"] == ["IV/a", "IV/b", "IV/c"]
    assert [b["code"] for b in doc["reaction_bands"]] == ["poor", "better", "positive", "highly_positive"]
