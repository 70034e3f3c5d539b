"""The background projector: one process per deployment applies new events to the read models.

Commands no longer catch the read models up themselves (that serialised every command behind one
lock and cost ~half of each command's time). Instead each process runs a :class:`Follower`:

- **One leader per deployment.** On PostgreSQL the leader holds a session advisory lock (key
  ``pengkom-projector:<schema>``); on SQLite an exclusive lock on the file ``.projector.lock`` in the
  data directory. The leader applies the log; the other processes (API workers, replicas) only
  read. If the leader dies, its lock goes with its session and another process takes over within a
  second. The lock is an optimisation, not a guarantee: every batch locks the tracking rows and
  writes them in its own transaction, so two appliers at once would still apply each event once.
- **A worker first** (``PENGKOM_PROJECTOR=standby``, the API replicas of docker/compose.yaml). Every
  ``pengkom follow`` worker announces itself while it runs (a *shared* advisory lock, key
  ``pengkom-worker:<schema>``; on SQLite a shared ``flock`` on ``.worker.lock``). A standby process
  leads only while no worker runs and hands the lead back as soon as one does: the replicas never
  compete with a running worker, yet the read models keep advancing while the worker is restarted.
- **Woken on commit.** A commit in the leader's own process wakes it at once; a commit in another
  process reaches it through PostgreSQL ``NOTIFY`` (the event store notifies on every commit; on
  SQLite the leader also polls every ``poll`` seconds).
- **Reads wait for it** (read-your-writes, :meth:`projections.runner.Projector.barrier`): each batch
  the leader commits wakes the waiting reads of its own process and ``NOTIFY``-s those of others.
- It also forgets idempotency keys older than their retention, once an hour.
"""
from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("projections.runner")

#: Seconds between idle polls (new events from another process on SQLite; leadership elsewhere).
POLL = 0.5
#: Seconds between prunes of expired idempotency keys.
PRUNE_EVERY = 3600.0


class Leadership:
    """Who applies the log in this deployment (base: always this process, e.g. a private store)."""

    leader = True
    #: ``time.monotonic()`` before which this process does not try to lead (it lets a dedicated
    #: projector process, started beside it, take the lead first; it still takes over if that one dies).
    not_before = 0.0
    #: This process is a ``pengkom follow`` worker: it announces itself while it runs.
    worker = False
    #: This process leads only while no worker runs, and hands the lead back when one starts.
    standby = False

    def start(self, on_events: Callable[[], None], on_applied: Callable[[], None]) -> None:
        pass

    def acquire(self) -> bool:
        return self.leader

    def stop(self) -> None:
        pass


class FileLeadership(Leadership):
    """SQLite: an exclusive ``flock`` on a file beside the databases (released when the process dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.presence = path.with_name(".worker.lock")
        self.leader = False
        self._file: Any = None
        self._announced: Any = None

    def acquire(self) -> bool:
        if self.worker and self._announced is None:
            self._announced = self._flock(self.presence, fcntl.LOCK_SH)
        if self.leader:
            if self.standby and self._worker_runs():
                log.info("a projection worker runs: this process leaves it the lead")
                self._release()
            return self.leader
        if time.monotonic() < self.not_before or (self.standby and self._worker_runs()):
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            f = open(self.path, "a")  # held for the life of the process
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                return False
            self._file = f
            self.leader = True
        except OSError as e:
            log.warning("cannot take the projector lock %s: %s", self.path, e)
        return self.leader

    def _flock(self, path: Path, how: int) -> Any:
        """The open file holding ``flock(how)`` on ``path``, or None when another process holds it."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(path, "a")
        except OSError as e:
            log.warning("cannot open the lock file %s: %s", path, e)
            return None
        try:
            fcntl.flock(f, how | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return None
        return f

    def _worker_runs(self) -> bool:
        probe = self._flock(self.presence, fcntl.LOCK_EX)
        if probe is None:
            return True  # a worker holds its shared lock
        probe.close()  # closing the file releases the lock
        return False

    def _release(self) -> None:
        if self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None
        self.leader = False

    def stop(self) -> None:
        self._release()
        if self._announced is not None:
            self._announced.close()
            self._announced = None


class PgLeadership(Leadership):
    """PostgreSQL: a session advisory lock, and LISTEN for commits and applied batches, on one
    dedicated connection owned by a listener thread (reconnecting while the database is away)."""

    def __init__(self, conninfo: str, schema: str, events_channel: str, applied_channel: str, *, timeout: float = 1.0) -> None:
        self.conninfo = conninfo
        self.key = f"pengkom-projector:{schema}"
        self.worker_key = f"pengkom-worker:{schema}"
        self.events_channel = events_channel
        self.applied_channel = applied_channel
        self.timeout = timeout
        self.leader = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_events: Callable[[], None], on_applied: Callable[[], None]) -> None:
        self._thread = threading.Thread(target=self._run, args=(on_events, on_applied), name="pengkom-listener", daemon=True)
        self._thread.start()

    def acquire(self) -> bool:
        return self.leader

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self, on_events: Callable[[], None], on_applied: Callable[[], None]) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=max(1, round(self.timeout * 2)),
                                     keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2) as conn:
                    conn.execute(f'LISTEN "{self.events_channel}"')
                    conn.execute(f'LISTEN "{self.applied_channel}"')
                    tried = 0.0
                    announced = False
                    while not self._stop.is_set():
                        if self.worker and not announced:
                            announced = self._try(conn, "pg_try_advisory_lock_shared", self.worker_key)
                        if time.monotonic() - tried > POLL:
                            tried = time.monotonic()
                            if self.leader:
                                if self.standby and self._worker_runs(conn):
                                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.key,))
                                    self.leader = False
                                    log.info("a projection worker runs: this process leaves it the lead")
                            elif time.monotonic() >= self.not_before and not (self.standby and self._worker_runs(conn)):
                                if self._try(conn, "pg_try_advisory_lock", self.key):
                                    self.leader = True
                                    log.info("this process applies the log to the read models (projector leader)")
                                    on_events()
                        for n in conn.notifies(timeout=POLL, stop_after=1):
                            if n.channel == self.events_channel:
                                if self.leader:
                                    on_events()
                            else:
                                on_applied()
            except Exception as e:
                if self.leader:
                    log.warning("projector leadership lost (%s); trying again", e)
                self.leader = False
                self._stop.wait(0.5)
        self.leader = False

    @staticmethod
    def _try(conn: Any, function: str, key: str) -> bool:
        row = conn.execute(f"SELECT {function}(hashtext(%s))", (key,)).fetchone()
        return bool(row and row[0])

    def _worker_runs(self, conn: Any) -> bool:
        """Does a ``pengkom follow`` worker run? (It holds its key shared; an exclusive try fails then.)"""
        if self._try(conn, "pg_try_advisory_lock", self.worker_key):
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.worker_key,))
            return False
        return True


class Follower:
    """The background thread that applies the log when this process leads (see module doc)."""

    def __init__(self, projector: Any, leadership: Leadership, *, poll: float = POLL,
                 prune: Callable[[], int] | None = None, lead_after: float = 0.0) -> None:
        self.projector = projector
        self.leadership = leadership
        self.poll = poll
        self.prune = prune
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned = 0.0
        leadership.not_before = time.monotonic() + lead_after

    @property
    def leader(self) -> bool:
        return self.leadership.leader

    def wake(self) -> None:
        # A process that does not lead has nothing to apply: a commit here need not wake it (it would only
        # read the tracking rows again, one query per commit); it keeps polling for the lead.
        if self.leadership.leader:
            self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self.leadership.start(self.wake, self.projector.applied_elsewhere)
        self._wake.set()  # the first round at once: take the lead if free, apply what is new
        self._thread = threading.Thread(target=self._run, name="pengkom-projector", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.leadership.stop()

    def run_once(self) -> int:
        """One catch-up, if this process leads (``pengkom follow --once``)."""
        return self.projector.catch_up(follower=True) if self.leadership.acquire() else 0

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            woken = self._wake.wait(self.poll)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                if self.leadership.acquire():
                    # A poll (no commit woke it) first asks whether anything new was recorded: one
                    # cheap query instead of a catch-up transaction.
                    if woken or self._news():
                        self.projector.catch_up(follower=True)
                    self._maybe_prune()
                else:
                    self.projector.refresh()
                if failing:
                    log.warning("the read models are being applied again")
                failing = False
            except Exception as e:
                if not failing:
                    log.warning("cannot apply the log to the read models now (%s: %s); retrying", type(e).__name__, e)
                failing = True
                self._stop.wait(0.5)

    def _news(self) -> bool:
        reached = self.projector.reached()
        return reached is None or (self.projector.app.recorder.max_notification_id() or 0) > reached

    def _maybe_prune(self) -> None:
        if self.prune is None or time.monotonic() - self._pruned < PRUNE_EVERY:
            return
        self._pruned = time.monotonic()
        try:
            n = self.prune()
            if n:
                log.info("forgot %d expired idempotency keys", n)
        except Exception as e:
            log.warning("could not prune idempotency keys: %s", e)
