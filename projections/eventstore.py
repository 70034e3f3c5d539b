"""The event store's recorders: a command's events and its idempotency key in one transaction, and
concurrent commands committed together (group commit).

The eventsourcing library's PostgreSQL and SQLite application recorders are subclassed, not
replaced: the events table, the notification log and every read path stay the library's. What is
added:

- **Idempotency keys beside the events** (table ``pengkom_idempotency`` in the event store's own
  database). A command's key row — who sent it, the key, a fingerprint of the request and the
  response — is inserted in the transaction that inserts the command's events. A key is therefore
  bound to exactly the recorded command, or to nothing: there is no "in progress" state a crash
  could leave behind.
- **Group commit** (:class:`GroupCommit`). Commands that arrive while a transaction is committing
  wait, then go together in the next one: one lock of the events table, one statement inserting all
  their events and all their keys, one commit (one fsync) for all — on PostgreSQL in one round trip,
  the answers built beforehand with stand-in positions (so the lock, which serialises the groups of
  every API process, is held by the server alone, never while Python runs). Each command keeps its own
  optimistic-concurrency check and its own error: when anything in the shared insert fails, the
  transaction is rolled back and the group is recorded again command by command, each in its own
  savepoint (a conflicting command fails alone, the others are recorded).
- **Bounded waits, no retry loops.** The library retries reads and writes up to ten times, 0.2 s
  apart, which holds a request for seconds while the database is away. Here every call is made once;
  connecting, taking a pooled connection, waiting for a lock and running a statement are bounded
  (``PENGKOM_STORE_TIMEOUT``, ``PENGKOM_STATEMENT_TIMEOUT``). The API answers 503 at once and the
  pools reconnect in the background (every 0.25 s), so service resumes as soon as the database is
  back.
- **Outcome of a commit.** A failure before COMMIT was sent means nothing was recorded; a failure
  of the COMMIT itself (the connection lost at that moment) means the outcome is unknown, and the
  command reports it so (:data:`UNKNOWN`): the key recorded with the events lets the client retry
  safely.

The factories (``PgFactory``, ``SqliteFactory``) are selected through the library's
``PERSISTENCE_MODULE`` (see ``api.settings.Settings.event_store_env``).

Why this module is slightly longer than ~500 lines: the PostgreSQL and SQLite recorders and the group commit
share one transaction protocol (events, keys, savepoints); kept together so both stores keep the same guarantees.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from projections import outage

log = logging.getLogger(__name__)

KEYS_TABLE = "pengkom_idempotency"

#: Outcomes of a command handed to :meth:`CommandRecorder.record_units`.
PENDING = "pending"
RECORDED = "recorded"
#: Another writer recorded the same aggregate version first (optimistic concurrency).
CONFLICT = "conflict"
#: The idempotency key is already bound to a recorded command (look it up and replay it).
DUPLICATE = "duplicate"
#: This command alone failed (its error is in ``Unit.error``); nothing of it was recorded.
FAILED = "failed"
#: The store failed before the commit was sent: nothing was recorded.
NOT_RECORDED = "not_recorded"
#: The commit itself failed (connection lost at COMMIT): the command may or may not be recorded.
UNKNOWN = "unknown"

#: Commands committed together at most (a bound on one transaction's size and latency).
GROUP_MAX = 64


@dataclass(eq=False)
class Unit:
    """One command's write: its events and its idempotency key; the recorder fills in the outcome."""

    events: Sequence[StoredEvent]
    subject: str
    key: str
    fingerprint: str
    status: int
    #: Builds the response body (JSON bytes) from the notification ids given to the events; it is
    #: stored with the key, so a retry replays exactly this answer. The ids may appear in it only as the
    #: values of members named ``position``, ``first_position`` or ``last_position``: the PostgreSQL recorder builds it before the commit with
    #: stand-ins (:func:`stand_ins`) and puts the real positions in after (:func:`fill_positions`).
    body: Callable[[list[int]], bytes]
    outcome: str = PENDING
    ids: list[int] = field(default_factory=list)
    body_bytes: bytes = b""
    error: BaseException | None = None

    def finish(self, outcome: str, error: BaseException | None = None) -> None:
        if self.outcome == PENDING:
            self.outcome = outcome
            self.error = error


@dataclass(frozen=True)
class KeyRecord:
    """A recorded idempotency key: the request it was used for and the answer given."""

    fingerprint: str
    status: int
    body: bytes
    position: int | None


#: Stand-in positions: a body is built before its events have positions (PostgreSQL, :meth:`PgRecorder._fast`)
#: with ``STAND_IN + k`` for its k-th event, and the real ones are put in once known. Real positions never come
#: near this (a log of 8·10^18 events); ``k`` has at most 9 digits.
STAND_IN = 8_000_000_000_000_000_000
_STAND_IN_NUMBER = re.compile(rb'(?:(?<="position":)|(?<="first_position":)|(?<="last_position":))8000000000(\d{9})(?=[,}])')


def stand_ins(n: int) -> list[int]:
    """Positions to build a body with before the real ones are known."""
    return [STAND_IN + k for k in range(n)]


def fill_positions(body: bytes, first: int | None) -> bytes:
    """``body`` with each stand-in position replaced by the real one (the unit's events have positions
    ``first``, ``first + 1``, …). Only the value of a member named ``position``, ``first_position`` or
    ``last_position`` is replaced (the names the answers give positions under): inside a JSON string a
    quote is always escaped, so text a user typed cannot match. A body without stand-ins (built with the
    real positions) is returned as it is."""
    if first is None or b'":8000000000' not in body:
        return body
    return _STAND_IN_NUMBER.sub(lambda m: str(first + int(m.group(1))).encode(), body)


#: psycopg's TransactionStatus.INERROR: the transaction failed and awaits its ROLLBACK (nothing of it is committed).
_INERROR = 3


class _CommitFailed(Exception):
    """The COMMIT statement failed: the transaction's outcome is unknown."""


class CommandRecorder:
    """What the command pipeline needs of a recorder beyond the library's interface."""

    keys_table: str

    def record_units(self, units: Sequence[Unit]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def find_key(self, subject: str, key: str) -> KeyRecord | None:  # pragma: no cover - interface
        raise NotImplementedError

    def prune_keys(self, older_than: timedelta) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def ping(self) -> int:  # pragma: no cover - interface
        """The log head (one cheap query, bounded by the store timeouts); raises when the store is away."""
        raise NotImplementedError


def _now() -> datetime:
    return datetime.now(UTC)


# -- PostgreSQL --------------------------------------------------------------------------------------


def _pg_errors() -> Any:
    import psycopg

    return psycopg


class PgRecorder(PostgresApplicationRecorder, CommandRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        from psycopg.sql import SQL, Identifier

        schema = self.datastore.schema
        self.keys_table = f'"{schema}"."{KEYS_TABLE}"'
        self.events_table = f'"{schema}"."{events_table_name}"'
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (subject TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "status INTEGER NOT NULL, body BYTEA NOT NULL, position BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
            "PRIMARY KEY (subject, key))").format(Identifier(schema), Identifier(KEYS_TABLE)))
        self.sql_create_statements.append(SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} (created_at)").format(
            Identifier(f"{KEYS_TABLE}_created_idx"), Identifier(schema), Identifier(KEYS_TABLE)))
        self._channel = f"{self.channel_name}_{schema}"[:63]
        self._lock_sql = f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE"
        self._insert_sql = (
            f"INSERT INTO {self.events_table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) RETURNING notification_id")
        # The whole group in one statement: the events (their positions given by the table's sequence under the
        # lock, so consecutive), then the keys, each with its first event's position; the positions are returned
        # as the first and the count. Were they not consecutive (they are, under the lock), the division by zero
        # aborts the transaction and the group goes the careful way.
        self._group_sql = (
            f"WITH ev AS (INSERT INTO {self.events_table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) RETURNING notification_id), "
            "span AS (SELECT min(notification_id) AS first, max(notification_id) AS last, count(*) AS n FROM ev), "
            f"k AS (INSERT INTO {self.keys_table} (subject, key, fingerprint, status, body, position) "
            "SELECT u.subject, u.key, u.fingerprint, u.status, u.body, span.first + u.offs FROM span, "
            "unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::bytea[], %s::bigint[]) "
            "AS u(subject, key, fingerprint, status, body, offs) RETURNING 1) "
            "SELECT span.first, span.n, (SELECT count(*) FROM k) AS keys, "
            "1 / (CASE WHEN span.n = 0 OR span.last - span.first + 1 = span.n THEN 1 ELSE 0 END) AS consecutive FROM span")
        self._insert_key_sql = (
            f"INSERT INTO {self.keys_table} (subject, key, fingerprint, status, body, position) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1")

    def create_table(self) -> None:
        # A deployment names its schema (PENGKOM_PG_SCHEMA); the first start creates it.
        with self.datastore.pool.connection() as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.datastore.schema}"')
        super().create_table()

    @property
    def channel(self) -> str:
        """The NOTIFY channel every commit signals (a projector in another process listens to it)."""
        return self._channel

    # The library's methods without its retry loops (ten attempts, 0.2 s apart): one attempt, bounded
    # by the pool and statement timeouts; the API answers 503 and the client retries.

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with outage.watch(self.datastore.pool):
            return PostgresApplicationRecorder.insert_events.__wrapped__(self, stored_events, **kwargs)

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        with outage.watch(self.datastore.pool):
            return PostgresApplicationRecorder.select_events.__wrapped__(
                self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (),
                             *, inclusive_of_start: bool = True) -> Sequence[Notification]:
        with outage.watch(self.datastore.pool):
            return PostgresApplicationRecorder.select_notifications.__wrapped__(
                self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start)

    def max_notification_id(self) -> int | None:
        with outage.watch(self.datastore.pool):
            return PostgresApplicationRecorder.max_notification_id.__wrapped__(self)

    def ping(self) -> int:
        return int(self.max_notification_id() or 0)

    # -- commands ---------------------------------------------------------------------------------

    def record_units(self, units: Sequence[Unit]) -> None:
        psycopg = _pg_errors()
        try:
            with outage.watch(self.datastore.pool), self.datastore.pool.connection() as conn:
                try:
                    if not self._fast(conn, units):
                        self._slow(conn, [u for u in units if u.outcome == PENDING])
                except _CommitFailed as e:
                    log.warning("commit of %d commands failed; their outcome is unknown: %s", len(units), e.__cause__)
                    for u in units:
                        u.finish(UNKNOWN, e.__cause__)
                except BaseException:
                    if not conn.broken and conn.info.transaction_status != 0:  # not IDLE: abandon the transaction
                        try:
                            conn.execute("ROLLBACK")
                        except psycopg.Error:
                            pass
                    raise
        except Exception as e:  # the store failed before COMMIT was sent: nothing of the group was recorded
            for u in units:
                u.finish(NOT_RECORDED, e)

    def _begin(self, conn: Any) -> None:
        conn.execute("BEGIN")
        conn.execute(self._lock_sql)

    @staticmethod
    def _commit(conn: Any) -> None:
        try:
            conn.execute("COMMIT")
        except Exception as e:
            raise _CommitFailed("COMMIT failed") from e

    @staticmethod
    def _arrays(events: Sequence[StoredEvent]) -> tuple[list[Any], list[int], list[str], list[bytes]]:
        return ([e.originator_id for e in events], [e.originator_version for e in events],
                [e.topic for e in events], [e.state for e in events])

    def _fast(self, conn: Any, units: Sequence[Unit]) -> bool:
        """The whole group in one round trip (lock, events, keys, notification, COMMIT); False (rolled back,
        nothing recorded) if the shared insert failed on a conflict or a key already recorded.

        The events table's lock is held from the start of the round trip to the end of the COMMIT, by the
        server alone: the answers are built before (with stand-in positions, filled in after), so no other
        process's group waits while this one computes, and none waits for this process to be scheduled
        between two round trips."""
        psycopg = _pg_errors()
        events: list[StoredEvent] = []
        offsets: list[int | None] = []
        templates: list[bytes] = []
        for u in units:
            offsets.append(len(events) if u.events else None)
            events.extend(u.events)
            try:
                templates.append(u.body(stand_ins(len(u.events))))
            except Exception as e:  # this command alone: the others go the careful way, where it fails alone
                u.finish(FAILED, e)
                return False
        # Any failure here other than a refused insert may have come at or after the COMMIT: the outcome is unknown.
        try:
            with conn.pipeline():
                self._begin(conn)
                cur = conn.execute(self._group_sql, (
                    *self._arrays(events), [u.subject for u in units], [u.key for u in units], [u.fingerprint for u in units],
                    [u.status for u in units], templates, offsets))
                conn.execute(f'NOTIFY "{self._channel}"')
                self._commit(conn)
        except (_CommitFailed, psycopg.Error) as failed:
            # In a pipeline the insert's refusal may surface while the COMMIT behind it is being queued (psycopg
            # reads the answers that have come back meanwhile): it is then the cause of the _CommitFailed.
            cause = failed.__cause__ if isinstance(failed, _CommitFailed) else failed
            if isinstance(cause, psycopg.IntegrityError | psycopg.errors.DivisionByZero):
                # A conflict or a key recorded meanwhile: the server skipped everything after the refused
                # statement up to the end of the pipeline, the COMMIT too — nothing is recorded. Each command
                # then goes on its own.
                if not conn.broken and conn.info.transaction_status == _INERROR:
                    conn.execute("ROLLBACK")
                return False
            if isinstance(failed, _CommitFailed):
                raise
            if not conn.broken and conn.info.transaction_status == _INERROR:
                conn.execute("ROLLBACK")
                raise  # refused before the COMMIT (a lock or statement timeout): nothing recorded
            raise _CommitFailed("COMMIT failed") from cause
        row = cur.fetchone()
        first = row["first"]
        for u, offset, template in zip(units, offsets, templates, strict=True):
            u.ids = [] if offset is None else list(range(first + offset, first + offset + len(u.events)))
            u.body_bytes = fill_positions(template, u.ids[0] if u.ids else None)
            u.finish(RECORDED)
        return True

    def _slow(self, conn: Any, units: Sequence[Unit]) -> None:
        """Command by command, each in its own savepoint: each keeps its own check and its own error."""
        psycopg = _pg_errors()
        for u in units:
            u.ids, u.body_bytes = [], b""
        self._begin(conn)
        done: list[Unit] = []
        for u in units:
            conn.execute("SAVEPOINT command")
            try:
                if u.events:
                    cur = conn.execute(self._insert_sql, self._arrays(u.events))
                    u.ids = [r["notification_id"] for r in cur.fetchall()]
            except psycopg.IntegrityError:
                conn.execute("ROLLBACK TO SAVEPOINT command")
                u.finish(CONFLICT)
                continue
            except psycopg.DataError as e:  # this command's data alone
                conn.execute("ROLLBACK TO SAVEPOINT command")
                u.finish(FAILED, e)
                continue
            try:
                u.body_bytes = u.body(u.ids)
            except Exception as e:
                conn.execute("ROLLBACK TO SAVEPOINT command")
                u.finish(FAILED, e)
                continue
            row = conn.execute(self._insert_key_sql, (u.subject, u.key, u.fingerprint, u.status, u.body_bytes,
                                                      u.ids[0] if u.ids else None)).fetchone()
            if row is None:
                conn.execute("ROLLBACK TO SAVEPOINT command")
                u.finish(DUPLICATE)
                continue
            conn.execute("RELEASE SAVEPOINT command")
            done.append(u)
        if done:
            conn.execute(f'NOTIFY "{self._channel}"')
            self._commit(conn)
        else:
            conn.execute("ROLLBACK")
        for u in done:
            u.finish(RECORDED)

    def find_key(self, subject: str, key: str) -> KeyRecord | None:
        with outage.watch(self.datastore.pool), self.datastore.pool.connection() as conn:
            row = conn.execute(f"SELECT fingerprint, status, body, position FROM {self.keys_table} WHERE subject = %s AND key = %s",
                               (subject, key)).fetchone()
        if row is None:
            return None
        # A group's answer is stored as built before the commit, with stand-in positions (see _fast).
        return KeyRecord(row["fingerprint"], int(row["status"]), fill_positions(bytes(row["body"]), row["position"]), row["position"])

    def prune_keys(self, older_than: timedelta) -> int:
        with outage.watch(self.datastore.pool), self.datastore.pool.connection() as conn:
            cur = conn.execute(f"DELETE FROM {self.keys_table} WHERE created_at < %s", (_now() - older_than,))
            return int(cur.rowcount or 0)


class PgFactory(PostgresFactory):
    """The library's PostgreSQL factory with pengkom's recorder and bounded connection settings."""

    application_recorder_class = PgRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        timeout = float(self.env.get("STORE_TIMEOUT") or 1.0)
        statement = float(self.env.get("STATEMENT_TIMEOUT") or 10.0)
        lock = float(self.env.get(self.POSTGRES_LOCK_TIMEOUT) or 5.0)
        outage.bound_pool(self.datastore.pool, timeout=timeout, statement_timeout=statement, lock_timeout=lock)


# -- SQLite ------------------------------------------------------------------------------------------


class SqliteRecorder(SQLiteApplicationRecorder, CommandRecorder):
    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.keys_table = KEYS_TABLE

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (subject TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
                "status INTEGER NOT NULL, body BLOB NOT NULL, position INTEGER, created_at TEXT NOT NULL, PRIMARY KEY (subject, key))",
                f"CREATE INDEX IF NOT EXISTS {KEYS_TABLE}_created_idx ON {KEYS_TABLE} (created_at)"]

    def ping(self) -> int:
        return int(self.max_notification_id() or 0)

    def record_units(self, units: Sequence[Unit]) -> None:
        try:
            conn = self.datastore.get_connection(commit=True)
        except Exception as e:
            for u in units:
                u.finish(NOT_RECORDED, e)
            return
        with conn as c:
            db: sqlite3.Connection = c._sqlite_conn
            try:
                self._record(db, units)
            except _CommitFailed as e:
                log.warning("commit of %d commands failed; their outcome is unknown: %s", len(units), e.__cause__)
                for u in units:
                    u.finish(UNKNOWN, e.__cause__)
            except Exception as e:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                for u in units:
                    u.finish(NOT_RECORDED, e)

    def _record(self, db: sqlite3.Connection, units: Sequence[Unit]) -> None:
        insert = f"INSERT INTO {self.events_table_name} VALUES (?,?,?,?)"
        db.execute("BEGIN IMMEDIATE")
        done: list[Unit] = []
        now = _now().isoformat()
        for u in units:
            db.execute("SAVEPOINT command")
            try:
                ids = []
                for e in u.events:
                    oid = e.originator_id.hex if isinstance(e.originator_id, UUID) else e.originator_id
                    cur = db.execute(insert, (oid, e.originator_version, e.topic, e.state))
                    ids.append(int(cur.lastrowid or 0))
                u.ids = ids
            except sqlite3.IntegrityError:
                db.execute("ROLLBACK TO SAVEPOINT command")
                db.execute("RELEASE SAVEPOINT command")
                u.finish(CONFLICT)
                continue
            try:
                u.body_bytes = u.body(u.ids)
            except Exception as e:
                db.execute("ROLLBACK TO SAVEPOINT command")
                db.execute("RELEASE SAVEPOINT command")
                u.finish(FAILED, e)
                continue
            cur = db.execute(f"INSERT INTO {KEYS_TABLE} (subject, key, fingerprint, status, body, position, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (u.subject, u.key, u.fingerprint, u.status, u.body_bytes, u.ids[0] if u.ids else None, now))
            if cur.rowcount != 1:
                db.execute("ROLLBACK TO SAVEPOINT command")
                db.execute("RELEASE SAVEPOINT command")
                u.finish(DUPLICATE)
                continue
            db.execute("RELEASE SAVEPOINT command")
            done.append(u)
        if not done:
            db.execute("ROLLBACK")
            return
        self._commit(db)
        for u in done:
            u.finish(RECORDED)

    @staticmethod
    def _commit(db: sqlite3.Connection) -> None:
        try:
            db.execute("COMMIT")
        except sqlite3.Error as e:
            raise _CommitFailed("COMMIT failed") from e

    def find_key(self, subject: str, key: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT fingerprint, status, body, position FROM {KEYS_TABLE} WHERE subject = ? AND key = ?", (subject, key))
            row = c.fetchone()
        if row is None:
            return None
        return KeyRecord(row["fingerprint"], int(row["status"]), bytes(row["body"]), row["position"])

    def prune_keys(self, older_than: timedelta) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {KEYS_TABLE} WHERE created_at < ?", ((_now() - older_than).isoformat(),))
            return int(c.sqlite_cursor.rowcount or 0)


class SqliteFactory(SQLiteFactory):
    application_recorder_class = SqliteRecorder


# -- group commit ------------------------------------------------------------------------------------


class GroupCommit:
    """Commits concurrent commands together (leader/follower: no extra thread, no hand-off to a committer).

    A command thread queues its unit. If no commit is running it becomes the leader: it takes every
    queued unit (up to :data:`GROUP_MAX`) and records them in one transaction, then wakes the threads
    of that group, each on its own lock (no herd woken to find its command still queued). Units that
    arrived meanwhile form the next group: the leader hands the lead to the first of them — unless the
    store was found away, in which case they are answered at once like the group (nothing recorded).
    """

    def __init__(self, recorder: CommandRecorder, *, max_units: int = GROUP_MAX,
                 on_commit: Callable[[Sequence[Unit]], None] | None = None) -> None:
        self.recorder = recorder
        self.max_units = max_units
        self.on_commit = on_commit
        self._lock = threading.Lock()
        self._queue: list[Unit] = []
        #: The lock each queued unit's thread waits on (released when its group is done or it is to lead).
        self._waiting: dict[int, Any] = {}
        self._busy = False
        #: Groups and units committed (for the benchmark and the tests).
        self.groups = 0
        self.units = 0

    def submit(self, unit: Unit) -> Unit:
        wait = None
        with self._lock:
            self._queue.append(unit)
            if self._busy:
                wait = threading.Lock()
                wait.acquire()
                self._waiting[id(unit)] = wait
            else:
                self._busy = True
        if wait is not None:
            wait.acquire()  # released by the leader: this unit's group is done, or this thread leads next
            if unit.outcome != PENDING:
                return unit
        with self._lock:
            batch = self._queue[:self.max_units]
            del self._queue[:self.max_units]
        try:
            self._record(batch)
        finally:
            # The store was found away (nothing of the group recorded): the commands that queued meanwhile
            # get the same answer now (503, nothing recorded, retry) instead of each group waiting out its
            # own connection timeout in turn behind this one.
            away = next((u.error for u in batch if u.outcome == NOT_RECORDED and u.error is not None
                         and outage.is_unavailable(u.error)), None)
            with self._lock:
                wake = [self._waiting.pop(id(u)) for u in batch if id(u) in self._waiting]
                if away is not None:
                    for u in self._queue:
                        u.finish(NOT_RECORDED, away)
                        wake.append(self._waiting.pop(id(u)))
                    self._queue.clear()
                if self._queue:  # the next group's first thread leads it
                    wake.append(self._waiting.pop(id(self._queue[0])))
                else:
                    self._busy = False
            for w in wake:
                w.release()
        return unit

    def _record(self, batch: list[Unit]) -> None:
        started = time.perf_counter()
        try:
            self.recorder.record_units(batch)
        except BaseException as e:  # a recorder bug: nothing the group did is known to be recorded
            for u in batch:
                u.finish(UNKNOWN, e)
            raise
        finally:
            for u in batch:  # a unit the recorder left pending was not recorded
                u.finish(NOT_RECORDED, RuntimeError("the recorder did not record this command"))
        self.groups += 1
        self.units += len(batch)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("group of %d commands in %.1f ms", len(batch), (time.perf_counter() - started) * 1000)
        if self.on_commit is not None and any(u.outcome == RECORDED for u in batch):
            self.on_commit(batch)
