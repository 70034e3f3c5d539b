"""Input checks for every command, with one set of limits: each answers a clerk in a sentence that
names the field and the rule, and returns the clean value.

Limits (the same wherever the field is entered — officers, assessments, proposals, plans, activities):

| Kind | Limit | Used for |
|---|---|---|
| a line of text (``text``) | 200 characters, whitespace collapsed | names, titles, places, positions, letter numbers, programmes, topics, list entries |
| a short label | 100 characters | agency codes, target times |
| a code | 60 characters | curriculum standard codes |
| a reason (``long_text``) | 2,000 characters, lines kept | reasons, notes, remarks, criteria |
| a long text (``long_text``) | 20,000 characters, lines kept | summaries, reports, minutes, meeting and discussion notes |
| a list of entries | 1–50 entries | learning goals, materials, topics |
| a rupiah amount (``money``) | 0 to Rp 10.000.000.000.000, at most 2 decimals | budgets, registered amounts |
| a plan or budget year (``year_in``) | 2000–2100 | plan years |

(The API layer's request schemas hold the same or tighter limits; these are the rule.)
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Literal, overload

from core.catalogue import FundingSource
from core.errors import Conflict, Invalid
from core.i18n import N_, FieldName, msg
from core.labels import described, resolve

LINE_MAX = 200
SHORT_MAX = 100
CODE_MAX = 60
REASON_MAX = 2000
LONG_MAX = 20_000
LIST_MAX = 50
MAX_RUPIAH = Decimal(10) ** 13
YEAR_MIN, YEAR_MAX = 2000, 2100


def label(field: str) -> str:
    """``funding_source`` → ``Funding source``: how a message names a field (in Bahasa Indonesia: its key)."""
    return FieldName(field)


def _present(value: Any, field: str, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(msg("{field} is required.", field=label(field)), field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(msg("{field} must be text.", field=label(field)), field=field)
    return value


def _within(value: str, field: str, max_len: int) -> str:
    if len(value) > max_len:
        raise Invalid(msg("{field} is {len_value} characters long; at most {max_len} are allowed.",
                          field=label(field), len_value=len(value), max_len=max_len), field=field)
    return value


@overload
def text(value: Any, field: str, *, max_len: int = ..., required: Literal[True] = ...) -> str: ...
@overload
def text(value: Any, field: str, *, max_len: int = ..., required: bool) -> str | None: ...
def text(value: Any, field: str, *, max_len: int = LINE_MAX, required: bool = True) -> str | None:
    """One line of text, whitespace collapsed; Invalid naming the field when missing or too long."""
    raw = _present(value, field, required)
    return None if raw is None else _within(" ".join(raw.split()), field, max_len)


@overload
def long_text(value: Any, field: str, *, max_len: int = ..., required: Literal[True] = ...) -> str: ...
@overload
def long_text(value: Any, field: str, *, max_len: int = ..., required: bool) -> str | None: ...
def long_text(value: Any, field: str, *, max_len: int = REASON_MAX, required: bool = True) -> str | None:
    """Free text that may span lines (reasons, notes, minutes, summaries); only trimmed."""
    raw = _present(value, field, required)
    return None if raw is None else _within(raw.strip(), field, max_len)


def texts(values: Any, field: str, what: str, *, at_least: int = 1, max_items: int = LIST_MAX) -> tuple[str, ...]:
    """A list of one-line entries, none twice."""
    if not isinstance(values, (list, tuple)) or not at_least <= len(values) <= max_items:
        raise Invalid(msg("{what}: give {at_least} to {max_items} entries.", what=what, at_least=at_least, max_items=max_items), field=field)
    out = tuple(text(v, field) for v in values)
    if len(set(out)) != len(out):
        raise Invalid(msg("{what}: an entry is listed twice.", what=what), field=field)
    return out


def choice(enum: type[Enum], value: Any, field: str, what: str | None = None, *, cite: str = "") -> str:
    """One of an enumeration's codes, given as its code (any case) or its Indonesian label ("Ahli Pertama",
    "APBN": :mod:`core.labels`); ``cite`` (e.g. "BAB IV") is added to the refusal, which lists codes and labels."""
    member = resolve(enum, value)
    if member is not None:
        return str(member.value)
    choices = described(enum)
    where = f" ({cite})" if cite else ""
    raise Invalid(msg("{what_or_label_field} {value!r} is not one of: {choices}{where}.",
                      what_or_label_field=what or label(field), value=value, choices=choices, where=where), field=field)


def choice_any_case(enum: type[Enum], value: Any, field: str, what: str | None = None, *, cite: str = "") -> str:
    """As :func:`choice` (which accepts codes in any case and labels: "APBN" is apbn)."""
    return choice(enum, value, field, what, cite=cite)


def funding_source(value: Any, field: str = "funding_source") -> str:
    """The funding source of a budget line: one of the catalogue's :class:`~core.catalogue.FundingSource` (BAB IV),
    in any case."""
    return choice_any_case(FundingSource, value, field, N_("Funding source"), cite="BAB IV")


def whole(value: Any, field: str, *, low: int, high: int, what: str | None = None) -> int:
    """A whole number from ``low`` to ``high`` (a JSON ``true`` is not 1)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(msg("{what_or_label_field} must be a whole number from {low} to {high}, not {value!r}.",
                          what_or_label_field=what or label(field), low=low, high=high, value=value), field=field)
    return value


def count(value: Any, field: str, high: int, what: str | None = None) -> int | None:
    """An optional count from 1 to ``high`` (days, sessions, JP)."""
    return None if value is None else whole(value, field, low=1, high=high, what=what)


def fmt_rupiah(amount: Decimal) -> str:
    """``Rp 1.234.567,00``: the way Indonesian forms write an amount."""
    return f"Rp {amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


@overload
def money(value: Any, field: str, *, required: Literal[True] = ...) -> Decimal: ...
@overload
def money(value: Any, field: str, *, required: bool) -> Decimal | None: ...
def money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A rupiah amount: from 0 to :data:`MAX_RUPIAH`, with at most 2 decimals."""
    if value is None and not required:
        return None
    limit = f"from Rp 0 to at most {fmt_rupiah(MAX_RUPIAH).removesuffix(',00')}, with at most 2 decimals"
    if isinstance(value, bool) or value is None:
        raise Invalid(msg("{field} is required, as a number of rupiah {limit}.", field=label(field), limit=limit), field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(msg("{field} {value!r} is not a number of rupiah.", field=label(field), value=value), field=field) from None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or amount > MAX_RUPIAH or (isinstance(exponent, int) and exponent < -2):
        raise Invalid(msg("{field} {value} must be a rupiah amount {limit}.", field=label(field), value=value, limit=limit), field=field)
    return amount


def year_in(value: Any, field: str = "year") -> int:
    """A plan or budget year."""
    return whole(value, field, low=YEAR_MIN, high=YEAR_MAX)


def parse_date(value: Any, field: str) -> date | None:
    """A date or its ISO text (YYYY-MM-DD); None stays None."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(msg("{field} {value!r} is not a date (YYYY-MM-DD).", field=label(field), value=value), field=field) from None


def not_future(on: date, today: date, what: str, field: str) -> None:
    """Facts are recorded once they have happened."""
    if on > today:
        raise Invalid(msg("{what} {on} is in the future; record it once it has happened.", what=what, on=on), field=field)


def nip_digits(value: Any, field: str, what: str = "NIP") -> str:
    """An 18-digit civil-servant number, spaces removed (the full check of a registration is core.nip)."""
    stripped = str(value).replace(" ", "")
    if not (stripped.isdigit() and len(stripped) == 18):
        raise Invalid(msg("{what} {value!r} must be 18 digits.", what=what, value=value), field=field)
    return stripped


def check_version(kind: str, current: int, expected: int | None) -> None:
    """Optimistic concurrency: the caller's ``If-Match`` names the version they read."""
    if expected is not None and expected != current:
        raise Conflict(
            msg("The {kind} is at version {current}, not {expected}: someone changed it since you read it. Reload and try again.",
                kind=kind, current=current, expected=expected)
        )
