"""``pengkom backup FILE`` and ``pengkom restore FILE``: the event log and the stored files in one zip
file, restored into an empty store and then verified.

The backup holds what cannot be recomputed: every stored event exactly as stored (its log position,
aggregate id and version, topic and state bytes) and every certificate file; read models are
rebuilt from the log on restore. It is taken from a live deployment without stopping it: the
events up to the log's head at the start, and then every stored file (a file is stored before the
event naming it is recorded, so every file those events name is there).

Layout (zip, ZIP64): ``events.jsonl`` (one event per line: ``position``, ``originator_id``,
``originator_version``, ``topic``, ``state`` as text — or ``state_b64`` for bytes that are not UTF-8),
``files/<sha256>`` (stored uncompressed), and ``pengkom-backup.json`` (the manifest: counts, the
SHA-256 of ``events.jsonl``, and the hash-chain head the backup computed over its events).

While writing, the backup recomputes the hash chain (``projections/chain.py``) over the events it
copies and compares it with the deployment's own chain: a log that no longer matches its chain is
reported (exit 1), though the backup is still written. The restore refuses a store that already
holds events, loads the files (each re-hashed) and then the events in one transaction that only
commits if they reproduce the manifest's chain head, rebuilds every read model, and verifies: the
chain against the kept head (``pengkom verify --chain --expect``), every read model against a
second rebuild (``pengkom verify``), and every certificate named by an event against the file store.
The backup can be restored into the other kind of store (SQLite to PostgreSQL and back).

Exit codes: 0 done (and verified); 1 verification failed (the report says what); 2 usage (no such
file, not a pengkom backup, the target store is not empty).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from uuid import UUID

FORMAT = "pengkom-backup"
FORMAT_VERSION = 1
MANIFEST = "pengkom-backup.json"
EVENTS = "events.jsonl"
FILES = "files/"
CERTIFICATE_TOPIC = "pengkom.activity.CertificateRecorded"


def _say(out: IO[str], text: str) -> None:
    print(text, file=out, flush=True)


@dataclass
class BackupReport:
    path: Path
    events: int = 0
    head: int = 0
    chain: tuple[int, str] | None = None
    files: int = 0
    file_bytes: int = 0
    size: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


# -- backup ----------------------------------------------------------------------------------------------


def backup(settings: Any, path: Path, *, out: IO[str] | None = None) -> BackupReport:
    out = out or sys.stdout
    from api.bootstrap import open_stores
    from api.files import open_files
    from projections.chain import GENESIS, chain_head, link
    from projections.log import EventLog

    started = time.perf_counter()
    report = BackupReport(path=path)
    app, views = open_stores(settings)
    files = open_files(settings)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        log = EventLog(app)
        head = log.head()
        report.head = head
        kept = chain_head(views)  # the deployment's own chain, as far as it reaches now
        _say(out, f"pengkom backup: {settings.describe_store()}; events up to log position {head:,}; files in {files.location}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as zf:
            prev = GENESIS
            digest_at_kept: str | None = None
            events_sha = hashlib.sha256()
            with zf.open(EVENTS, "w", force_zip64=True) as f:
                buf: list[bytes] = []
                for n in log.scan(stop=head, batch=5000) if head else iter(()):
                    oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
                    state = bytes(n.state)
                    prev = link(prev, n.id, oid, n.originator_version, n.topic, state)
                    if kept is not None and n.id == kept.position:
                        digest_at_kept = prev.hex()
                    record: dict[str, Any] = {"position": n.id, "originator_id": str(oid), "originator_version": n.originator_version,
                                              "topic": n.topic}
                    try:
                        record["state"] = state.decode("utf-8")
                    except UnicodeDecodeError:
                        record["state_b64"] = base64.b64encode(state).decode()
                    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                    events_sha.update(line)
                    buf.append(line)
                    report.events += 1
                    if len(buf) >= 1000:
                        f.write(b"".join(buf))
                        buf.clear()
                f.write(b"".join(buf))
            if report.events:
                report.chain = (head, prev.hex())
            if kept is not None and kept.position and digest_at_kept != kept.digest:
                report.problems.append(
                    f"the stored log does not reproduce the deployment's hash chain at position {kept.position} "
                    f"(kept {kept.digest[:16]}…, recomputed {(digest_at_kept or 'nothing')[:16]}…): the log or the chain was "
                    "changed; `pengkom verify --chain` names the first event affected")
            _say(out, f"  events: {report.events:,} (positions up to {head:,}) in {time.perf_counter() - started:,.1f} s")
            for sha in files.digests():
                stored = files.open(sha)
                info = zipfile.ZipInfo(FILES + sha, date_time=time.gmtime()[:6])
                info.compress_type = zipfile.ZIP_STORED  # PDFs and scans are compressed already
                h = hashlib.sha256()
                with zf.open(info, "w", force_zip64=True) as f:
                    for chunk in stored:
                        h.update(chunk)
                        f.write(chunk)
                if h.hexdigest() != sha:
                    report.problems.append(f"the stored file {sha} no longer hashes to its name (it hashes to {h.hexdigest()})")
                report.files += 1
                report.file_bytes += stored.size
            _say(out, f"  files: {report.files:,} ({report.file_bytes:,} bytes)")
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "source": {"store": settings.store_name, "where": settings.describe_store()},
                "events": {"count": report.events, "last_position": head, "sha256": events_sha.hexdigest()},
                "chain": {"position": report.chain[0], "digest": report.chain[1], "algorithm": "sha256"} if report.chain else None,
                "files": {"count": report.files, "bytes": report.file_bytes},
            }
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
        os.replace(tmp, path)
        report.size = path.stat().st_size
        report.seconds = time.perf_counter() - started
        chain = f"chain head {report.chain[0]}:{report.chain[1]}" if report.chain else "no events"
        _say(out, f"pengkom backup: wrote {path} ({report.size:,} bytes) in {report.seconds:,.1f} s; {chain}")
        for p in report.problems:
            _say(out, f"  PROBLEM: {p}")
        return report
    finally:
        tmp.unlink(missing_ok=True)
        files.close()
        views.close()
        app.close()


# -- restore ---------------------------------------------------------------------------------------------


class RestoreRefused(Exception):
    """The backup file or the target store cannot be used (exit code 2)."""


@dataclass
class RestoreReport:
    events: int = 0
    files: int = 0
    file_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    chain_ok: bool = False
    read_models_ok: bool = False
    missing_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain_ok and self.read_models_ok and not self.missing_files and not self.problems


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise RestoreRefused(f"this file holds no {MANIFEST}; it is not a pengkom backup (or it was cut short)") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(f"this is not a pengkom backup of format version {FORMAT_VERSION} "
                             f"(it says {manifest.get('format')!r} version {manifest.get('format_version')!r})")
    return manifest


def _events(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> Iterator[tuple[int, UUID, int, str, bytes]]:
    """The backup's events, checking the member's SHA-256 as it is read (a damaged file stops the restore)."""
    h = hashlib.sha256()
    with zf.open(EVENTS) as f:
        for line in f:
            h.update(line)
            r = json.loads(line)
            state = r["state"].encode("utf-8") if "state" in r else base64.b64decode(r["state_b64"])
            yield int(r["position"]), UUID(r["originator_id"]), int(r["originator_version"]), str(r["topic"]), state
    if h.hexdigest() != manifest["events"]["sha256"]:
        raise RestoreRefused(f"{EVENTS} in the backup is damaged: its SHA-256 is {h.hexdigest()}, the manifest says "
                             f"{manifest['events']['sha256']}")


def restore(settings: Any, path: Path, *, out: IO[str] | None = None) -> RestoreReport:
    out = out or sys.stdout
    from api.bootstrap import build, open_event_store, open_views, setup_lock
    from api.files import open_files
    from api.ops import ensure_schema
    from core.application import Pengkom
    from projections.chain import ChainHead, verify_chain
    from projections.registry import all_projections
    from projections.verify import verify_read_models

    if not path.is_file():
        raise RestoreRefused(f"{path} does not exist")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise RestoreRefused(f"{path} is not a pengkom backup (not a zip file)") from None
    report = RestoreReport()
    with zf:
        manifest = read_manifest(zf)
        _say(out, f"pengkom restore: {path} (made {manifest['created_at']} from {manifest['source']['where']}: "
                  f"{manifest['events']['count']:,} events, {manifest['files']['count']:,} files) into {settings.describe_store()}")
        ensure_schema(settings)
        app = open_event_store(settings)
        try:
            if app.recorder.max_notification_id():
                raise RestoreRefused(f"the target store {settings.describe_store()} already holds events; restore into an empty one "
                                     "(a new PENGKOM_PG_SCHEMA or database, or an empty PENGKOM_DATA_DIR)")
        finally:
            app.close()
        # 1. Files first: should the events then fail, a stray file is harmless (content-addressed).
        t = time.perf_counter()
        files = open_files(settings)
        try:
            for info in zf.infolist():
                if not info.filename.startswith(FILES):
                    continue
                sha = info.filename[len(FILES):]
                with zf.open(info) as f:
                    files.put_known(sha, info.file_size, _read_chunks(f))
                report.files += 1
                report.file_bytes += info.file_size
        finally:
            files.close()
        report.seconds["files"] = time.perf_counter() - t
        _say(out, f"  files: {report.files:,} restored ({report.file_bytes:,} bytes, each re-hashed) in {report.seconds['files']:,.1f} s")
        # 2. Events, in one transaction that commits only if they reproduce the manifest's chain head.
        t = time.perf_counter()
        expect = manifest.get("chain")
        report.events = _load_events(settings, _events(zf, manifest), expect)
        report.seconds["events"] = time.perf_counter() - t
        _say(out, f"  events: {report.events:,} restored at their original positions in {report.seconds['events']:,.1f} s")
    # 3. Read models: rebuilt from the restored log (start-up of the services rebuilds whatever is behind).
    t = time.perf_counter()
    with setup_lock(settings):
        app = Pengkom(env=settings.event_store_env())
        views = open_views(settings)
        try:
            from projections.runner import Projector

            Projector(app, views, all_projections()).reset()  # whatever a previous start left there describes no log
        finally:
            views.close()
            app.close()
    services = build(settings)
    try:
        report.seconds["rebuild"] = time.perf_counter() - t
        _say(out, f"  read models: rebuilt from the log in {report.seconds['rebuild']:,.1f} s")
        # 4. Verification: the chain against the backup's head, the read models against a second rebuild, the files.
        t = time.perf_counter()
        head = ChainHead(int(expect["position"]), str(expect["digest"])) if expect else None
        chain = verify_chain(services.app, services.views, expect=head)
        report.chain_ok = chain.ok and (head is None or (chain.head is not None and chain.head.position >= head.position))
        if report.chain_ok:
            _say(out, f"  chain intact: {chain.checked:,} events checked; head "
                      f"{'position ' + str(chain.head.position) + ', sha256 ' + chain.head.digest if chain.head else 'none'}"
                      f"{' — the backup’s head' if head else ''}")
        else:
            report.problems += [p.message for p in chain.problems] or ["the rebuilt chain does not reach the backup's head"]
        scratch = open_views(settings, scratch="restore_verify")
        try:
            reports = verify_read_models(services.app, services.views, scratch, services.projector.resolve(None), fresh=all_projections)
        finally:
            scratch.discard()
        bad = [r.name for r in reports if r.skipped is not None or not r.ok]
        report.read_models_ok = not bad
        if bad:
            report.problems.append(f"read models that differ from a rebuild: {', '.join(bad)}")
        else:
            rows = sum(t.live_rows for r in reports for t in r.tables)
            _say(out, f"  read models: all {len(reports)} identical to a second rebuild from the log ({rows:,} rows)")
        report.missing_files = _missing_files(services)
        if report.missing_files:
            report.problems.append(f"{len(report.missing_files)} certificate file(s) named by events are not in the backup: "
                                   f"{', '.join(report.missing_files[:5])}")
        else:
            _say(out, "  files: every certificate named by an event is stored")
        report.seconds["verify"] = time.perf_counter() - t
    finally:
        services.close()
    total = sum(report.seconds.values())
    if report.ok:
        _say(out, f"pengkom restore: done and verified in {total:,.1f} s ({report.events:,} events, {report.files:,} files)")
    else:
        for p in report.problems:
            _say(out, f"  PROBLEM: {p}")
        _say(out, "pengkom restore: restored, but verification FAILED (above); do not serve this store until it is understood")
    return report


def _read_chunks(f: IO[bytes]) -> Iterator[bytes]:
    while chunk := f.read(256 * 1024):
        yield chunk


def _missing_files(services: Any) -> list[str]:
    from projections.log import EventLog

    missing: list[str] = []
    files = services.files
    for n in EventLog(services.app).scan(topics=[CERTIFICATE_TOPIC]):
        sha = json.loads(bytes(n.state)).get("sha256")
        if sha and not files.exists(sha) and sha not in missing:
            missing.append(sha)
    return missing


def _load_events(settings: Any, events: Iterator[tuple[int, UUID, int, str, bytes]], expect: dict[str, Any] | None) -> int:
    """Insert the events at their positions in one transaction; commit only if their chain head is ``expect``."""
    from api.bootstrap import open_event_store
    from projections.chain import GENESIS, link
    from projections.log import EventLog

    app = open_event_store(settings)  # creates the event table if the store is new
    try:
        table = EventLog(app).table
    finally:
        app.close()
    prev = GENESIS
    last = 0
    count = 0

    def chained() -> Iterator[tuple[int, UUID, int, str, bytes]]:
        nonlocal prev, last, count
        for e in events:
            position, oid, version, topic, state = e
            if position <= last:
                raise RestoreRefused(f"the backup's events are out of order at position {position}")
            prev = link(prev, position, oid, version, topic, state)
            last = position
            count += 1
            yield e

    def check() -> None:
        if expect is None:
            if count:
                raise RestoreRefused("the backup's manifest has no chain head, yet it holds events")
            return
        if last != int(expect["position"]) or prev.hex() != expect["digest"]:
            raise RestoreRefused(f"the backup's events do not reproduce its chain head (position {expect['position']}, "
                                 f"{str(expect['digest'])[:16]}…; the events give position {last}, {prev.hex()[:16]}…): "
                                 "the backup file was changed or damaged; nothing was restored")

    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            with conn.transaction():
                with conn.cursor() as cur, cur.copy(
                        f"COPY {table} (notification_id, originator_id, originator_version, topic, state) FROM STDIN") as copy:
                    for position, oid, version, topic, state in chained():
                        copy.write_row((position, oid, version, topic, state))
                check()
                if count:
                    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), %s)", (last,))
        return count
    import sqlite3

    lite = sqlite3.connect(settings.data_dir / "pengkom.events.sqlite", isolation_level=None, timeout=30)
    try:
        lite.execute("BEGIN IMMEDIATE")
        try:
            lite.executemany(f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                             ((p, oid.hex, v, topic, state) for p, oid, v, topic, state in chained()))
            check()
        except BaseException:
            lite.execute("ROLLBACK")
            raise
        lite.execute("COMMIT")
    finally:
        lite.close()
    return count


# -- commands --------------------------------------------------------------------------------------------


def _backup_command(args: Any) -> int:
    """``pengkom backup FILE``; ``-`` writes the backup to standard output (progress goes to stderr)."""
    import shutil
    import tempfile

    from api.settings import Settings

    try:
        settings = Settings.from_env()
        if args.file != "-":
            return 1 if backup(settings, Path(args.file)).problems else 0
        with tempfile.TemporaryDirectory(prefix="pengkom-backup-") as d:
            report = backup(settings, Path(d) / "backup.zip", out=sys.stderr)
            with open(report.path, "rb") as f:
                shutil.copyfileobj(f, sys.stdout.buffer, 1024 * 1024)
            sys.stdout.buffer.flush()
            return 1 if report.problems else 0
    except ValueError as e:
        print(f"pengkom backup: {e}", file=sys.stderr)
        return 2


def _restore_command(args: Any) -> int:
    """``pengkom restore FILE``; ``-`` reads the backup from standard input."""
    import shutil
    import tempfile

    from api.settings import Settings

    try:
        settings = Settings.from_env()
        if args.file != "-":
            return 0 if restore(settings, Path(args.file)).ok else 1
        with tempfile.TemporaryDirectory(prefix="pengkom-restore-") as d:
            path = Path(d) / "backup.zip"
            with open(path, "wb") as f:
                shutil.copyfileobj(sys.stdin.buffer, f, 1024 * 1024)
            return 0 if restore(settings, path).ok else 1
    except (RestoreRefused, ValueError) as e:
        print(f"pengkom restore: {e}", file=sys.stderr)
        return 2


def add_commands(sub: Any) -> None:
    p = sub.add_parser("backup", help="write the event log and the stored files to one file (the deployment keeps running)")
    p.add_argument("file", help="the backup file to write (a zip file; replaced if it exists); - for standard output")
    p.set_defaults(func=_backup_command)
    p = sub.add_parser("restore", help="restore a backup into an empty store, rebuild the read models and verify everything")
    p.add_argument("file", help="a file written by `pengkom backup`; - for standard input")
    p.set_defaults(func=_restore_command)
