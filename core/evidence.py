"""Evidence files (certificates, statements): a content-addressed store keyed by SHA-256.

The event records the SHA-256, so the file an auditor opens is provably the one that was uploaded.
Files are written before the event is recorded; if the command then fails, an unreferenced file
stays behind — harmless, because the same content always lands under the same key (deduplicated).

:class:`FileStore` is the interface the upload and download routes, backup and restore use; it
checks what is uploaded and streams it in chunks of :data:`CHUNK` bytes, so a file is never held
whole in memory by the store. Two implementations:

* :class:`DirectoryFileStore` (embedded SQLite deployments): ``<root>/sha256/ab/cdef…`` in the data
  directory;
* ``api.files.PostgresFileStore`` (PostgreSQL deployments): in the database beside the event log,
  so every API replica serves every file and a database backup holds them.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.errors import Invalid, NotFound
from core.i18n import msg

#: Content types accepted for certificates and statements, with the bytes every such file starts with.
ALLOWED_CONTENT_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Bytes read, hashed, written and served at a time.
CHUNK = 256 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")
_HEAD = max(len(m) for magics in ALLOWED_CONTENT_TYPES.values() for m in magics)


class FileTooLarge(Invalid):
    kind = "too_large"
    title = "File too large"


class UnsupportedFile(Invalid):
    kind = "unsupported"
    title = "Unsupported file type"


class CorruptFile(Exception):
    """Stored bytes no longer hash to their key (found by backup, restore or an import)."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class FileContent:
    """An opened stored file: its size, and its bytes as an iterator of chunks (read lazily)."""

    sha256: str
    size: int
    chunks: Iterable[bytes]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


def check_digest(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA.fullmatch(sha256):
        raise NotFound(msg("{sha256!r} is not a SHA-256 digest (64 lower-case hex digits).", sha256=sha256), field="sha256")
    return sha256


class FileStore:
    """The interface: put (checked, streamed, deduplicated), open/read, exists, list, store a known file."""

    #: Where the files live, for messages and `pengkom backup` ("directory /data/files", "postgresql").
    location: str = ""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    # -- what a backend provides ------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        raise NotImplementedError

    def open(self, sha256: str) -> FileContent:
        """The stored file; :class:`NotFound` if there is none."""
        raise NotImplementedError

    def digests(self) -> Iterator[str]:
        """Every stored file's SHA-256, in sorted order."""
        raise NotImplementedError

    def _store(self, sha256: str, size: int, chunks: Iterator[bytes]) -> None:
        """Store ``chunks`` (``size`` bytes hashing to ``sha256``) unless that file is already stored."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    # -- shared --------------------------------------------------------------------------------------

    def read(self, sha256: str) -> bytes:
        """The whole file in memory (small files and tests; the download route streams :meth:`open`)."""
        return b"".join(self.open(sha256))

    def check(self, head: bytes, size: int, content_type: str | None, filename: str | None = None) -> str:
        """The normalised content type, or an error a clerk can act on (``head``: the file's first bytes)."""
        ctype = (content_type or "").split(";")[0].strip().lower()
        if size > self.max_bytes:
            raise FileTooLarge(
                msg("{filename_or_the_file} is larger than {max_bytes:,} bytes; certificates may be at most "
                    "{max_bytes:,} bytes. Scan at a lower resolution or send a PDF.",
                    filename_or_the_file=filename or 'The file', max_bytes=self.max_bytes), field="file", limit=self.max_bytes)
        if not size:
            raise Invalid(msg("{filename_or_the_file} is empty.", filename_or_the_file=filename or 'The file'), field="file")
        if ctype not in ALLOWED_CONTENT_TYPES:
            raise UnsupportedFile(
                msg("{filename_or_the_file} is {ctype_or_of_no_stated_ty}; upload a PDF, JPEG or PNG "
                    "({ALLOWED_CONTENT_TYPES}).",
                    filename_or_the_file=filename or 'The file', ctype_or_of_no_stated_ty=ctype or 'of no stated type',
                    ALLOWED_CONTENT_TYPES=', '.join(ALLOWED_CONTENT_TYPES)), field="file")
        if not head.startswith(ALLOWED_CONTENT_TYPES[ctype]):
            raise UnsupportedFile(msg("{filename_or_the_file} is declared {ctype} but its content is not; upload the real document.",
                                      filename_or_the_file=filename or 'The file', ctype=ctype),
                                  field="file")
        return ctype

    def put(self, content: bytes | IO[bytes], content_type: str | None, filename: str | None = None) -> StoredFile:
        """Check and store an uploaded file (bytes or a binary file object, read in chunks)."""
        src: IO[bytes] = io.BytesIO(bytes(content)) if isinstance(content, bytes | bytearray | memoryview) else content
        spool: IO[bytes] | None = None
        try:
            if not _seekable(src):
                spool = tempfile.TemporaryFile()
                for chunk in _chunks(src, limit=self.max_bytes + 1):
                    spool.write(chunk)
                spool.seek(0)
                src = spool
            start = src.tell()
            digest = hashlib.sha256()
            size = 0
            head = b""
            for chunk in _chunks(src, limit=self.max_bytes + 1):
                if len(head) < _HEAD:
                    head += chunk[:_HEAD - len(head)]
                digest.update(chunk)
                size += len(chunk)
            ctype = self.check(head, size, content_type, filename)
            sha = digest.hexdigest()
            if not self.exists(sha):
                src.seek(start)
                self._store(sha, size, _hashing(_chunks(src), sha, size))
            return StoredFile(sha256=sha, size=size, content_type=ctype)
        finally:
            if spool is not None:
                spool.close()

    def put_known(self, sha256: str, size: int, chunks: Iterable[bytes]) -> bool:
        """Store a file whose SHA-256 is already known (restore, import), verifying it as it streams.

        Returns False when the file was already stored. :class:`CorruptFile` if the bytes do not
        hash to ``sha256`` (nothing is kept then).
        """
        check_digest(sha256)
        if self.exists(sha256):
            return False
        self._store(sha256, size, _hashing(iter(chunks), sha256, size))
        return True


def _seekable(f: IO[bytes]) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, ValueError):
        return False


def _chunks(src: IO[bytes], *, limit: int | None = None) -> Iterator[bytes]:
    """``src`` in chunks of :data:`CHUNK`; stops once more than ``limit`` bytes were read."""
    n = 0
    while chunk := src.read(CHUNK):
        yield chunk
        n += len(chunk)
        if limit is not None and n >= limit:
            return


def _hashing(chunks: Iterator[bytes], sha256: str, size: int) -> Iterator[bytes]:
    """Pass chunks through; after the last one, raise :class:`CorruptFile` unless they hash to ``sha256``.

    A backend consumes this inside its write (a transaction, a temporary file), so a mismatch
    (a file changed between the check and the store, a damaged backup) stores nothing.
    """
    digest = hashlib.sha256()
    n = 0
    for chunk in chunks:
        digest.update(chunk)
        n += len(chunk)
        yield chunk
    if digest.hexdigest() != sha256 or n != size:
        raise CorruptFile(f"the file stored as {sha256} ({size:,} bytes) has {n:,} bytes hashing to {digest.hexdigest()}")


class DirectoryFileStore(FileStore):
    """Files under ``<root>/sha256/ab/cdef…`` (the embedded store's data directory)."""

    def __init__(self, root: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(max_bytes=max_bytes)
        self.root = Path(root)
        self.location = f"directory {self.root}"

    def path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / "sha256" / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> FileContent:
        p = self.path(sha256)
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            raise NotFound(msg("No stored file has SHA-256 {sha256}.", sha256=sha256), field="sha256") from None

        def chunks() -> Iterator[bytes]:
            with p.open("rb") as f:
                yield from _chunks(f)

        return FileContent(sha256, size, _Lazy(chunks))

    def digests(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for d in sorted(base.iterdir()):
            if len(d.name) != 2 or not d.is_dir():
                continue
            for f in sorted(d.iterdir()):
                if _SHA.fullmatch(d.name + f.name):
                    yield d.name + f.name

    def _store(self, sha256: str, size: int, chunks: Iterator[bytes]) -> None:
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class _Lazy:
    """An iterable that opens its source when it is iterated (a response iterates it later, once)."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[bytes]:
        return self._make()
