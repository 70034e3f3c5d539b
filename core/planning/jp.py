"""Planned JP of a plan row (Formulir 2.6 item 11) — converted by the one JP conversion of
:mod:`core.jp_table`, with the agency's table — and the suggested credit-point target (item 12)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.catalogue import ANNUAL_CREDIT_COEFFICIENT, LEVEL_LABELS, RULESET_VERSION, Level
from core.i18n import msg
from core.jp_table import JpDecision, JpTable, planned_jp


def convert_jp(form: str, *, table: JpTable, days: int | None = None, sessions: int | None = None,
               programme_jp: int | None = None, international: bool = False, stated_jp: int | None = None,
               start: date | None = None, end: date | None = None) -> JpDecision:
    """Planned JP of a plan row by ``table`` (the agency's JP table): :func:`core.jp_table.planned_jp`."""
    return planned_jp(table, form, days=days, sessions=sessions, programme_jp=programme_jp, international=international,
                      stated_jp=stated_jp, start=start, end=end)


def suggested_credit_target(level: str) -> tuple[Decimal, str]:
    """Formulir 2.6 item 12 default: the level's annual credit-point coefficient (predikat Baik, 100%)."""
    coeff = ANNUAL_CREDIT_COEFFICIENT[Level(level)]
    return coeff, str(msg("suggested: annual credit-point coefficient of {level} ({coeff}) at predikat Baik (100%), PermenPANRB "
                          "1/2023; ruleset {ruleset}", level=LEVEL_LABELS[Level(level)], coeff=coeff, ruleset=RULESET_VERSION))

