"""``pengkom verify``: rebuild every read model beside the live one and compare them row by row.

The live store is read in one snapshot: its tracking positions and its rows are of one moment,
and the scratch store is rebuilt to exactly those positions, so a server recording events while
verify runs does not cause false alarms. Nothing is ignored: a projection is a pure function of
the log, so any difference is a defect (a handler that is not deterministic, a row changed by
hand, a bug fixed without bumping the projection's version).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.base import Projection
from projections.runner import TRACKING, Progress, Projector
from projections.store import ViewStore

_CONSTRAINT = re.compile(r"^\s*(PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY|CONSTRAINT)\b", re.I)
_TABLE_PK = re.compile(r"^\s*PRIMARY\s+KEY\s*\(([^)]*)\)", re.I)


@dataclass(frozen=True)
class Column:
    name: str
    text: bool


def table_columns(body: str) -> tuple[list[Column], list[str]]:
    """(columns, primary-key columns) from a projection's portable CREATE TABLE body."""
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    cols: list[Column] = []
    pk: list[str] = []
    for part in parts:
        m = _TABLE_PK.match(part)
        if m:
            pk = [c.strip() for c in m.group(1).split(",")]
            continue
        if _CONSTRAINT.match(part) or not part.strip():
            continue
        words = part.split()
        cols.append(Column(words[0], words[1].upper().startswith(("TEXT", "VARCHAR", "CHAR")) if len(words) > 1 else False))
        if re.search(r"\bPRIMARY\s+KEY\b", part, re.I):
            pk = [words[0]]
    return cols, pk


@dataclass
class TableDiff:
    table: str
    live_rows: int = 0
    rebuilt_rows: int = 0
    missing: int = 0  # in the rebuild, not in the live store
    extra: int = 0  # in the live store, not in the rebuild
    changed: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed)


@dataclass
class ProjectionReport:
    name: str
    position: int
    tables: list[TableDiff] = field(default_factory=list)
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.skipped is None and all(t.ok for t in self.tables)


def _order(cols: list[Column], keys: list[str], dialect: str) -> str:
    text = {c.name for c in cols if c.text}
    # Byte order on both sides, so the merge below agrees with the database's ORDER BY.
    return ", ".join((f'{k} COLLATE "C"' if dialect == "postgres" and k in text else k) + " NULLS LAST" for k in keys)


def compare_table(live: ViewStore, rebuilt: ViewStore, table: str, body: str, *, keep: int = 20) -> TableDiff:
    cols, pk = table_columns(body)
    names = [c.name for c in cols]
    keys = pk or names
    key_idx = [names.index(k) for k in keys]
    sql = f"SELECT {', '.join(names)} FROM {table} ORDER BY {_order(cols, keys, live.dialect)}"
    diff = TableDiff(table)

    def key_of(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[i] for i in key_idx)

    def show(key: tuple[Any, ...]) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))

    def note(line: str) -> None:
        if len(diff.lines) < keep:
            diff.lines.append(line)

    with live.snapshot() as left, rebuilt.snapshot() as right:
        _merge(diff, left.stream(sql), right.stream(sql), key_of, show, note, names, table)  # type: ignore[attr-defined]
    return diff


def _merge(diff: TableDiff, a: Iterator[tuple[Any, ...]], b: Iterator[tuple[Any, ...]], key_of: Callable[..., Any],
           show: Callable[..., str], note: Callable[[str], None], names: list[str], table: str) -> None:
    ra, rb = next(a, None), next(b, None)
    while ra is not None or rb is not None:
        ka = key_of(ra) if ra is not None else None
        kb = key_of(rb) if rb is not None else None
        if rb is None or (ka is not None and _lt(ka, kb)):
            diff.live_rows += 1
            diff.extra += 1
            note(f"{table} [{show(ka)}]: in the live read model but not in the rebuild")
            ra = next(a, None)
        elif ra is None or _lt(kb, ka):
            diff.rebuilt_rows += 1
            diff.missing += 1
            note(f"{table} [{show(kb)}]: missing from the live read model")
            rb = next(b, None)
        else:
            diff.live_rows += 1
            diff.rebuilt_rows += 1
            if ra != rb:
                diff.changed += 1
                cells = "; ".join(f"{n}: live {x!r}, rebuilt {y!r}" for n, x, y in zip(names, ra, rb, strict=True) if x != y)
                note(f"{table} [{show(ka)}]: {cells}")
            ra, rb = next(a, None), next(b, None)


def _lt(x: tuple[Any, ...] | None, y: tuple[Any, ...] | None) -> bool:
    # NULL never occurs in a key (primary keys are NOT NULL); rows without a primary key are keyed
    # by every column, where NULL sorts last on PostgreSQL and first on SQLite.
    assert x is not None and y is not None
    return tuple((v is None, v) for v in x) < tuple((v is None, v) for v in y)


def _progress_of(group: list[str], on_progress: Callable[[str, Progress], None] | None) -> Callable[[Progress], None] | None:
    """The rebuild's progress callback for one group of read models (their names joined)."""
    if on_progress is None:
        return None
    names = ", ".join(group)
    return lambda pr: on_progress(names, pr)


def verify_read_models(app: Any, live: ViewStore, scratch: ViewStore, projections: Sequence[Projection], *,
                       fresh: Callable[[], Sequence[Projection]],
                       on_progress: Callable[[str, Progress], None] | None = None) -> list[ProjectionReport]:
    """Rebuild ``projections`` into ``scratch`` (wiped first) and compare with ``live``."""
    scratch.wipe()
    names = [p.name for p in projections]
    new = {p.name: p for p in fresh() if p.name in names}
    rebuild = Projector(app, scratch, [new[n] for n in names])
    reports: list[ProjectionReport] = []
    with live.snapshot() as snap:
        marks = ",".join("?" * len(names))
        tracked = {r["name"]: r for r in snap.fetchall(f"SELECT name, version, position, rebuilding FROM {TRACKING} WHERE name IN ({marks})", names)}
        by_position: dict[int, list[str]] = {}
        for p in projections:
            t = tracked.get(p.name)
            if t is None:
                reports.append(ProjectionReport(p.name, 0, skipped="it has no tracking row in the live store (never started)"))
            elif t["rebuilding"]:
                reports.append(ProjectionReport(p.name, int(t["position"]), skipped="it is being rebuilt right now; verify it after the rebuild"))
            elif int(t["version"]) != p.version:
                reports.append(ProjectionReport(p.name, int(t["position"]),
                                                skipped=f"the live rows are of version {t['version']}, the code is version {p.version}"))
            else:
                by_position.setdefault(int(t["position"]), []).append(p.name)
        for position, group in sorted(by_position.items()):
            rebuild.catch_up(only=group, stop=position, on_progress=_progress_of(group, on_progress))
            for name in group:
                report = ProjectionReport(name, position)
                for table, body in new[name].tables.items():
                    report.tables.append(compare_table(snap, scratch, table, body))
                reports.append(report)
    order = {n: i for i, n in enumerate(names)}
    return sorted(reports, key=lambda r: order[r.name])
