"""The SIASN course export as JSON Lines (one JSON object per line, UTF-8): the shape an integration feeds
to BKN's SIASN course history one record at a time; the ``id`` of a line never changes."""
from __future__ import annotations

import tempfile
from typing import IO, Any

import msgspec

from projections.store import ViewStore
from reports.national import siasn_lines


def write_jsonl(store: ViewStore, params: dict[str, Any]) -> IO[bytes]:
    out = tempfile.TemporaryFile()
    encode = msgspec.json.Encoder().encode
    for line in siasn_lines(store, params):
        out.write(encode(line))
        out.write(b"\n")
    out.seek(0)
    return out
