"""A graphql-transport-ws client for the tests, on the `websockets` library: each message as
the server sends it, so the tests can check the protocol itself."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

PROTOCOL = "graphql-transport-ws"


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://", 1) + "/graphql"


class LiveClient:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        # Messages of operations that `next_data` read while waiting for another's.
        self.held: list[dict] = []

    async def send(self, message: Any) -> None:
        await self.socket.send(message if isinstance(message, str) else json.dumps(message))

    async def receive(self, timeout: float = 5) -> dict:
        frame = await asyncio.wait_for(self.socket.recv(), timeout)
        assert isinstance(frame, str), "graphql-ws clients read text frames"
        return json.loads(frame)

    async def subscribe(self, operation_id: str, query: str, variables: dict | None = None) -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})

    async def next_data(self, operation_id: str, timeout: float = 5) -> dict:
        """The data of the operation's next event (pings answered, other operations' events held)."""
        held = next((m for m in self.held if m.get("id") == operation_id), None)
        if held is not None:
            self.held.remove(held)
        message = held
        while message is None:
            message = await self.receive(timeout)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                message = None
            elif message.get("id") != operation_id:
                self.held.append(message)
                message = None
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing(self, seconds: float = 0.5) -> None:
        """Nothing arrives for a while (nor arrived unread)."""
        assert not self.held, self.held
        with contextlib.suppress(TimeoutError):
            message = await self.receive(seconds)
            raise AssertionError(f"unexpected message {message}")

    async def closed(self, timeout: float = 5) -> tuple[int, str]:
        """The close code and reason, once the server closes (messages before it are skipped)."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(self.socket.recv(), timeout)
        assert self.socket.close_code is not None
        return self.socket.close_code, self.socket.close_reason or ""


@contextlib.asynccontextmanager
async def connected(url: str, *, subprotocols: tuple[str, ...] = (PROTOCOL,), **options: Any) -> AsyncIterator[LiveClient]:
    async with websockets.connect(ws_url(url), subprotocols=list(subprotocols) or None, open_timeout=10, **options) as socket:
        yield LiveClient(socket)


@contextlib.asynccontextmanager
async def live(url: str, key: str, **options: Any) -> AsyncIterator[LiveClient]:
    """A connection acknowledged for `key`."""
    async with connected(url, **options) as client:
        await client.send({"type": "connection_init", "payload": {"X-API-Key": key}})
        assert (await client.receive())["type"] == "connection_ack"
        yield client
