"""The audit trail's row values by their fast ways (projections/audit.py): each event class's compiled
summary equals the generic rule's, the timestamp text equals the formula it replaced, for every value
kind an event or its provenance can hold."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from projections import audit
from projections.audit import date_text, generic_summary, summary, utc_text
from projections.store import table_ddl
from tests.support.record import populate


def _old_utc_text(moment: datetime) -> str:
    """utc_text as it was before its msgspec fast way."""
    if moment.tzinfo is UTC and moment.year >= 1000:
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.utcoffset():
        moment = moment.astimezone(UTC)
    if moment.year < 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class _Moment(datetime):
    pass


@pytest.mark.parametrize("moment", [
    datetime(2024, 5, 3, 4, 25, 16, tzinfo=UTC), datetime(2024, 5, 3, 4, 25, 16, 1, tzinfo=UTC),
    datetime(2024, 5, 3, 4, 25, 16, 120000, tzinfo=UTC), datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2024, 5, 3, 4, 25, 16, fold=1, tzinfo=UTC), datetime(2024, 5, 3, 4, 25, 16),
    datetime(2024, 5, 3, 4, 25, 16, 5, tzinfo=timezone(timedelta(hours=7))),
    datetime(2024, 5, 3, 4, 25, 16, tzinfo=timezone(timedelta(seconds=30))),  # msgspec would round this offset away
    datetime(2024, 5, 3, 4, 25, 16, tzinfo=timezone(timedelta(0))), datetime(2024, 1, 3, 4, 25, 16, tzinfo=ZoneInfo("Europe/London")),
    datetime(2024, 7, 3, 4, 25, 16, 7, tzinfo=ZoneInfo("Europe/London")), _Moment(2024, 5, 3, 4, 25, 16, 3, tzinfo=UTC),
])
def test_utc_text_is_the_fixed_width_utc_text_it_always_was(moment):
    assert utc_text(moment) == _old_utc_text(moment)


@pytest.mark.parametrize("day", [date(2024, 5, 3), date(1, 1, 1), date(999, 12, 31), date(9999, 12, 31),
                                 datetime(2024, 5, 3, 4, 5, 6)])
def test_date_text_is_isoformat(day):
    assert date_text(day) == day.isoformat()


@dataclasses.dataclass
class Shown:
    """Every kind of field the summary shows, in the order the mapper decodes them."""

    TOPIC = "test.Shown"
    reason: Any
    name: str
    count: int
    flag: bool
    ref: UUID
    day: date
    at: datetime
    amount: Decimal
    maybe_name: str | None
    maybe_count: int | None
    maybe_ref: UUID | None
    maybe_day: date | None
    maybe_flag: bool | None
    either: int | str | None
    extra: dict[str, Any]
    items: tuple[str, ...]
    meta: Any
    originator_id: UUID
    originator_version: int


@dataclasses.dataclass
class FirstMaybe:
    TOPIC = "test.FirstMaybe"
    note: str | None
    originator_id: UUID
    originator_version: int


@dataclasses.dataclass
class Nothing:
    TOPIC = "test.Nothing"
    items: list[str]
    originator_id: UUID
    originator_version: int


def _events() -> list[Any]:
    long = "x" * 59 + "é…"
    ref = uuid4()
    base = dict(reason="Koreksi", name="Siti", count=3, flag=True, ref=ref, day=date(2024, 5, 3),
                at=datetime(2024, 5, 3, 4, 5, 6, tzinfo=UTC), amount=Decimal("8.10"), maybe_name="Agus", maybe_count=0,
                maybe_ref=uuid4(), maybe_day=date(999, 1, 2), maybe_flag=False, either="a", extra={"b": 1, "a": 2},
                items=("x",), meta=None, originator_id=ref, originator_version=2)
    variants = [
        {},
        dict(reason=None, maybe_name=None, maybe_count=None, maybe_ref=None, maybe_day=None, maybe_flag=None, either=None, extra={}),
        dict(reason=long, name=long, count=10 ** 70, maybe_name=long, maybe_count=-(10 ** 61), either=7),
        dict(reason=5, name="tab\there\nand\\ back", flag=False, ref=str(ref), day=datetime(2024, 5, 3, 4, 5, 6), maybe_day=datetime(2024, 5, 3)),
        dict(name="y" * 400),  # the whole summary cut at 300 characters
    ]
    events = [Shown(**(base | v)) for v in variants]
    events += [FirstMaybe(None, ref, 1), FirstMaybe("ada", ref, 1), Nothing(["a"], ref, 1)]
    return events


def test_each_compiled_summary_equals_the_generic_rule():
    events = _events()
    for event in events:
        assert audit._compile(type(event)) is not None
        assert summary(event) == generic_summary(event), event
    assert len(summary(events[-4])) == 300 and summary(events[-4]).endswith("…")
    assert summary(events[-3]) == "FirstMaybe" and summary(events[-2]) == "FirstMaybe: note=ada" and summary(events[-1]) == "Nothing"
    # Fields in another order than the class's (an upcast event): the generic rule, in the dict's order.
    odd = _events()[0]
    odd.__dict__ = dict(reversed(list(vars(odd).items())))
    assert summary(odd) == generic_summary(odd) and summary(odd).index("extra=") < summary(odd).index("name=")


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_every_recorded_event_gets_the_generic_rules_summary(services):
    populate(services)
    app = services.app
    notes = app.recorder.select_notifications(1, app.recorder.max_notification_id() + 1)
    events = [app.mapper.to_domain_event(n) for n in notes]
    assert len({type(e) for e in events}) >= 5
    for event in events:
        assert summary(event) == generic_summary(event)
    rows = {r["position"]: r for r in services.views.fetchall("SELECT position, summary, recorded_at, effective_date FROM audit_events")}
    for note, event in zip(notes, events, strict=True):
        row = rows[note.id]
        assert (row["summary"], row["recorded_at"], row["effective_date"]) == (
            generic_summary(event), _old_utc_text(event.meta.recorded_at), event.meta.effective_date.isoformat())


def test_table_ddl_gives_sqlites_byte_order_to_postgres_as_c():
    body = "a TEXT COLLATE BINARY NOT NULL, b TEXT collate  binary, c TEXT, binaryish TEXT"
    assert table_ddl(body, "sqlite") == body
    assert table_ddl(body, "postgres") == 'a TEXT COLLATE "C" NOT NULL, b TEXT COLLATE "C", c TEXT, binaryish TEXT'


def _collations(services: Any) -> dict[str, str | None]:
    rows = services.views.fetchall("SELECT column_name AS name, collation_name AS coll FROM information_schema.columns "
                                   "WHERE table_schema = current_schema() AND table_name = 'audit_events' AND data_type = 'text'")
    return {r["name"]: r["coll"] for r in rows}


def test_audit_ids_in_byte_order_answer_as_before_live_and_rebuilt(services):
    """audit_events.aggregate_id and on_behalf_of are in byte order (PostgreSQL: COLLATE "C", built faster; SQLite:
    its default BINARY) whether the trail is applied live or rebuilt; the equality filters on them find exactly the
    rows they match."""
    populate(services)

    def answers() -> list[Any]:
        rows, _ = audit.search_audit(services.views, all_agencies=True, limit=1000)
        out: list[Any] = [rows]
        behalf = {r["on_behalf_of"] for r in rows if r["on_behalf_of"]} | {"Ömer", "x"}
        for key, values in (("aggregate_id", {r["aggregate"]["id"] for r in rows}), ("on_behalf_of", behalf)):
            for value in sorted(values):
                hits, n = audit.search_audit(services.views, all_agencies=True, limit=1000, **{key: value})
                field = (lambda r: r["aggregate"]["id"]) if key == "aggregate_id" else (lambda r: r["on_behalf_of"])
                assert hits == [r for r in rows if field(r) == value] and n == len(hits)
                out.append(hits)
        return out

    live = answers()
    assert any(r["on_behalf_of"] for r in live[0]) and len(live) > 5
    if services.views.dialect == "postgres":
        colls = _collations(services)
        assert colls["aggregate_id"] == colls["on_behalf_of"] == "C" and colls["agency"] != "C"
    assert services.projector.reset(["audit"]) == ["audit"]
    services.projector.catch_up(only=["audit"])
    assert answers() == live
    if services.views.dialect == "postgres":
        assert _collations(services) == colls
