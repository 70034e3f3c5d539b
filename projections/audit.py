"""The audit trail: one row per recorded event — who did what, in which role, on whose behalf,
recorded when and effective when — for every event class, present and future (every event
carries ``meta``), plus the agency each aggregate belongs to so reads can be limited to it."""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from core.mapper import EventId
from projections.base import Projection
from projections.store import Tx, ViewStore

_SKIP = frozenset({"originator_id", "originator_version", "timestamp", "meta", "originator_topic"})
_SUMMARY_MAX = 300


#: msgspec's C conversion of a datetime, date or UUID to its text: RFC 3339 (``…T…Z`` for UTC, the
#: microseconds only when not zero), ISO date, hyphenated lower-case hex — 5-7 times cheaper than
#: ``isoformat``/``str`` (timed over the 1 M-event benchmark log's values).
_builtins = msgspec.to_builtins


def utc_text(moment: datetime) -> str:
    """A fixed-width UTC timestamp: text comparison is time order (SQLite and PostgreSQL alike)."""
    if moment.__class__ is datetime and moment.tzinfo is UTC:  # as decoded from the log: the fast way
        # ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` -> always the microseconds, as strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        # gives it (a year before 1000, which msgspec pads and strftime does not, goes the slow way).
        text = _builtins(moment)
        if text[0] != "0":
            return text if len(text) == 27 else text[:19] + ".000000Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.utcoffset():
        moment = moment.astimezone(UTC)
    if moment.year < 1000:  # pragma: no cover - strftime does not pad the year
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def date_text(day: date) -> str:
    """``day.isoformat()``."""
    return _builtins(day) if day.__class__ is date else day.isoformat()


def _uuid_str(v: Any) -> str:
    """``str(v)`` of a UUID field's value."""
    return _builtins(v) if v.__class__ is UUID else str(v)


def _date_str(v: Any) -> str:
    """``str(v)`` of a date field's value."""
    return _builtins(v) if v.__class__ is date else str(v)


def _scalar(v: Any) -> str | None:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (str, int, Decimal, date, UUID)):
        text = str(v)
        return text if len(text) <= 60 else text[:57] + "…"
    if isinstance(v, dict) and v:
        return "{" + ", ".join(sorted(map(str, v))) + "}"
    return None


def _text(v: Any) -> str | None:
    """A field's value as the summary shows it (None: not shown)."""
    t = type(v)
    if t is str:
        return v if len(v) <= 60 else v[:57] + "…"
    if v is None:
        return None
    if t is int:
        text = str(v)
        return text if len(text) <= 60 else text[:57] + "…"
    return _scalar(v)


_SKIP_REASON = _SKIP | {"reason"}


def summary(event: Any) -> str:
    """``EventName: reason=…, field=…`` — the reason first, then the event's plain fields."""
    cls = type(event)
    data = vars(event)
    compiled = _SUMMARIES.get(cls, ...)
    if compiled is ...:
        compiled = _SUMMARIES[cls] = _compile(cls)
    if compiled is not None and tuple(data) == compiled[0]:
        return compiled[1](data)
    return generic_summary(event)


def generic_summary(event: Any) -> str:
    """:func:`summary` by the rule itself, for any event (what each class's compiled summary must equal)."""
    data = vars(event)
    parts = []
    reason = data.get("reason")
    if isinstance(reason, str):
        parts.append(f"reason={_scalar(reason)}")
    skip = _SKIP_REASON
    for k, v in data.items():
        if k in skip:
            continue
        text = _text(v)
        if text is not None:
            parts.append(f"{k}={text}")
    out = type(event).__name__ + (": " + ", ".join(parts) if parts else "")
    return out if len(out) <= _SUMMARY_MAX else out[: _SUMMARY_MAX - 1] + "…"


#: event class -> (the order of its decoded fields, a function giving its summary), or None.
_SUMMARIES: dict[type, tuple[tuple[str, ...], Callable[[dict[str, Any]], str]] | None] = {}

#: How a field's value is shown, by its annotation: text, number, yes/no, str() of the value (UUID and
#: date: their msgspec text, the same), never (tuples, lists, records — the generic rule shows none of
#: them), or the generic rule.
_MODES: dict[Any, str] = {str: "s", int: "i", bool: "b", Decimal: "x", date: "d", datetime: "x", UUID: "u"}


def _mode(annotation: Any) -> tuple[str, bool]:
    """(mode, may be None) of a field annotated ``annotation``."""
    args = typing.get_args(annotation)
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return "g", True
        annotation, optional = rest[0], True
    mode = _MODES.get(annotation)
    if mode is not None:
        return mode, optional
    origin = typing.get_origin(annotation) or annotation
    if origin in (tuple, list) or dataclasses.is_dataclass(origin):
        return "n", optional
    return "g", True


def _compile(cls: type) -> tuple[tuple[str, ...], Callable[[dict[str, Any]], str]] | None:
    """The summary of one event class as straight-line code over its fields, in the order the mapper
    decodes them (the class's fields, then ``originator_id`` and ``originator_version``): per field what
    the generic rule would do for a value of its annotated type (the mapper decodes by the annotations),
    the shown ones joined by one f-string (a list and ``", ".join`` cost a third more per event)."""
    try:
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]
    except Exception:  # not a dataclass, or annotations that do not resolve: the generic rule
        return None
    order = (*(n for n in names if n not in ("originator_id", "originator_version")), "originator_id", "originator_version")
    code = ["def summary(d):"]
    trunc = "    if len(v) > 60: v = v[:57] + '\u2026'"
    # The shown fields in order, each either always shown (the f-string writes ``, name=`` and its
    # variable) or maybe (its variable holds ``, name=…`` or "").
    pieces: list[tuple[bool, str, str]] = []
    if "reason" in hints:
        code += ["    v = d['reason']", "    if isinstance(v, str):", "        if len(v) > 60: v = v[:57] + '\u2026'",
                 "        r = ', reason=' + v", "    else:", "        r = ''"]
        pieces.append((False, "reason", "r"))
    for i, k in enumerate(names):
        if k in _SKIP_REASON:
            continue
        mode, optional = _mode(hints[k])
        if mode == "n":
            continue
        var = f"f{i}"
        code.append(f"    v = d[{k!r}]")
        body = {
            "s": [trunc],
            "i": ["    v = str(v)", trunc],
            "b": ["    v = 'yes' if v else 'no'"],
            "x": ["    v = str(v)", trunc],
            "u": ["    v = uuid_str(v)", trunc],
            "d": ["    v = date_str(v)", trunc],
            "g": ["    v = text(v)"],
        }[mode]
        if mode == "g":  # text() gives None for what is not shown
            code += body + ["    if v is None:", f"        {var} = ''", "    else:", f"        {var} = {', ' + k + '='!r} + v"]
            pieces.append((False, k, var))
        elif optional:
            code += ["    if v is None:", f"        {var} = ''", "    else:"] + [f"    {line}" for line in body]
            code.append(f"        {var} = {', ' + k + '='!r} + v")
            pieces.append((False, k, var))
        else:
            code += body + [f"    {var} = v"]
            pieces.append((True, k, var))
    if not pieces:
        code.append("    out = name")
    elif pieces[0][0]:  # the first shown field always is: no leading ", " to cut
        first, rest = pieces[0], pieces[1:]
        code.append("    out = f'{name}: " + first[1] + "={" + first[2] + "}"
                    + "".join(f", {k}={{{var}}}" if always else f"{{{var}}}" for always, k, var in rest) + "'")
    else:
        code.append("    body = f'" + "".join(f", {k}={{{var}}}" if always else f"{{{var}}}" for always, k, var in pieces) + "'")
        code.append("    out = name + ': ' + body[2:] if body else name")
    code += [f"    return out if len(out) <= {_SUMMARY_MAX} else out[:{_SUMMARY_MAX - 1}] + '\u2026'"]
    scope: dict[str, Any] = {"text": _text, "uuid_str": _uuid_str, "date_str": _date_str, "name": cls.__name__}
    exec("\n".join(code), scope)  # generated from the class's own field names and annotations
    return order, scope["summary"]


_INSERT_EVENT = (
    "INSERT INTO audit_events (position, aggregate_id, aggregate_version, aggregate_type, event_type, event_name, agency, "
    "actor_subject, actor_name, role, actor_agency, actor_unit, on_behalf_of, request_id, recorded_at, effective_date, summary) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class AuditTrail(Projection):
    name = "audit"
    # 2: aggregate_id and on_behalf_of of audit_events in byte order (COLLATE BINARY, "C" in PostgreSQL).
    version = 2
    every_event = True
    tables = {
        "audit_events": (
            "position BIGINT PRIMARY KEY, aggregate_id TEXT COLLATE BINARY NOT NULL, aggregate_version BIGINT NOT NULL, "
            "aggregate_type TEXT NOT NULL, event_type TEXT NOT NULL, event_name TEXT NOT NULL, "
            "agency TEXT, actor_subject TEXT NOT NULL, actor_name TEXT NOT NULL, role TEXT NOT NULL, "
            "actor_agency TEXT, actor_unit TEXT, on_behalf_of TEXT COLLATE BINARY, request_id TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL, effective_date TEXT NOT NULL, summary TEXT NOT NULL"
        ),
        "audit_aggregates": "aggregate_id TEXT PRIMARY KEY, aggregate_type TEXT NOT NULL, agency TEXT",
    }
    # aggregate_id and on_behalf_of are only ever compared for equality (the same rows under any collation):
    # in byte order their indexes build faster in PostgreSQL — over the 1 M-event benchmark log's rows,
    # 2.9-4.0 -> 1.6-1.9 server CPU-s for audit_events_aggregate_idx, 2.6-2.9 -> 1.5-1.7 for audit_events_behalf_idx
    # (database collation C.UTF-8, two builds each). The other text columns gained less than the noise
    # (actor_subject, agency) or are compared by range (recorded_at): left as they were.
    indexes = (
        "CREATE INDEX IF NOT EXISTS audit_events_aggregate_idx ON audit_events (aggregate_id, position)",
        "CREATE INDEX IF NOT EXISTS audit_events_agency_idx ON audit_events (agency, position)",
        "CREATE INDEX IF NOT EXISTS audit_events_recorded_idx ON audit_events (recorded_at)",
        "CREATE INDEX IF NOT EXISTS audit_events_actor_idx ON audit_events (actor_subject, position)",
        "CREATE INDEX IF NOT EXISTS audit_events_behalf_idx ON audit_events (on_behalf_of, position)",
    )

    handler_indexes = ()  # the handlers read audit_aggregates by primary key only
    streamed = ("audit_events",)  # one INSERT per event, never read back by the handlers

    def __init__(self) -> None:
        super().__init__()
        # aggregate id -> agency: facts of the log, so the cache can only be missing, never wrong.
        self._agency: dict[str, str | None] = {}
        # event class -> (aggregate type, event type, event name)
        self._names: dict[type, tuple[str, str, str, tuple[str, ...] | None, Callable[[dict[str, Any]], str] | None]] = {}
        # audit_aggregates rows of the aggregates first seen in this batch, written together in
        # :meth:`end` (an INSERT among the audit_events ones would split their batched run). Only
        # an aggregate absent from ``_agency`` is ever read back, and every pending one is in it.
        self._new_aggregates: list[tuple[str, str, str | None]] = []

    def begin(self, tx: Tx) -> None:
        # Rows still pending: the previous batch failed before ``end`` and was rolled back, so its
        # new aggregates are not in the table — forget them, their creating events come again.
        for aggregate_id, _, _ in self._new_aggregates:
            self._agency.pop(aggregate_id, None)
        self._new_aggregates.clear()

    def end(self, tx: Tx) -> None:
        if self._new_aggregates:
            rows, self._new_aggregates = self._new_aggregates, []
            tx.executemany("INSERT INTO audit_aggregates (aggregate_id, aggregate_type, agency) VALUES (?, ?, ?)", rows)

    def forget(self) -> None:
        self._agency.clear()
        self._new_aggregates.clear()

    def create(self, tx: Tx, *, indexes: tuple[str, ...] | None = None) -> None:
        self._agency.clear()
        super().create(tx, indexes=indexes)

    def _agency_of(self, tx: Tx, event: Any, aggregate_id: str, aggregate_type: str) -> str | None:
        # The agency a record belongs to: stated by the event that created it (``agency`` field),
        # else the agency of the actor who created it. A national role acting on an agency's
        # record later does not move the record out of its agency.
        known = self._agency.get(aggregate_id, ...)
        if known is ...:
            row = None
            if event.originator_version > 1:
                row = tx.fetchone("SELECT agency FROM audit_aggregates WHERE aggregate_id = ?", (aggregate_id,))
            if row is not None:
                known = row["agency"]
            else:
                own = getattr(event, "agency", None)
                known = own if isinstance(own, str) else event.meta.agency
                self._new_aggregates.append((aggregate_id, aggregate_type, known))
            self._agency[aggregate_id] = known
        return known

    def _learn(self, cls: type) -> tuple[str, str, str, tuple[str, ...] | None, Callable[[dict[str, Any]], str] | None]:
        compiled = _SUMMARIES.get(cls, ...)
        if compiled is ...:
            compiled = _SUMMARIES[cls] = _compile(cls)
        order, fast = compiled if compiled is not None else (None, None)
        known = self._names[cls] = (cls.__qualname__.split(".")[0], getattr(cls, "TOPIC", cls.__qualname__), cls.__name__,
                                    order, fast)
        return known

    def on_any_event(self, tx: Tx, e: Any, position: int) -> None:
        m = e.meta
        d = e.__dict__
        cls = e.__class__
        known = self._names.get(cls)
        if known is None:
            known = self._learn(cls)
        aggregate_type, event_type, event_name, order, fast = known
        oid = e.originator_id
        aggregate_id = oid._text if oid.__class__ is EventId else str(oid)
        agency = self._agency.get(aggregate_id, ...)
        if agency is ...:
            agency = self._agency_of(tx, e, aggregate_id, aggregate_type)
        tx.execute(
            _INSERT_EVENT,
            (position, aggregate_id, e.originator_version, aggregate_type, event_type, event_name,
             agency, m.subject, m.subject_name, m.role, m.agency, m.unit, m.on_behalf_of, m.request_id,
             utc_text(m.recorded_at), date_text(m.effective_date),
             fast(d) if order is not None and tuple(d) == order else generic_summary(e)),  # type: ignore[misc]
        )


# -- queries ----------------------------------------------------------------------------------------

_COLUMNS = ("position, aggregate_id, aggregate_version, aggregate_type, event_type, agency, actor_subject, actor_name, role, "
            "actor_agency, actor_unit, on_behalf_of, request_id, recorded_at, effective_date, summary")


def aggregate_agency(store: ViewStore, aggregate_id: str) -> tuple[bool, str | None]:
    """(known, agency) of one aggregate."""
    row = store.fetchone("SELECT agency FROM audit_aggregates WHERE aggregate_id = ?", (aggregate_id,))
    return (row is not None, row["agency"] if row else None)


def event_types() -> tuple[list[str], list[str]]:
    """(names, topics) of every event class of a pengkom aggregate loaded in this process — what the
    audit trail's ``event_type`` filter accepts (a class that only other events derive from is none)."""
    from core.events import PengkomAggregate

    seen: set[type] = set()
    todo: list[type] = [PengkomAggregate.Event]
    while todo:
        cls = todo.pop()
        subs: list[type] = cls.__subclasses__()
        for sub in subs:
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    leaves = [c for c in seen if not any(issubclass(o, c) and o is not c for o in seen)]
    return sorted({c.__name__ for c in leaves}), sorted({getattr(c, "TOPIC", c.__qualname__) for c in leaves})


def search_audit(store: ViewStore, *, agency: str | None = None, all_agencies: bool = False, aggregate_id: str | None = None,
                 actor: str | None = None, event_type: str | None = None, on_behalf_of: str | None = None,
                 recorded_from: datetime | None = None, recorded_to: datetime | None = None,
                 upto: int | None = None, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Audit entries, oldest first. ``agency`` limits to one agency unless ``all_agencies``."""
    where: list[str] = []
    params: list[Any] = []
    if not all_agencies:
        where.append("agency = ?")
        params.append(agency)
    elif agency is not None:
        where.append("agency = ?")
        params.append(agency)
    if aggregate_id is not None:
        where.append("aggregate_id = ?")
        params.append(aggregate_id)
    if actor is not None:
        where.append("actor_subject = ?")
        params.append(actor)
    if event_type is not None:
        where.append("(event_type = ? OR event_name = ?)")
        params += [event_type, event_type]
    if on_behalf_of is not None:
        where.append("on_behalf_of = ?")
        params.append(on_behalf_of)
    if recorded_from is not None:
        where.append("recorded_at >= ?")
        params.append(utc_text(recorded_from))
    if recorded_to is not None:
        where.append("recorded_at <= ?")
        params.append(utc_text(recorded_to))
    if upto is not None:
        where.append("position <= ?")
        params.append(upto)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.fetchall(f"SELECT {_COLUMNS} FROM audit_events{clause} ORDER BY position LIMIT ? OFFSET ?", (*params, limit, offset))
    total = store.fetchall(f"SELECT COUNT(*) AS n FROM audit_events{clause}", params)[0]["n"]
    items = []
    for r in rows:
        items.append({
            "position": int(r["position"]),
            "aggregate": {"id": r["aggregate_id"], "type": r["aggregate_type"], "version": int(r["aggregate_version"]), "agency": r["agency"]},
            "event_type": r["event_type"],
            "actor": {"subject": r["actor_subject"], "name": r["actor_name"], "role": r["role"],
                      "agency": r["actor_agency"], "unit": r["actor_unit"]},
            "on_behalf_of": r["on_behalf_of"],
            "request_id": r["request_id"],
            "recorded_at": r["recorded_at"],
            "effective_date": r["effective_date"],
            "summary": r["summary"],
        })
    return items, int(total)


def position_at(store: ViewStore, moment: datetime) -> tuple[int, int, str | None]:
    """(position, first position, first recorded_at) for the log as it stood at ``moment``.

    The log is in commit order; the state at a moment is every event before the first one
    recorded after it. Returns position 0 when the moment precedes the first event.
    """
    first = store.fetchone("SELECT position, recorded_at FROM audit_events ORDER BY position LIMIT 1")
    if first is None:
        return 0, 0, None
    after = store.fetchone("SELECT MIN(position) AS p FROM audit_events WHERE recorded_at > ?", (utc_text(moment),))
    if after is None or after["p"] is None:
        last = store.fetchone("SELECT MAX(position) AS p FROM audit_events")
        assert last is not None
        return int(last["p"]), int(first["position"]), first["recorded_at"]
    return int(after["p"]) - 1, int(first["position"]), first["recorded_at"]


def recorded_at(store: ViewStore, position: int) -> str | None:
    row = store.fetchone("SELECT recorded_at FROM audit_events WHERE position <= ? ORDER BY position DESC LIMIT 1", (position,))
    return row["recorded_at"] if row else None
