"""The content-addressed evidence store: PDF/JPEG/PNG only, checked by content, within the size limit."""
from __future__ import annotations

import hashlib

import pytest

from core.errors import NotFound
from core.evidence import DirectoryFileStore as FileStore
from core.evidence import FileTooLarge, UnsupportedFile

PDF = b"%PDF-1.4\n%%EOF\n"


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = FileStore(tmp_path, max_bytes=1024)
    a = store.put(PDF, "application/pdf; charset=binary", "s.pdf")
    b = store.put(PDF, "application/pdf", "copy.pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert a == b and a.sha256 == digest and a.content_type == "application/pdf"
    assert (tmp_path / "sha256" / digest[:2] / digest[2:]).read_bytes() == PDF
    assert store.read(digest) == PDF
    assert store.put(b"\xff\xd8\xff\xe0jpeg", "image/jpeg").content_type == "image/jpeg"


def test_limits_and_types(tmp_path):
    store = FileStore(tmp_path, max_bytes=16)
    with pytest.raises(FileTooLarge, match="at most 16 bytes"):
        store.put(PDF + b"x" * 16, "application/pdf")
    with pytest.raises(UnsupportedFile, match="PDF, JPEG or PNG"):
        store.put(b"GIF89a", "image/gif")
    with pytest.raises(UnsupportedFile, match="content is not"):
        store.put(b"GIF89a", "image/png")
    with pytest.raises(NotFound):
        store.read("../../etc/passwd")
    with pytest.raises(NotFound):
        store.read("0" * 64)
