"""Evidence files (certificates, statements) in a content-addressed store: ``<root>/sha256/ab/cdef…``.

The event records the SHA-256, so the file an auditor opens is provably the one that was uploaded.
Files are written before the event is recorded; if the command then fails, an unreferenced file
stays behind — harmless, because the same content always lands at the same path.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import Invalid, NotFound

#: Content types accepted for certificates and statements, with the bytes every such file starts with.
ALLOWED_CONTENT_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")


class FileTooLarge(Invalid):
    status = 413
    title = "File too large"


class UnsupportedFile(Invalid):
    status = 415
    title = "Unsupported file type"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


class FileStore:
    def __init__(self, root: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise NotFound(f"{sha256!r} is not a SHA-256 digest (64 lower-case hex digits).", field="sha256")
        return self.root / "sha256" / sha256[:2] / sha256[2:]

    def check(self, content: bytes, content_type: str | None, filename: str | None = None) -> str:
        """The normalised content type, or an error a clerk can act on."""
        ctype = (content_type or "").split(";")[0].strip().lower()
        if len(content) > self.max_bytes:
            raise FileTooLarge(
                f"{filename or 'The file'} is {len(content):,} bytes; certificates may be at most {self.max_bytes:,} bytes. "
                "Scan at a lower resolution or send a PDF.", field="file", limit=self.max_bytes)
        if not content:
            raise Invalid(f"{filename or 'The file'} is empty.", field="file")
        if ctype not in ALLOWED_CONTENT_TYPES:
            raise UnsupportedFile(
                f"{filename or 'The file'} is {ctype or 'of no stated type'}; upload a PDF, JPEG or PNG "
                f"({', '.join(ALLOWED_CONTENT_TYPES)}).", field="file")
        if not content.startswith(ALLOWED_CONTENT_TYPES[ctype]):
            raise UnsupportedFile(f"{filename or 'The file'} is declared {ctype} but its content is not; upload the real document.",
                                  field="file")
        return ctype

    def put(self, content: bytes, content_type: str | None, filename: str | None = None) -> StoredFile:
        ctype = self.check(content, content_type, filename)
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(content)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size=len(content), content_type=ctype)

    def read(self, sha256: str) -> bytes:
        p = self.path(sha256)
        if not p.exists():
            raise NotFound(f"No stored file has SHA-256 {sha256}.", field="sha256")
        return p.read_bytes()
