"""Raw, read-only access to the stored event log, by position: what the chain verifier, the as-of
builder and the benchmark need beyond the library's ``select_notifications``.

The library stores every pengkom event in one table: ``stored_events`` in the SQLite file (the
position is SQLite's ``rowid``) or ``<schema>.pengkom_events`` on PostgreSQL (the position is the
``notification_id`` column). Nothing here writes to it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification


class EventLog:
    def __init__(self, app: Any) -> None:
        self.recorder = app.recorder
        self.datastore = self.recorder.datastore
        from eventsourcing.postgres import PostgresApplicationRecorder

        self.postgres = isinstance(self.recorder, PostgresApplicationRecorder)
        if self.postgres:
            self.table = f"{self.datastore.schema}.{self.recorder.events_table_name}"
            self.position = "notification_id"
        else:
            self.table = self.recorder.events_table_name
            self.position = "rowid"

    def head(self) -> int:
        return int(self.recorder.max_notification_id() or 0)

    def first(self) -> int:
        rows = self._query(f"SELECT MIN({self.position}) AS p FROM {self.table}", ())
        return int(rows[0]["p"] or 0)

    def scan(self, start: int | None = None, stop: int | None = None, *, batch: int = 2000,
             topics: Sequence[str] = ()) -> Iterator[Notification]:
        """Every stored event from ``start`` (default: the very first row) to ``stop`` (inclusive), in log order, as stored."""
        while True:
            notes = self.recorder.select_notifications(start=start, limit=batch, stop=stop, topics=list(topics))
            yield from notes
            if len(notes) < batch:
                return
            start = notes[-1].id + 1

    def of_aggregates(self, ids: Iterable[UUID], upto: int) -> list[Notification]:
        """The stored events of the given aggregates recorded at or before ``upto``, in log order."""
        ids = list(ids)
        if not ids:
            return []
        if self.postgres:
            sql = (f"SELECT notification_id AS p, originator_id, originator_version, topic, state FROM {self.table} "
                   f"WHERE originator_id = ANY(%s) AND notification_id <= %s ORDER BY notification_id")
            params: tuple[Any, ...] = (ids, upto)
        else:
            marks = ",".join("?" * len(ids))
            sql = (f"SELECT rowid AS p, originator_id, originator_version, topic, state FROM {self.table} "
                   f"WHERE originator_id IN ({marks}) AND rowid <= ? ORDER BY rowid")
            params = (*(i.hex for i in ids), upto)
        return [
            Notification(id=int(r["p"]), originator_id=self._uuid(r["originator_id"]), originator_version=int(r["originator_version"]),
                         topic=r["topic"], state=bytes(r["state"]))
            for r in self._query(sql, params)
        ]

    @staticmethod
    def _uuid(value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        if self.postgres:
            with self.datastore.get_connection() as conn, conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        with self.datastore.transaction(commit=False) as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())
