"""GraphQL subscriptions at /graphql over WebSocket, graphql-transport-ws only (SPEC §15).

Strawberry speaks the protocol; here is what Switchboard adds to it:

- `connection_init` carries the credential, as HTTP headers do (`{"X-API-Key": "sb_…"}` or
  `{"Authorization": "Bearer <key or token>"}`), checked by the same authenticator. A missing,
  wrong, revoked or expired one closes the connection with 4403; a subscribe before the
  acknowledgement with 4401 (Strawberry).
- Limits: connections per credential and worker (4403 beyond), operations per connection (an
  `error` message beyond), each subscribe charged to the credential's rate-limit bucket (an
  `error` with RATE_LIMITED beyond), a bounded event queue per subscription (1013 when full),
  malformed frames and messages closed with 4400, browsers' origins checked against
  SWITCHBOARD_CORS_ORIGINS (a refused handshake is HTTP 403).
- Only subscriptions run over the socket; queries and mutations go over HTTP.
- Each operation gets its own request context, so what it loads is its own and is dropped at
  each event; errors are masked as over HTTP.
- A revoked or expired credential is checked again before an event when the last check is half a
  second old (the authenticator trusts a key for another half second), and the connection is
  closed with 4403.
- At shutdown uvicorn closes the open connections with 1001 (going away; server/ws_protocol.py).
"""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from graphql import GraphQLError
from prometheus_client import Gauge
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from switchboard.resolvers.context import AppServices, RequestContext
from switchboard.resolvers.live import FORBIDDEN_CLOSE
from switchboard.resolvers.principal import Principal

from .auth import Authenticator, extract_credential
from .errors import format_error
from .logs import new_request_id
from .metrics import Metrics
from .rate_limit import RateLimited, RateLimiter, bucket_of
from .shared_streams import SharedStreams

log = logging.getLogger("switchboard.live")

# How long a connection's credential, once checked, is trusted before the next event checks it
# again; with the authenticator's own half second a revoked key is closed within a second.
RECHECK_SECONDS = 0.5
# A connection_init the credential's rate limit refuses: 1013 "try again later".
TRY_AGAIN_LATER_CLOSE = 1013


@dataclass(frozen=True)
class LiveLimits:
    subscriptions_per_connection: int
    connections_per_credential: int
    init_timeout_seconds: float


class _Frames(ASGIWebSocketAdapter):
    """Text frames (what graphql-ws clients read), and nothing sent once the socket is closing."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected
        await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state is WebSocketState.CONNECTED:
            await self.ws.close(code=code, reason=reason)


class _MaskedError:
    """An error as Strawberry sends it (`formatted`), masked and coded as over HTTP."""

    __slots__ = ("formatted",)

    def __init__(self, formatted: dict) -> None:
        self.formatted = formatted


class Connection:
    """One WebSocket connection: its credential once `connection_init` proved it, and what its
    subscriptions need of it (resolvers/live.py LiveConnection)."""

    def __init__(self, endpoint: "LiveGraphQL", websocket: WebSocket) -> None:
        self.endpoint = endpoint
        self.websocket = websocket
        self.connection_params: object = None
        self.credential: str | None = None
        self.principal: Principal | None = None
        self._closing: asyncio.Task | None = None
        self._checked_until = 0.0

    def for_operation(self, live: Any) -> RequestContext:
        """A request context of this connection's caller for one operation, whose subscriptions
        answer to `live` (resolvers/live.py LiveConnection)."""
        assert self.principal is not None  # Strawberry runs operations only after the acknowledgement
        return RequestContext(
            services=self.endpoint.services, principal=self.principal, request_id=new_request_id(), live=live
        )

    async def still_authorized(self) -> bool:
        """Whether the credential is still usable, asked of the authenticator at most every
        RECHECK_SECONDS per connection: the events of one change to a connection's many
        subscriptions share the answer."""
        now = time.monotonic()
        if now < self._checked_until:
            return True
        found = await self.endpoint.authenticator.principal_for(self.credential) if self.credential else None
        usable = found is not None and self.principal is not None and found.organization_id == self.principal.organization_id
        if usable:
            self._checked_until = now + RECHECK_SECONDS
        return usable

    def close_soon(self, code: int, reason: str) -> None:
        """Close the connection from a task of its own (the caller may be the socket's sender)."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self.close(code, reason))
            if self.endpoint.metrics is not None:
                self.endpoint.metrics.live_closed(code)

    async def close(self, code: int, reason: str) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            try:
                await self.websocket.close(code=code, reason=reason)
            except (OSError, RuntimeError):
                pass  # the client went first


class _OperationScoped:
    """The schema as the protocol handler sees it: an operation joins the group of identical ones
    (server/shared_streams.py), whose source runs with a request context of its own
    (`Connection.for_operation`); only subscriptions run, and errors are masked."""

    def __init__(self, schema: Any, shared: SharedStreams, metrics: Metrics | None) -> None:
        self._schema = schema
        self._shared = shared
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def stream(
        self,
        query: str | None,
        *,
        context_value: Connection,
        variable_values: dict | None = None,
        operation_name: str | None = None,
        **options: Any,
    ) -> AsyncIterator[Any]:
        assert context_value.principal is not None  # Strawberry runs operations only after the acknowledgement
        key = SharedStreams.key(context_value.principal, query or "", variable_values, operation_name)

        async def start(group: Any) -> AsyncIterator[Any]:
            context = context_value.for_operation(live=group)
            source = await self._schema.stream(
                query,
                context_value=context,
                variable_values=variable_values,
                operation_name=operation_name,
                allowed_operation_types=(OperationType.SUBSCRIPTION,),
                **options,
            )
            return _masked(source, context)

        results = self._shared.join(key, context_value, start)
        return results if self._metrics is None else _counted(results, self._metrics.live_subscriptions)


async def _counted(results: AsyncIterator[Any], running: Gauge) -> AsyncIterator[Any]:
    """A subscription's results, counted among the running ones from its start to its end."""
    running.inc()
    try:
        async with aclosing(results):
            async for result in results:
                yield result
    finally:
        running.dec()


async def _masked(source: Any, context: RequestContext) -> AsyncIterator[Any]:
    """The operation's results with execution errors masked; a document that our parse or limits
    refuse (they raise, where Strawberry's own checks return an error) as the error before execution."""
    try:
        async with aclosing(source):
            try:
                async for result in source:
                    if isinstance(result, ExecutionResult) and not isinstance(result, PreExecutionError) and result.errors:
                        result.errors = [_MaskedError(format_error(error, context.request_id)) for error in result.errors]
                    yield result
            except GraphQLError as error:
                yield PreExecutionError(data=None, errors=[error])
    finally:
        context.release()


def _well_formed(message: object) -> bool:
    """A protocol message whose fields have the types the handler relies on."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return False
    if message["type"] == "subscribe":
        payload = message.get("payload")
        return (
            isinstance(message.get("id"), str)
            and isinstance(payload, dict)
            and isinstance(payload.get("query"), str)
            and isinstance(payload.get("variables") or {}, dict)
            and isinstance(payload.get("operationName") or "", str)
        )
    if message["type"] == "complete":
        return isinstance(message.get("id"), str)
    return True


class _Protocol(BaseGraphQLTransportWSHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = _OperationScoped(self.schema, self.view.shared_streams, self.view.metrics)

    async def handle_message(self, message: Any) -> None:
        if not _well_formed(message):
            await self.handle_invalid_message("Invalid message")
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: Any) -> None:
        connection: Connection = self.context
        if self.connection_acknowledged and connection.principal is not None:
            try:
                self.view.rate_limiter.take(bucket_of(connection.principal))
            except RateLimited as exc:
                await self.send_message(
                    {
                        "id": message["id"],
                        "type": "error",
                        "payload": [
                            {
                                "message": f"Too many requests with this credential: retry after {exc.retry_after_header} s.",
                                "extensions": {"code": "RATE_LIMITED"},
                            }
                        ],
                    }
                )
                return
        await super().handle_subscribe(message)


def _credential_of(params: object) -> str | None:
    """The credential of a connection_init payload, named as the HTTP headers are (any case)."""
    if not isinstance(params, dict):
        return None
    headers = {str(name).lower(): value for name, value in params.items() if isinstance(value, str)}
    return extract_credential(headers)


class LiveGraphQL(GraphQL):
    websocket_adapter_class = _Frames  # type: ignore[assignment]
    graphql_transport_ws_handler_class = _Protocol

    def __init__(
        self,
        schema: Any,
        *,
        services: AppServices,
        authenticator: Authenticator,
        rate_limiter: RateLimiter,
        limits: LiveLimits,
        allowed_origins: list[str],
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=limits.init_timeout_seconds),
            max_subscriptions_per_connection=limits.subscriptions_per_connection,
            allowed_origins=allowed_origins,
        )
        self.services = services
        self.authenticator = authenticator
        self.rate_limiter = rate_limiter
        self.limits = limits
        self._per_credential: Counter[str] = Counter()
        self.shared_streams = SharedStreams(services.changes.queue_size)
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        websocket = WebSocket(scope, receive=receive, send=send)
        try:
            await self.run(websocket)
        finally:
            await self._forget(scope)

    async def get_context(self, request: Any, response: Any) -> Connection:
        connection = Connection(self, response)
        request.scope["switchboard.connection"] = connection
        return connection

    async def on_ws_connect(self, context: Connection) -> None:
        credential = _credential_of(context.connection_params)
        principal = await self.authenticator.principal_for(credential) if credential else None
        if principal is None:
            raise ConnectionRejectionError
        bucket = bucket_of(principal)
        try:
            self.rate_limiter.take(bucket)
        except RateLimited as exc:
            await context.close(TRY_AGAIN_LATER_CLOSE, f"Rate limited: retry after {exc.retry_after_header} s")
            raise ConnectionRejectionError from None
        if self._per_credential[bucket] >= self.limits.connections_per_credential:
            await context.close(FORBIDDEN_CLOSE, "Too many connections with this credential")
            raise ConnectionRejectionError
        self._per_credential[bucket] += 1
        context.credential, context.principal = credential, principal
        if self.metrics is not None:
            self.metrics.live_connections.inc()

    async def _forget(self, scope: Any) -> None:
        connection: Connection | None = scope.get("switchboard.connection")
        if connection is None:
            return
        if connection.principal is not None:
            if self.metrics is not None:
                self.metrics.live_connections.dec()
            bucket = bucket_of(connection.principal)
            self._per_credential[bucket] -= 1
            if self._per_credential[bucket] <= 0:
                del self._per_credential[bucket]

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        return orjson.dumps(data).decode()
