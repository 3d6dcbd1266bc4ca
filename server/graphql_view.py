"""Strawberry's ASGI view, with API-key auth, coded errors and orjson responses."""

import uuid

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult
from switchboard.resolvers.context import AppServices, RequestContext

from .auth import ApiKeyAuthenticator, extract_api_key
from .errors import INTERNAL_MESSAGE, error_body, format_error, log


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"


class Unauthenticated(Exception):
    pass


def json_response(body: object, status_code: int = 200, media_type: str = APPLICATION_JSON) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type=media_type)


def response_media_type(accept: str | None) -> str:
    """GraphQL over HTTP: answer in application/graphql-response+json when the client accepts it
    (and has not refused it with q=0); otherwise application/json, which older clients expect."""
    for media_range in (accept or "").split(","):
        kind, _, params = media_range.strip().partition(";")
        if kind.strip().lower() == GRAPHQL_RESPONSE_JSON and "q=0" not in params.replace(" ", "").split(";"):
            return GRAPHQL_RESPONSE_JSON
    return APPLICATION_JSON


class SwitchboardGraphQL(GraphQL):
    def __init__(self, schema, services: AppServices, authenticator: ApiKeyAuthenticator) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.services = services
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await json_response(error_body("Not found", "BAD_USER_INPUT"), 404)(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = response_media_type(request.headers.get("accept"))
        try:
            response = await self.run(request)
        except Unauthenticated:
            response = json_response(
                error_body(
                    "Missing or invalid API key: send `X-API-Key: <key>` or `Authorization: Bearer <key>`.",
                    "UNAUTHENTICATED",
                ),
                401,
                media_type,
            )
        except HTTPException as exc:
            status = exc.status_code
            if request.method == "GET" and "not allowed when using GET" in exc.reason:
                status = 405  # GraphQL over HTTP: mutations only over POST
            response = json_response(error_body(exc.reason, "BAD_USER_INPUT"), status, media_type)
            if status == 405:
                response.headers["Allow"] = "POST"
        except Exception:
            request_id = uuid.uuid4().hex[:16]
            log.exception("request %s: unexpected error outside execution", request_id)
            body = error_body(INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")
            body["errors"][0]["extensions"]["requestId"] = request_id
            response = json_response(body, 500, media_type)
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: Response) -> RequestContext | None:
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return None
        organization_id = await self.authenticator.organization_for(extract_api_key(request.headers))
        if organization_id is None:
            raise Unauthenticated
        request_id = uuid.uuid4().hex[:16]
        request.scope["switchboard.request_id"] = request_id
        return RequestContext(services=self.services, organization_id=organization_id, request_id=request_id)

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = Response(media_type=response_media_type(request.headers.get("accept")))
        sub_response.status_code = 200
        request.scope["switchboard.sub_response"] = sub_response
        return sub_response

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        return Response(self.encode_json(response_data), status_code=sub_response.status_code, media_type=sub_response.media_type)

    async def process_result(self, request: Request, result: ExecutionResult) -> dict:
        body: dict = {}
        if result.data is not None or not result.errors or any(e.path for e in result.errors):
            body["data"] = result.data
        else:
            # The request failed before execution (parse, validation, variables): no `data` entry,
            # and HTTP 400 for clients that speak application/graphql-response+json.
            sub_response = request.scope["switchboard.sub_response"]
            if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        if result.errors:
            request_id = request.scope.get("switchboard.request_id", "")
            body["errors"] = [format_error(error, request_id) for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return body

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
