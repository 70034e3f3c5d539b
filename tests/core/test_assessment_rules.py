"""Formulir 2.3 / 2.4 score rules and the competency-gap analysis (BAB II.A.2)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.assessment import Question, check_scores, check_weights, gap_analysis
from core.errors import Invalid

QS = [Question("Q1", "integritas", "ahli_pertama", "a"), Question("Q2", "integritas", "ahli_pertama", "b"),
      Question("Q3", "pengendalian_penggunaan_tka", "ahli_pertama", "c")]
ALL = [*QS, Question("Q9", "integritas", "ahli_madya", "d")]


def scored(*pairs):
    return [{"question_id": q, "score": s} for q, s in pairs]


def check(raw, form="Formulir 2.3"):
    return check_scores(QS, ALL, raw, form=form, instrument="skj v1", level="ahli_pertama")


def test_formulir_2_3_items_9_and_11_accept_every_question_scored_0_to_10():
    out = check(scored(("Q1", 0), ("Q2", 10), ("Q3", 7.0)))
    assert [(s.question_id, s.score) for s in out] == [("Q1", 0), ("Q2", 10), ("Q3", 7)]


@pytest.mark.parametrize("value, fragment", [
    (11, "score 11 for question Q3 is outside 0–10"), (-1, "outside 0–10"), (7.5, "not a whole number"),
    ("7", "not a number"), (True, "not a number"), (None, "not a number"),
])
def test_formulir_2_3_and_2_4_scores_are_whole_numbers_0_to_10(value, fragment):
    with pytest.raises(Invalid, match=fragment):
        check(scored(("Q1", 5), ("Q2", 5), ("Q3", value)), form="Formulir 2.4")


@pytest.mark.parametrize("raw, fragment", [
    (scored(("Q1", 5), ("Q2", 5)), "not scored: Q3"),
    (scored(("Q1", 5), ("Q2", 5), ("Q3", 5), ("Q1", 6)), "scored twice"),
    (scored(("Q1", 5), ("Q2", 5), ("Q3", 5), ("X7", 6)), "X7 is not a question of instrument skj v1"),
    (scored(("Q1", 5), ("Q2", 5), ("Q3", 5), ("Q9", 6)), "asked of level ahli_madya"),
])
def test_formulir_2_3_refuses_missing_duplicate_foreign_and_other_level_questions(raw, fragment):
    with pytest.raises(Invalid, match=fragment):
        check(raw)


def test_gap_analysis_gives_means_combined_target_and_gap_per_competency():
    standards = {"integritas": Decimal("8"), "pengendalian_penggunaan_tka": Decimal("7.5")}
    rows = gap_analysis(QS, standards, {"Q1": 7, "Q2": 8, "Q3": 5}, {"Q1": 9, "Q2": 8, "Q3": 6})
    integ, tka = rows
    assert (integ.supervisor_mean, integ.self_mean, integ.combined, integ.gap, integ.has_gap) == (
        Decimal("7.50"), Decimal("8.50"), Decimal("8.00"), Decimal("0.00"), False)
    assert (tka.combined, tka.target, tka.gap, tka.has_gap) == (Decimal("5.50"), Decimal("7.5"), Decimal("2.00"), True)


def test_gap_analysis_weights_are_explicit_and_rounding_is_half_up_to_two_decimals():
    qs = [Question(f"Q{i}", "integritas", "ahli_pertama", "x") for i in range(3)]
    rows = gap_analysis(qs, {"integritas": Decimal("9")}, {"Q0": 7, "Q1": 7, "Q2": 8}, {"Q0": 10, "Q1": 10, "Q2": 10},
                        (Decimal("0.7"), Decimal("0.3")))
    # supervisor 22/3 = 7.333…, combined 0.7·7.333… + 0.3·10 = 8.1333… → 8.13; gap 0.87.
    assert (rows[0].supervisor_mean, rows[0].combined, rows[0].gap) == (Decimal("7.33"), Decimal("8.13"), Decimal("0.87"))


@pytest.mark.parametrize("ws, wself, fragment", [("0.7", "0.5", "add up to 1.2"), ("1.5", "-0.5", "from 0 to 1"), ("x", "1", "not a number")])
def test_gap_analysis_weights_each_0_to_1_summing_to_1(ws, wself, fragment):
    with pytest.raises(Invalid, match=fragment):
        check_weights(ws, wself)
    assert check_weights("0.5", "0.5") == (Decimal("0.5"), Decimal("0.5"))
