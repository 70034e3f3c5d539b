"""Tamper evidence: a hash chain over the stored event log, kept as events are recorded.

Entry *n* is ``sha256(digest(n-1) || position || aggregate id || version || topic || state)``
over the bytes exactly as stored, so a changed, removed, re-ordered or inserted event breaks the
chain at the first event affected. :func:`verify_chain` recomputes it from the stored events.

The chain is an append-only *record*, not a rebuildable read model: ``resettable = False``, so no
``pengkom replay`` or version change recomputes it from the log (a rebuild from a tampered log
would otherwise wash the tampering out). An empty or shortened chain — fewer entries than events
up to the furthest position the chain has covered (its tracking position, or a head it published)
— is a failure, as is a published head the chain no longer holds.

What it proves, and what not: the chain lives beside the read models, so someone able to rewrite
both the event table *and* this table can forge a consistent chain. The anchor against that is
the signed chain head (position, digest, Ed25519 signature; :mod:`api.heads`) every report
carries: a recipient who kept a head can later ask for the chain to be checked against it, and no
rewrite of the history before that position can reproduce it.
"""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from projections.base import Projection
from projections.log import EventLog
from projections.store import Tx, ViewStore

GENESIS = bytes(32)
ALGORITHM = "sha256"


def link(prev: bytes, position: int, originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one entry; every part is length-delimited so no two events share an encoding."""
    t = topic.encode()
    h = hashlib.sha256(prev)
    h.update(struct.pack(">QQ16sI", position, version, originator_id.bytes, len(t)))
    h.update(t)
    h.update(struct.pack(">Q", len(state)))
    h.update(state)
    return h.digest()


class HashChain(Projection):
    name = "chain"
    version = 1
    wants_raw = True
    # An append-only record: never dropped and recomputed from the log by a reset (a rebuild from a
    # tampered log would wash the tampering out).
    resettable = False
    tables = {
        "event_chain": (
            "position BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, aggregate_version BIGINT NOT NULL, "
            "topic TEXT NOT NULL, digest TEXT NOT NULL"
        ),
    }

    def __init__(self) -> None:
        super().__init__()
        self._prev = GENESIS
        #: (position, digest) of the last entry this instance wrote in a batch that was not rolled back.
        self._last: tuple[int, bytes] | None = None

    def begin(self, tx: Tx) -> None:
        # The next batch continues where this process's last one ended (the tracking row says so): the
        # digest it wrote there is the chain's head (a digest is a function of the log up to its position),
        # no query needed. Otherwise (another process applied meanwhile, a first batch) read the head.
        last = self._last
        if last is not None and self.applied_to is not None and last[0] == self.applied_to:
            self._prev = last[1]
            return
        row = tx.fetchone("SELECT digest FROM event_chain ORDER BY position DESC LIMIT 1")
        self._prev = bytes.fromhex(row["digest"]) if row else GENESIS

    def forget(self) -> None:
        self._last = None

    def apply_raw(self, tx: Tx, n: Any) -> None:
        oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
        digest = link(self._prev, n.id, oid, n.originator_version, n.topic, n.state)
        tx.execute("INSERT INTO event_chain (position, aggregate_id, aggregate_version, topic, digest) VALUES (?, ?, ?, ?, ?)",
                   (n.id, str(oid), n.originator_version, n.topic, digest.hex()))
        self._prev = digest
        self._last = (n.id, digest)


# -- the head, and checking the chain ------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    position: int
    digest: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "digest": self.digest, "algorithm": ALGORITHM}


def chain_head(store: ViewStore, upto: int | None = None) -> ChainHead | None:
    """The chain entry at the last event at or before ``upto`` (the whole chain's head by default).

    None when the chain does not (yet) reach ``upto`` — never a head for a different moment.
    """
    tracked = store.fetchone("SELECT position, rebuilding FROM projection_tracking WHERE name = ?", (HashChain.name,))
    if tracked is None:
        return None
    reach = int(tracked["position"])
    if upto is None:
        upto = reach
    elif upto > reach:
        return None
    row = store.fetchone("SELECT position, digest FROM event_chain WHERE position <= ? ORDER BY position DESC LIMIT 1", (upto,))
    return head_of(tracked, row, upto)


def head_of(tracked: dict[str, Any] | None, row: dict[str, Any] | None, upto: int) -> ChainHead | None:
    """:func:`chain_head` from rows already read: the chain's tracking row (position, rebuilding) and its
    last entry at or before ``upto`` (None: no entry). The async officer read (api/pgreads.py) reads both
    in its one statement."""
    if tracked is None or upto > int(tracked["position"]):
        return None
    if row is None:
        return ChainHead(0, GENESIS.hex()) if not tracked["rebuilding"] else None
    return ChainHead(int(row["position"]), row["digest"])


#: Heads handed out by ``GET /chain/head`` (signed), kept beside the chain: each must stay in it.
PUBLISHED = "chain_published_heads"


def ensure_published(store: ViewStore) -> None:
    with store.transaction() as tx:
        tx.execute(f"CREATE TABLE IF NOT EXISTS {PUBLISHED} (position BIGINT PRIMARY KEY, digest TEXT NOT NULL, "
                   "signature TEXT NOT NULL, key_id TEXT NOT NULL, published_at TEXT NOT NULL)")


def record_published(store: ViewStore, head: ChainHead, signature: str, key_id: str, at: str) -> None:
    ensure_published(store)
    with store.transaction() as tx:
        if tx.fetchone(f"SELECT 1 AS x FROM {PUBLISHED} WHERE position = ?", (head.position,)) is None:
            tx.execute(f"INSERT INTO {PUBLISHED} (position, digest, signature, key_id, published_at) VALUES (?, ?, ?, ?, ?)",
                       (head.position, head.digest, signature, key_id, at))


def _published(store: ViewStore) -> list[dict[str, Any]]:
    try:
        return store.fetchall(f"SELECT position, digest FROM {PUBLISHED} ORDER BY position")
    except Exception:  # never published anything: the table does not exist
        return []


@dataclass
class ChainProblem:
    position: int
    kind: str  # changed | removed | inserted | broken | shortened
    message: str


@dataclass
class ChainReport:
    head: ChainHead | None
    checked: int = 0
    unchained: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _name(aggregate_id: Any, version: int, topic: str) -> str:
    return f"{topic} of {aggregate_id} v{version}"


def verify_chain(app: Any, store: ViewStore, *, keep: int = 20, expect: ChainHead | None = None) -> ChainReport:
    """Recompute the chain from the stored events and compare it with the kept one.

    Each entry is recomputed from the *kept* digest before it, so one damaged event is reported
    once, at its position, and the report names the first event affected. ``expect``: a head a
    recipient kept; the kept chain must still hold exactly that digest at that position.

    The chain must also be whole: as many entries as there are events up to the furthest position
    it ever covered (its tracking position, or the furthest head it published), and not empty while
    the log holds events.
    """
    log = EventLog(app)
    published = _published(store)
    with store.snapshot() as snap:
        head = chain_head(snap)
        report = ChainReport(head=head)
        tracked = snap.fetchone("SELECT position FROM projection_tracking WHERE name = ?", (HashChain.name,))
        covered = max([int(tracked["position"]) if tracked else 0, *(int(r["position"]) for r in published)])
        entries = 0
        events_covered = 0
        inserted = 0

        def problem(position: int, kind: str, message: str) -> None:
            if len(report.problems) < keep:
                report.problems.append(ChainProblem(position, kind, message))
            else:
                report.more += 1

        chained: Iterator[tuple[Any, ...]] = snap.stream(  # type: ignore[attr-defined]  # a snapshot streams (_Snapshot)
            "SELECT position, aggregate_id, aggregate_version, topic, digest FROM event_chain ORDER BY position")
        stored = log.scan()
        c = next(chained, None)
        s = next(stored, None)
        prev = GENESIS
        while c is not None or s is not None:
            if c is not None and (s is None or int(c[0]) <= s.id):
                entries += int(c[0]) <= covered
            if s is not None and (c is None or s.id <= int(c[0])):
                events_covered += s.id <= covered
            if c is not None and (s is None or int(c[0]) < s.id):
                problem(int(c[0]), "removed", f"position {c[0]}: the event chained there ({_name(c[1], c[2], c[3])}) is no longer in the log")
                prev = bytes.fromhex(c[4])
                c = next(chained, None)
                continue
            assert s is not None
            if c is None:
                if head is not None and s.id <= head.position:
                    inserted += 1
                    name = _name(s.originator_id, s.originator_version, s.topic)
                    problem(s.id, "inserted", f"position {s.id}: {name} was never chained (inserted into the log)")
                else:
                    report.unchained += 1
                s = next(stored, None)
                continue
            if s.id < int(c[0]):
                inserted += s.id <= covered
                problem(s.id, "inserted", f"position {s.id}: {_name(s.originator_id, s.originator_version, s.topic)} was never chained (inserted into the log)")
                s = next(stored, None)
                continue
            # Same position: the stored event must reproduce the kept digest.
            oid = s.originator_id if isinstance(s.originator_id, UUID) else UUID(str(s.originator_id))
            digest = link(prev, s.id, oid, s.originator_version, s.topic, s.state).hex()
            report.checked += 1
            if digest != c[4]:
                was = _name(c[1], c[2], c[3])
                now = _name(oid, s.originator_version, s.topic)
                if was != now:
                    problem(s.id, "changed", f"position {s.id}: the chain recorded {was} here, the log now holds {now} (re-ordered or replaced)")
                else:
                    problem(s.id, "changed", f"position {s.id}: {now} is not the event that was recorded (its stored bytes changed)")
            prev = bytes.fromhex(c[4])
            c = next(chained, None)
            s = next(stored, None)
        if events_covered - inserted > entries:
            problem(covered, "shortened", f"position {covered}: the chain is shortened: it holds {entries:,} entries for the "
                    f"{events_covered:,} events up to position {covered}, the furthest it has covered; chain entries were removed")
        elif report.checked == 0 and report.unchained:
            problem(1, "shortened", f"position 1: the chain is empty while the log holds {report.unchained:,} events")
        kept = [ChainHead(int(r["position"]), r["digest"]) for r in published]
        for h in [*kept, *([expect] if expect is not None else [])]:
            if h.position == 0:
                continue
            row = snap.fetchone("SELECT digest FROM event_chain WHERE position = ?", (h.position,))
            if row is None or row["digest"] != h.digest:
                whose = "you kept" if h is expect else "it published"
                problem(h.position, "broken", f"position {h.position}: the chain no longer holds the head {whose} "
                        f"({h.digest[:16]}…); the history up to it was rewritten")
    report.problems.sort(key=lambda p: p.position)
    return report
