"""Strawberry's ASGI view, with API-key and JWT auth, coded errors, orjson responses, Accept negotiation
(406 when neither JSON media type is acceptable) and automatic persisted queries."""

import hashlib
import time
from contextlib import nullcontext
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types import ExecutionResult
from switchboard.resolvers.context import AppServices, RequestContext

from .auth import Authenticator, extract_credential
from .errors import INTERNAL_MESSAGE, error_body, format_error, log
from .graphiql import GraphiQLPage
from .logs import REQUEST_ID
from .media_types import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, response_media_type
from .metrics import Metrics, Outcome, PersistedQuery, RequestRecord
from .persisted_queries import PersistedQueryCache, PersistedQueryNotFound, persisted_query_hash
from .rate_limit import RateLimited, RateLimiter, bucket_of


class Unauthenticated(Exception):
    pass


# Where a request's RequestRecord is kept in its ASGI scope while metrics are collected.
METRICS_RECORD = "switchboard.metrics"


def json_response(body: object, status_code: int = 200, media_type: str = APPLICATION_JSON) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type=media_type)


def _is_request_error(result: ExecutionResult) -> bool:
    """The operation failed before execution (parse, validation, variables)."""
    return result.data is None and bool(result.errors) and not any(e.path for e in result.errors)


# A document not seen before is charged one more request per whole this many of its tokens (a
# small one costs nothing more): the 100
# fields of a document at the limit (about 600 tokens) cost about 24 ms of CPU to parse and
# validate, against 1 to 5 ms for a request whose document is cached.
UNSEEN_DOCUMENT_TOKENS_PER_REQUEST = 40


class SwitchboardGraphQL(GraphQL):
    def __init__(
        self,
        schema,
        services: AppServices,
        authenticator: Authenticator,
        graphiql_page: GraphiQLPage,
        rate_limiter: RateLimiter,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.metrics = metrics
        self.services = services
        self.authenticator = authenticator
        self.rate_limiter = rate_limiter
        self.persisted_queries = PersistedQueryCache()
        self.graphiql_page = graphiql_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await json_response(error_body("Not found", "BAD_USER_INPUT"), 404)(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = response_media_type(request.headers.get("accept"))
        if media_type is None and not self.should_render_graphql_ide(self.request_adapter_class(request)):
            # GraphQL over HTTP: no supported media type in Accept -> 406, and stop there.
            message = f"Not acceptable: accept {GRAPHQL_RESPONSE_JSON} or {APPLICATION_JSON}."
            await json_response(error_body(message, "BAD_USER_INPUT"), 406)(scope, receive, send)
            return
        media_type = media_type or APPLICATION_JSON
        started = time.perf_counter()
        record = scope[METRICS_RECORD] = RequestRecord() if self.metrics is not None else None
        outcome = None
        try:
            response = await self.run(request)
            outcome = record and record.outcome  # None for the GraphiQL page: not an operation
        except Unauthenticated:
            outcome = Outcome.UNAUTHENTICATED
            response = json_response(
                error_body(
                    "Missing, invalid, revoked or expired API key or token: send `X-API-Key: <key>` or "
                    "`Authorization: Bearer <key or token>`.",
                    "UNAUTHENTICATED",
                ),
                401,
                media_type,
            )
        except RateLimited as exc:
            outcome = Outcome.RATE_LIMITED
            response = json_response(
                error_body(f"Too many requests with this credential: retry after {exc.retry_after_header} s.", "RATE_LIMITED"),
                429,
                media_type,
            )
            response.headers["Retry-After"] = exc.retry_after_header
        except PersistedQueryNotFound:
            outcome = Outcome.PERSISTED_QUERY_NOT_FOUND
            # HTTP 200 (as Apollo Server answers), uncached: the client retries with the query.
            response = json_response(error_body("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND"), 200, media_type)
            response.headers["Cache-Control"] = "private, no-cache, must-revalidate"
        except HTTPException as exc:
            outcome = Outcome.BAD_REQUEST
            status = exc.status_code
            mutation_over_get = request.method == "GET" and "not allowed when using GET" in exc.reason
            if mutation_over_get:
                status = 405  # GraphQL over HTTP: mutations only over POST
            response = json_response(error_body(exc.reason, "BAD_USER_INPUT"), status, media_type)
            if status == 405:
                response.headers["Allow"] = "POST" if mutation_over_get else "GET, POST"
        except Exception:
            outcome = Outcome.INTERNAL
            request_id = REQUEST_ID.get()
            log.exception("request %s: unexpected error outside execution", request_id)
            body = error_body(INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")
            body["errors"][0]["extensions"]["requestId"] = request_id
            response = json_response(body, 500, media_type)
        if record is not None and outcome is not None:
            self.metrics.request_finished(record, outcome, time.perf_counter() - started)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Switchboard's GraphiQL page instead of Strawberry's, which loads everything from a CDN."""
        return HTMLResponse(self.graphiql_page.html)

    async def get_context(self, request: Request, response: Response) -> RequestContext | None:
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return None
        credential = extract_credential(request.headers)
        principal = await self.authenticator.principal_for(credential) if credential else None
        if principal is None:
            raise Unauthenticated
        self.rate_limiter.take(bucket_of(principal))
        return RequestContext(services=self.services, principal=principal, request_id=REQUEST_ID.get())

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = Response(media_type=response_media_type(request.headers.get("accept")) or APPLICATION_JSON)
        sub_response.status_code = 200
        request.scope["switchboard.sub_response"] = sub_response
        return sub_response

    def should_render_graphql_ide(self, request) -> bool:
        # A GET that carries only a persisted-query hash is an operation, not a browser visit.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    def decode_json(self, data: str | bytes) -> object:
        """Strict JSON (RFC 8259) for bodies and query parameters: the standard library also
        accepts NaN and Infinity, which PostgreSQL then refuses to store in a JSON column."""
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """The POST body: a JSON object (an array is a batch, refused later). Invalid UTF-8 and
        too-deep nesting are parse errors too, not internal ones."""
        try:
            body = self.decode_json(data)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(body, (dict, list)):
            raise HTTPException(400, "The request body must be a JSON object.")
        return body

    def parse_query_params(self, params) -> dict[str, Any]:
        parsed = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                try:
                    parsed[name] = self.decode_json(parsed[name])
                except (ValueError, RecursionError) as exc:
                    raise HTTPException(400, f"Unable to parse the `{name}` query parameter as JSON") from exc
        return parsed

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter):
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if "application/json" not in content_type:
                raise HTTPException(415, "Unsupported content type: send the operation as application/json.")
        return await super().parse_http_body(request)

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        """Automatic persisted queries (`extensions.persistedQuery`, version 1) over GET and POST."""
        record: RequestRecord | None = request.scope.get(METRICS_RECORD)
        named = request_data.operation_name if isinstance(request_data, GraphQLRequestData) else None
        if record is not None:
            # As the client names it; by the document's name when it gives none (below).
            record.operation = self.metrics.operation_label(named)
        sha256_hash, registering = self._persisted_query(request_data, record)
        try:
            with self.metrics.executing(record) if record is not None else nullcontext():
                result = await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        finally:
            if isinstance(context, RequestContext):
                context.release()
                if context.unseen_document_tokens:
                    # A document this worker had not seen cost its parse and validation, which a
                    # stream of distinct documents repeats: charged as that many more requests.
                    requests = context.unseen_document_tokens // UNSEEN_DOCUMENT_TOKENS_PER_REQUEST
                    self.rate_limiter.charge(bucket_of(context.principal), requests)
                if record is not None and named is None and context.operation_name is not None:
                    record.operation = self.metrics.operation_label(context.operation_name)
        if sha256_hash is not None and isinstance(result, ExecutionResult) and not _is_request_error(result):
            self.persisted_queries.put(sha256_hash, request_data.query)
            if registering and record is not None:
                self.metrics.persisted_query(PersistedQuery.REGISTERED)
        return result

    def _persisted_query(self, request_data, record: RequestRecord | None) -> tuple[str | None, bool]:
        """The request's persisted-query hash (None without one), and whether it registers its
        query; a hash alone gets the stored query, or raises PersistedQueryNotFound."""
        if not isinstance(request_data, GraphQLRequestData):
            return None, False
        sha256_hash = persisted_query_hash(request_data.extensions)
        if sha256_hash is None:
            return None, False
        if request_data.query:
            if hashlib.sha256(request_data.query.encode("utf-8", "surrogatepass")).hexdigest() != sha256_hash:
                raise HTTPException(400, "provided sha does not match query")
            return sha256_hash, True
        request_data.query = self.persisted_queries.get(sha256_hash)
        if record is not None:
            self.metrics.persisted_query(PersistedQuery.MISS if request_data.query is None else PersistedQuery.HIT)
        if request_data.query is None:
            raise PersistedQueryNotFound
        return sha256_hash, False

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        return Response(self.encode_json(response_data), status_code=sub_response.status_code, media_type=sub_response.media_type)

    async def process_result(self, request: Request, result: ExecutionResult) -> dict:
        body: dict = {}
        if not _is_request_error(result):
            body["data"] = result.data
        else:
            # The request failed before execution (parse, validation, variables): no `data` entry,
            # and HTTP 400 for clients that speak application/graphql-response+json.
            sub_response = request.scope["switchboard.sub_response"]
            if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        record: RequestRecord | None = request.scope.get(METRICS_RECORD)
        if record is not None:
            record.outcome = Outcome.INVALID if _is_request_error(result) else Outcome.ERROR if result.errors else Outcome.OK
        if result.errors:
            body["errors"] = [format_error(error, REQUEST_ID.get()) for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return body

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
