"""Evaluation (BAB V): administrative (Formulir 5.1, 5.2), result (5.3, 5.4) and impact (5.5)
evaluations, their deadlines, and the yearly recap that feeds the next year's plan.

Modules: :mod:`.rules` (pure rules with their citations), :mod:`.facts` (what a pathway plugin
exchanges about Formulir 5.2), :mod:`.administrative`, :mod:`.result`, :mod:`.impact`, :mod:`.recap`
(aggregates, guards and commands), :mod:`.deadlines` (due dates, pure). Interpretations:
``docs/evaluation.md``.
"""
from __future__ import annotations

from typing import Any

from core.evaluation.administrative import ActivityEvaluation, AdministrativeCommands
from core.evaluation.impact import ImpactCommands, ImpactEvaluation
from core.evaluation.recap import RecapCommands, YearlyRecap
from core.evaluation.result import ResultCommands, ResultEvaluation


class EvaluationCommands:
    """The domain verbs of BAB V, by evaluation; ``app`` is the pengkom application."""

    def __init__(self, app: Any) -> None:
        self.administrative = AdministrativeCommands(app)
        self.results = ResultCommands(app)
        self.impact = ImpactCommands(app)
        self.recaps = RecapCommands(app)


__all__ = ["ActivityEvaluation", "EvaluationCommands", "ImpactEvaluation", "ResultEvaluation", "YearlyRecap"]
