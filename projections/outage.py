"""Bounded waits on the stores, and what counts as "the store is away".

While the database is away, a request must fail within a second or two (the API answers 503 with
``Retry-After``), never wait for the library's retry loops or the connection pools' defaults (30 s);
and when the database is back, service must resume without a restart. This module:

- bounds every PostgreSQL connection pool (:func:`bound_pool`): taking a pooled connection
  (``timeout``), connecting (``connect_timeout``), statements and locks (server-side
  ``statement_timeout`` / ``lock_timeout``), and dead peers (TCP keepalives);
- makes the pools reconnect every quarter second instead of backing off exponentially (after a
  10 s outage the default back-off would wait up to 8 s more before it tried again);
- drops a pool's idle connections as soon as one of them is found broken (:func:`watch`), so the
  connections that died with the server are not handed out one failing request at a time;
- says which exceptions mean "unavailable, retry" (:func:`is_unavailable`).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Seconds a client should wait before retrying while the store is away (``Retry-After``).
RETRY_AFTER = 2

try:  # the pools reconnect at a steady pace rather than 1, 2, 4, 8… s apart
    from psycopg_pool.base import AttemptWithBackoff

    AttemptWithBackoff.INITIAL_DELAY = 0.25
    AttemptWithBackoff.DELAY_BACKOFF = 1.0
except ImportError:  # pragma: no cover - psycopg_pool is a dependency
    pass

_drained: dict[int, float] = {}
_drain_lock = threading.Lock()


def bound_pool(pool: Any, *, timeout: float, statement_timeout: float, lock_timeout: float | None = None) -> None:
    """Bound every wait of a psycopg pool (before it opens, or for the connections it makes from now on)."""
    kwargs = pool.kwargs if isinstance(pool.kwargs, dict) else {}
    options = [kwargs.get("options", "")] if kwargs.get("options") else []
    options.append(f"-c statement_timeout={int(statement_timeout * 1000)}")
    if lock_timeout is not None:
        options.append(f"-c lock_timeout={int(lock_timeout * 1000)}")
    kwargs.update(
        connect_timeout=max(1, round(timeout * 2)),
        keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
        options=" ".join(options),
    )
    pool.kwargs = kwargs
    pool.timeout = timeout
    # Never give up reconnecting: the database may be away longer than the default five minutes.
    pool.reconnect_timeout = 365 * 24 * 3600.0


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the store cannot serve now (down, unreachable, timed out, busy)."""
    try:
        import psycopg

        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            return True
    except ImportError:  # pragma: no cover
        pass
    from eventsourcing.persistence import InterfaceError, OperationalError

    # (the library's ConnectionUnavailableError, an exhausted SQLite pool, is an OperationalError)
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    # SQLite: "database is locked" after the busy timeout, a disk that went away.
    return isinstance(exc, sqlite3.OperationalError)


def _broken(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
        return False  # a slow statement, not a dead connection
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and not _is_pool_timeout(exc)


def _is_pool_timeout(exc: BaseException) -> bool:
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, PoolTimeout)


def drain(pool: Any) -> None:
    """Close the pool's idle connections (at most once a second): they are likely dead too."""
    now = time.monotonic()
    with _drain_lock:
        if now - _drained.get(id(pool), 0.0) < 1.0:
            return
        _drained[id(pool)] = now
    try:
        pool.drain()
    except Exception:  # noqa: S110 - a pool being closed: nothing to drain
        pass


@contextmanager
def watch(pool: Any) -> Iterator[None]:
    """Around a use of ``pool``: a connection found broken makes the pool drop its idle ones."""
    try:
        yield
    except BaseException as e:
        cause = e.__cause__ if e.__cause__ is not None else e
        if _broken(e) or _broken(cause):
            drain(pool)
        raise
