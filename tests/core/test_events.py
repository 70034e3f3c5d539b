"""Events are a persisted contract: explicit stable topics, provenance on every event, no lost updates."""
from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from eventsourcing.utils import resolve_topic

import core
from core.errors import Conflict
from core.events import Actor, Context, PengkomAggregate
from tests.support.data import officer_body


def all_event_classes() -> list[type]:
    for mod in pkgutil.iter_modules(core.__path__):
        importlib.import_module(f"core.{mod.name}")
    seen, todo = [], [PengkomAggregate.Event]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    # core.events holds only the abstract bases; every concrete event lives in an area module.
    return [c for c in seen if c.__module__.startswith("core.") and c.__module__ != "core.events"]


def test_every_event_and_aggregate_pins_an_explicit_unique_topic():
    events = all_event_classes()
    assert len(events) > 5
    topics = {}
    for cls in events:
        topic = cls.__dict__.get("TOPIC")
        assert topic and topic.startswith("pengkom."), f"{cls.__qualname__} must declare its own TOPIC"
        assert ":" not in topic, "a pinned topic never names a module path"
        assert topic not in topics, f"{cls.__qualname__} reuses {topics.get(topic)}'s topic {topic}"
        topics[topic] = cls.__qualname__
        if cls.__name__ != "Event":  # an area's abstract base: never triggered, never stored
            assert resolve_topic(topic) is cls
        assert "meta" in cls.__annotations__ or any("meta" in getattr(b, "__annotations__", {}) for b in cls.__mro__)


def ctx(**kw) -> Context:
    return Context(actor=Actor("hr-1", "Ani", frozenset({"hr"}), agency="kemnaker", unit="biro-sdm"), request_id="r-1", **kw)


def register(services):
    body = officer_body()
    body["birth_date"] = date.fromisoformat(body["birth_date"])
    officer = services.app.officers.register(ctx(), **body)
    services.app.record(officer)
    return officer


def test_stored_topic_is_the_pinned_name_and_provenance_round_trips(services):
    officer = register(services)
    [stored] = services.app.recorder.select_events(officer.id)
    assert stored.topic == "pengkom.officer.Registered"
    assert b'"on_behalf_of":"199001012015011001"' in stored.state
    [event] = services.app.stored_events(officer.id)
    assert event.meta.subject == "hr-1" and event.meta.role == "hr" and event.meta.unit == "biro-sdm"
    assert event.meta.effective_date == event.meta.recorded_at.date()
    assert event.birth_date == date(1990, 1, 1)


def test_concurrent_writers_never_lose_an_update(services):
    officer = register(services)
    # Each writer works on its own copy; the second to save loses the race and is told so.
    a, _ = services.app.officers.record_history(ctx(), officer.id, "credit_points", year=2024, credit_points="10")
    b, _ = services.app.officers.record_history(ctx(), officer.id, "credit_points", year=2025, credit_points="11")
    services.app.record(a)
    with pytest.raises(Conflict, match="reload and try again"):
        services.app.record(b)
    assert services.app.officers.get(officer.id).version == 2


def test_a_command_cannot_record_without_passing_its_guard():
    with pytest.raises(RuntimeError, match="guard"):
        ctx().provenance()
    assert ctx().acting_as("hr").provenance().role == "hr"


def test_decoded_aggregate_ids_behave_as_plain_uuids():
    """The mapper's EventId keeps its text form; it must equal, hash, print and pickle as the UUID."""
    import pickle
    from uuid import UUID, uuid4

    from core.mapper import EventId

    u = uuid4()
    for e in (EventId(u), EventId(str(u)), EventId(u.hex)):
        assert e == u and hash(e) == hash(u) and str(e) == str(u) and isinstance(e, UUID)
        assert {u: 1}[e] == 1 and pickle.loads(pickle.dumps(e)) == u
