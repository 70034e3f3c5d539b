"""Request-decoding errors rewritten for a clerk: the field, what was wrong, and what is accepted.

msgspec (the strict body check, :mod:`api.strict`) and Litestar (query and path parameters) say what
failed in a programmer's words ("Expected `str` of length >= 10 - at `$.reason`", "Invalid RFC3339
encoded date"). :func:`body_error` and :func:`parameter_error` turn those into the same
:class:`~core.errors.Invalid` a domain rule raises — 422 problem+json with ``field`` and a ``detail``
in the reader's language — naming the field, the value sent, and what the field accepts (read from the
request schema itself: type, length, range, choices, description).

One status per kind of mistake (README "Language" and "Strict input"):
- **400** — the body cannot be read as JSON at all: not UTF-8, not JSON, nested too deep (:mod:`api.strict`);
- **422** — it was read, but a value is not acceptable: a wrong type, a missing or unknown field, a
  text too short or too long, a number out of range, a date that is not in the calendar (1990-02-30),
  an unknown choice — in the body, the query string or the path alike.
"""
from __future__ import annotations

import re
from typing import Any

import msgspec
import msgspec.inspect as mi

from core.errors import Invalid
from core.i18n import Msg, joined, msg

_AT = re.compile(r"^(?P<message>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[([^\]]*)\]")
_TYPE_WORDS = {"str": msg("text"), "int": msg("a whole number"), "float": msg("a number"), "bool": msg("true or false"),
               "null": msg("null"), "array": msg("a list"), "object": msg("an object"), "number": msg("a number")}
#: The code of every decoding refusal (the same in every language).
CODE = "request.invalid_value"


def _describe(t: Any, depth: int = 0) -> Msg:
    """What a field of this msgspec type accepts, in words."""
    extra: dict[str, Any] = {}
    if isinstance(t, mi.Metadata):
        extra = t.extra_json_schema or {}
        t = t.type
    base = _describe_type(t, depth)
    description, examples = extra.get("description"), extra.get("examples")
    if description:
        return msg("{base} ({description})", base=base, description=description)
    if examples:
        return msg("{base}, e.g. {example}", base=base, example=", ".join(map(str, examples[:2])))
    return base


def _range(low: Any, high: Any) -> Msg | None:
    if low is not None and high is not None:
        return msg("from {low} to {high}", low=low, high=high)
    if low is not None:
        return msg("at least {low}", low=low)
    if high is not None:
        return msg("at most {high}", high=high)
    return None


def _describe_type(t: Any, depth: int) -> Msg:
    if isinstance(t, mi.StrType):
        if t.min_length is not None and t.max_length is not None:
            return msg("text of {low} to {high} characters", low=t.min_length, high=t.max_length)
        if t.max_length is not None:
            return msg("text of at most {high} characters", high=t.max_length)
        if t.min_length is not None:
            return msg("text of at least {low} characters", low=t.min_length)
        if t.pattern:
            return msg("text of the form {pattern}", pattern=t.pattern)
        return msg("text")
    if isinstance(t, mi.DecimalType):
        return msg("a number")
    if isinstance(t, (mi.IntType, mi.FloatType)):
        kind = msg("a whole number") if isinstance(t, mi.IntType) else msg("a number")
        bounds = _range(t.ge if t.ge is not None else (t.gt + 1 if isinstance(t.gt, int) else t.gt),
                        t.le if t.le is not None else (t.lt - 1 if isinstance(t.lt, int) else t.lt))
        return msg("{kind} {bounds}", kind=kind, bounds=bounds) if bounds else kind
    if isinstance(t, mi.BoolType):
        return msg("true or false")
    if isinstance(t, mi.DateType):
        return msg("a date YYYY-MM-DD that exists in the calendar")
    if isinstance(t, mi.DateTimeType):
        return msg("a timestamp with its UTC offset, e.g. 2026-12-03T09:00:00+07:00")
    if isinstance(t, mi.UUIDType):
        return msg("an id (UUID)")
    if isinstance(t, mi.EnumType):
        return msg("one of: {choices}", choices=", ".join(str(m.value) for m in t.cls))
    if isinstance(t, mi.LiteralType):
        return msg("one of: {choices}", choices=", ".join(map(str, t.values)))
    if isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        item = _describe(t.item_type, depth + 1) if depth < 2 else msg("values")
        low, high = t.min_length, t.max_length
        if low is not None and high is not None:
            return msg("a list of {low} to {high} entries, each {item}", low=low, high=high, item=item)
        if high is not None:
            return msg("a list of at most {high} entries, each {item}", high=high, item=item)
        if low:
            return msg("a list of at least {low} entries, each {item}", low=low, item=item)
        return msg("a list, each entry {item}", item=item)
    if isinstance(t, mi.DictType):
        return msg("an object")
    if isinstance(t, (mi.StructType, mi.DataclassType, mi.TypedDictType)):
        names = [f.encode_name for f in t.fields]
        return msg("an object with the fields {fields}", fields=", ".join(names))
    if isinstance(t, mi.UnionType):
        parts = [p for p in t.types if not isinstance(p, mi.NoneType)]
        described = joined([_describe(p, depth) for p in parts], " / ") if len(parts) != 1 else _describe(parts[0], depth)
        return msg("{what}, or null", what=described) if len(parts) != len(t.types) else described
    if isinstance(t, mi.NoneType):
        return msg("null")
    return msg("a value as documented in /schema")


def _path(raw: str | None) -> list[str | int]:
    parts: list[str | int] = []
    for m in _PATH_PART.finditer((raw or "$").removeprefix("$")):
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append(m.group(3).strip("'\""))
    return parts


def _field_name(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "body"


def _unwrap(t: Any) -> Any:
    while isinstance(t, mi.Metadata):
        t = t.type
    if isinstance(t, mi.UnionType):
        inner = [p for p in t.types if not isinstance(p, mi.NoneType)]
        if len(inner) == 1:
            return _unwrap(inner[0])
    return t


def _type_at(root: Any, parts: list[str | int]) -> Any:
    """The msgspec type of the value at ``parts`` in ``root`` (None when it cannot be followed)."""
    t: Any = root
    for p in parts:
        t = _unwrap(t)
        if isinstance(t, (mi.StructType, mi.DataclassType, mi.TypedDictType)) and isinstance(p, str):
            t = next((f.type for f in t.fields if f.encode_name == p), None)
        elif isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            t = t.item_type
        elif isinstance(t, mi.DictType):
            t = t.value_type
        else:
            return None
        if t is None:
            return None
    return t


def _value_at(body: bytes, parts: list[str | int]) -> Any:
    try:
        value: Any = msgspec.json.decode(body)
        for p in parts:
            value = value[p]
        return value
    except (msgspec.DecodeError, KeyError, IndexError, TypeError):
        return ...


def _shown(value: Any) -> str:
    text = msgspec.json.encode(value).decode() if value is not ... else "?"
    return text if len(text) <= 60 else text[:57] + "…"


_EXPECTED = re.compile(r"Expected `(?P<type>[a-z]+)`(?: of length (?P<lop>>=|<=) (?P<len>\d+))?(?: (?P<op>>=|<=|>|<) (?P<bound>[-0-9.]+))?")
_TYPES = {"str": mi.StrType, "int": mi.IntType, "float": mi.FloatType}


def accepted_from(message: str) -> Msg | None:
    """What a decoder's own message says is accepted ("Expected `int` <= 500"), when the schema is not at hand."""
    m = _EXPECTED.match(message)
    if m is None or m.group("type") not in _TYPES:
        return None
    kind, bound = m.group("type"), m.group("bound")
    number: Any = (int(bound) if kind == "int" else float(bound)) if bound else None
    op = m.group("op")
    length = int(m.group("len")) if m.group("len") else None
    if kind == "str":
        t: Any = mi.StrType(min_length=length if m.group("lop") == ">=" else None, max_length=length if m.group("lop") == "<=" else None)
    else:
        t = _TYPES[kind](ge=number if op == ">=" else None, le=number if op == "<=" else None,
                         gt=number if op == ">" else None, lt=number if op == "<" else None)
    return _describe(t)


def explain(message: str, field: str, value: Any, accepted: Msg | None, *, fields: list[str] | None = None) -> Msg:
    """A decoder's ``message`` about ``field`` (holding ``value``) as a sentence a clerk can act on."""
    accepts = accepted or accepted_from(message) or msg("a value as documented in /schema")
    shown = _shown(value)
    if m := re.match(r"Object missing required field `([^`]*)`", message):
        return msg("{field} is required: {accepted}.", field=field, accepted=accepts)
    if m := re.match(r"Object contains unknown field `([^`]*)`", message):
        if fields:
            return msg("{field} is not a field of this request; its fields are {fields}.", field=field, fields=", ".join(fields))
        return msg("{field} is not a field of this request; see /schema for its fields.", field=field)
    if m := re.match(r"Expected `([^`]*)`, got `([^`]*)`", message):
        got = _TYPE_WORDS.get(m.group(2), m.group(2))
        return msg("{field}: {got} was sent ({value}); it accepts {accepted}.", field=field, got=got, value=shown, accepted=accepts)
    if re.match(r"Expected `(str|array|object)` of length", message):
        length = len(value) if isinstance(value, (str, list, dict)) else None
        if ">=" in message and length is not None and length == 0:
            return msg("{field} is empty; it accepts {accepted}.", field=field, accepted=accepts)
        if ">=" in message:
            return msg("{field} is too short ({length}); it accepts {accepted}.", field=field, length=length, accepted=accepts)
        return msg("{field} is too long ({length}); it accepts {accepted}.", field=field, length=length, accepted=accepts)
    if re.match(r"Expected `(int|float|decimal|number)` (>=|>|<=|<)", message):
        return msg("{field}: {value} is out of range; it accepts {accepted}.", field=field, value=shown, accepted=accepts)
    if re.match(r"Expected `str` matching regex", message):
        return msg("{field}: {value} is not in the accepted form; it accepts {accepted}.", field=field, value=shown, accepted=accepts)
    if re.match(r"Invalid RFC3339 encoded (date|datetime|time)", message) or message.startswith("Invalid ISO"):
        return msg("{field}: {value} is not a date or time that exists; it accepts {accepted}.", field=field, value=shown,
                   accepted=accepts)
    if message.startswith("Invalid UUID"):
        return msg("{field}: {value} is not an id (UUID); it accepts {accepted}.", field=field, value=shown, accepted=accepts)
    if message.startswith("Invalid enum value") or message.startswith("Invalid value"):
        return msg("{field}: {value} is not one of the accepted values; it accepts {accepted}.", field=field, value=shown,
                   accepted=accepts)
    return msg("{field}: {value} is not accepted ({reason}); it accepts {accepted}.", field=field, value=shown,
               reason=message.replace("`", "'"), accepted=accepts)


def body_error(error: msgspec.ValidationError, body: bytes, body_type: Any) -> Invalid:
    """The 422 refusal of a JSON body that was read but does not fit the route's request schema."""
    m = _AT.match(str(error))
    message, raw_path = (m.group("message"), m.group("path")) if m else (str(error), None)
    parts = _path(raw_path)
    root = mi.type_info(body_type)
    if (missing := re.match(r"Object (?:missing required|contains unknown) field `([^`]*)`", message)) is not None:
        container = _unwrap(_type_at(root, parts))
        parts = [*parts, missing.group(1)]
        fields = [f.encode_name for f in container.fields] if isinstance(container, (mi.StructType, mi.DataclassType)) else None
    else:
        fields = None
    field = _field_name(parts)
    target = _type_at(root, parts)
    accepted = _describe(target) if target is not None else None
    value = _value_at(body, parts)
    return Invalid(explain(message, field, value, accepted, fields=fields), field=field, code=CODE)


def parameter_error(key: str, message: str, value: Any) -> Invalid:
    """The 422 refusal of a query or path parameter Litestar could not read as its declared type."""
    return Invalid(explain(message, key, value, None), field=key, code=CODE)


__all__ = ["CODE", "body_error", "explain", "parameter_error"]
