"""Where certificate and statement files live: the data directory (embedded SQLite) or PostgreSQL.

With PostgreSQL every API replica must serve every file, and a database backup must hold them, so
the files go into the database beside the event log: ``pengkom_files`` (one row per distinct file,
keyed by its SHA-256: content-addressed, so the same certificate uploaded twice is stored once) and
``pengkom_file_chunks`` (its bytes in chunks of ``core.evidence.CHUNK``, written in one transaction
with the file's row, read one chunk per query). Neither an upload nor a download holds a whole file
in memory, and a download holds a database connection only while one chunk is read.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from api.settings import Settings
from core.errors import NotFound
from core.evidence import CHUNK, DirectoryFileStore, FileContent, FileStore, check_digest
from core.i18n import msg

FILES = "pengkom_files"
CHUNKS = "pengkom_file_chunks"


class PostgresFileStore(FileStore):
    def __init__(self, conninfo: str, schema: str = "public", *, max_bytes: int, pool_size: int = 4) -> None:
        from psycopg_pool import ConnectionPool

        super().__init__(max_bytes=max_bytes)
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ValueError(f"schema name {schema!r} must be a plain lower-case identifier")
        self.schema = schema
        self.location = f"postgresql (schema {schema}, tables {FILES}, {CHUNKS})"
        self.pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=True,
                                   kwargs={"options": f"-c search_path={schema}", "autocommit": True})
        self._setup()

    def _setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
            if conn.execute("SELECT to_regclass(%s)", (f"{self.schema}.{CHUNKS}",)).fetchone() not in (None, (None,)):
                return
            conn.execute(f"CREATE TABLE IF NOT EXISTS {FILES} (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, "
                         "chunks INTEGER NOT NULL, stored_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {CHUNKS} (sha256 TEXT NOT NULL REFERENCES {FILES} (sha256), "
                         "seq INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (sha256, seq))")
            # PDFs and JPEGs are compressed already: store the chunks out of line without trying again.
            conn.execute(f"ALTER TABLE {CHUNKS} ALTER COLUMN data SET STORAGE EXTERNAL")

    def exists(self, sha256: str) -> bool:
        check_digest(sha256)
        with self.pool.connection() as conn:
            return conn.execute(f"SELECT 1 FROM {FILES} WHERE sha256 = %s", (sha256,)).fetchone() is not None

    def open(self, sha256: str) -> FileContent:
        check_digest(sha256)
        with self.pool.connection() as conn:
            row = conn.execute(f"SELECT size, chunks FROM {FILES} WHERE sha256 = %s", (sha256,)).fetchone()
        if row is None:
            raise NotFound(msg("No stored file has SHA-256 {sha256}.", sha256=sha256), field="sha256")
        size, count = int(row[0]), int(row[1])
        return FileContent(sha256, size, _Chunks(self, sha256, count))

    def _chunk(self, sha256: str, seq: int) -> bytes:
        with self.pool.connection() as conn:
            row = conn.execute(f"SELECT data FROM {CHUNKS} WHERE sha256 = %s AND seq = %s", (sha256, seq)).fetchone()
        if row is None:
            raise NotFound(msg("The stored file {sha256} lacks its part {seq}.", sha256=sha256, seq=seq), field="sha256")
        return bytes(row[0])

    def digests(self) -> Iterator[str]:
        last = ""
        while True:
            with self.pool.connection() as conn:
                rows = conn.execute(f"SELECT sha256 FROM {FILES} WHERE sha256 > %s ORDER BY sha256 LIMIT 1000", (last,)).fetchall()
            for (sha,) in rows:
                yield sha
            if len(rows) < 1000:
                return
            last = rows[-1][0]

    def _store(self, sha256: str, size: int, chunks: Iterator[bytes]) -> None:
        with self.pool.connection() as conn, conn.transaction():
            # The row first: a concurrent upload of the same file waits here, then finds it stored.
            if conn.execute(f"INSERT INTO {FILES} (sha256, size, chunks) VALUES (%s, %s, 0) ON CONFLICT DO NOTHING RETURNING sha256",
                            (sha256, size)).fetchone() is None:
                return
            seq = 0
            for chunk in _rechunk(chunks):
                conn.execute(f"INSERT INTO {CHUNKS} (sha256, seq, data) VALUES (%s, %s, %s)", (sha256, seq, chunk))
                seq += 1
            conn.execute(f"UPDATE {FILES} SET chunks = %s WHERE sha256 = %s", (seq, sha256))

    def usage(self) -> dict[str, int]:
        """Files, their bytes, and what the two tables take on disk (for the sizing figures)."""
        with self.pool.connection() as conn:
            n, total = conn.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM {FILES}").fetchone() or (0, 0)
            disk = conn.execute(f"SELECT pg_total_relation_size('{FILES}') + pg_total_relation_size('{CHUNKS}')").fetchone()
        return {"files": int(n), "bytes": int(total), "disk_bytes": int(disk[0]) if disk else 0}

    def close(self) -> None:
        self.pool.close()


class _Chunks:
    """The chunks of one stored file, one query each, when iterated."""

    def __init__(self, store: PostgresFileStore, sha256: str, count: int) -> None:
        self.store, self.sha256, self.count = store, sha256, count

    def __iter__(self) -> Iterator[bytes]:
        for seq in range(self.count):
            yield self.store._chunk(self.sha256, seq)


def _rechunk(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Chunks of exactly ``CHUNK`` bytes (the last one shorter), whatever sizes come in."""
    buf = bytearray()
    for chunk in chunks:
        if not buf and len(chunk) == CHUNK:
            yield chunk  # the usual case: no copy
            continue
        buf += chunk
        while len(buf) >= CHUNK:
            yield bytes(buf[:CHUNK])
            del buf[:CHUNK]
    if buf:
        yield bytes(buf)


def open_files(settings: Settings) -> FileStore:
    """The file store of this deployment: PostgreSQL when the events are there, else the data directory."""
    if settings.database_url:
        return PostgresFileStore(settings.database_url, settings.pg_schema, max_bytes=settings.upload_max_bytes)
    return DirectoryFileStore(settings.evidence_dir, max_bytes=settings.upload_max_bytes)
