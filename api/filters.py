"""Search and list filters that say what they did: an unknown filter value is refused (422) with the
list of valid ones, never answered with a silently empty list; search hits say what they matched.

:func:`one_of` is the check every enumerated filter goes through; ``matched_on`` on a hit names the
fields the query matched (README "Everyday shortcuts").
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import Enum

from core import labels
from core.errors import Invalid
from core.i18n import msg


def one_of(value: str | None, valid: Iterable[str], field: str, *, also: Iterable[str] = (),
           enum: type[Enum] | None = None) -> str | None:
    """The code ``value`` names: itself if it is one of ``valid`` (or of ``also``, accepted but not listed), or — for an
    enumeration with Indonesian labels (``enum``) — the code of the label it spells ("Ahli Muda" → ``ahli_muda``, any
    case); None stays None. Otherwise 422 naming the field, listing the valid values and the closest ones."""
    if value is None:
        return None
    listed = sorted(set(valid))
    if value in listed or value in set(also):
        return value
    member = labels.resolve(enum, value) if enum is not None else None
    if member is not None and str(member.value) in listed:
        return str(member.value)
    def norm(text: str) -> str:  # "Ahli Pertama" is close to "ahli_pertama", "pns" to "PNS"
        return text.lower().replace(" ", "_").replace("-", "_")

    by_norm = {norm(v): v for v in listed}
    same = by_norm.get(norm(value))  # only the spelling differs: that one, not three look-alikes
    close = [same] if same else [by_norm[n] for n in difflib.get_close_matches(norm(value), list(by_norm), n=3, cutoff=0.6)]
    hint = msg(" Did you mean {close}?", close=", ".join(close)) if close else ""
    raise Invalid(msg("{field}={value!r} is not a known value, so nothing could match it.{hint} Valid values: {listed}.",
                      field=field, value=value, hint=hint, listed=', '.join(listed)),
                  field=field, code="filter.unknown_value", valid=listed)
