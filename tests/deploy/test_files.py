"""Certificate files shared by every API replica (issue 13): on PostgreSQL in the database, on the
embedded store in the data directory; content-addressed, deduplicated, streamed in chunks."""
from __future__ import annotations

import hashlib
import io
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.bootstrap import build
from api.files import PostgresFileStore, open_files
from core.errors import NotFound
from core.evidence import CHUNK, CorruptFile, DirectoryFileStore, FileStore, FileTooLarge
from tests.api.test_activity_bad_input import END, seminar
from tests.conftest import Api
from tests.support.activities import PDF, cast, ok


def big_pdf(size: int, seed: int = 0) -> bytes:
    """A 'PDF' of ``size`` bytes whose content is not compressible (like a real scan)."""
    out = bytearray(b"%PDF-1.7\n")
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


class OneWay(io.RawIOBase):
    """A stream that cannot seek (an upload piped straight from a socket)."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        chunk = self._src.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)


@pytest.fixture
def files(settings) -> Iterator[FileStore]:
    store = open_files(settings)
    yield store
    store.close()


def test_each_store_kind_is_where_the_issue_says(settings, files):
    # PostgreSQL: in the database, so every replica sees every file; embedded: in the data directory.
    if settings.database_url:
        assert isinstance(files, PostgresFileStore) and files.schema == settings.pg_schema
    else:
        assert isinstance(files, DirectoryFileStore) and files.root == settings.evidence_dir


def test_put_is_content_addressed_deduplicated_and_chunked(files):
    content = big_pdf(2 * CHUNK + 123)
    a = files.put(content, "application/pdf", "scan.pdf")
    b = files.put(io.BytesIO(content), "application/pdf; charset=binary", "copy.pdf")
    c = files.put(OneWay(content), "application/pdf", "piped.pdf")  # a stream that cannot seek is spooled first
    assert a == b == c and a.sha256 == hashlib.sha256(content).hexdigest() and a.size == len(content)
    opened = files.open(a.sha256)
    parts = list(opened)
    assert opened.size == len(content) and [len(p) for p in parts] == [CHUNK, CHUNK, 123]
    assert b"".join(parts) == content == files.read(a.sha256)
    assert list(files.digests()) == [a.sha256]  # stored once
    if isinstance(files, PostgresFileStore):
        with files.pool.connection() as conn:
            assert conn.execute("SELECT count(*) FROM pengkom_files").fetchone() == (1,)
            assert conn.execute("SELECT count(*) FROM pengkom_file_chunks").fetchone() == (3,)
    small = files.put(PDF, "application/pdf")
    assert sorted(files.digests()) == sorted([a.sha256, small.sha256]) and files.read(small.sha256) == PDF


def test_limits_types_and_unknown_files(files):
    files.max_bytes = CHUNK + 10
    with pytest.raises(FileTooLarge, match=f"at most {CHUNK + 10:,} bytes"):
        files.put(OneWay(big_pdf(3 * CHUNK)), "application/pdf", "huge.pdf")
    with pytest.raises(NotFound, match="not a SHA-256"):
        files.open("../../etc/passwd")
    with pytest.raises(NotFound, match="No stored file"):
        files.open("0" * 64)
    assert list(files.digests()) == []  # nothing refused was kept


def test_a_file_that_does_not_match_its_digest_is_not_stored(files):
    content = big_pdf(CHUNK + 5)
    sha = hashlib.sha256(content).hexdigest()
    with pytest.raises(CorruptFile, match="hashing to"):
        files.put_known(sha, len(content), [content[:CHUNK], b"tampered"])
    assert not files.exists(sha) and list(files.digests()) == []
    assert files.put_known(sha, len(content), [content[:1000], content[1000:]]) is True
    assert files.put_known(sha, len(content), [content]) is False  # already there
    assert files.read(sha) == content


def test_large_files_are_never_held_whole_in_memory(files):
    size = 8 * 1024 * 1024
    content = big_pdf(size)
    files.max_bytes = size
    src = io.BytesIO(content)
    tracemalloc.start()
    try:
        stored = files.put(src, "application/pdf", "big.pdf")
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        for chunk in files.open(stored.sha256):
            digest.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == stored.sha256
    # A few chunks at most (the chunk read, the driver's copy of it), never the 8 MiB file.
    assert put_peak < 8 * CHUNK, f"put peaked at {put_peak:,} bytes"
    assert read_peak < 8 * CHUNK, f"reading peaked at {read_peak:,} bytes"


def test_concurrent_uploads_of_the_same_file_store_it_once(files):
    content = big_pdf(CHUNK * 2, seed=7)
    results, errors = [], []

    def upload() -> None:
        try:
            results.append(files.put(content, "application/pdf"))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({r.sha256 for r in results}) == 1
    assert list(files.digests()) == [results[0].sha256] and files.read(results[0].sha256) == content


# -- through the API, two replicas on one store ---------------------------------------------------------


@pytest.fixture
def two_replicas(settings) -> Iterator[tuple[Api, Api]]:
    """Two API processes' worth of services on one deployment (one PostgreSQL schema, or one data directory)."""
    a, b = build(settings), build(settings)
    with TestClient(create_app(a), raise_server_exceptions=False) as ca, TestClient(create_app(b), raise_server_exceptions=False) as cb:
        yield Api(ca, a), Api(cb, b)
    a.close()
    b.close()


def test_a_certificate_uploaded_through_one_replica_is_served_by_the_other(two_replicas):
    one, two = two_replicas
    c = cast(one)  # replica one records the officers and the activity
    aid = seminar(c)
    c.prepare(aid, [c.pk])
    content = big_pdf(CHUNK + 999, seed=3)
    up = c.certificate(aid, c.pk, issued_on=END, content=content)
    assert up["size"] == len(content)
    # Replica two: the same token (one deployment, one signing secret) reads it back, whole and typed.
    r = two.get(f"/activities/{aid}/files/{up['sha256']}", headers=c.hr)
    assert r.status_code == 200, r.text
    assert r.content == content and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-length"] == str(len(content)) and r.headers["etag"] == f'"{up["sha256"]}"'
    # The same content again (refused for an officer not selected) is still stored once; a file not
    # recorded on the activity is 404 on either replica.
    c.certificate(aid, c.pk2, issued_on=END, content=content, number="SERT-002", status=422)
    assert list(two.services.files.digests()) == [up["sha256"]]
    assert two.get(f"/activities/{aid}/files/{'a' * 64}", headers=c.hr).status_code == 404
    assert ok(two.get(f"/activities/{aid}", headers=c.hr))["participants"]
