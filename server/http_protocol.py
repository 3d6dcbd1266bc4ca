"""uvicorn's HTTP protocol with a deadline on the request head.

uvicorn times out idle keep-alive connections, but a connection that has not finished sending
a request's line and headers has no deadline at all: 500 connections that each sent half
their headers were all still open after 20 s, each holding a socket and a protocol object.
Here the head of each request must be complete within `header_timeout` seconds, counted from
the connection's start for its first request and from its first byte for the following ones
(between requests uvicorn's keep-alive timeout applies); otherwise the connection is closed.
The body has its own limit, in the application (server/body_guard.py).

The protocol is uvicorn's httptools one, which uvicorn[standard] installs and uvicorn picks
by default.
"""

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT_SECONDS = 10.0


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._await_head()

    def on_headers_complete(self) -> None:
        self._stop_waiting()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_waiting(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> Callable[..., asyncio.Protocol]:
    """The protocol for uvicorn's `http` setting. A partial of a module-level class, so that it
    pickles into the processes `--workers` starts."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout=seconds)
