"""Per operation (by operationId): the description naming its form and guideline section, the typed
response and examples — applied to the OpenAPI document by api/contract.py."""
from __future__ import annotations

from typing import Any, NamedTuple


class Doc(NamedTuple):
    form: str
    section: str
    text: str
    response: Any = None
    example: Any = None


OPERATIONS: dict[str, Doc] = {}


def apply_operation_docs(doc: dict[str, Any], operations: dict[str, Doc]) -> None:
    return None
