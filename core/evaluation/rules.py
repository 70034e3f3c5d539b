"""The rules of BAB V as pure functions, each citing the guideline: the Formulir 5.1 questionnaire and
its weights banded by Tabel 5.1, the default comparisons of the Formulir 5.2 cells, the Formulir 5.4
recap, and the recap's recommendation (V.D).

Every result computed here is recorded in an event together with :data:`RULESET`, so a replay never
recomputes it and an audit can say which rules produced a figure.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.catalogue import (
    QUESTIONNAIRE_MAX_SCORE,
    QUESTIONNAIRE_MIN_SCORE,
    REACTION_BAND_LABELS,
    REACTION_BAND_RANGES,
    RULESET_VERSION,
    ReactionBand,
    reaction_band,
)
from core.cycle import fmt_rupiah
from core.errors import Invalid
from core.evaluation.facts import Cell, EvaluationCell, PlanRowFacts
from core.i18n import msg
from core.pathways import ActivityFacts, ParticipantFacts

#: The evaluation rules below, on top of the catalogue's rule set (Tabel 5.1 lives there).
RULESET = f"{RULESET_VERSION}+evaluation-r1"
GUIDELINE = "Pedoman Pengembangan Kompetensi JF Pengantar Kerja 2023"
_CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Half-up to two decimals: the figure printed is the figure banded."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# -- Formulir 5.1 (V.A.7.a) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    code: str
    element: str
    element_label: str
    text: str


#: Formulir 5.1 part A, the eight closed statements in the form's order, grouped by element.
STATEMENTS: tuple[Statement, ...] = (
    Statement("materi_kualitas", "materi", "Materi", "Kualitas materi program pelatihan"),
    Statement("materi_kesesuaian_tugas", "materi", "Materi", "Kesesuaian materi program pelatihan dengan tugas pekerjaan saya"),
    Statement("penyelenggaraan_sesuai_jadwal", "penyelenggaraan", "Penyelenggaraan", "Kesesuaian pemberian materi dengan jadwal"),
    Statement("penyelenggaraan_tepat_waktu", "penyelenggaraan", "Penyelenggaraan", "Ketepatan waktu sesuai dengan jadwal"),
    Statement("sarana_ruang_kelas", "sarana", "Sarana", "Ruang kelas yang nyaman dan asri"),
    Statement("sarana_suasana_belajar", "sarana", "Sarana",
              "Suasana pembelajaran yang kondusif dan mendukung partisipasi aktif peserta"),
    Statement("instruktur_bahasa", "kemampuan_instruktur", "Kemampuan Instruktur", "Penggunaan bahasa yang tepat, baik dan benar"),
    Statement("instruktur_penyampaian", "kemampuan_instruktur", "Kemampuan Instruktur", "Kemampuan pengajar menyampaikan materi"),
)
STATEMENT_CODES: tuple[str, ...] = tuple(s.code for s in STATEMENTS)
ELEMENTS: tuple[tuple[str, str], ...] = (("materi", "Materi"), ("penyelenggaraan", "Penyelenggaraan"), ("sarana", "Sarana"),
                                         ("kemampuan_instruktur", "Kemampuan Instruktur"))
#: Formulir 5.1 part B, the three open questions.
OPEN_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("suka_tidak_suka", "Apa yang paling anda sukai dan tidak sukai dari program pelatihan ini?"),
    ("perbaikan", "Apakah yang harus diperbaiki dari program pelatihan ini?"),
    ("lainnya", "Apabila ada yang ingin anda sampaikan mengenai kualitas program pelatihan, mohon tulis di kolom ini"),
)
SCALE = {1: "tidak puas", 2: "kurang puas", 3: "puas", 4: "sangat puas"}


def check_answers(answers: Any) -> tuple[int, ...]:
    """The eight part-A answers in the form's order; Invalid naming the statement otherwise."""
    if not isinstance(answers, Mapping):
        raise Invalid("answers lists the eight statements of Formulir 5.1 part A by code, each answered 1–4.", field="answers")
    unknown = sorted(set(map(str, answers)) - set(STATEMENT_CODES))
    if unknown:
        raise Invalid(msg("Formulir 5.1 has no statement {unknown}; the statements are {STATEMENT_CODES}.",
                          unknown=', '.join(unknown), STATEMENT_CODES=', '.join(STATEMENT_CODES)),
                      field="answers")
    missing = [s for s in STATEMENTS if s.code not in answers]
    if missing:
        raise Invalid(msg("Formulir 5.1 part A needs an answer to every statement; missing: {f_s_element_label_s_text}.",
                          f_s_element_label_s_text='; '.join(f'{s.element_label}: {s.text!r}' for s in missing)), field=f"answers.{missing[0].code}")
    out = []
    for s in STATEMENTS:
        v = answers[s.code]
        if isinstance(v, bool) or not isinstance(v, int) or not QUESTIONNAIRE_MIN_SCORE <= v <= QUESTIONNAIRE_MAX_SCORE:
            raise Invalid(msg("The answer to {text!r} ({element_label}) is {v!r}; Formulir 5.1 answers are whole numbers 1 (tidak "
                              "puas), 2 (kurang puas), 3 (puas) or 4 (sangat puas).",
                              text=s.text, element_label=s.element_label, v=v), field=f"answers.{s.code}")
        out.append(v)
    return tuple(out)


@dataclass(frozen=True)
class Weight:
    """A weight (bobot) of Formulir 5.1 answers and its Tabel 5.1 band."""

    key: str
    label: str
    total: int
    maximum: int
    respondents: int
    weight: Decimal  # percent, rounded half-up to 2 decimals
    band: str
    band_range: str
    interpretation: str


def weight(key: str, label: str, scores: Sequence[int], respondents: int) -> Weight:
    """``total of the answers / (4 × answers counted) × 100 %`` (the formula above Tabel 5.1), rounded to
    two decimals, then banded by Tabel 5.1 with the gaps 60–61 and 80–81 going to the higher band."""
    if not scores:
        raise Invalid("A weight needs at least one answer.", field="answers")
    maximum = QUESTIONNAIRE_MAX_SCORE * len(scores)
    value = round2(Decimal(sum(scores)) * 100 / Decimal(maximum))
    band = reaction_band(value)
    return Weight(key, label, sum(scores), maximum, respondents, value, band.value, REACTION_BAND_RANGES[band],
                  REACTION_BAND_LABELS[band])


@dataclass(frozen=True)
class QuestionnaireResults:
    respondents: int
    items: tuple[Weight, ...]
    elements: tuple[Weight, ...]
    overall: Weight


def questionnaire_results(answer_sets: Sequence[Sequence[int]]) -> QuestionnaireResults:
    """Per item, per element and for the whole activity (all items of all respondents pooled)."""
    n = len(answer_sets)
    if n == 0:
        raise Invalid("No questionnaire has been handed in yet.", field="answers")
    items = tuple(weight(s.code, s.text, [a[i] for a in answer_sets], n) for i, s in enumerate(STATEMENTS))
    elements = tuple(weight(code, label, [a[i] for a in answer_sets for i, s in enumerate(STATEMENTS) if s.element == code], n)
                     for code, label in ELEMENTS)
    overall = weight("keseluruhan", "Keseluruhan kegiatan", [v for a in answer_sets for v in a], n)
    return QuestionnaireResults(n, items, elements, overall)


# -- Formulir 5.2 (V.A.7.b): the default comparison of each cell --------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _period(start: Any, end: Any) -> str:
    return f"{start} – {end}" if start and end else "no schedule"


def _money(amount: Decimal | None, source: str | None) -> str:
    return "no budget recorded" if amount is None else f"{fmt_rupiah(amount)} ({(source or '—').upper()})"


def describe_actual(cell: Cell, activity: ActivityFacts, participant: ParticipantFacts, actual_form: str) -> str:
    return {
        Cell.JENIS: f"{actual_form} ({activity.title})",
        Cell.JALUR: activity.pathway,
        Cell.PENYELENGGARA: activity.provider_name,
        Cell.JADWAL: _period(activity.start, activity.end),
        Cell.ANGGARAN: _money(activity.budget, activity.funding_source),
        Cell.JAM_PELAJARAN: f"{participant.credited_jp} JP credited" if participant.credited_jp is not None else "not credited",
    }[cell]


def default_cell(cell: Cell, plan: PlanRowFacts | None, activity: ActivityFacts, participant: ParticipantFacts, *,
                 actual_form: str, planned_budget: Decimal, planned_sources: frozenset[str]) -> EvaluationCell:
    """Core's comparison of one Formulir 5.2 cell: the validated plan row against what was recorded.

    ``planned_budget`` and ``planned_sources`` are the budgets and funding sources of the validated
    rows the activity's participants implement (the activity's budget covers all of them).
    """
    actual = describe_actual(cell, activity, participant, actual_form)
    if plan is None:
        return EvaluationCell(False, "not planned", actual,
                              f"{participant.name}'s participation implements no row of a validated plan (Formulir 2.6): "
                              "it was not planned.")
    if cell == Cell.JENIS:
        ok = plan.form == actual_form
        return EvaluationCell(ok, f"{plan.form} ({plan.programme})", actual,
                              None if ok else f"Planned as development form {plan.form}; it ran as {actual_form}.")
    if cell == Cell.JALUR:
        ok = plan.pathway == activity.pathway
        return EvaluationCell(ok, plan.pathway, actual,
                              None if ok else f"Planned through pathway {plan.pathway}; it ran as {activity.pathway}.")
    if cell == Cell.PENYELENGGARA:
        if not plan.provider:
            return EvaluationCell(False, "no provider planned", actual, "The plan row names no provider (Formulir 2.6 item 8).")
        ok = _norm(plan.provider) == _norm(activity.provider_name)
        return EvaluationCell(ok, plan.provider, actual,
                              None if ok else f"Planned with provider {plan.provider!r}; delivered by {activity.provider_name!r}.")
    if cell == Cell.JADWAL:
        planned = _period(plan.start, plan.end)
        if plan.start is None or plan.end is None:
            return EvaluationCell(False, planned, actual, "The plan row has no schedule (Formulir 2.6 item 9).")
        ok = plan.start <= activity.start and activity.end <= plan.end
        return EvaluationCell(ok, planned, actual,
                              None if ok else f"It ran {actual}, outside the planned {planned}.")
    if cell == Cell.ANGGARAN:
        planned = _money(planned_budget, "/".join(sorted(planned_sources)) or None)
        if activity.budget is None:
            ok = planned_budget == 0
            return EvaluationCell(ok, planned, actual,
                                  None if ok else f"The activity records no budget; {planned} was planned.")
        if activity.funding_source and planned_sources and activity.funding_source not in planned_sources:
            return EvaluationCell(False, planned, actual, f"Funded from {activity.funding_source.upper()}; the plan funds it from "
                                                          f"{'/'.join(sorted(planned_sources)).upper()}.")
        ok = activity.budget <= planned_budget
        return EvaluationCell(ok, planned, actual, None if ok else (
            f"The activity spent {fmt_rupiah(activity.budget)}, {fmt_rupiah(activity.budget - planned_budget)} more than the "
            f"{fmt_rupiah(planned_budget)} planned for its participants."))
    # Cell.JAM_PELAJARAN
    credited = participant.credited_jp
    ok = credited == plan.planned_jp
    if credited is None:
        reason: str | None = f"{participant.name} has not completed; no JP credited yet."
    elif ok:
        reason = None
    else:
        reason = f"{credited} JP credited, {'fewer' if credited < plan.planned_jp else 'more'} than the {plan.planned_jp} JP planned."
    return EvaluationCell(ok, f"{plan.planned_jp} JP", actual, reason)


def check_cell(value: Any, who: str) -> EvaluationCell:
    """A cell a plugin answered, as ``pengkom_evaluation_cell`` promises it, or ValueError saying why not."""
    if not isinstance(value, EvaluationCell):
        raise ValueError(f"{who} answered {type(value).__name__}, not an EvaluationCell")
    if not isinstance(value.sesuai, bool):
        raise ValueError(f"{who}: sesuai must be True or False")
    for name in ("planned", "actual"):
        v = getattr(value, name)
        if not isinstance(v, str) or not v.strip() or len(v) > 500:
            raise ValueError(f"{who}: {name} must be text of 1–500 characters")
    if value.reason is not None and (not isinstance(value.reason, str) or len(value.reason) > 1000):
        raise ValueError(f"{who}: reason must be text of at most 1000 characters")
    if not value.sesuai and not (value.reason or "").strip():
        raise ValueError(f"{who}: a Tidak cell needs its reason")
    return value


# -- Formulir 5.4 (V.B.7) --------------------------------------------------------------------------------

#: The example criteria of Formulir 5.3 item (7), used as indicators when the HR unit names none.
DEFAULT_INDICATORS: tuple[str, ...] = (
    "Pengantar Kerja mampu menunjukkan/menjelaskan pengetahuan yang diperoleh dalam program pengembangan kompetensi",
    "Pengantar Kerja mampu menunjukkan keterampilan yang diperoleh dalam program pengembangan kompetensi",
    "Pengantar Kerja mampu menunjukkan sikap perilaku sesuai dengan hasil yang diperoleh dalam program pengembangan kompetensi",
)
SCORE_MIN, SCORE_MAX = 0, 10
FINAL_SCORE_RULE = "5.4/final = mean of the indicator averages (each the mean over assessors), half-up to 2 decimals"


@dataclass(frozen=True)
class IndicatorRecap:
    indicator_id: str
    text: str
    total: int
    assessors: int
    average: Decimal


def recap_5_4(indicators: Sequence[tuple[str, str]], forms: Sequence[Mapping[str, int]]) -> tuple[tuple[IndicatorRecap, ...], Decimal]:
    """Formulir 5.4 items (7)–(9): per indicator the total and the average over assessors, and the final
    competency score — the mean of the indicator averages (unrounded averages, result half-up to 2 decimals)."""
    if not forms:
        raise Invalid("No Formulir 5.3 has been recorded; the recap needs at least one assessor's form.", field="assessments")
    rows = []
    exact = []
    for iid, text in indicators:
        scores = [f[iid] for f in forms]
        avg = Decimal(sum(scores)) / Decimal(len(scores))
        exact.append(avg)
        rows.append(IndicatorRecap(iid, text, sum(scores), len(scores), round2(avg)))
    final = round2(sum(exact, Decimal(0)) / Decimal(len(exact)))
    return tuple(rows), final


# -- V.D: recommendation per programme / provider, fit of a group -----------------------------------------

RECOMMENDATIONS = ("continue", "improve", "stop", "no_data")


def recommendation(w: Weight | None) -> tuple[str, str]:
    """Continue or not (V.D angka 3: low quality → not continued), from the Formulir 5.1 weight pooled over
    every questionnaire of the programme or provider in the year: Tabel 5.1 *poor* (< 50 %) → stop;
    *better* (50–60 %) → continue only with improvements; *positive* or *highly positive* → continue."""
    if w is None:
        return "no_data", "No Formulir 5.1 questionnaire was handed in; the quality of delivery is unknown."
    figures = f"reaction {w.weight}% over {w.respondents} respondent(s), Tabel 5.1 {w.band_range}: {w.interpretation}"
    if w.band == ReactionBand.POOR:
        return "stop", f"Low quality of delivery ({figures}); not to be continued next year (BAB V.D angka 3)."
    if w.band == ReactionBand.BETTER:
        return "improve", f"Lukewarm reaction ({figures}); continue only with the delivery improved."
    return "continue", f"Good reaction ({figures}); may be continued."


def combined_fit(percentages: Sequence[Decimal]) -> tuple[Decimal | None, str | None, str]:
    """The fit of a group (competency kind × pathway, level × pathway): the mean of the evaluations'
    percentages it has (reaction weight, 5.4 final score × 10, share of agreed 5.5 forms with a work
    behaviour contributing to the agency), banded by Tabel 5.1 — ``suits`` for positive or highly
    positive, ``doubtful`` for better, ``does_not_suit`` for poor, ``no_data`` without figures."""
    if not percentages:
        return None, None, "no_data"
    value = round2(sum(percentages, Decimal(0)) / Decimal(len(percentages)))
    band = reaction_band(value)
    fit = {ReactionBand.POOR: "does_not_suit", ReactionBand.BETTER: "doubtful"}.get(band, "suits")
    return value, band.value, fit


def key_of(name: str | None) -> str:
    """How programme and provider names are compared across years: case and spacing ignored."""
    return _norm(name)


__all__ = [
    "DEFAULT_INDICATORS", "ELEMENTS", "FINAL_SCORE_RULE", "GUIDELINE", "OPEN_QUESTIONS", "RECOMMENDATIONS", "RULESET", "SCALE",
    "SCORE_MAX", "SCORE_MIN", "STATEMENTS", "STATEMENT_CODES", "IndicatorRecap", "QuestionnaireResults", "Statement", "Weight",
    "check_answers", "check_cell", "combined_fit", "default_cell", "describe_actual", "key_of", "questionnaire_results",
    "recap_5_4", "recommendation", "round2", "weight",
]
