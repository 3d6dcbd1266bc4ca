"""Fake provider servers: real HTTP on loopback, each speaking one provider's wire format.

A fake keeps its provider's state (accounts, numbers, applications), checks the auth it
receives, records every request so tests can assert exactly what was sent, and can be told to
misbehave: hang, answer 5xx or 429 (with Retry-After), redirect, or send malformed JSON.
"""

import asyncio
import base64
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] if v else "" for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        return basic_auth(self.headers.get("authorization"))


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, with blank values kept (they clear fields)."""
    return {k: v[0] for k, v in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}


def basic_auth(header: str | None) -> tuple[str, str] | None:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(token).decode().partition(":")
    except ValueError:
        return None
    return user, password


@dataclass
class Fault:
    kind: str  # "hang", "status", "malformed"; "none" answers normally
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    """Subclasses set `key` and implement `routes()` and `error(status)` in their provider's shape."""

    key: str

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self.url = ""

    # --- what tests use
    def fail_next(
        self,
        kind: str,
        *,
        times: int = 1,
        status: int = 500,
        retry_after: str | None = None,
        location: str | None = None,
        after: int = 0,
    ) -> None:
        """`after`: that many requests are answered normally first (a fault on page 7 of a list)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        if location is not None:
            headers["Location"] = location
        self._faults.extend(Fault("none") for _ in range(after))
        self._faults.extend(Fault(kind, status, headers) for _ in range(times))

    def reset(self) -> None:
        self.requests.clear()
        self._faults.clear()

    def sent(self, method: str | None = None, path_contains: str = "") -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and path_contains in r.path]

    # --- what subclasses implement
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def error(self, status: int, message: str = "") -> Response:
        return JSONResponse({"message": message or f"HTTP {status}"}, status_code=status)

    # --- the ASGI app
    def app(self) -> Starlette:
        inner = Starlette(routes=self.routes())

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            request = Request(scope, receive)
            body = await request.body()
            self.requests.append(
                Recorded(
                    method=request.method,
                    path=request.url.path,
                    query=parse_qs(request.url.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in request.headers.items()},
                    body=body,
                )
            )
            replay_sent = False

            async def replay() -> dict:
                nonlocal replay_sent
                if replay_sent:
                    return {"type": "http.disconnect"}
                replay_sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            if self._faults:
                fault = self._faults.popleft()
                if fault.kind == "hang":
                    await asyncio.sleep(3600)
                elif fault.kind == "malformed":
                    await Response("{not json", media_type="application/json")(scope, replay, send)
                    return
                elif fault.kind != "none":
                    response = self.error(fault.status)
                    response.headers.update(fault.headers)
                    await response(scope, replay, send)
                    return
            await inner(scope, replay, send)

        return app
