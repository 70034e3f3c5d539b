"""Plausible date ranges, per field, for every date in a request body (README "Strict input").

A date the calendar allows is not yet a date the record can hold: 0001-01-01 and 9999-12-31 parse,
and a birth date of last week is a typing error. Each date field of a request gets a range; a date
outside it is refused with 422 naming the field, the range and why, and nothing is recorded.

| field | range |
|---|---|
| ``birth_date`` (also in a profile correction's ``changes``) | the officer is 18 to 70 years old today |
| ``effective_date`` | 1 January 1970 to today (a fact is recorded when it has happened) |
| any date of a plan route ``/plans/{agency}/{year}/…`` | 1 January of ``year − 1`` to 31 December of ``year + 1`` |
| any other date (activities, letters, sessions, meetings, certificates…) | 1 January ten years ago to 31 December two years ahead |
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime
from typing import Any

import msgspec
from litestar import Request

from core.errors import Invalid
from core.i18n import msg

EARLIEST_EFFECTIVE = date(1970, 1, 1)
#: Working age: an officer is at least this old (CPNS/PPPK minimum age) ...
MIN_AGE = 18
#: ... and at most this old (the latest retirement age of a functional position is 65; margin for records).
MAX_AGE = 70
#: Dates of activities and other records lie within this many years before and after the current year.
YEARS_BACK = 10
YEARS_AHEAD = 2
#: Dates on a plan lie within this many years around the plan year.
PLAN_WINDOW = 1


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str, date]]:
    """(dotted path, field name, date) of every date in a decoded body."""
    if isinstance(value, date) and not isinstance(value, datetime):
        yield path, path.rsplit(".", 1)[-1].split("[")[0], value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from _walk(getattr(value, name), f"{path}.{name}" if path else name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")
    elif isinstance(value, dict) and path.rsplit(".", 1)[-1] == "changes":
        # Free-form corrections: the date fields a correction may carry are checked like the originals.
        for key in ("birth_date",):
            raw = value.get(key)
            if isinstance(raw, str):
                try:
                    parsed = date.fromisoformat(raw)
                except ValueError:
                    continue  # the domain explains an unparseable date
                yield f"{path}.{key}", key, parsed


def date_range(field: str, *, today: date, plan_year: int | None) -> tuple[date, date, str]:
    """(earliest, latest, why) for a date field."""
    if field == "birth_date":
        return (_years_before(today, MAX_AGE), _years_before(today, MIN_AGE),
                f"an officer in service is {MIN_AGE} to {MAX_AGE} years old")
    if field == "effective_date":
        return EARLIEST_EFFECTIVE, today, "a fact is recorded once it has happened, and not from before 1970"
    if plan_year is not None:
        # The path's year is checked after the body (a plan year 10000 is refused by the route): never a date the
        # calendar cannot hold (year 1–9999), so an absurd year makes the date implausible (422), never a 500.
        first, last = (min(max(y, MINYEAR), MAXYEAR) for y in (plan_year - PLAN_WINDOW, plan_year + PLAN_WINDOW))
        return (date(first, 1, 1), date(last, 12, 31), f"dates on the {plan_year} plan lie within a year of the plan year")
    return (date(today.year - YEARS_BACK, 1, 1), date(today.year + YEARS_AHEAD, 12, 31),
            f"records are dated from {YEARS_BACK} years back to {YEARS_AHEAD} years ahead")


def check_dates(data: Any, request: Request[Any, Any, Any] | None = None, *, today: date | None = None,
                plan_year: int | None = None) -> None:
    """Invalid (422) naming the first date outside its field's range."""
    today = today or datetime.now(UTC).date()
    if plan_year is None and request is not None and request.url.path.startswith("/plans/"):
        year = request.path_params.get("year")
        plan_year = year if isinstance(year, int) else None
    for path, field, day in _walk(data):
        earliest, latest, why = date_range(field, today=today, plan_year=plan_year)
        if field == "effective_date" and day > today:
            raise Invalid(msg("The effective date {day} is in the future; a fact is recorded when it has happened.", day=day),
                          field=path, code="request.implausible_date")
        if not earliest <= day <= latest:
            raise Invalid(msg("{path} {day} is outside the plausible range {earliest} to {latest} ({why}); check the date.",
                              path=path, day=day.isoformat(), earliest=earliest.isoformat(), latest=latest.isoformat(), why=why), field=path,
                              code="request.implausible_date")
