"""The rules of BAB V, each test naming its form or section: Formulir 5.1 and the Tabel 5.1 bands, the
Formulir 5.2 cells, the Formulir 5.4 recap, the deadlines of V.A.8, V.B.8, V.C.8 and V.D, the recap's
recommendation and fit (V.D), and which recap feeds which plan year."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from core.errors import Invalid
from core.evaluation import deadlines as dl
from core.evaluation import rules
from core.evaluation.facts import Cell, EvaluationCell, PlanRowFacts
from core.evaluation.recap import Participation, YearlyRecap, compute, recap_id, stop_recommendations
from core.events import Actor, Context
from plugins.builtin.coaching_mentoring import COACHING, pengkom_evaluation_cell
from plugins.builtin.pelatihan import PELATIHAN
from plugins.contract import PathwayContract

# -- Formulir 5.1 and Tabel 5.1 ------------------------------------------------------------------------------------


def test_formulir_5_1_has_the_eight_statements_of_four_elements_and_three_open_questions():
    assert [s.element for s in rules.STATEMENTS] == ["materi"] * 2 + ["penyelenggaraan"] * 2 + ["sarana"] * 2 + [
        "kemampuan_instruktur"] * 2
    assert rules.STATEMENTS[0].text == "Kualitas materi program pelatihan"
    assert len(rules.OPEN_QUESTIONS) == 3 and rules.SCALE == {1: "tidak puas", 2: "kurang puas", 3: "puas", 4: "sangat puas"}


def test_formulir_5_1_answers_are_whole_numbers_1_to_4_for_every_statement():
    full = dict(zip(rules.STATEMENT_CODES, (1, 2, 3, 4, 4, 3, 2, 1), strict=True))
    assert rules.check_answers(full) == (1, 2, 3, 4, 4, 3, 2, 1)
    for bad in (0, 5, 2.5, True, "3", None):
        with pytest.raises(Invalid, match="whole numbers 1 \\(tidak puas\\)"):
            rules.check_answers(full | {"materi_kualitas": bad})
    with pytest.raises(Invalid, match="missing"):
        rules.check_answers({k: v for k, v in full.items() if k != "sarana_ruang_kelas"})
    with pytest.raises(Invalid, match="no statement"):
        rules.check_answers(full | {"extra": 3})


def test_tabel_5_1_weight_is_total_over_four_times_respondents():
    w = rules.weight("x", "x", [4, 3, 3], 3)  # 10 / 12
    assert (w.total, w.maximum, w.weight, w.band) == (10, 12, Decimal("83.33"), "highly_positive")
    assert w.interpretation == "Peserta menunjukkan reaksi positif yang tinggi" and w.band_range == "81-100%"


@pytest.mark.parametrize(("total", "count", "weight", "band"), [
    (199, 100, "49.75", "poor"), (200, 100, "50.00", "better"), (240, 100, "60.00", "better"),  # 60 stays in 50–60
    (241, 100, "60.25", "positive"),  # the printed gap 60–61 goes to the higher band
    (320, 100, "80.00", "positive"), (321, 100, "80.25", "highly_positive"),  # the gap 80–81 likewise
    (400, 100, "100.00", "highly_positive"),
])
def test_tabel_5_1_bands_close_the_printed_gaps_upwards(total, count, weight, band):
    scores = [total // count] * count
    scores[: total - sum(scores)] = [s + 1 for s in scores[: total - sum(scores)]]
    w = rules.weight("x", "x", scores, count)
    assert (str(w.weight), w.band) == (weight, band)


def test_tabel_5_1_bands_the_rounded_figure_so_print_and_band_agree():
    assert rules.weight("x", "x", [3, 3, 2], 3).weight == Decimal("66.67")  # 8 / 12 = 66.666…
    # 12003 of 20004 = 60.0029…: printed 60.00 and banded 50–60 ("better"), never "positive" beside a printed 60.00.
    w = rules.weight("x", "x", [3] * 2001 + [2] * 3000, 5001)
    assert (w.weight, w.band) == (Decimal("60.00"), "better")


def test_formulir_5_1_results_per_item_element_and_activity():
    res = rules.questionnaire_results([(2, 2, 1, 1, 2, 2, 1, 2), (4, 4, 4, 4, 4, 4, 4, 4)])
    assert res.respondents == 2 and [i.weight for i in res.items][:2] == [Decimal("75.00"), Decimal("75.00")]
    assert {e.key: e.weight for e in res.elements}["penyelenggaraan"] == Decimal("62.50")  # 1+1+4+4 of 16
    assert (res.overall.total, res.overall.maximum, res.overall.weight) == (45, 64, Decimal("70.31"))
    with pytest.raises(Invalid):
        rules.questionnaire_results([])


# -- Formulir 5.2 ----------------------------------------------------------------------------------------------


def _facts():
    activity = PathwayContract().sample_activity(PELATIHAN)
    p = activity.participants[0]
    row = PathwayContract().sample_plan_row(PELATIHAN, activity)
    return activity, dataclasses.replace(p, credited_jp=10, completed_on=activity.end), row


def _cell(cell: Cell, row, activity, p, budget=Decimal("1000000"), sources=frozenset({"apbn"})) -> EvaluationCell:
    return rules.default_cell(cell, row, activity, p, actual_form="pelatihan", planned_budget=budget, planned_sources=sources)


def test_formulir_5_2_cells_sesuai_when_it_ran_as_planned():
    activity, p, row = _facts()
    for cell in Cell:
        c = _cell(cell, row, activity, p)
        assert c.sesuai and c.reason is None, (cell, c)


def test_formulir_5_2_every_tidak_says_why():
    activity, p, row = _facts()
    cases = {
        Cell.JENIS: (dataclasses.replace(row, form="kursus"), "Planned as development form kursus; it ran as pelatihan."),
        Cell.JALUR: (dataclasses.replace(row, pathway="bimtek"), "Planned through pathway bimtek; it ran as pelatihan."),
        Cell.PENYELENGGARA: (dataclasses.replace(row, provider="BBPLK"), "Planned with provider 'BBPLK'"),
        Cell.JADWAL: (dataclasses.replace(row, start=activity.start.replace(day=10), end=activity.start.replace(day=12)), "outside the planned"),
        Cell.JAM_PELAJARAN: (dataclasses.replace(row, planned_jp=24), "10 JP credited, fewer than the 24 JP planned."),
    }
    for cell, (changed, why) in cases.items():
        c = _cell(cell, changed, activity, p)
        assert not c.sesuai and why in (c.reason or ""), (cell, c)
    over = _cell(Cell.ANGGARAN, row, activity, p, budget=Decimal("400000"))
    assert not over.sesuai and "more than the Rp 400.000,00 planned" in (over.reason or "")
    other_source = _cell(Cell.ANGGARAN, row, activity, p, sources=frozenset({"apbd"}))
    assert not other_source.sesuai and "Funded from APBN" in (other_source.reason or "")
    assert not _cell(Cell.PENYELENGGARA, dataclasses.replace(row, provider=None), activity, p).sesuai
    # Case and spacing of the provider's name do not matter.
    assert _cell(Cell.PENYELENGGARA, dataclasses.replace(row, provider="  penyelenggara "), activity, p).sesuai


def test_formulir_5_2_unplanned_participation_is_tidak_in_every_cell():
    activity, p, _ = _facts()
    for cell in Cell:
        c = _cell(cell, None, activity, p)
        assert not c.sesuai and "not planned" in (c.reason or "") and c.planned == "not planned"


def test_formulir_5_2_a_plugin_cell_must_be_well_formed():
    assert rules.check_cell(EvaluationCell(True, "a", "b"), "p").sesuai
    with pytest.raises(ValueError, match="Tidak cell needs its reason"):
        rules.check_cell(EvaluationCell(False, "a", "b"), "p")
    with pytest.raises(ValueError):
        rules.check_cell("sesuai", "p")


def test_formulir_5_2_coaching_jadwal_compares_meetings_held_with_the_learning_contract():
    activity = PathwayContract().sample_activity(COACHING)
    p = activity.participants[0]  # 3 meetings agreed, 3 held, weekly
    row = PathwayContract().sample_plan_row(COACHING, activity)
    assert pengkom_evaluation_cell("jadwal", row, activity, p).sesuai
    fewer = dataclasses.replace(p, meetings=p.meetings[:2])
    c = pengkom_evaluation_cell("jadwal", row, activity, fewer)
    assert not c.sesuai and c.reason.startswith("2 of the 3 meetings agreed were held")
    assert pengkom_evaluation_cell("jadwal", None, activity, p) is None  # unplanned: core says so
    assert pengkom_evaluation_cell("anggaran", row, activity, p) is None


# -- Formulir 5.4 ------------------------------------------------------------------------------------------------


def test_formulir_5_4_totals_averages_and_the_final_score_is_the_mean_of_indicator_averages():
    rows, final = rules.recap_5_4([("I1", "a"), ("I2", "b"), ("I3", "c")],
                                  [{"I1": 8, "I2": 7, "I3": 9}, {"I1": 7, "I2": 7, "I3": 8}, {"I1": 9, "I2": 6, "I3": 8}])
    assert [(r.total, r.assessors, r.average) for r in rows] == [(24, 3, Decimal("8.00")), (20, 3, Decimal("6.67")),
                                                                 (25, 3, Decimal("8.33"))]
    assert final == Decimal("7.67")  # (8 + 6.666… + 8.333…) / 3, from the unrounded averages
    with pytest.raises(Invalid, match="at least one assessor"):
        rules.recap_5_4([("I1", "a")], [])


# -- deadlines (V.A.8, V.B.8, V.C.8, V.D) ---------------------------------------------------------------------------


def test_evaluation_deadlines():
    end = date(2025, 1, 31)
    assert dl.report_due(end) == date(2025, 2, 14)  # V.A.8: two weeks
    assert dl.result_due(end) == date(2025, 2, 28)  # V.B.8: one month, the month's last day when shorter
    assert dl.impact_monitoring_from(end) == date(2025, 4, 30)  # V.C.8: from three months
    assert dl.impact_due(2025) == date(2026, 1, 31)  # V.C.8: December or January
    assert dl.recap_due(2025) == date(2026, 3, 31)  # V.D: Q1 of the next year
    assert dl.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_impact_monitoring_is_recommended_not_due():
    start, today = date(2025, 4, 30), date(2025, 6, 1)
    assert dl.monitoring_status(start, None, date(2025, 4, 1)) == "upcoming"
    assert dl.monitoring_status(start, None, today) == "recommended"
    assert dl.monitoring_status(start, date(2025, 5, 2), today) == "done"
    assert dl.monitoring_status(start, date(2025, 3, 2), today) == "done_early"
    it = dl.item(dl.Step.IMPACT_MONITORING, start, None, today, name="Siti", nip="1", activity_title="X")
    assert it["status"] == "recommended" and it["due"] is None and dl.finding(it)["severity"] == "info"


def test_an_overdue_step_is_a_finding_a_clerk_can_act_on():
    it = dl.item(dl.Step.REPORT_QUESTIONNAIRE, date(2025, 2, 14), None, date(2025, 2, 20), name="Siti", nip="199001012015011001",
                 activity_title="Seminar", missing=["the report", "the questionnaire (Formulir 5.1)"])
    f = dl.finding(it)
    assert (it["status"], it["days_late"]) == ("overdue", 6)
    assert f["message"].startswith("Siti (199001012015011001) has not handed in the report and the questionnaire (Formulir 5.1)")
    assert "6 day(s) overdue" in f["message"] and "BAB V.A.8" in f["message"]
    assert dl.finding(dl.item(dl.Step.RESULT, date(2025, 2, 14), date(2025, 2, 1), date(2025, 3, 1))) is None


# -- V.D: recommendations, fit, and the plan years a recap feeds ----------------------------------------------------


def test_recommendation_low_quality_is_not_continued():
    w = lambda total: rules.weight("x", "x", [total], 1)  # noqa: E731 - one answer of 1–4: 25 %, 50 %, 75 %, 100 %
    assert rules.recommendation(w(1))[0] == "stop" and "BAB V.D angka 3" in rules.recommendation(w(1))[1]
    assert rules.recommendation(w(2))[0] == "improve"
    assert rules.recommendation(w(3))[0] == "continue" and rules.recommendation(w(4))[0] == "continue"
    assert rules.recommendation(None)[0] == "no_data"


def test_fit_is_the_mean_of_the_evaluations_percentages_banded_by_tabel_5_1():
    assert rules.combined_fit([Decimal(90), Decimal(70)]) == (Decimal("80.00"), "positive", "suits")
    assert rules.combined_fit([Decimal(55)])[2] == "doubtful" and rules.combined_fit([Decimal(30)])[2] == "does_not_suit"
    assert rules.combined_fit([]) == (None, None, "no_data")


def _part(activity: str, programme: str, pathway: str, kind: str, level: str, score: str | None, impact: bool | None) -> Participation:
    return Participation(activity, activity, programme, "Pusat", pathway, kind, level, 8,
                         Decimal(score) if score else None, impact)


def test_recap_groups_programmes_case_insensitively_and_finds_the_dominant_pattern():
    parts = [_part("a1", "Pelatihan TK", "pelatihan", "teknis", "ahli_pertama", "7.5", True),
             _part("a2", "pelatihan  tk", "pelatihan", "teknis", "ahli_muda", None, False),
             _part("a3", "Seminar", "seminar", "teknis", "ahli_muda", "8", None)]
    answers = {"a1": [(1,) * 8], "a2": [(2,) * 8], "a3": [(4,) * 8]}
    tables = compute(parts, answers)
    [pel, sem] = tables["programmes"]
    assert (pel.key, pel.respondents, pel.reaction_weight, pel.recommendation) == ("pelatihan tk", 2, Decimal("37.50"), "stop")
    assert (pel.result_score, pel.impact_share) == (Decimal("7.50"), Decimal("50.00"))
    assert sem.recommendation == "continue"
    overall = [p for p in tables["patterns"] if p.competency_kind is None]
    assert [(p.pathway, p.participants, p.dominant) for p in overall] == [("pelatihan", 2, True), ("seminar", 1, False)]
    # teknis/pelatihan: reaction 37.50 %, result 7.50 → 75 %, impact 50 %: mean 54.17 % → "better" → doubtful.
    fits = {g.key: (g.combined, g.fit) for g in tables["by_kind_and_pathway"]}
    assert fits == {"teknis/pelatihan": (Decimal("54.17"), "doubtful"), "teknis/seminar": (Decimal("90.00"), "suits")}


class _App:
    def __init__(self) -> None:
        self.store: dict[UUID, object] = {}

    def get(self, aid: UUID) -> object:
        return self.store.get(aid)


def _recap(app: _App, year: int, advice: str, name: str = "Pelatihan TK", finalised: bool = True) -> None:
    ctx = Context(Actor("hr", "HR", frozenset({"hr"}), agency="kemnaker"), "req", role="hr", now=datetime(year + 1, 2, 1, tzinfo=UTC))
    meta = ctx.provenance()
    agg = YearlyRecap._create(YearlyRecap.Opened, id=recap_id("kemnaker", year), meta=meta, timestamp=meta.recorded_at,
                              agency="kemnaker", year=year)
    rec = compute([_part("a", name, "pelatihan", "teknis", "ahli_muda", None, None)], {"a": [({"stop": 1, "continue": 4}[advice],) * 8]})
    agg.record(YearlyRecap.Computed, meta, activities=1, participants=1, questionnaires=1, results_signed=0, impacts_agreed=0,
               ruleset_version=rules.RULESET, **rec)
    if finalised:
        agg.record(YearlyRecap.Finalised, meta, analysis="Analisis.", overrides=(), finalised_on=meta.effective_date)
    app.store[agg.id] = agg


def test_a_plan_sees_the_finalised_recaps_of_the_two_years_before_it_the_later_one_winning():
    app = _App()
    _recap(app, 2024, "stop")
    assert ("programme", "pelatihan tk") in stop_recommendations(app, "kemnaker", 2026)  # composed in 2025: 2024's recap
    assert ("programme", "pelatihan tk") in stop_recommendations(app, "kemnaker", 2025)  # revised in 2025: 2024's recap
    assert stop_recommendations(app, "kemnaker", 2027) == {}  # three years on: no longer
    _recap(app, 2025, "continue")
    assert ("programme", "pelatihan tk") not in stop_recommendations(app, "kemnaker", 2026)  # 2025's recap says continue
    app2 = _App()
    _recap(app2, 2025, "stop", finalised=False)
    assert stop_recommendations(app2, "kemnaker", 2026) == {}  # only a finalised recap counts


def test_plan_row_facts_carry_the_programme():
    activity = PathwayContract().sample_activity(PELATIHAN)
    row: PlanRowFacts = PathwayContract().sample_plan_row(PELATIHAN, activity)
    assert row.programme == activity.title and row.form == "pelatihan"
