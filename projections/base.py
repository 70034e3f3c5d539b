"""What a read model is: named, versioned, owning its tables, applying events by topic.

Each projection module defines one subclass: its ``tables`` (portable DDL), its handlers
(``@handles(EventClass)``) and its queries. The runner feeds it events in log order inside the
transaction that also advances its tracking position, so each event is applied exactly once.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from eventsourcing.utils import get_topic

from projections.store import Tx, table_ddl

Handler = Callable[[Any, Tx, Any, int], None]


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of the given event classes."""

    def mark(fn: Handler) -> Handler:
        fn.__handles__ = event_classes  # type: ignore[attr-defined]
        return fn

    return mark


class Projection:
    #: Unique name; also the prefix of its tables.
    name: ClassVar[str]
    #: Bump when the tables or the handlers change: a changed version forces a rebuild.
    version: ClassVar[int] = 1
    #: table name -> CREATE TABLE body (columns and constraints), portable SQL (``COLLATE BINARY``: byte order
    #: on both stores, :func:`projections.store.table_ddl`).
    tables: ClassVar[dict[str, str]] = {}
    #: extra DDL run after the tables are created (indexes).
    indexes: ClassVar[tuple[str, ...]] = ()
    #: The indexes the handlers themselves read through (None: all of ``indexes``). A staged rebuild
    #: (:mod:`projections.staging`) creates only these while it applies the log and builds the rest
    #: once, after the bulk load; a projection whose handlers read by primary key only sets ``()``.
    handler_indexes: ClassVar[tuple[str, ...] | None] = None
    #: Tables the handlers only append to — plain ``INSERT INTO t (…) VALUES (…)``, never read, updated or
    #: deleted, values TEXT/INTEGER as the columns say: a staged rebuild into PostgreSQL copies their rows
    #: straight into the store as the log is applied, not through the staging file
    #: (:class:`projections.staging.Streams`, which refuses any other statement on them).
    streamed: ClassVar[tuple[str, ...]] = ()
    #: When True, the handler receives every notification (for chains over the raw log).
    wants_raw: ClassVar[bool] = False
    #: False for a record that must never be dropped and recomputed from the log (the hash chain):
    #: a reset leaves it as it is.
    resettable: ClassVar[bool] = True
    #: When True, every event (decoded, upcast) reaches :meth:`on_any_event` unless a ``@handles``
    #: method claims its class (for read models over the whole record, like the audit trail).
    every_event: ClassVar[bool] = False

    def __init__(self) -> None:
        #: The position this projection's tracking row stood at when the current batch began (set by the
        #: runner before :meth:`begin`; None when the batch is not applied against a tracking row).
        self.applied_to: int | None = None
        #: True while a staged rebuild applies the log to this projection (:meth:`projections.staging.Staging.apply`):
        #: its batches are not committed one by one then, so it may hold writes across batches until :meth:`finish`.
        self.staging = False
        self._handlers: dict[str, Handler] = {}
        for attr in dir(type(self)):
            fn = getattr(type(self), attr)
            for cls in getattr(fn, "__handles__", ()):
                self._handlers[get_topic(cls)] = fn

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def create(self, tx: Tx, *, indexes: tuple[str, ...] | None = None) -> None:
        """Create the tables and ``indexes`` (default: all the projection's indexes)."""
        for table, body in self.tables.items():
            tx.execute(f"CREATE TABLE IF NOT EXISTS {table} ({table_ddl(body, tx.dialect)})")
        for ddl in self.indexes if indexes is None else indexes:
            tx.execute(ddl)

    def drop(self, tx: Tx) -> None:
        for table in reversed(list(self.tables)):
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def forget(self) -> None:
        """Drop whatever the projection keeps in memory across batches: the runner calls this when a
        transaction that carried this projection's writes failed, so no cache outlives its rows."""

    def begin(self, tx: Tx) -> None:
        """Called before each batch of events is applied (a projection may load state it carries)."""

    def end(self, tx: Tx) -> None:
        """Called after each batch of events, in the same transaction (a projection may write what it
        deferred during the batch, e.g. one update per row instead of one per event)."""

    def finish(self, tx: Tx) -> None:
        """Called once after the last batch of a staged rebuild, in the staging transaction: write what was held
        across its batches (``staging``)."""

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        handler = self._handlers.get(get_topic(type(event)))
        if handler is not None:
            handler(self, tx, event, position)
        elif self.every_event:
            self.on_any_event(tx, event, position)

    def on_any_event(self, tx: Tx, event: Any, position: int) -> None:  # pragma: no cover - for every_event
        raise NotImplementedError

    def apply_raw(self, tx: Tx, notification: Any) -> None:  # pragma: no cover - for wants_raw
        raise NotImplementedError
