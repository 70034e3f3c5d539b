"""The command pipeline every write route goes through.

Context (actor, request id, effective date) -> domain verb -> one transaction -> projections
caught up (read-your-writes) -> the recorded events and the new version. ``If-Match`` gives
optimistic concurrency; ``Idempotency-Key`` makes a retried command record nothing new.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from litestar import Request, Response

from api.bootstrap import Services
from core.errors import Conflict, Invalid
from core.events import Actor, Context

log = logging.getLogger("pengkom.api")
IDEMPOTENCY_TABLE = "idempotency_keys"
_KEY = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def ensure_tables(services: Services) -> None:
    with services.views.transaction() as tx:
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {IDEMPOTENCY_TABLE} (subject TEXT NOT NULL, key TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, status INTEGER, body TEXT, created_at TEXT NOT NULL, PRIMARY KEY (subject, key))"
        )


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    m = _ETAG.match(raw.strip())
    if not m:
        raise Invalid(f"If-Match {raw!r} must be the version you read, as the ETag gave it (e.g. \"3\").", field="If-Match")
    return int(m.group(1))


def event_data(event: Any) -> dict[str, Any]:
    skip = ("originator_id", "originator_version", "timestamp", "meta", "originator_topic")
    return msgspec.to_builtins({k: v for k, v in vars(event).items() if k not in skip})


def event_view(event: Any, position: int | None = None) -> dict[str, Any]:
    return {
        "type": type(event).TOPIC,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "position": position,
        "provenance": msgspec.to_builtins(event.meta),
        "data": event_data(event),
    }


def _nul_field(value: Any, where: str = "") -> str | None:
    """The first field (dotted path) whose text holds a NUL character, if any."""
    if isinstance(value, str):
        return (where or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            name = f"{where}.{k}" if where else str(k)
            if "\x00" in str(k):
                return name
            if (found := _nul_field(v, name)) is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            if (found := _nul_field(v, f"{where}[{i}]")) is not None:
                return found
    return None


def reject_nul(data: Any) -> None:
    """Text never carries NUL (U+0000): no clerk types one, and PostgreSQL cannot store it in a read model."""
    found = _nul_field(msgspec.to_builtins(data, enc_hook=lambda _: None))
    if found is not None:
        found = found.replace("\x00", "\\u0000")
        raise Invalid(f"{found} contains a NUL character (\\u0000); remove it and send the text again.", field=found)


def context(request: Request[Any, Any, Any], actor: Actor, effective: date | None) -> Context:
    today = datetime.now(UTC).date()
    if effective is not None and effective > today:
        raise Invalid(f"The effective date {effective} is in the future; a fact is recorded when it has happened.", field="effective_date")
    return Context(actor=actor, request_id=request.state.request_id, effective_date=effective)


def run(services: Services, request: Request[Any, Any, Any], data: Any,
        verb: Callable[[Context], Sequence[Any]], *, effective: date | None = None, status: int = 200,
        result: Callable[[Sequence[Any]], dict[str, Any]] | None = None) -> Response[Any]:
    """Run one command; ``verb`` returns the aggregates to save (first one is the subject)."""
    actor: Actor = request.user
    reject_nul(data)
    key = request.headers.get("idempotency-key")
    fingerprint = None
    if key is not None:
        if not _KEY.fullmatch(key):
            raise Invalid("Idempotency-Key must be 8–128 letters, digits or . _ : -", field="Idempotency-Key")
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.url.path.encode() + b"\n" + msgspec.json.encode(data)
        ).hexdigest()
        replay = _claim(services, actor.subject, key, fingerprint)
        if replay is not None:
            return replay
    try:
        ctx = context(request, actor, effective)
        aggregates = verb(ctx)
        recordings = services.app.record(*aggregates)
    except BaseException:
        if key is not None:
            _release(services, actor.subject, key)
        raise
    # From here on the command is recorded: whatever happens next, the caller is told it succeeded.
    subject = aggregates[0]
    body = {
        "id": str(subject.id),
        "version": subject.version,
        "events": [event_view(r.domain_event, r.notification.id) for r in recordings],
    }
    if result is not None:
        body.update(result(aggregates))
    headers = {"ETag": f'"{subject.version}"'}
    try:
        services.projector.catch_up()
        stopped = sorted(name for name, t in services.projector.tracking().items() if t.error)
    except Exception:
        log.exception("read models could not apply the events of request %s", ctx.request_id)
        stopped = ["all"]
    if stopped:
        body["read_models"] = {
            "status": "behind",
            "stopped": stopped,
            "detail": "The command is recorded, but some read models could not be brought up to date; "
                      "lists and forms may not show it yet. Operators: see /ready and the server log.",
        }
        headers["X-Pengkom-Read-Models"] = "behind"
    if key is not None:
        _complete(services, actor.subject, key, status, body)
    return Response(body, status_code=status, headers=headers)


def _claim(services: Services, subject: str, key: str, fingerprint: str) -> Response[Any] | None:
    now = datetime.now(UTC).isoformat()
    with services.views.transaction() as tx:
        row = tx.fetchone(f"SELECT fingerprint, status, body FROM {IDEMPOTENCY_TABLE} WHERE subject = ? AND key = ?", (subject, key))
        if row is None:
            tx.execute(f"INSERT INTO {IDEMPOTENCY_TABLE} (subject, key, fingerprint, status, body, created_at) VALUES (?, ?, ?, NULL, NULL, ?)",
                       (subject, key, fingerprint, now))
            return None
    if row["fingerprint"] != fingerprint:
        raise Invalid("This Idempotency-Key was already used for a different request; use a new key for a new command.", field="Idempotency-Key")
    if row["status"] is None:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry in a moment.")
    body = msgspec.json.decode(row["body"])
    return Response(body, status_code=int(row["status"]), headers={"ETag": f'"{body.get("version")}"', "Idempotent-Replayed": "true"})


def _complete(services: Services, subject: str, key: str, status: int, body: dict[str, Any]) -> None:
    with services.views.transaction() as tx:
        tx.execute(f"UPDATE {IDEMPOTENCY_TABLE} SET status = ?, body = ? WHERE subject = ? AND key = ?",
                   (status, msgspec.json.encode(body).decode(), subject, key))


def _release(services: Services, subject: str, key: str) -> None:
    with services.views.transaction() as tx:
        tx.execute(f"DELETE FROM {IDEMPOTENCY_TABLE} WHERE subject = ? AND key = ? AND status IS NULL", (subject, key))
