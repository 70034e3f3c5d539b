"""The command pipeline every write route goes through.

Context (actor, request id, effective date) -> domain verb -> the new events checked against their
schema -> one transaction with the command's idempotency key, committed together with the commands
that arrived meanwhile (projections/eventstore.py) -> the recorded events and the new version.

- ``If-Match`` gives optimistic concurrency (a stale version is 409, nothing recorded).
- ``Idempotency-Key``: the key is recorded in the transaction of the command's events, with the
  response. A retry with the same key and body replays that response (``Idempotent-Replayed:
  true``) and records nothing; the same key with another body is 422. A key is bound to the
  recorded command or to nothing: a crash never leaves one "in progress". A command sent without a
  key gets one generated here, recorded the same way, so it too can be retried safely.
- When the database fails before the commit, nothing was recorded (503, retry). When it fails *at*
  the commit, the outcome is unknown: the answer is 503 saying so, with the key to retry with
  (``Idempotency-Key`` header): the retry replays the command if it was recorded, records it if not.
"""
from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from litestar import Request, Response

from api.bootstrap import Services
from core.errors import Conflict, DomainError, Invalid
from core.events import Actor, Context
from core.i18n import DEFAULT, msg, translate
from projections import eventstore as es
from projections import outage

log = logging.getLogger("pengkom.api")
_KEY = re.compile(r"[A-Za-z0-9._:-]{8,128}")
#: Times a command without If-Match is run again when a concurrent command changed the same record first.
CONFLICT_RETRIES = 3
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def ensure_tables(services: Services) -> None:
    """Kept for callers of the former pipeline: idempotency keys now live in the event store and are
    created with its tables (projections/eventstore.py)."""


class NotRecorded(Exception):
    """The store failed before the command's commit: nothing was recorded; retrying is safe."""

    def __init__(self, cause: BaseException | None, detail: str | None = None) -> None:
        super().__init__(f"the store failed before the commit: {cause}")
        self.cause = cause
        #: What the client should know and do, when more is known than "nothing was recorded" (a bulk import's batches).
        self.detail = detail


class OutcomeUnknown(Exception):
    """The commit itself failed: the command may or may not be recorded; retry with ``key``."""

    def __init__(self, key: str, generated: bool) -> None:
        super().__init__(f"the outcome of the commit is unknown (Idempotency-Key {key})")
        self.key = key
        self.generated = generated


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    m = _ETAG.match(raw.strip())
    if not m:
        raise Invalid(msg("If-Match {raw!r} must be the version you read, as the ETag gave it (e.g. \"3\").", raw=raw), field="If-Match")
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
        raise Invalid(msg("{found} contains a NUL character (\\u0000); remove it and send the text again.", found=found), field=found)


def context(request: Request[Any, Any, Any], actor: Actor, effective: date | None) -> Context:
    today = datetime.now(UTC).date()
    if effective is not None and effective > today:
        raise Invalid(msg("The effective date {effective} is in the future; a fact is recorded when it has happened.",
                          effective=effective), field="effective_date")
    return Context(actor=actor, request_id=request.state.request_id, effective_date=effective)


def _fingerprint(request: Request[Any, Any, Any], data: Any) -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + msgspec.json.encode(data)).hexdigest()


def run(services: Services, request: Request[Any, Any, Any], data: Any,
        verb: Callable[[Context], Sequence[Any]], *, effective: date | None = None, status: int = 200,
        result: Callable[[Sequence[Any]], dict[str, Any]] | None = None) -> Response[Any]:
    """Run one command; ``verb`` returns the aggregates to save (first one is the subject)."""
    actor: Actor = request.user
    reject_nul(data)
    client_key = request.headers.get("idempotency-key")
    if client_key is not None and not _KEY.fullmatch(client_key):
        raise Invalid("Idempotency-Key must be 8–128 letters, digits or . _ : -", field="Idempotency-Key")
    fingerprint = _fingerprint(request, data)
    key = client_key or f"auto:{uuid.uuid4().hex}"
    app = services.app
    pinned = request.headers.get("if-match") is not None
    for attempt in range(CONFLICT_RETRIES + 1):
        with app.command() as loaded:
            try:
                ctx = context(request, actor, effective)
                # The first attempt leaves "not registered yet" checks to the commit (core/application.py
                # Pengkom.absent): one query less per creating command; a conflict runs it again, checking.
                with app.optimistic(attempt == 0) as optimism:
                    aggregates = verb(ctx)
                events, stored = app.pending(aggregates)
                extra = result(aggregates) if result is not None else None
            except DomainError:
                # A retry of a command that was recorded may now break a rule the first one satisfied
                # (the NIP is registered): the recorded answer is the one to give.
                if client_key is not None and (replay := _replay(services, actor.subject, client_key, fingerprint)) is not None:
                    return replay
                raise
            subject = aggregates[0]
            behind = services.projector.stopped()

            def respond(ids: list[int], subject: Any = subject, events: list[Any] = events,
                        extra: dict[str, Any] | None = extra, behind: Sequence[str] = behind) -> bytes:
                body: dict[str, Any] = {"id": str(subject.id), "version": subject.version,
                                        "events": [event_view(e, i) for e, i in zip(events, ids, strict=True)]}
                if extra:
                    body.update(extra)
                if behind:
                    body["read_models"] = _behind(behind, request.scope.get("state", {}).get("language") or DEFAULT)
                return msgspec.json.encode(body)

            unit = services.commits.submit(es.Unit(stored, actor.subject, key, fingerprint, status, respond))
            if unit.outcome == es.RECORDED:
                app.remember(aggregates)
                headers = {"ETag": f'"{subject.version}"'}
                if behind:
                    headers["X-Pengkom-Read-Models"] = "behind"
                # The answer as recorded with the key, sent as it is (encoded once).
                return Response(unit.body_bytes, status_code=status, headers=headers, media_type="application/json")
            if unit.outcome == es.DUPLICATE:
                replay = _replay(services, actor.subject, key, fingerprint)
                if replay is not None:
                    return replay
                raise Conflict("A request with this Idempotency-Key is being recorded at this moment; retry in a moment.",
                               field="Idempotency-Key")
            if unit.outcome == es.CONFLICT:
                # A duplicate of a command recorded meanwhile (the same key, sent again before the first
                # answer): its events collide with the first one's; the first one's answer is the one to give.
                if client_key is not None and (replay := _replay(services, actor.subject, client_key, fingerprint)) is not None:
                    return replay
                if (optimism is not None and optimism.assumed) or (not pinned and attempt < CONFLICT_RETRIES):
                    # The caller did not pin a version (no If-Match): another command changed the same record
                    # between our read and our commit. Nothing was recorded; run the verb again on the newer
                    # state, which re-checks every rule (e.g. one questionnaire per participant). A first attempt that
                    # assumed a new record did not exist yet is run again in any case: now the check is made.
                    app.forget(list(loaded))
                    continue
                raise Conflict("Someone else recorded a change to the same record at the same moment; reload and try again.")
            if unit.outcome == es.UNKNOWN:
                raise OutcomeUnknown(key, generated=client_key is None)
            if unit.outcome == es.FAILED and unit.error is not None and not outage.is_unavailable(unit.error):
                raise unit.error
            raise NotRecorded(unit.error)
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def record_many(services: Services, subject: str, key: str, fingerprint: str, aggregates: Sequence[Any],
                summary: dict[str, Any] | None = None, *, stored: Sequence[Any] | None = None) -> tuple[str, list[int]]:
    """Record many aggregates' pending events in one transaction (a bulk import's batch), with one idempotency key
    for the batch, through the same group commit as every command. ``stored``: the events already taken from the
    aggregates and checked (``app.pending``), so a caller may prepare the next batch while this one is written.
    Returns the outcome (``RECORDED``, or ``DUPLICATE`` when the key was recorded before: nothing new) and the
    events' log positions; raises :class:`NotRecorded` / :class:`OutcomeUnknown` / :class:`Conflict` as :func:`run` does."""
    app = services.app
    with app.command():
        if stored is None:
            _, stored = app.pending(aggregates)

        def body(ids: list[int]) -> bytes:
            return msgspec.json.encode({**(summary or {}), "events": len(ids), "first_position": ids[0] if ids else None,
                                        "last_position": ids[-1] if ids else None})

        unit = services.commits.submit(es.Unit(stored, subject, key, fingerprint, 201, body))
        if unit.outcome == es.RECORDED:
            app.remember(aggregates)
            return unit.outcome, unit.ids
        app.forget([a.id for a in aggregates])
        if unit.outcome == es.DUPLICATE:
            return unit.outcome, []
        if unit.outcome == es.CONFLICT:
            raise Conflict("Someone else recorded a change to one of these officers at the same moment; import the file again "
                           "(what is recorded already is skipped).")
        if unit.outcome == es.UNKNOWN:
            raise OutcomeUnknown(key, generated=False)
        if unit.outcome == es.FAILED and unit.error is not None and not outage.is_unavailable(unit.error):
            raise unit.error
        raise NotRecorded(unit.error)


def _behind(stopped: Sequence[str], language: str) -> dict[str, Any]:
    return {
        "status": "behind",
        "stopped": list(stopped),
        "detail": str(translate(msg("The command is recorded, but some read models have stopped and do not show it yet; "
                                    "lists and forms may not show it. Operators: see /ready and the server log."), language)),
    }


def _replay(services: Services, subject: str, key: str, fingerprint: str) -> Response[Any] | None:
    """The recorded answer to the command this key was used for, or None if the key is unused."""
    record = services.app.recorder.find_key(subject, key)  # type: ignore[attr-defined]
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise Invalid("This Idempotency-Key was already used for a different request; use a new key for a new command.",
                      field="Idempotency-Key")
    body = msgspec.json.decode(record.body)
    # The recorded bytes, as they were answered the first time.
    return Response(record.body, status_code=record.status, headers={"ETag": f'"{body.get("version")}"', "Idempotent-Replayed": "true"},
                    media_type="application/json")


# -- HTTP answers for the store's failures (registered in api/app.py) --------------------------------


def _unavailable(request: Request[Any, Any, Any], title: str, detail: str, **extra: Any) -> Response[Any]:
    from api.problems import problem

    response = problem(request, 503, title, detail, **extra)
    response.headers["Retry-After"] = str(outage.RETRY_AFTER)
    return response


_DB_AWAY = msg("The database could not be reached or is too busy; nothing was recorded. Retry in a moment.")


def outcome_unknown(request: Request[Any, Any, Any], exc: OutcomeUnknown) -> Response[Any]:
    log.warning("commit outcome unknown on %s %s (key %s)", request.method, request.url.path, exc.key)
    response = _unavailable(
        request, msg("Outcome unknown"),
        msg("The database connection was lost while this command was being committed, so it may or may not have been "
            "recorded. Send the same request again with the header Idempotency-Key: {key} — it will be recorded once, "
            "or its recorded answer returned.", key=exc.key), idempotency_key=exc.key)
    response.headers["Idempotency-Key"] = exc.key
    return response


def not_recorded(request: Request[Any, Any, Any], exc: NotRecorded) -> Response[Any]:
    log.warning("command not recorded on %s %s: %s", request.method, request.url.path, exc.cause)
    return _unavailable(request, msg("Database unavailable"), exc.detail or _DB_AWAY)


def store_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not outage.is_unavailable(exc):
        from api.problems import unexpected

        return unexpected(request, exc)
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path, exc)
    return _unavailable(request, msg("Database unavailable"), _DB_AWAY)


def read_models_unavailable(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A read model rebuilding, stopped or behind: 503 problem+json with Retry-After."""
    return _unavailable(request, exc.title, exc.message, code=exc.code, kind=exc.kind, field=exc.field, **exc.details)


def _store_handlers() -> dict[Any, Any]:
    import sqlite3

    import psycopg
    from eventsourcing.persistence import InterfaceError, OperationalError

    from projections.tracking import Unavailable

    return {OutcomeUnknown: outcome_unknown, NotRecorded: not_recorded, Unavailable: read_models_unavailable, psycopg.OperationalError: store_unavailable,
            psycopg.InterfaceError: store_unavailable, OperationalError: store_unavailable,
            InterfaceError: store_unavailable, sqlite3.OperationalError: store_unavailable}


#: Exception handlers for api/app.py: the store away is 503 with Retry-After, never a 500.
STORE_HANDLERS: dict[Any, Any] = _store_handlers()
