"""Messages in the reader's language: Bahasa Indonesia by default, English on ``Accept-Language: en``.

Every message a person reads is written once in the code, in English, as a gettext message id with
named placeholders, and translated through the standard gettext catalogue
``core/locale/id/LC_MESSAGES/pengkom.po`` (compiled to the ``.mo`` beside it, committed, read with
Python's stdlib :mod:`gettext`; ``make messages`` re-extracts and recompiles, see
:mod:`core.i18n_tools`). ``tests/core/test_translations.py`` fails when a message used in the code has
no Indonesian translation, or when a translation does not use the same placeholders.

:func:`msg` makes a :class:`Msg`: a ``str`` that *is* the English text (so logs, ``str(exc)`` and
every English caller keep working) and also carries its message id and parameters, so
:func:`translate` renders it again in another language at the edge (problem+json, findings, reports).
A plain ``str`` is translated when it is itself a message id (a constant message); anything else
(a name, an NIP, a title a clerk typed) is shown as it is.

Codes never change with the language: only ``title``, ``detail`` and the texts people read do.
"""
from __future__ import annotations

import gettext
import re
import string
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

#: The languages pengkom answers in; the first is the default.
LANGUAGES = ("id", "en")
DEFAULT = "id"
#: The source language of the message ids.
SOURCE = "en"
DOMAIN = "pengkom"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_TAG = re.compile(r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


class Msg(str):
    """A translatable message: the English text, with its message id and parameters."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, msgid.format(**params))
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> Any:
        return (_rebuild, (self.msgid, self.params))

    def __deepcopy__(self, memo: dict[int, Any]) -> Msg:
        return self


def _rebuild(msgid: str, params: dict[str, Any]) -> Msg:
    return Msg(msgid, **params)


def msg(msgid: str, /, **params: Any) -> Msg:
    """A message to be read by a person: ``msg("NIP {nip} has {n} digits; an NIP has 18.", nip=..., n=...)``.

    The message id is English with ``{name}`` placeholders (str.format syntax); it must be a literal
    string so that the catalogue test and ``make messages`` find it."""
    return Msg(msgid, **params)


def N_(msgid: str) -> Msg:
    """A constant message (a fragment other messages use as a parameter, a label): marked for the catalogue."""
    return Msg(msgid)


class Joined(Msg):
    """Several messages read as one (``"A. B."``), each translated on its own."""

    parts: tuple[Any, ...]
    sep: str

    def __new__(cls, parts: Any, sep: str = " ") -> Joined:
        parts = tuple(parts)
        self = str.__new__(cls, sep.join(str(p) for p in parts))
        self.msgid, self.params, self.parts, self.sep = "", {}, parts, sep
        return self

    def __reduce__(self) -> Any:
        return (Joined, (self.parts, self.sep))


def joined(parts: Any, sep: str = " ") -> Joined:
    return Joined(parts, sep)


class Recorded(Msg):
    """A message that was recorded as English text (a finding in an event): translated by :func:`reverse`."""

    def __new__(cls, text: str) -> Recorded:
        self = str.__new__(cls, text)
        self.msgid, self.params = str(text), {}
        return self

    def __reduce__(self) -> Any:
        return (Recorded, (self.msgid,))


class FieldName(Msg):
    """A request field as a message names it: ``Funding source`` in English, the field's own key
    (``funding_source``, as in the JSON and in ``field``) in other languages."""

    def __new__(cls, field: str) -> FieldName:
        self = str.__new__(cls, field.replace("_", " ").capitalize())
        self.msgid, self.params = field, {}
        return self

    def __reduce__(self) -> Any:
        return (FieldName, (self.msgid,))


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the message ids themselves)."""
    if language == SOURCE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def translate(text: Any, language: str = DEFAULT) -> Any:
    """``text`` in ``language``: a :class:`Msg` rendered from its translated id, a constant message id
    translated, anything else unchanged."""
    if isinstance(text, Joined):
        return text.sep.join(str(translate(p, language)) for p in text.parts)
    if isinstance(text, Recorded):
        return reverse(text.msgid, language)
    if isinstance(text, FieldName):
        return str(text) if language == SOURCE else text.msgid
    if isinstance(text, Msg):
        template = catalogue(language).gettext(text.msgid)
        params = {k: translate(v, language) if isinstance(v, Msg) else v for k, v in text.params.items()}
        if language == SOURCE:
            return text.msgid.format(**params)
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation never hides the message
            return text.msgid.format(**params)
    if isinstance(text, str) and language != SOURCE and text:
        return catalogue(language).gettext(text)
    return text


def negotiate(accept_language: str | None) -> str:
    """The language to answer in from an ``Accept-Language`` header (RFC 9110): the acceptable language
    of highest weight that pengkom speaks; Bahasa Indonesia when none (or no header)."""
    if not accept_language:
        return DEFAULT
    best, best_q = DEFAULT, 0.0
    for part in accept_language.split(",")[:20]:
        m = _TAG.fullmatch(part)
        if not m:
            continue
        tag, q = m.group(1).lower(), m.group(2)
        try:
            weight = float(q) if q is not None else 1.0
        except ValueError:
            continue
        primary = tag.split("-")[0]
        if primary == "in":  # the old code of Indonesian
            primary = "id"
        if primary == "*":
            primary = DEFAULT
        if primary in LANGUAGES and weight > best_q:
            best, best_q = primary, weight
    return best


#: The language of the request being answered (set by the API's middleware for the request's task).
CURRENT: ContextVar[str] = ContextVar("pengkom_language", default=DEFAULT)
#: A recorded text is matched only against message ids with at least this many fixed characters.
_MIN_LITERAL = 15
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(![rsa])?(:[^{}]*)?\}")


@cache
def _patterns(language: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """Every message id with placeholders as a pattern matching its English text, most specific first."""
    out = []
    for msgid, translated in getattr(catalogue(language), "_catalog", {}).items():
        if not isinstance(msgid, str) or "{" not in msgid or not translated:
            continue
        regex, seen, literal, longest = "", set(), 0, ""
        for text, name, _spec, _conv in string.Formatter().parse(msgid):
            regex += re.escape(text)
            literal += len(text)
            longest = max(longest, text, key=len)
            if name is None:
                continue
            regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
            seen.add(name)
        if literal < _MIN_LITERAL:  # "{a} {b}" would match any text: only messages with enough fixed words are matched
            continue
        try:
            pattern = re.compile(regex, re.S)
        except re.error:
            continue
        out.append((longest, pattern, _FIELD.sub(lambda m: "{" + m.group(1) + "}", translated), literal))
    out.sort(key=lambda p: -p[3])
    return tuple((k, p, t) for k, p, t, _ in out)


def reverse(text: str, language: str = DEFAULT, *, depth: int = 0) -> str:
    """A message recorded as English text (a finding kept in an event, a read model's note) in ``language``:
    found by matching the text against the catalogue's message ids; unchanged when none matches."""
    if language == SOURCE or not text:
        return text
    if depth == 0:
        out = _reversed(str(text), language)
        return text if out == text else out
    return _reverse(text, language, depth)


@lru_cache(maxsize=16384)
def _reversed(text: str, language: str) -> str:
    # A read shows the same recorded messages again and again (a plan's findings on every read of it): matching
    # one against the catalogue's patterns costs far more than looking it up (the catalogue does not change).
    return _reverse(text, language, 0)


def _reverse(text: str, language: str, depth: int) -> str:
    cat = catalogue(language)
    exact = cat.gettext(text)
    if exact != text or depth > 1:
        return exact
    for key, pattern, template in _patterns(language):
        if key not in text:  # the message's longest fixed part: most messages are ruled out without a regex
            continue
        m = pattern.fullmatch(text)
        if m is None:
            continue
        values = {k: reverse(v, language, depth=depth + 1) for k, v in m.groupdict().items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def readable(text: str, language: str = DEFAULT) -> str:
    """A text of a read in ``language``: a message object translated, a recorded English message reversed."""
    return str(translate(text, language)) if isinstance(text, Msg) else reverse(text, language)


def plain(value: Any, language: str = DEFAULT) -> Any:
    """``value`` with every message in it translated into plain ``str`` (for a JSON body)."""
    if isinstance(value, str):
        return str(translate(value, language)) if isinstance(value, Msg) else value
    if isinstance(value, dict):
        return {k: plain(v, language) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, language) for v in value]
    return value


__all__ = ["CURRENT", "DEFAULT", "LANGUAGES", "FieldName", "Joined", "Msg", "N_", "Recorded", "catalogue", "joined", "msg",
           "negotiate", "plain", "readable", "reverse", "translate"]
