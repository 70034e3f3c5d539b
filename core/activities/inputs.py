"""Input checks of the activity commands: messages a clerk can act on, naming the field."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.activities.aggregate import Activity
from core.errors import Conflict, Invalid


def _text(value: Any, field: str, *, max_len: int = 200, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", field=field)
    value = " ".join(value.split()) if max_len <= 200 else value.strip()
    if len(value) > max_len:
        raise Invalid(f"{field.replace('_', ' ').capitalize()} is {len(value)} characters long; at most {max_len} are allowed.", field=field)
    return value


def _int(value: Any, field: str, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise Invalid(f"{what} must be a whole number from {lo} to {hi}, not {value!r}.", field=field)
    return value


def _enum(enum: Any, value: Any, field: str, what: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise Invalid(f"{what} {value!r} is not one of: {', '.join(m.value for m in enum)}.", field=field) from None


def _not_future(on: date, today: date, what: str, field: str) -> None:
    if on > today:
        raise Invalid(f"{what} {on} is in the future; record it once it has happened.", field=field)


def _texts(values: Any, field: str, what: str, *, at_least: int = 1, max_items: int = 50) -> tuple[str, ...]:
    if not isinstance(values, (list, tuple)) or not at_least <= len(values) <= max_items:
        raise Invalid(f"{what}: give {at_least} to {max_items} entries.", field=field)
    out = tuple(_text(v, field, max_len=300) for v in values)
    if len(set(out)) != len(out):
        raise Invalid(f"{what}: an entry is listed twice.", field=field)
    return out  # type: ignore[return-value]


def _check_version(agg: Activity, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != agg.version:
        raise Conflict(f"The activity is at version {agg.version}, not {expected_version}: someone changed it since you read it. "
                       "Reload and try again.")


def _enum_in(value: Any, choices: tuple[str, ...], field: str, what: str) -> str:
    if value not in choices:
        raise Invalid(f"{what} {value!r} is not one of: {', '.join(choices)}.", field=field)
    return value
