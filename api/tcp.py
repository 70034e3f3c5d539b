"""The HTTP protocol the API serves with: uvicorn's httptools protocol, with Nagle's algorithm off on
every connection.

With ``pengkom serve --workers N`` the API processes listen on sockets made with ``socket.socket(family)``
(api/workers.py; uvicorn's own worker processes too), whose protocol number is 0, and asyncio turns
``TCP_NODELAY`` on only for sockets whose protocol number is TCP's, so their connections kept Nagle's algorithm: an answer written in two parts (head, then
body) waited for the client's delayed acknowledgement of the first, about 40 ms on Linux, on every
request of a keep-alive connection (measured: 48 ms a command with one client, against 5 ms in one
process). One API process serves through ``loop.create_server``, whose sockets have it on already.
"""
from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The import string uvicorn is given (``http=``): each worker process imports it.
PROTOCOL = "api.tcp:NoDelayHttpToolsProtocol"


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the connection is already gone: nothing to answer on
                pass
        super().connection_made(transport)
