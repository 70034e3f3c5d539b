"""Keyset paging of long answers (issue 9, goal 3): the agency's JP ledger and the rows of Formulir 2.6.

A paged answer carries ``page``: ``limit``, the ``cursor`` it was read from (None: the first page), the
``next_cursor`` to send back as ``?cursor=`` for the following page (None: this was the last page) and
``next``, the path and query of that page. A cursor is an opaque position in the listing: the keyset of the
last item served (the ledger: the officer's name and NIP; the plan: the row's place in the log), bound to the
listing it came from (route, agency, year) and checked by a digest — a cursor that was altered, cut, or
comes from another listing is refused with 422 (``page.cursor_invalid``), never a 500 or a silent restart.
A cursor is a position, not a permission: each page is read with the caller's own access rules.

Paging by keyset (``WHERE key > cursor ORDER BY key LIMIT n``) serves every item exactly once across the
pages while nothing changes, whatever the page size; each page costs the same, the last as the first.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar.params import Parameter

from core.errors import Invalid
from core.i18n import msg

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
LIMIT_DOC = f"items a page holds (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})"
CURSOR_DOC = ("where the page starts: the `page.next_cursor` of the page before (absent: the first page). Opaque; an altered "
              "cursor or one from another listing is refused (422).")
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=LIMIT_DOC)]
Cursor = Annotated[str | None, Parameter(max_length=400, description=CURSOR_DOC)]
_TAG = b"pengkom-cursor:v1:"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(payload: bytes) -> str:
    return _b64(hashlib.sha256(_TAG + payload).digest()[:12])


def encode(listing: Sequence[Any], key: Sequence[Any]) -> str:
    """The cursor of the page after the item with ``key`` in ``listing`` (route, agency, year)."""
    payload = json.dumps([list(listing), list(key)], separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(payload)}.{_digest(payload)}"


def decode(raw: str | None, listing: Sequence[Any], types: Sequence[type]) -> list[Any] | None:
    """The keyset in cursor ``raw`` (None: the first page); 422 when it was altered or is another listing's."""
    if raw is None:
        return None
    body, _, digest = raw.partition(".")
    try:
        payload = _unb64(body)
        valid = bool(body) and digest == _digest(payload)
        shown, key = json.loads(payload) if valid else (None, None)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        valid, shown, key = False, None, None
    if valid and isinstance(key, list) and shown != list(listing):
        raise Invalid(msg("This cursor belongs to another listing (another route, agency or year); a cursor is only valid "
                          "for the listing that handed it out."), field="cursor", code="page.cursor_invalid")
    if not valid or not isinstance(key, list) or len(key) != len(types) or \
            not all(type(k) is t for k, t in zip(key, types, strict=True)):
        raise Invalid(msg("cursor {raw!r} is not a cursor this listing handed out (altered or cut). Start again without "
                          "cursor= and follow page.next_cursor.", raw=raw[:60]), field="cursor", code="page.cursor_invalid")
    return key


def page_info(path: str, query: dict[str, Any], limit: int, cursor: str | None, next_key: Sequence[Any] | None,
              listing: Sequence[Any]) -> dict[str, Any]:
    """The ``page`` block of an answer: where it started and how to ask for the next page."""
    nxt = encode(listing, next_key) if next_key is not None else None
    link = None
    if nxt is not None:
        params = {k: v for k, v in query.items() if v is not None} | {"limit": limit, "cursor": nxt}
        link = f"{path}?{urlencode(params)}"
    return {"limit": limit, "cursor": cursor, "next_cursor": nxt, "next": link}
