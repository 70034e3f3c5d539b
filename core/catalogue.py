"""The guideline's reference catalogue as versioned data: competencies, Tabel 3.1, Formulir 2.5,
Tabel 5.1, credit points and the LAN JP conversion defaults, each citing where it comes from.

Source: Keputusan Dirjen Binapenta & PKK No. 3/481/PK.01.02/VIII/2023, *Pedoman Pengembangan
Kompetensi bagi Jabatan Fungsional Pengantar Kerja* ("the guideline"), and for the figures the
guideline only points to, PP 11/2017, Peraturan LAN No. 10/2018 Lampiran II and 15/2020 and
PermenPANRB 1/2023 — all written up with their confidence grades in ``docs/guideline.md``.
Every decision that uses a value from here records ``RULESET_VERSION`` (and ``JP_TABLE_VERSION``
when a JP conversion was involved), so an audit can say which table produced a number.

Why this module is longer than ~500 lines: it is the one home of the guideline's reference tables,
kept together on purpose so that every table sits beside its citation and its version and is tested
cell by cell in ``tests/core/test_catalogue.py``; each section below is one table and reads alone.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar, cast

from core import labels
from core.errors import Invalid
from core.i18n import msg

#: Version of the rule set below (competencies, Tabel 3.1, Formulir 2.5, Tabel 5.1, credit points).
RULESET_VERSION: str = "pedoman-pk-2023/r1"
#: Version of the JP conversion defaults (Peraturan LAN No. 10/2018, Lampiran II, per docs/guideline.md).
JP_TABLE_VERSION: str = "perlan-10-2018-lampiran-ii/r1"

_E = TypeVar("_E", bound=StrEnum)


def _frozen(mapping: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(mapping)


def _coerce(enum: type[_E], value: object, field: str) -> _E:
    """``value`` as a member of ``enum``, or :class:`Invalid` listing the valid values."""
    member = labels.resolve(enum, value)  # the code (any case) or the Indonesian label
    if member is not None:
        return cast(_E, member)
    valid = labels.described(enum)
    raise Invalid(msg("{value!r} is not a valid {field}; valid values: {valid}", value=value, field=field, valid=valid), field=field)


# --- Levels (jenjang) --------------------------------------------------------------------------


class Level(StrEnum):
    """Jenjang of the functional position. Tabel 3.1 covers only the four Ahli levels."""

    AHLI_PERTAMA = "ahli_pertama"
    AHLI_MUDA = "ahli_muda"
    AHLI_MADYA = "ahli_madya"
    AHLI_UTAMA = "ahli_utama"
    TERAMPIL = "terampil"
    MAHIR = "mahir"
    PENYELIA = "penyelia"


LEVEL_LABELS: Mapping[Level, str] = _frozen(
    {
        Level.AHLI_PERTAMA: "Ahli Pertama",
        Level.AHLI_MUDA: "Ahli Muda",
        Level.AHLI_MADYA: "Ahli Madya",
        Level.AHLI_UTAMA: "Ahli Utama",
        Level.TERAMPIL: "Terampil",
        Level.MAHIR: "Mahir",
        Level.PENYELIA: "Penyelia",
    }
)

#: The levels (columns) of Tabel 3.1, in the table's order.
TABEL_3_1_LEVELS: tuple[Level, ...] = (
    Level.AHLI_PERTAMA,
    Level.AHLI_MUDA,
    Level.AHLI_MADYA,
    Level.AHLI_UTAMA,
)
#: Keterampilan levels: outside Tabel 3.1, so no pathway check applies (docs/guideline.md).
KETERAMPILAN_LEVELS: tuple[Level, ...] = (Level.TERAMPIL, Level.MAHIR, Level.PENYELIA)


# --- Competencies (BAB I.E angka 2–5; Kepmen PANRB 1/2022) ----------------------------------------


class CompetencyKind(StrEnum):
    MANAJERIAL = "manajerial"
    SOSIOKULTURAL = "sosiokultural"
    TEKNIS = "teknis"


COMPETENCY_KIND_LABELS: Mapping[CompetencyKind, str] = _frozen(
    {
        CompetencyKind.MANAJERIAL: "Kompetensi Manajerial",
        CompetencyKind.SOSIOKULTURAL: "Kompetensi Sosiokultural",
        CompetencyKind.TEKNIS: "Kompetensi Teknis",
    }
)


@dataclass(frozen=True)
class Competency:
    """One competency of the Pengantar Kerja job standard; ``name`` is the guideline's wording."""

    code: str
    name: str
    kind: CompetencyKind


_M, _S, _T = CompetencyKind.MANAJERIAL, CompetencyKind.SOSIOKULTURAL, CompetencyKind.TEKNIS

#: The 15 competencies in the guideline's order (BAB I.E angka 3–5): 8 managerial,
#: 1 sociocultural, 6 technical. Codes are stable identifiers: never rename one.
COMPETENCIES: tuple[Competency, ...] = (
    Competency("integritas", "Integritas", _M),
    Competency("kerja_sama", "Kerja Sama", _M),
    Competency("komunikasi", "Komunikasi", _M),
    Competency("orientasi_pada_hasil", "Orientasi pada Hasil", _M),
    Competency("pelayanan_publik", "Pelayanan Publik", _M),
    Competency("pengembangan_diri_dan_orang_lain", "Pengembangan Diri dan Orang Lain", _M),
    Competency("mengelola_perubahan", "Mengelola Perubahan", _M),
    Competency("pengambilan_keputusan", "Pengambilan Keputusan", _M),
    # Named "perekat kebangsaan" in BAB I.E angka 4 and "Perekat Bangsa" in Tabel 3.1 and
    # Kepmen PANRB; the latter is the competency's official name.
    Competency("perekat_bangsa", "Perekat Bangsa", _S),
    Competency("perencanaan_pelaksanaan_antar_kerja", "Perencanaan Pelaksanaan Antar Kerja", _T),
    Competency(
        "penempatan_tk_dan_perluasan_kesempatan_kerja",
        "Penempatan Tenaga Kerja dan Perluasan Kesempatan Kerja",
        _T,
    ),
    Competency("pengendalian_penggunaan_tka", "Pengendalian Penggunaan Tenaga Kerja Asing", _T),
    Competency(
        "pembinaan_kelembagaan_dan_sd_penempatan",
        "Pembinaan Kelembagaan dan Sumber Daya Penempatan",
        _T,
    ),
    Competency("evaluasi_dan_laporan_pelaksanaan_ak", "Evaluasi dan Laporan Pelaksanaan Antar Kerja", _T),
    Competency("pengembangan_antar_kerja", "Pengembangan Antar Kerja", _T),
)

_COMPETENCY_BY_CODE: Mapping[str, Competency] = _frozen({c.code: c for c in COMPETENCIES})


def competency(code: object) -> Competency:
    """The competency with ``code``; :class:`Invalid` naming the valid codes otherwise."""
    try:
        return _COMPETENCY_BY_CODE[code]  # type: ignore[index]
    except (KeyError, TypeError):
        valid = ", ".join(_COMPETENCY_BY_CODE)
        raise Invalid(
            msg("Unknown competency code {code!r}; valid codes: {valid}", code=code, valid=valid), field="competency"
        ) from None


# --- Pathways and Tabel 3.1 ---------------------------------------------------------------------


class Pathway(StrEnum):
    """Jalur pengembangan kompetensi named in Tabel 3.1 (BAB III)."""

    PELATIHAN = "pelatihan"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    BIMTEK = "bimtek"
    COACHING = "coaching"
    MENTORING = "mentoring"
    BELAJAR_MANDIRI = "belajar_mandiri"
    KOMUNITAS_BELAJAR = "komunitas_belajar"
    E_LEARNING = "e_learning"
    PATOK_BANDING = "patok_banding"


PATHWAY_LABELS: Mapping[Pathway, str] = _frozen(
    {
        Pathway.PELATIHAN: "Pelatihan",
        Pathway.SEMINAR: "Seminar/Konferensi/Sarasehan",
        Pathway.WORKSHOP: "Workshop/Lokakarya",
        Pathway.BIMTEK: "Bimbingan Teknis",
        Pathway.COACHING: "Coaching",
        Pathway.MENTORING: "Mentoring",
        Pathway.BELAJAR_MANDIRI: "Belajar Mandiri",
        Pathway.KOMUNITAS_BELAJAR: "Komunitas Belajar (Community Practices)",
        Pathway.E_LEARNING: "E-learning",
        Pathway.PATOK_BANDING: "Patok Banding (Benchmarking)",
    }
)

#: The short codes the domain digest uses for Tabel 3.1 (PEL, SEM, …), for compact displays.
PATHWAY_SHORT_CODES: Mapping[Pathway, str] = _frozen(
    {
        Pathway.PELATIHAN: "PEL",
        Pathway.SEMINAR: "SEM",
        Pathway.WORKSHOP: "WS",
        Pathway.BIMTEK: "BIMTEK",
        Pathway.COACHING: "COACH",
        Pathway.MENTORING: "MENTOR",
        Pathway.BELAJAR_MANDIRI: "MANDIRI",
        Pathway.KOMUNITAS_BELAJAR: "KOM",
        Pathway.E_LEARNING: "ELEARN",
        Pathway.PATOK_BANDING: "BENCH",
    }
)

_P = Pathway
_MANAJERIAL_ROW: Mapping[Level, frozenset[Pathway]] = _frozen(
    {
        Level.AHLI_PERTAMA: frozenset({_P.PELATIHAN, _P.COACHING, _P.BELAJAR_MANDIRI, _P.KOMUNITAS_BELAJAR}),
        Level.AHLI_MUDA: frozenset(
            {_P.PELATIHAN, _P.WORKSHOP, _P.COACHING, _P.BELAJAR_MANDIRI, _P.KOMUNITAS_BELAJAR}
        ),
        Level.AHLI_MADYA: frozenset({_P.PELATIHAN, _P.SEMINAR, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
        Level.AHLI_UTAMA: frozenset({_P.PELATIHAN, _P.SEMINAR, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
    }
)
_TEKNIS_PERTAMA = frozenset({_P.E_LEARNING, _P.PELATIHAN, _P.BIMTEK, _P.MENTORING, _P.BELAJAR_MANDIRI})
_TEKNIS_MUDA = frozenset({_P.E_LEARNING, _P.PELATIHAN, _P.BIMTEK, _P.MENTORING})
_TEKNIS_MADYA = frozenset({_P.E_LEARNING, _P.PELATIHAN, _P.SEMINAR, _P.BIMTEK, _P.MENTORING, _P.COACHING})
_TEKNIS_UTAMA = frozenset({_P.SEMINAR, _P.WORKSHOP, _P.PATOK_BANDING})

#: Tabel 3.1 "Jalur Pengembangan Kompetensi Jabatan Fungsional Pengantar Kerja" (BAB III):
#: competency code → level → allowed pathways. A level absent from a row is a blank ("—")
#: cell: the competency is not listed for that level. The table guides *verification*; the
#: agency decides finally (text under Tabel 3.1), so a proposal outside it is a finding.
TABEL_3_1: Mapping[str, Mapping[Level, frozenset[Pathway]]] = _frozen(
    {
        # Integritas differs from the other managerial rows only at Ahli Utama (no Pelatihan).
        "integritas": _frozen(
            {
                **_MANAJERIAL_ROW,
                Level.AHLI_UTAMA: frozenset({_P.SEMINAR, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
            }
        ),
        "kerja_sama": _MANAJERIAL_ROW,
        "komunikasi": _MANAJERIAL_ROW,
        "orientasi_pada_hasil": _MANAJERIAL_ROW,
        "pelayanan_publik": _MANAJERIAL_ROW,
        "pengembangan_diri_dan_orang_lain": _MANAJERIAL_ROW,
        "mengelola_perubahan": _MANAJERIAL_ROW,
        "pengambilan_keputusan": _MANAJERIAL_ROW,
        "perekat_bangsa": _frozen(
            {
                Level.AHLI_PERTAMA: frozenset({_P.PELATIHAN, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
                Level.AHLI_MUDA: frozenset({_P.PELATIHAN, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
                Level.AHLI_MADYA: frozenset(
                    {_P.PELATIHAN, _P.SEMINAR, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}
                ),
                Level.AHLI_UTAMA: frozenset({_P.SEMINAR, _P.WORKSHOP, _P.COACHING, _P.KOMUNITAS_BELAJAR}),
            }
        ),
        "perencanaan_pelaksanaan_antar_kerja": _frozen(
            {Level.AHLI_MUDA: _TEKNIS_MUDA, Level.AHLI_MADYA: _TEKNIS_MADYA, Level.AHLI_UTAMA: _TEKNIS_UTAMA}
        ),
        "penempatan_tk_dan_perluasan_kesempatan_kerja": _frozen(
            {Level.AHLI_PERTAMA: _TEKNIS_PERTAMA, Level.AHLI_MUDA: _TEKNIS_MUDA, Level.AHLI_MADYA: _TEKNIS_MADYA}
        ),
        "pengendalian_penggunaan_tka": _frozen(
            {
                Level.AHLI_PERTAMA: _TEKNIS_PERTAMA,
                Level.AHLI_MUDA: _TEKNIS_MUDA,
                Level.AHLI_MADYA: _TEKNIS_MADYA,
                Level.AHLI_UTAMA: _TEKNIS_UTAMA,
            }
        ),
        "pembinaan_kelembagaan_dan_sd_penempatan": _frozen(
            {Level.AHLI_PERTAMA: _TEKNIS_PERTAMA, Level.AHLI_MUDA: _TEKNIS_MUDA}
        ),
        "evaluasi_dan_laporan_pelaksanaan_ak": _frozen(
            {Level.AHLI_MUDA: _TEKNIS_MUDA, Level.AHLI_MADYA: _TEKNIS_MADYA, Level.AHLI_UTAMA: _TEKNIS_UTAMA}
        ),
        "pengembangan_antar_kerja": _frozen({Level.AHLI_MADYA: _TEKNIS_MADYA, Level.AHLI_UTAMA: _TEKNIS_UTAMA}),
    }
)


def allowed_pathways(competency_code: str, level: Level | str) -> frozenset[Pathway] | None:
    """The pathways Tabel 3.1 lists for ``competency_code`` at ``level``.

    ``None`` when the level is outside Tabel 3.1 (the keterampilan levels: no pathway check,
    docs/guideline.md); an empty set for a blank ("—") cell. Unknown codes or levels raise Invalid.
    """
    code = competency(competency_code).code
    lvl = _coerce(Level, level, "level")
    if lvl not in TABEL_3_1_LEVELS:
        return None
    return TABEL_3_1[code].get(lvl, frozenset())


def competency_listed_for_level(code: str, level: Level | str) -> bool | None:
    """Whether Tabel 3.1 lists the competency at ``level`` (``None`` outside the table's levels)."""
    pathways = allowed_pathways(code, level)
    return None if pathways is None else bool(pathways)


# --- Performance gap (BAB II.A.3.d; Formulir 2.5 item 11) ----------------------------------------


class FundingSource(StrEnum):
    """Where the money for a development activity comes from (BAB IV Pembiayaan): the state budget
    (APBN), the regional budget (APBD), or another lawful source. Every budget line names one."""

    APBN = "apbn"
    APBD = "apbd"
    LAINNYA = "lainnya"


class Rating(StrEnum):
    """The SKP rating of hasil kerja or perilaku kerja against expectation."""

    DI_ATAS = "di_atas"
    SESUAI = "sesuai"
    DI_BAWAH = "di_bawah"


class GapLevel(StrEnum):
    """Tingkat kesenjangan kinerja (Formulir 2.5 item 11)."""

    TIDAK_ADA = "tidak_ada"
    RENDAH = "rendah"
    SEDANG = "sedang"
    TINGGI = "tinggi"
    SANGAT_TINGGI = "sangat_tinggi"


class Predikat(StrEnum):
    """Predikat kinerja pegawai (SKP); ``kurang`` is the guideline's "kurang/misconduct"."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


RATING_LABELS: Mapping[Rating, str] = _frozen(
    {
        Rating.DI_ATAS: "Di atas ekspektasi",
        Rating.SESUAI: "Sesuai ekspektasi",
        Rating.DI_BAWAH: "Di bawah ekspektasi",
    }
)
GAP_LEVEL_LABELS: Mapping[GapLevel, str] = _frozen(
    {
        GapLevel.TIDAK_ADA: "Tidak ada kesenjangan",
        GapLevel.RENDAH: "Rendah",
        GapLevel.SEDANG: "Sedang",
        GapLevel.TINGGI: "Tinggi",
        GapLevel.SANGAT_TINGGI: "Sangat Tinggi",
    }
)
PREDIKAT_LABELS: Mapping[Predikat, str] = _frozen(
    {
        Predikat.SANGAT_BAIK: "Sangat Baik",
        Predikat.BAIK: "Baik",
        Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
        Predikat.KURANG: "Kurang/Misconduct",
        Predikat.SANGAT_KURANG: "Sangat Kurang",
    }
)
FUNDING_SOURCE_LABELS: Mapping[FundingSource, str] = _frozen(
    {FundingSource.APBN: "APBN", FundingSource.APBD: "APBD", FundingSource.LAINNYA: "Lainnya"}
)
labels.register(Level, LEVEL_LABELS, fields=("level",))
labels.register(CompetencyKind, COMPETENCY_KIND_LABELS)
labels.register(Pathway, PATHWAY_LABELS, fields=("pathway",))
labels.register(FundingSource, FUNDING_SOURCE_LABELS, fields=("funding_source",))
labels.register(Rating, RATING_LABELS, fields=("hasil_kerja", "perilaku_kerja"))
labels.register(GapLevel, GAP_LEVEL_LABELS, fields=("gap_level",))
labels.register(Predikat, PREDIKAT_LABELS, fields=("predikat",))

_ABOVE, _MEETS, _BELOW = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
#: The 9-cell qualification of BAB II.A.3.d (used in Formulir 2.5): (hasil kerja, perilaku kerja)
#: → (gap level, predikat). Items 1)–5) of the text, each cell once.
PERFORMANCE_GAP_MATRIX: Mapping[tuple[Rating, Rating], tuple[GapLevel, Predikat]] = _frozen(
    {
        (_ABOVE, _ABOVE): (GapLevel.TIDAK_ADA, Predikat.SANGAT_BAIK),  # 1)
        (_ABOVE, _MEETS): (GapLevel.RENDAH, Predikat.BAIK),  # 2) a)
        (_MEETS, _MEETS): (GapLevel.RENDAH, Predikat.BAIK),  # 2) b)
        (_MEETS, _ABOVE): (GapLevel.RENDAH, Predikat.BAIK),  # 2) c)
        (_BELOW, _ABOVE): (GapLevel.SEDANG, Predikat.BUTUH_PERBAIKAN),  # 3) a)
        (_BELOW, _MEETS): (GapLevel.SEDANG, Predikat.BUTUH_PERBAIKAN),  # 3) b)
        (_ABOVE, _BELOW): (GapLevel.TINGGI, Predikat.KURANG),  # 4) a)
        (_MEETS, _BELOW): (GapLevel.TINGGI, Predikat.KURANG),  # 4) b)
        (_BELOW, _BELOW): (GapLevel.SANGAT_TINGGI, Predikat.SANGAT_KURANG),  # 5)
    }
)


def performance_gap(hasil_kerja: Rating | str, perilaku_kerja: Rating | str) -> tuple[GapLevel, Predikat]:
    """Gap level and predikat from the supervisor's SKP ratings (BAB II.A.3.d, Formulir 2.5)."""
    key = (_coerce(Rating, hasil_kerja, "hasil_kerja"), _coerce(Rating, perilaku_kerja, "perilaku_kerja"))
    return PERFORMANCE_GAP_MATRIX[key]


# --- Reaction questionnaire (Formulir 5.1, Tabel 5.1) --------------------------------------------


class ReactionBand(StrEnum):
    """The four interpretations of Tabel 5.1 for a questionnaire item's weight."""

    POOR = "poor"
    BETTER = "better"
    POSITIVE = "positive"
    HIGHLY_POSITIVE = "highly_positive"


#: Tabel 5.1 "Kriteria Penilaian Hasil Pembobotan Kuesioner Pertama", interpretation column.
REACTION_BAND_LABELS: Mapping[ReactionBand, str] = _frozen(
    {
        ReactionBand.POOR: "Peserta menunjukkan reaksi yang kurang baik terhadap pelatihan",
        ReactionBand.BETTER: "Peserta menunjukkan reaksi yang lebih baik terhadap pelatihan",
        ReactionBand.POSITIVE: (
            "Peserta menunjukkan reaksi positif karena menyadari mendapat masukan yang berguna "
            "selama pelatihan"
        ),
        ReactionBand.HIGHLY_POSITIVE: "Peserta menunjukkan reaksi positif yang tinggi",
    }
)
#: Tabel 5.1's ranges as printed (<50%, 50-60%, 61-80%, 81-100%).
REACTION_BAND_RANGES: Mapping[ReactionBand, str] = _frozen(
    {
        ReactionBand.POOR: "<50%",
        ReactionBand.BETTER: "50-60%",
        ReactionBand.POSITIVE: "61-80%",
        ReactionBand.HIGHLY_POSITIVE: "81-100%",
    }
)

#: Formulir 5.1 scale: 1 tidak puas, 2 kurang puas, 3 puas, 4 sangat puas.
QUESTIONNAIRE_MIN_SCORE = 1
QUESTIONNAIRE_MAX_SCORE = 4


def reaction_band(percent: Decimal | float) -> ReactionBand:
    """Tabel 5.1 band of an item weight in percent (0–100).

    The printed ranges leave 60–61 and 80–81 uncovered; per the domain digest's interpretation
    the bands are <50, 50 ≤ x ≤ 60, 60 < x ≤ 80 and x > 80, each gap going to the higher band.
    """
    if isinstance(percent, bool) or not isinstance(percent, (Decimal, float, int)):
        raise Invalid(msg("A reaction percentage must be a number, not {percent!r}", percent=percent), field="percent")
    # str() first so a float like 60.1 compares as written, not as its binary approximation.
    value = percent if isinstance(percent, Decimal) else Decimal(str(percent))
    if not value.is_finite() or value < 0 or value > 100:
        raise Invalid(msg("A reaction percentage must lie between 0 and 100, not {percent}", percent=percent), field="percent")
    if value < 50:
        return ReactionBand.POOR
    if value <= 60:
        return ReactionBand.BETTER
    if value <= 80:
        return ReactionBand.POSITIVE
    return ReactionBand.HIGHLY_POSITIVE


def questionnaire_item_weight(scores: Sequence[int]) -> Decimal:
    """Bobot item (Formulir 5.1, formula above Tabel 5.1), in percent, unrounded.

    ``total of all respondents' scores / (highest score on the scale (4) × respondents) × 100``.
    Every score must be an integer 1–4 and there must be at least one respondent.
    """
    if not scores:
        raise Invalid("An item weight needs at least one respondent's score", field="scores")
    for index, score in enumerate(scores, start=1):
        if (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not QUESTIONNAIRE_MIN_SCORE <= score <= QUESTIONNAIRE_MAX_SCORE
        ):
            raise Invalid(
                msg("Score {index} is {score!r}; Formulir 5.1 scores are whole numbers 1 (tidak puas) to 4 (sangat puas)", index=index, score=score),
                field="scores",
            )
    return Decimal(sum(scores)) * 100 / Decimal(QUESTIONNAIRE_MAX_SCORE * len(scores))


# --- Credit points (PermenPANRB 1/2023; Formulir 2.6 item 12) ---------------------------------

#: Annual credit-point coefficient per level (PermenPANRB 1/2023, grade B in docs/guideline.md).
ANNUAL_CREDIT_COEFFICIENT: Mapping[Level, Decimal] = _frozen(
    {
        Level.AHLI_PERTAMA: Decimal("12.5"),
        Level.AHLI_MUDA: Decimal("25"),
        Level.AHLI_MADYA: Decimal("37.5"),
        Level.AHLI_UTAMA: Decimal("50"),
        Level.TERAMPIL: Decimal("5"),
        Level.MAHIR: Decimal("12.5"),
        Level.PENYELIA: Decimal("25"),
    }
)
#: Share of the coefficient earned per SKP predikat, in percent (PermenPANRB 1/2023, grade B).
PREDIKAT_PERCENT: Mapping[Predikat, Decimal] = _frozen(
    {
        Predikat.SANGAT_BAIK: Decimal("150"),
        Predikat.BAIK: Decimal("100"),
        Predikat.BUTUH_PERBAIKAN: Decimal("75"),
        Predikat.KURANG: Decimal("50"),
        Predikat.SANGAT_KURANG: Decimal("25"),
    }
)


def annual_credit_points(level: Level | str, predikat: Predikat | str, months: int = 12) -> Decimal:
    """Credit points earned: coefficient × predikat percentage, prorated by ``months`` (1–12).

    Unrounded: no rounding rule is given, so a display rounds and the decision keeps the exact value.
    """
    lvl = _coerce(Level, level, "level")
    pred = _coerce(Predikat, predikat, "predikat")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise Invalid(msg("months is {months!r}; credit points are prorated over 1 to 12 months", months=months), field="months")
    yearly = ANNUAL_CREDIT_COEFFICIENT[lvl] * PREDIKAT_PERCENT[pred] / 100
    return yearly if months == 12 else yearly * months / 12


# --- Rank (golongan) ranges (PermenPANRB 1/2023; docs/guideline.md) ------------------------------

#: Every civil-service rank (golongan/ruang), lowest first.
GOLONGAN: tuple[str, ...] = (
    *(f"I/{r}" for r in "abcd"),
    *(f"II/{r}" for r in "abcd"),
    *(f"III/{r}" for r in "abcd"),
    *(f"IV/{r}" for r in "abcde"),
)

#: Ranks per keahlian level (docs/guideline.md, grade B). Keterampilan levels are absent on purpose: no
#: source for their ranges was gathered, so no rank check applies to them.
LEVEL_GOLONGAN: Mapping[Level, tuple[str, ...]] = _frozen(
    {
        Level.AHLI_PERTAMA: ("III/a", "III/b"),
        Level.AHLI_MUDA: ("III/c", "III/d"),
        Level.AHLI_MADYA: ("IV/a", "IV/b", "IV/c"),
        Level.AHLI_UTAMA: ("IV/d", "IV/e"),
    }
)


# --- JP conversion defaults (Peraturan LAN No. 10/2018, Lampiran II; docs/guideline.md) ---------------

#: Length of one JP (jam pelajaran) in minutes (LAN; grade A).
JP_MINUTES = 45
#: Every PNS has the right to at least 20 JP a year (BAB I.E angka 7; PP 11/2017 art. 203(4)).
PNS_MIN_JP_PER_YEAR = 20
#: PPPK: at most 24 JP a year (BAB I.E angka 7; Perlan 15/2020) — a cap, so a verification finding.
PPPK_MAX_JP_PER_YEAR = 24

JP_UNITS: tuple[str, ...] = ("per_day", "per_session", "per_activity", "per_day_max", "programme_hours")


@dataclass(frozen=True)
class JpYearStanding:
    """Where an officer's JP for a year stand against BAB I.E angka 7 (PP 11/2017 art. 203(4); Perlan 15/2020):
    a PNS short of :data:`PNS_MIN_JP_PER_YEAR`, a PPPK over :data:`PPPK_MAX_JP_PER_YEAR`. The one home of
    that rule: verification check (d) judges planned JP by it, the JP ledger credited JP."""

    employee_type: str
    jp: int

    @property
    def shortfall_jp(self) -> int:
        """JP a PNS still lacks to reach the yearly minimum (0 for a PPPK or a PNS who reached it)."""
        return max(PNS_MIN_JP_PER_YEAR - self.jp, 0) if self.employee_type == "PNS" else 0

    @property
    def excess_jp(self) -> int:
        """JP a PPPK has beyond the yearly cap (0 for a PNS or a PPPK within it)."""
        return max(self.jp - PPPK_MAX_JP_PER_YEAR, 0) if self.employee_type == "PPPK" else 0

    @property
    def below_pns_minimum(self) -> bool:
        return self.shortfall_jp > 0

    @property
    def over_pppk_cap(self) -> bool:
        return self.excess_jp > 0


def jp_year_standing(employee_type: str, jp: int) -> JpYearStanding:
    """The JP-limits rule (BAB I.E angka 7) for one officer's ``jp`` in a year."""
    return JpYearStanding(employee_type, jp)


@dataclass(frozen=True)
class JpRule:
    """Default JP credited for one development form; an agency may configure its own table.

    ``unit`` says how ``domestic``/``international`` apply:

    - ``per_day``: JP for each day of the activity;
    - ``per_day_max``: at most that many JP for each day;
    - ``per_session``: JP for each session, at most ``max_per_month`` sessions credited a month;
    - ``per_activity``: JP for the whole activity;
    - ``programme_hours``: the programme's own JP (on the certificate, or floor(minutes / 45)),
      multiplied by ``domestic``/``international`` (1 and 1.2: international +20%).

    ``None`` means unconfirmed: the agency must configure the value; the software never guesses.
    ``grade`` is the source grade of docs/guideline.md (A primary, B two secondary sources agree, C one, U none).
    """

    form: str
    unit: str
    domestic: Decimal | None
    international: Decimal | None
    max_per_month: int | None
    grade: str
    source: str

    def __post_init__(self) -> None:
        # Agencies configure their own table, so a bad rule is bad input, not a programming error.
        if self.unit not in JP_UNITS:
            raise Invalid(msg("JP unit {unit!r} is unknown; valid units: {JP_UNITS}", unit=self.unit, JP_UNITS=', '.join(JP_UNITS)), field="unit")
        if self.grade not in {"A", "B", "C", "U"}:
            raise Invalid(msg("Source grade {grade!r} is unknown; it must be A, B, C or U", grade=self.grade), field="grade")


_LAN = "Peraturan LAN No. 10/2018 Lampiran II (public reproductions; see docs/guideline.md)"


def _rule(
    form: str,
    unit: str,
    domestic: str | None,
    international: str | None,
    grade: str,
    note: str = "",
    max_per_month: int | None = None,
) -> JpRule:
    return JpRule(
        form=form,
        unit=unit,
        domestic=None if domestic is None else Decimal(domestic),
        international=None if international is None else Decimal(international),
        max_per_month=max_per_month,
        grade=grade,
        source=f"{_LAN}{'; ' + note if note else ''}",
    )


#: Default JP conversion per development form (docs/guideline.md "Conversion per development form"). Keys
#: are form codes; the ten Tabel 3.1 pathways use the same codes as :class:`Pathway`.
JP_CONVERSION_DEFAULTS: Mapping[str, JpRule] = _frozen(
    {
        rule.form: rule
        for rule in (
            _rule("pelatihan", "programme_hours", "1", "1.2", "B"),
            _rule("kursus", "programme_hours", "1", "1.2", "C"),
            _rule("bimtek", "programme_hours", "1", "1.2", "C"),
            _rule("seminar", "per_day", "4", "6", "B", "seminar/konferensi/sarasehan"),
            _rule("sosialisasi", "per_day", "4", "6", "C"),
            _rule("workshop", "per_day", "5", "7", "B", "workshop/lokakarya"),
            _rule("coaching", "per_session", "2", None, "B", "international value unconfirmed", 2),
            _rule("mentoring", "per_session", "2", None, "B", "international value unconfirmed", 2),
            _rule("e_learning", "per_day_max", "3", None, "B", "international 3 or 4: sources conflict"),
            _rule("patok_banding", "per_activity", "10", "20", "B"),
            _rule("belajar_mandiri", "per_day_max", "2", "2.4", "B", "international +20%"),
            _rule("komunitas_belajar", "per_day_max", "2", "2.4", "B", "international +20%"),
            _rule("magang", "per_activity", "20", "24", "B", "magang/praktik kerja"),
            _rule("pertukaran", "per_activity", "20", "24", "B", "pertukaran PNS"),
            _rule("detasering", "per_activity", "20", None, "B", "international 24 or +20%: sources conflict"),
        )
    }
)


# --- The whole catalogue, for the API ----------------------------------------------------------


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def catalogue_document() -> dict[str, Any]:
    """Everything above as plain JSON-serialisable data, with the version ids."""
    return {
        "ruleset_version": RULESET_VERSION,
        "jp_table_version": JP_TABLE_VERSION,
        "levels": [
            {"code": lvl.value, "label": LEVEL_LABELS[lvl], "in_tabel_3_1": lvl in TABEL_3_1_LEVELS}
            for lvl in Level
        ],
        "competency_kinds": [{"code": k.value, "label": COMPETENCY_KIND_LABELS[k]} for k in CompetencyKind],
        "competencies": [{"code": c.code, "name": c.name, "kind": c.kind.value} for c in COMPETENCIES],
        "pathways": [
            {"code": p.value, "label": PATHWAY_LABELS[p], "short_code": PATHWAY_SHORT_CODES[p]} for p in Pathway
        ],
        "tabel_3_1": {
            code: {
                lvl.value: [p.value for p in Pathway if p in row[lvl]] for lvl in TABEL_3_1_LEVELS if lvl in row
            }
            for code, row in TABEL_3_1.items()
        },
        "performance_gap": {
            "ratings": [{"code": r.value, "label": RATING_LABELS[r]} for r in Rating],
            "gap_levels": [{"code": g.value, "label": GAP_LEVEL_LABELS[g]} for g in GapLevel],
            "predikat": [{"code": p.value, "label": PREDIKAT_LABELS[p]} for p in Predikat],
            "matrix": [
                {"hasil_kerja": hk.value, "perilaku_kerja": pk.value, "gap_level": g.value, "predikat": p.value}
                for (hk, pk), (g, p) in PERFORMANCE_GAP_MATRIX.items()
            ],
        },
        "reaction_bands": [
            {"code": b.value, "range": REACTION_BAND_RANGES[b], "label": REACTION_BAND_LABELS[b]}
            for b in ReactionBand
        ],
        "credit_points": {
            "annual_coefficient": {lvl.value: str(v) for lvl, v in ANNUAL_CREDIT_COEFFICIENT.items()},
            "predikat_percent": {p.value: str(v) for p, v in PREDIKAT_PERCENT.items()},
        },
        "golongan": list(GOLONGAN),
        "level_golongan": {lvl.value: list(ranks) for lvl, ranks in LEVEL_GOLONGAN.items()},
        "jp": {
            "minutes": JP_MINUTES,
            "pns_min_per_year": PNS_MIN_JP_PER_YEAR,
            "pppk_max_per_year": PPPK_MAX_JP_PER_YEAR,
            "conversion_defaults": {
                form: {
                    "form": rule.form,
                    "unit": rule.unit,
                    "domestic": _num(rule.domestic),
                    "international": _num(rule.international),
                    "max_per_month": rule.max_per_month,
                    "grade": rule.grade,
                    "source": rule.source,
                }
                for form, rule in JP_CONVERSION_DEFAULTS.items()
            },
        },
    }


__all__ = [
    "ANNUAL_CREDIT_COEFFICIENT",
    "COMPETENCIES",
    "COMPETENCY_KIND_LABELS",
    "GAP_LEVEL_LABELS",
    "GOLONGAN",
    "JP_CONVERSION_DEFAULTS",
    "JP_MINUTES",
    "JP_TABLE_VERSION",
    "JP_UNITS",
    "KETERAMPILAN_LEVELS",
    "LEVEL_GOLONGAN",
    "LEVEL_LABELS",
    "PATHWAY_LABELS",
    "PATHWAY_SHORT_CODES",
    "PERFORMANCE_GAP_MATRIX",
    "PNS_MIN_JP_PER_YEAR",
    "PPPK_MAX_JP_PER_YEAR",
    "PREDIKAT_LABELS",
    "PREDIKAT_PERCENT",
    "QUESTIONNAIRE_MAX_SCORE",
    "QUESTIONNAIRE_MIN_SCORE",
    "RATING_LABELS",
    "REACTION_BAND_LABELS",
    "REACTION_BAND_RANGES",
    "RULESET_VERSION",
    "TABEL_3_1",
    "TABEL_3_1_LEVELS",
    "Competency",
    "CompetencyKind",
    "FundingSource",
    "GapLevel",
    "JpRule",
    "JpYearStanding",
    "Level",
    "Pathway",
    "Predikat",
    "Rating",
    "ReactionBand",
    "allowed_pathways",
    "annual_credit_points",
    "catalogue_document",
    "competency",
    "competency_listed_for_level",
    "jp_year_standing",
    "performance_gap",
    "questionnaire_item_weight",
    "reaction_band",
]
