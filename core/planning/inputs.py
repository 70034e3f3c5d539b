"""Input checks of the plan commands beyond those of :mod:`core.cycle`."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.cycle import whole
from core.errors import Invalid


def _parse_date(value: Any, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{field.capitalize()} {value!r} is not a date (YYYY-MM-DD).", field=field) from None


def _opt_count(value: Any, field: str, high: int) -> int | None:
    return None if value is None else whole(value, field, low=1, high=high)

