"""Reading read models now or as of a past moment, stamped with the chain head they were computed from.

``as_of`` has one meaning on every route: *the record as it stood at a moment of the log*. It is
a log position (an integer), an ISO 8601 timestamp with a UTC offset, or a bare calendar date
``YYYY-MM-DD``, which means the end of that day in Asia/Jakarta (WIB, UTC+07:00) — the log as it
stood when that day ended; for today, the log as it stands now. A moment resolves to the log as it
stood then: every event before the first one recorded after it. Before the first event, in the
future, beyond the log's end or unparseable: a 422 problem that says so.

The day a rule is judged at (monitoring findings, deadlines) is not a moment of the log: routes
that take one call it ``today=YYYY-MM-DD`` (:data:`REFERENCE_DATE_DOC`); where ``as_of`` once meant
that day, :func:`refuse_renamed` answers 422 naming ``today``.

Every response built with :func:`respond` carries the chain head (position, digest and the
deployment's Ed25519 signature, :mod:`api.heads`) in its body (``chain_head``) and in the
``X-Pengkom-Chain-Head: POSITION:DIGEST:SIGNATURE`` header; a recipient who keeps it can later have
it checked with ``pengkom verify --chain --expect POSITION:DIGEST:SIGNATURE``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar
from uuid import UUID

from litestar import Response

from api.bootstrap import Services
from api.heads import SignedHead, sign
from core.errors import Invalid
from core.i18n import N_, msg
from projections.asof import build_as_of
from projections.audit import position_at, recorded_at
from projections.chain import ChainHead, chain_head
from projections.log import EventLog
from projections.store import ViewStore

T = TypeVar("T")
CHAIN_HEADER = "X-Pengkom-Chain-Head"
_INT = re.compile(r"^[+-]?\d{1,19}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A bare date in ``as_of`` is a day in Jakarta (WIB, no daylight saving time).
WIB = timezone(timedelta(hours=7), "WIB")
#: Clocks of API servers and callers differ a little; a moment this far ahead is still "now".
_SKEW = timedelta(seconds=5)
AS_OF_DOC = ("Read as the record stood at a past moment of the log: a log position (integer), an ISO 8601 timestamp "
             "with a UTC offset, or a date YYYY-MM-DD (the end of that day in Asia/Jakarta, WIB; today: now).")
REFERENCE_DATE_DOC = ("The day the rules are judged at (YYYY-MM-DD; default today, UTC). Not a moment of the log: "
                      "to read the record as it stood at a past moment, use as_of where a route offers it.")
_HINT = N_("Give a log position (e.g. as_of=1200), a timestamp with a UTC offset (e.g. as_of=2026-03-01T17:00:00+07:00) "
           "or a date (e.g. as_of=2026-03-01: the end of that day in Jakarta).")


@dataclass(frozen=True)
class Point:
    """A past moment of the log: the position read, what the caller asked for, and when the last
    event at or before the position was recorded."""

    position: int
    requested: str
    recorded_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "requested": self.requested, "last_event_recorded_at": self.recorded_at}


def parse_moment(text: str, *, dates: bool = False, field: str = "as_of", day_start: bool = False) -> datetime:
    """The moment ``text`` names. With ``dates``, a bare date is a day in Jakarta (WIB): its end, or
    its start with ``day_start`` (the ``from`` of a range). ``field`` names the parameter in refusals."""
    hint: Any
    if field == "as_of":
        hint, what = _HINT, N_("neither a log position nor an ISO 8601 timestamp")
    elif dates:
        hint = msg("Give a timestamp with a UTC offset (e.g. {field}=2026-03-01T17:00:00+07:00) or a date (e.g. "
                   "{field}=2026-03-01: that day in Jakarta).", field=field)
        what = N_("not an ISO 8601 timestamp or date")
    else:
        hint = msg("Give a timestamp with a UTC offset (e.g. {field}=2026-03-01T17:00:00+07:00).", field=field)
        what = N_("not an ISO 8601 timestamp")
    if dates and _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Invalid(msg("{field} {text!r} is not a date of the calendar. {hint}", field=field, text=text, hint=hint), field=field) from None
        return datetime.combine(day, time.min if day_start else time.max, WIB)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(msg("{field} {text!r} is {what}. {hint}", field=field, text=text, what=what, hint=hint), field=field) from None
    if moment.tzinfo is None:
        raise Invalid(msg("{field} {text!r} has no UTC offset, so it could be any of several moments. {hint}",
                          field=field, text=text, hint=hint), field=field)
    return moment


def resolve(services: Services, raw: str, store: ViewStore) -> Point:
    """The log position ``raw`` names; Invalid (422) when it names no moment of the log."""
    text = raw.strip()
    log = EventLog(services.app)
    head = log.head()
    if head == 0:
        raise Invalid("Nothing has been recorded yet, so there is no past state to read.", field="as_of")
    first = log.first()
    if _INT.match(text):
        position = int(text)
        if position < first:
            raise Invalid(msg("as_of position {position} is before the first event (position {first}); nothing existed then.",
                              position=position, first=first), field="as_of")
        if position > head:
            raise Invalid(msg("as_of position {position} is beyond the end of the log (the last event is at position {head}).",
                              position=position, head=head), field="as_of")
    else:
        moment = parse_moment(text, dates=True)
        now = datetime.now(UTC)
        if _DATE.match(text) and moment.date() == now.astimezone(WIB).date():
            moment = now  # today, in Jakarta: the log as it stands now
        if moment > now + _SKEW:
            raise Invalid(msg("as_of {text} is in the future (it is now {now}); the past can be read, the future not yet.",
                              text=text, now=now.isoformat(timespec='seconds')), field="as_of")
        services.projector.require_current("audit", store=store)
        position, first_position, first_at = position_at(store, moment)
        if position < max(first_position, 1):
            raise Invalid(msg("as_of {text} is before the first event (recorded at {first_at}); nothing existed then.",
                              text=text, first_at=first_at), field="as_of")
    return Point(position, text, recorded_at(store, position))


def refuse_renamed(request: Any, old: str = "as_of", new: str = "today") -> None:
    """422 when the caller names the day rules are judged at with ``as_of`` (its old name on this route)."""
    value = request.query_params.get(old)
    if value is not None:
        raise Invalid(msg("This route takes the day its rules are judged at as {new}=YYYY-MM-DD (e.g. {new}={value}), not "
                          "{old}=: in pengkom {old} always means a moment of the log (a position or a timestamp), and this "
                          "route reads the record as it stands now.", new=new, value=value, old=old), field=old, code="query.renamed", use=new)


def read_model(services: Services, names: Sequence[str], query: Callable[[ViewStore], T], *, as_of: str | None = None,
               aggregate_ids: Iterable[UUID] | None = None) -> tuple[T, Point | None, SignedHead | None]:
    """Run ``query`` on the named read models — live, or rebuilt as of ``as_of`` — with the chain head
    of the log position the answer was computed from.

    Live: one snapshot for the rows and the head; 503 while a named read model is being rebuilt.
    As of: the read models are rebuilt from the log up to that position in memory (only from
    ``aggregate_ids``' events when given), so the answer is the same every time it is asked.
    """
    with services.views.snapshot() as snap:
        if as_of is None:
            position = services.projector.require_current(*names, store=snap)
            return query(snap), None, sign(services.settings, chain_head(snap, upto=position))
        point = resolve(services, as_of, snap)
        head = chain_head(snap, upto=point.position)
    past = build_as_of(services.app, names, point.position, aggregate_ids=aggregate_ids)
    try:
        return query(past), point, sign(services.settings, head)
    finally:
        past.close()


def stamp(body: dict[str, Any], point: Point | None, head: SignedHead | ChainHead | None) -> dict[str, str]:
    """Add ``chain_head`` (and ``as_of``) to a response body; return the headers to send with it."""
    body["chain_head"] = head.as_dict() if head else None
    if point is not None:
        body["as_of"] = point.as_dict()
    if head is None:
        return {}
    # An unsigned ChainHead (a caller that did not sign it) is still stamped, as POSITION:DIGEST.
    return {CHAIN_HEADER: head.header if isinstance(head, SignedHead) else f"{head.position}:{head.digest}"}


def respond(body: dict[str, Any], point: Point | None, head: SignedHead | ChainHead | None, *, status: int = 200,
            headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(body, status_code=status, headers={**(headers or {}), **stamp(body, point, head)})
