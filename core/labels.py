"""Enumerated fields accept their code *and* the Indonesian label a clerk knows.

An enumerated field (jenjang, predikat, SKP rating, funding source, PNS/PPPK, pathway, attendance …) is
recorded as its stable code (``ahli_pertama``, ``baik``, ``apbn``); a request may give the code in any
case or the label as the guideline prints it ("Ahli Pertama", "Baik", "APBN", "Hadir tidak full"), also
in any case and with any spacing. Labels with alternatives are accepted by each of them
("Seminar/Konferensi/Sarasehan" → ``seminar`` for "Konferensi"; "Kurang/Misconduct" → ``kurang``).
Readers return both: :func:`with_labels` adds ``<field>_label`` beside each enumerated field of a read.

Each enumeration registers its labels here (:func:`register`), next to where it is defined; this module
imports nothing of the domain.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

_LABELS: dict[type[Enum], Mapping[Any, str]] = {}
_INDEX: dict[type[Enum], dict[str, Enum]] = {}
_BY_CODE: dict[type[Enum], dict[str, str]] = {}
#: Response fields that hold a code of an enumeration: readers add ``<field>_label`` beside them.
_FIELDS: dict[str, type[Enum]] = {}
_SPACE = re.compile(r"[\s_]+")
#: Response fields holding a text recorded in English that a reader reads in their language.
_TEXTS = frozenset({"message", "basis", "source"})


def _key(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def register(enum: type[Enum], labels: Mapping[Any, str], *, fields: tuple[str, ...] = ()) -> None:
    """The Indonesian labels of ``enum``'s members; ``fields`` are the response fields holding its codes."""
    _LABELS[enum] = labels
    index: dict[str, Enum] = {}
    for member in enum:
        index.setdefault(_key(str(member.value)), member)
    for member, label in labels.items():
        member = enum(member)
        for variant in (label, *re.split(r"\s*/\s*", re.sub(r"\s*\(([^)]*)\)", r"/\1", label))):
            if variant.strip():
                index.setdefault(_key(variant), member)
    _INDEX[enum] = index
    _BY_CODE[enum] = {str(enum(member).value): text for member, text in labels.items()}
    for field in fields:
        _FIELDS[field] = enum


def resolve(enum: type[Enum], value: Any) -> Enum | None:
    """The member of ``enum`` that ``value`` names by its code (any case) or its label; None when none does."""
    try:
        return enum(value)
    except (ValueError, TypeError):
        pass
    if not isinstance(value, str):
        return None
    index = _INDEX.get(enum)
    if index is None:
        index = {_key(str(m.value)): m for m in enum}
    return index.get(_key(value))


def label(enum: type[Enum], code: Any) -> str | None:
    """The Indonesian label of a code (None when the enumeration has no labels or the code is unknown)."""
    by_code = _BY_CODE.get(enum)
    return None if by_code is None or not isinstance(code, str) else by_code.get(code)


def described(enum: type[Enum]) -> str:
    """``apbn (APBN), apbd (APBD), lainnya (Lainnya)``: the codes with their labels, for a refusal."""
    labels = _LABELS.get(enum, {})
    return ", ".join(f"{m.value} ({labels[m]})" if m in labels and labels[m] != m.value else str(m.value) for m in enum)


def registered() -> dict[type[Enum], Mapping[Any, str]]:
    """Every enumeration with labels (README "Language" lists them; a test checks each label resolves)."""
    return dict(_LABELS)


def with_labels(value: Any, message: Callable[[str], str] | None = None) -> Any:
    """``value`` (a JSON-like read) with ``<field>_label`` added beside every enumerated field it holds, and
    every ``message``, ``basis`` or ``source`` text (a finding's, a JP conversion's, a credit target's) and every
    message object (a ``str`` subclass: :class:`core.i18n.Msg`) passed through ``message`` (into the reader's
    language). A new document: the one given (possibly shared with a cache) is not changed."""
    if type(value) is list:
        return [_walk(v, message) for v in value]
    if type(value) is not dict:
        return value
    fields, texts = _FIELDS, _TEXTS
    out: dict[Any, Any] = {}
    for k, v in value.items():
        t = type(v)
        if t is str:
            out[k] = message(v) if message is not None and k in texts else v
            enum = fields.get(k)
            if enum is not None and f"{k}_label" not in value:
                text = label(enum, v)
                if text is not None:
                    out[f"{k}_label"] = text
        elif t is dict or t is list:
            out[k] = with_labels(v, message)
        elif v is None or t is int or t is bool or t is float:  # most values of a long read: nothing to add
            out[k] = v
        else:
            out[k] = _walk(v, message)
    return out


def _walk(v: Any, message: Callable[[str], str] | None) -> Any:
    t = type(v)
    if t is dict or t is list:
        return with_labels(v, message)
    if message is not None and t is not str and isinstance(v, str):  # a message object
        return message(v)
    return v


__all__ = ["described", "label", "register", "registered", "resolve", "with_labels"]
