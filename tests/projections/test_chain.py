"""Tamper evidence on SQLite and PostgreSQL: the hash chain over the stored log names the first
event affected by a flipped byte, a deleted row, a swapped pair or an inserted row."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from projections.chain import chain_head, link, verify_chain
from tests.conftest import PG_URL
from tests.support.record import populate


class RawLog:
    """The stored event table, edited behind the application's back (as an intruder would)."""

    def __init__(self, settings: Any) -> None:
        self.pg = bool(settings.database_url)
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(PG_URL, autocommit=True)
            self.table, self.pos, self.mark = f"{settings.pg_schema}.pengkom_events", "notification_id", "%s"
        else:
            self.conn = sqlite3.connect(settings.data_dir / "pengkom.events.sqlite", isolation_level=None)
            self.table, self.pos, self.mark = "stored_events", "rowid", "?"

    def sql(self, sql: str, *params: Any) -> list[Any]:
        cur = self.conn.execute(sql.format(t=self.table, pos=self.pos).replace("?", self.mark), params)
        return cur.fetchall() if cur.description else []

    def row(self, position: int) -> tuple[Any, ...]:
        [row] = self.sql("SELECT originator_id, originator_version, topic, state FROM {t} WHERE {pos} = ?", position)
        return row

    def close(self) -> None:
        self.conn.close()


def flip_a_byte(log: RawLog, k: int) -> None:
    state = bytearray(log.row(k)[3])
    state[len(state) // 2] ^= 0x01
    log.sql("UPDATE {t} SET state = ? WHERE {pos} = ?", bytes(state), k)


def delete_a_row(log: RawLog, k: int) -> None:
    log.sql("DELETE FROM {t} WHERE {pos} = ?", k)


def swap_a_pair(log: RawLog, k: int) -> None:
    a, b = log.row(k), log.row(k + 1)
    log.sql("UPDATE {t} SET topic = ?, state = ? WHERE {pos} = ?", b[2], b[3], k)
    log.sql("UPDATE {t} SET topic = ?, state = ? WHERE {pos} = ?", a[2], a[3], k + 1)


def insert_a_row(log: RawLog, k: int) -> None:
    # Make room at k by moving every later event one place up (the only way to insert into a
    # gapless log), then slip a forged copy of event k-1 under a new version in.
    oid, version, topic, state = log.row(k - 1)
    log.sql("UPDATE {t} SET {pos} = -{pos} - 1 WHERE {pos} >= ?", k)
    log.sql("UPDATE {t} SET {pos} = -{pos} WHERE {pos} < 0")
    cols = f"{log.pos}, originator_id, originator_version, topic, state"
    log.sql(f"INSERT INTO {{t}} ({cols}) VALUES (?, ?, ?, ?, ?)", k, oid, version + 100, topic, state)


TAMPERINGS: dict[str, tuple[Callable[[RawLog, int], None], str, str]] = {
    "flipped byte": (flip_a_byte, "changed", "is not the event that was recorded (its stored bytes changed)"),
    "deleted row": (delete_a_row, "removed", "is no longer in the log"),
    "swapped pair": (swap_a_pair, "changed", "re-ordered or replaced"),
    "inserted row": (insert_a_row, "changed", "re-ordered or replaced"),
}


def test_an_untouched_log_verifies_and_the_head_is_the_last_link(services):
    populate(services)
    report = verify_chain(services.app, services.views)
    head = chain_head(services.views)
    assert report.ok and report.checked == head.position == services.app.recorder.max_notification_id()
    # The head digest is reproducible by anyone holding the stored events.
    prev = bytes(32)
    for n in services.app.recorder.select_notifications(start=1, limit=100):
        prev = link(prev, n.id, n.originator_id, n.originator_version, n.topic, n.state)
    assert prev.hex() == head.digest


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_tampering_with_the_stored_log_is_detected_and_the_first_event_named(services, settings, tampering):
    populate(services)
    k = 4
    victim = services.app.recorder.select_notifications(start=k, limit=1)[0]
    change, kind, phrase = TAMPERINGS[tampering]
    log = RawLog(settings)
    try:
        change(log, k)
    finally:
        log.close()
    report = verify_chain(services.app, services.views)
    assert not report.ok
    first = report.problems[0]
    assert (first.position, first.kind) == (k, kind), report.problems
    assert first.message.startswith(f"position {k}: ") and phrase in first.message
    assert f"{victim.originator_id} v{victim.originator_version}" in first.message


def test_a_row_inserted_before_the_first_event_and_an_unchained_tail(services, settings):
    populate(services)
    log = RawLog(settings)
    try:
        oid, version, topic, state = log.row(1)
        cols = f"{log.pos}, originator_id, originator_version, topic, state"
        log.sql(f"INSERT INTO {{t}} ({cols}) VALUES (?, ?, ?, ?, ?)", 0, oid, version + 50, topic, state)
    finally:
        log.close()
    report = verify_chain(services.app, services.views)
    assert [(p.position, p.kind) for p in report.problems] == [(0, "inserted")]
    assert "was never chained (inserted into the log)" in report.problems[0].message


def test_events_recorded_after_the_head_are_reported_as_not_yet_chained(services):
    from tests.support.record import T0, register

    populate(services)
    head = chain_head(services.views)
    services.projector.catch_up = lambda **kw: 0  # an API process that died before its catch-up
    register(services, "19700707 199503 1 004", T0)
    report = verify_chain(services.app, services.views)
    assert report.ok and report.unchained == 1 and report.head == head
