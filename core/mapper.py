"""A msgspec-based mapper: stored events are plain, readable JSON, decoded straight into typed values.

The library's own JSON transcoder tags every date/UUID/Decimal and rebuilds them in a Python
object hook, which is slow and makes the stored JSON hard for an auditor to read. This mapper
encodes an event's fields as plain JSON and decodes them by the event class's own annotations
(a ``TypedDict`` built once per class), so ``date`` comes back as ``date`` and ``Decimal`` as
``Decimal``. Upcasting works as in the library: an event stored at an older ``class_version``
is decoded loosely, passed through the class's ``upcast_vN_vN+1`` methods, then converted.
"""
from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any, TypedDict
from uuid import UUID, SafeUUID

import msgspec
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

_SKIP = frozenset({"originator_id", "originator_version"})
_encoder = msgspec.json.Encoder(decimal_format="string")
_loose = msgspec.json.Decoder()


class _Unused(Transcoder):
    def encode(self, obj: Any) -> bytes:  # pragma: no cover - never called
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


@cache
def _state_type(cls: type) -> tuple[type, msgspec.json.Decoder]:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else list(hints)
    td = TypedDict(f"{cls.__qualname__}State", {n: hints[n] for n in names if n not in _SKIP})  # type: ignore[misc]
    return td, msgspec.json.Decoder(td)


class EventId(UUID):
    """A UUID that keeps its text form: read models turn an event's aggregate id into text several
    times per event, and ``UUID.__str__`` formats it anew each time. Equal to, and hashing like, the
    plain UUID of the same value."""

    __slots__ = ("_text",)
    _text: str

    def __init__(self, value: UUID | str) -> None:
        if isinstance(value, UUID):  # the drivers' UUIDs: copy the value, skip re-validating it
            _set_int(self, value.int)
            _set_safe(self, value.is_safe)
        else:
            super().__init__(value)
        _set_text(self, UUID.__str__(self))

    @classmethod
    def of_text(cls, text: str) -> EventId:
        """From the canonical text form (lower case, hyphenated: PostgreSQL's ``uuid::text``), not re-formatted."""
        self = _new(cls)
        _set_int(self, int(text.replace("-", ""), 16))
        _set_safe(self, _UNKNOWN)
        _set_text(self, text)
        return self

    def __str__(self) -> str:
        return self._text

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (UUID, (self._text,))


# The slots set straight through their descriptors: ``object.__setattr__`` (UUID forbids plain assignment)
# costs ~4 times as much, and a rebuild makes an EventId per event.
_set_int = UUID.__dict__["int"].__set__
_set_safe = UUID.__dict__["is_safe"].__set__
_set_text = EventId.__dict__["_text"].__set__
_new = object.__new__
_UNKNOWN = SafeUUID.unknown


@cache
def _version_suffix(class_version: int) -> bytes:
    return b',"class_version":%d}' % class_version


class MsgspecMapper(Mapper[UUID]):
    def __init__(self) -> None:
        super().__init__(transcoder=_Unused())
        #: stored topic -> (event class, its decoder, the suffix of its current version's state or None for
        #: version 1, its class version): what decoding an event needs, found once per topic (a rebuild
        #: decodes a million events of a few dozen topics).
        self._plans: dict[str, tuple[type, msgspec.json.Decoder, bytes | None, int]] = {}

    def _plan(self, topic: str) -> tuple[type, msgspec.json.Decoder, bytes | None, int]:
        cls = resolve_topic(topic)
        _, decoder = _state_type(cls)
        class_version = getattr(cls, "class_version", 1)
        plan = self._plans[topic] = (cls, decoder, None if class_version == 1 else _version_suffix(class_version), class_version)
        return plan

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=_encoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        plan = self._plans.get(stored_event.topic)
        cls, decoder, suffix, class_version = plan if plan is not None else self._plan(stored_event.topic)
        state: Any
        try:
            state_bytes = stored_event.state
            # The mapper appends "class_version" last: an event stored at the current version decodes
            # straight into its types; an older one goes through the upcasters first.
            if b'"class_version"' in state_bytes if suffix is None else not state_bytes.endswith(suffix):
                raw = _loose.decode(state_bytes)
                from_version = raw.pop("class_version", 1)
                while from_version < class_version:
                    getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(raw)
                    from_version += 1
                state = msgspec.convert(raw, _state_type(cls)[0], strict=False)
            else:
                state = decoder.decode(state_bytes)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            msg = (
                f"Failed to decode stored event {stored_event.topic!r} "
                f"{stored_event.originator_id}@{stored_event.originator_version}: {e}"
            )
            raise MapperDeserialisationError(msg) from e
        oid = stored_event.originator_id
        state["originator_id"] = oid if type(oid) is EventId else EventId(oid)
        state["originator_version"] = stored_event.originator_version
        event: Any = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event
