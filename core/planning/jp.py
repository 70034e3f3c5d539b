"""Planned JP of a plan row (Formulir 2.6 item 11) and the suggested credit-point target (item 12)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from core.catalogue import (
    ANNUAL_CREDIT_COEFFICIENT,
    JP_CONVERSION_DEFAULTS,
    JP_TABLE_VERSION,
    LEVEL_LABELS,
    RULESET_VERSION,
    Level,
)
from core.errors import Invalid


@dataclass(frozen=True)
class JpDecision:
    jp: int
    rule: str
    basis: str
    table_version: str


def months_spanned(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def convert_jp(form: str, *, days: int | None = None, sessions: int | None = None, programme_jp: int | None = None,
               international: bool = False, stated_jp: int | None = None, start: date | None = None,
               end: date | None = None) -> JpDecision:
    """Planned JP of a row from its development form, by the LAN conversion defaults (JP.md).

    An unconfirmed conversion value (None) is never guessed: the agency states the JP (``stated_jp``)
    and the decision records that the agency supplied it.
    """
    rule = JP_CONVERSION_DEFAULTS.get(form)
    if rule is None:
        raise Invalid(f"Development form {form!r} has no JP conversion; forms: {', '.join(JP_CONVERSION_DEFAULTS)}.", field="form")
    scope = "international" if international else "domestic"
    value = rule.international if international else rule.domestic
    rule_id = f"{form}/{rule.unit}/{scope}"
    if value is None:
        if stated_jp is None:
            raise Invalid(f"The {scope} JP conversion of {form} is unconfirmed (JP.md: {rule.source}); "
                          "state the planned JP yourself (jp).", field="jp")
        return JpDecision(stated_jp, f"{form}/agency-supplied/{scope}",
                          f"{stated_jp} JP stated by the agency: the {scope} conversion of {form} is unconfirmed", JP_TABLE_VERSION)

    def need(v: int | None, name: str, what: str) -> int:
        if v is None:
            raise Invalid(f"{form} converts {what}; give the number of {name} ({name}).", field=name)
        return v

    if rule.unit == "per_day":
        n = need(days, "days", f"at {value} JP per day")
        jp, basis = int((value * n).to_integral_value(ROUND_FLOOR)), f"{value} JP/day × {n} day(s)"
    elif rule.unit == "per_day_max":
        n = need(days, "days", f"at most {value} JP per day")
        cap = int((value * n).to_integral_value(ROUND_FLOOR))
        if stated_jp is not None and stated_jp > cap:
            raise Invalid(f"{form} credits at most {value} JP per day: {n} day(s) allow at most {cap} JP, not {stated_jp}.", field="jp")
        jp = stated_jp if stated_jp is not None else cap
        basis = f"{jp} JP {'stated' if stated_jp is not None else 'at the cap'} (at most {value} JP/day × {n} day(s))"
        stated_jp = None
    elif rule.unit == "per_session":
        n = need(sessions, "sessions", f"at {value} JP per session")
        credited = n
        if rule.max_per_month and start and end:
            credited = min(n, rule.max_per_month * months_spanned(start, end))
        jp = int((value * credited).to_integral_value(ROUND_FLOOR))
        basis = f"{value} JP/session × {credited} session(s)" + (
            f" ({n} planned; at most {rule.max_per_month} a month are credited)" if credited < n else "")
    elif rule.unit == "per_activity":
        jp, basis = int(value.to_integral_value(ROUND_FLOOR)), f"{value} JP per activity"
    else:  # programme_hours
        n = need(programme_jp, "programme_jp", "as the programme's own JP")
        jp = int((value * n).to_integral_value(ROUND_FLOOR))
        basis = f"the programme's {n} JP" + (f" × {value} (international)" if value != 1 else "")
    if stated_jp is not None and stated_jp != jp:
        raise Invalid(f"{form} converts to {jp} JP ({basis}), not {stated_jp}; leave jp empty to use the conversion.", field="jp")
    if jp < 1:
        raise Invalid(f"{form} converts to {jp} JP ({basis}); a plan row needs at least 1 JP.", field="jp")
    return JpDecision(jp, rule_id, basis, JP_TABLE_VERSION)


def suggested_credit_target(level: str) -> tuple[Decimal, str]:
    """Formulir 2.6 item 12 default: the level's annual credit-point coefficient (predikat Baik, 100%)."""
    coeff = ANNUAL_CREDIT_COEFFICIENT[Level(level)]
    return coeff, (f"suggested: annual credit-point coefficient of {LEVEL_LABELS[Level(level)]} ({coeff}) at predikat "
                   f"Baik (100%), PermenPANRB 1/2023 per JP.md; ruleset {RULESET_VERSION}")

