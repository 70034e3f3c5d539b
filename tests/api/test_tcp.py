"""Several API processes answer without Nagle's delay (api/tcp.py).

``pengkom serve --workers N`` lets uvicorn bind the listening socket itself; asyncio then left Nagle's
algorithm on for every connection, and each answer (head, then body) waited ~40 ms for the client's
delayed acknowledgement: 48 ms a command with one client against 5 ms in one process (README "Several
API processes"). These tests serve on a socket bound exactly as the worker processes' is."""
from __future__ import annotations

import argparse
import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from api.cli import uvicorn_options
from api.tcp import PROTOCOL, NoDelayHttpToolsProtocol


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _nodelay_of_accepted_connection(http: str) -> tuple[int, bytes]:
    config = uvicorn.Config(_app, host="127.0.0.1", port=0, http=http, workers=2, log_level="warning", lifespan="off")
    config.load()
    listening = config.bind_socket()  # what uvicorn's worker processes serve on
    seen: list[int] = []
    state = ServerState()

    def protocol() -> asyncio.Protocol:
        p = config.http_protocol_class(config=config, server_state=state, app_state={})  # type: ignore[call-arg]
        made = p.connection_made

        def connection_made(transport: Any) -> None:
            made(transport)
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        p.connection_made = connection_made  # type: ignore[method-assign]
        return p

    async def main() -> bytes:
        server = await asyncio.get_running_loop().create_server(protocol, sock=listening)
        port = listening.getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = await reader.readuntil(b"ok")
        writer.close()
        server.close()
        return answer

    answer = asyncio.run(main())
    return seen[0], answer


def test_the_serve_command_gives_uvicorn_the_no_delay_protocol():
    options = uvicorn_options(argparse.Namespace(host="127.0.0.1", port=8000, no_access_log=True))
    config = uvicorn.Config(_app, **options)
    config.load()
    assert config.http_protocol_class is NoDelayHttpToolsProtocol


def test_connections_of_worker_processes_have_nagle_off():
    nodelay, answer = _nodelay_of_accepted_connection(PROTOCOL)
    assert nodelay != 0 and answer.startswith(b"HTTP/1.1 200")
