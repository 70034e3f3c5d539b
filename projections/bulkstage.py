"""A bulk import's events staged in PostgreSQL while the file is still being checked, then moved into the
log batch by batch — so the database writes while Python validates, and nothing reaches the log unless
every row passed.

**Why.** An import checks every row before it records anything (nothing is recorded if any row fails).
Done in sequence, the database idles while the rows are checked and Python waits while the batches are
written. Here, as the check proceeds, the events it has produced so far are encoded and handed to a
writer thread, which ``COPY``\\ s them (binary) into a temporary table of the import's own connection
(``pg_temp.pengkom_import_stage``: private to that session, invisible to every other reader, gone with
the session). The log itself is untouched until the check is complete.

**Recording.** When every row passed, each batch (the events of up to ``BATCH`` officers) is moved with
one statement inside the log's usual transaction: ``LOCK`` of the events table (as every command takes
it, so log positions are committed in order), ``INSERT … SELECT`` from the stage in the batch's order
(officer by officer, each officer's events by version), the batch's idempotency key beside the events,
``NOTIFY``, ``COMMIT``. The outcomes are those of a command: a key already recorded → the batch is a
duplicate (nothing new); another writer recorded a version first → conflict; the store failing before
``COMMIT`` → nothing of the batch recorded; ``COMMIT`` itself failing → outcome unknown (the key tells).

If any row failed, or anything goes wrong before the first batch, the stage is dropped: nothing recorded.
The embedded SQLite store has no second core to overlap with (one writer, in process) and records the
batches as before (``api.commands.record_many``).
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from projections import outage
from projections.eventstore import CONFLICT, DUPLICATE, NOT_RECORDED, RECORDED, UNKNOWN, PgRecorder

log = logging.getLogger(__name__)

STAGE = "pg_temp.pengkom_import_stage"


class StageFailed(Exception):
    """The stage could not be written or moved; ``outcome`` says what is known about the log."""

    def __init__(self, outcome: str, cause: BaseException | None) -> None:
        super().__init__(f"bulk stage: {outcome}: {cause}")
        self.outcome = outcome
        self.cause = cause


class BulkStage:
    """One import's stage: a connection held for the import, its temporary table and its writer thread."""

    def __init__(self, recorder: PgRecorder) -> None:
        self.recorder = recorder
        self.pool = recorder.datastore.pool
        self.conn: Any = None
        self.staged = 0
        self._queue: queue.Queue[list[StoredEvent] | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def supported(app: Any) -> bool:
        return isinstance(getattr(app, "recorder", None), PgRecorder)

    # -- staging (while the file is checked) ---------------------------------------------------------------------------

    def open(self) -> BulkStage:
        try:
            with outage.watch(self.pool):
                self.conn = self.pool.getconn()
                self.conn.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE.split('.', 1)[1]} (originator_id uuid NOT NULL, "
                                  "originator_version bigint NOT NULL, topic text NOT NULL, state bytea NOT NULL)")
                self.conn.execute(f"TRUNCATE {STAGE}")
        except BaseException as e:
            self.close()
            raise StageFailed(NOT_RECORDED, e) from e
        self._thread = threading.Thread(target=self._write, name="pengkom-import-stage", daemon=True)
        self._thread.start()
        return self

    def put(self, events: Sequence[StoredEvent]) -> None:
        """Hand events (already encoded and checked) to the writer; they are staged, not recorded."""
        if events:
            self.staged += len(events)
            self._queue.put(list(events))

    def _write(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self._error is not None:
                continue  # drain: the import will fail at flush()
            try:
                with outage.watch(self.pool), self.conn.cursor() as cur, cur.copy(
                        f"COPY {STAGE} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["uuid", "int8", "text", "bytea"])
                    for e in chunk:
                        copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))
            except BaseException as e:
                self._error = e

    def flush(self) -> None:
        """Wait until everything handed over is staged; raises :class:`StageFailed` if the writer failed."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise StageFailed(NOT_RECORDED, self._error)
        # Each batch takes its officers' events by id: indexed, and the planner told the stage's size (temporary
        # tables are never analysed automatically), so a large file costs each batch its own rows, not the whole stage.
        try:
            with outage.watch(self.pool):
                self.conn.execute(f"CREATE INDEX IF NOT EXISTS pengkom_import_stage_id ON {STAGE} (originator_id, originator_version)")
                self.conn.execute(f"ANALYZE {STAGE}")
        except BaseException as e:
            raise StageFailed(NOT_RECORDED, e) from e

    # -- recording (after every row passed) ----------------------------------------------------------------------------

    def record_batch(self, ids: Sequence[UUID], events: int, subject: str, key: str, fingerprint: str, status: int,
                     body: Callable[[list[int]], bytes]) -> tuple[str, list[int]]:
        """Move the staged events of the aggregates ``ids`` (in that order) into the log in one transaction with the
        batch's idempotency key. Returns (``RECORDED``, positions), (``DUPLICATE``, []) or (``CONFLICT``, []);
        raises :class:`StageFailed` (``NOT_RECORDED`` or ``UNKNOWN``) when the store fails."""
        import psycopg

        rec, conn = self.recorder, self.conn
        committing = False
        try:
            with outage.watch(self.pool):
                conn.execute("BEGIN")
                conn.execute(rec._lock_sql)
                try:
                    rows = conn.execute(
                        f"INSERT INTO {rec.events_table} (originator_id, originator_version, topic, state) "
                        f"SELECT s.originator_id, s.originator_version, s.topic, s.state FROM {STAGE} s "
                        "JOIN unnest(%s::uuid[]) WITH ORDINALITY AS b(id, n) ON s.originator_id = b.id "
                        "ORDER BY b.n, s.originator_version RETURNING notification_id", (list(ids),)).fetchall()
                except psycopg.IntegrityError:
                    conn.execute("ROLLBACK")
                    return CONFLICT, []
                positions = sorted(r["notification_id"] for r in rows)
                if len(positions) != events:
                    conn.execute("ROLLBACK")
                    raise RuntimeError(f"the stage holds {len(positions)} events of this batch, {events} were expected")
                row = conn.execute(rec._insert_key_sql, (subject, key, fingerprint, status, body(positions),
                                                         positions[0] if positions else None)).fetchone()
                if row is None:
                    conn.execute("ROLLBACK")
                    return DUPLICATE, []
                conn.execute(f'NOTIFY "{rec.channel}"')
                committing = True
                conn.execute("COMMIT")
                return RECORDED, positions
        except BaseException as e:
            if not committing and not conn.broken and conn.info.transaction_status != 0:
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    pass
            raise StageFailed(UNKNOWN if committing else NOT_RECORDED, e) from e

    def close(self) -> None:
        """Drop the stage and give the connection back (also after a failure: nothing staged survives)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            if not conn.broken:
                if conn.info.transaction_status != 0:
                    conn.execute("ROLLBACK")
                conn.execute(f"DROP TABLE IF EXISTS {STAGE}")
        except Exception as e:
            log.warning("could not drop the import stage: %s", e)
        finally:
            self.pool.putconn(conn)
