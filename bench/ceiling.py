"""The framework ceiling of bench/commands.py: the least an HTTP command can cost on this machine.

A minimal Litestar app served by uvicorn exactly as ``pengkom serve`` serves pengkom (same options, access
log off): ``POST /officers/`` decodes the same JSON body into a msgspec Struct (pengkom's own
``RegisterOfficer``), encodes it as the state of one ``Officer.Registered`` event and inserts that event
through the same recorder, then answers 201 with the event's id and position. No authentication, no rules,
no read models. Two ways to insert (``--insert``): ``plain``, ``recorder.insert_events`` — one event per
transaction, each request alone; ``group``, the recorder's group commit that pengkom's commands use
(concurrent requests in one transaction, each with a generated idempotency key).

Run by bench/commands.py as ``python bench/ceiling.py --port N --insert plain|group`` with the store's environment.
"""
from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

import msgspec
from litestar import Litestar, Response, get, post

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.schemas import RegisterOfficer


def create_app(insert_mode: str = "plain") -> Litestar:
    """``plain``: ``recorder.insert_events``, one transaction per request; ``group``: the recorder's group commit
    (projections/eventstore.py GroupCommit: concurrent requests committed together, as pengkom's commands are),
    each request with a generated idempotency key, as pengkom's are."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import get_topic

    from api.settings import Settings
    from core.application import Pengkom
    from core.officers import Officer
    from projections import eventstore as es

    app = Pengkom(env=Settings.from_env().event_store_env())
    recorder = app.recorder
    commits = es.GroupCommit(recorder)  # type: ignore[arg-type]
    topic = get_topic(Officer.Registered)

    def answer(oid: uuid.UUID, ids: list[int]) -> bytes:
        return msgspec.json.encode({"id": str(oid), "version": 1, "position": ids[0] if ids else None})

    @post("/officers/", status_code=201, sync_to_thread=True)
    def register(data: RegisterOfficer) -> Response[bytes]:
        oid = uuid.uuid4()
        event = StoredEvent(originator_id=oid, originator_version=1, topic=topic, state=msgspec.json.encode(data))
        if insert_mode == "group":
            unit = commits.submit(es.Unit([event], "ceiling", f"auto:{uuid.uuid4().hex}", "-", 201, lambda ids: answer(oid, ids)))
            if unit.outcome != es.RECORDED:
                raise RuntimeError(f"not recorded: {unit.outcome} {unit.error}")
            body = unit.body_bytes
        else:
            body = answer(oid, list(recorder.insert_events([event]) or []))
        return Response(body, status_code=201, media_type="application/json")

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[register, health], on_shutdown=[app.close], debug=False)


def main() -> None:
    import uvicorn

    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--insert", choices=["plain", "group"], default="plain")
    args = ap.parse_args()
    # The options `pengkom serve --no-access-log` gives uvicorn (api/cli.py).
    uvicorn.run(create_app(args.insert), host=args.host, port=args.port, log_level="info", access_log=False, loop="asyncio")


if __name__ == "__main__":
    main()
