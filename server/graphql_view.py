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


class Unauthenticated(Exception):
    pass


def json_response(body: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


class SwitchboardGraphQL(GraphQL):
    def __init__(self, schema, services: AppServices, authenticator: ApiKeyAuthenticator) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.services = services
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await json_response(error_body("Not found", "BAD_USER_INPUT"), 404)(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except Unauthenticated:
            response = json_response(
                error_body(
                    "Missing or invalid API key: send `X-API-Key: <key>` or `Authorization: Bearer <key>`.",
                    "UNAUTHENTICATED",
                ),
                401,
            )
        except HTTPException as exc:
            response = json_response(error_body(exc.reason, "BAD_USER_INPUT"), exc.status_code)
        except Exception:
            request_id = uuid.uuid4().hex[:16]
            log.exception("request %s: unexpected error outside execution", request_id)
            body = error_body(INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR")
            body["errors"][0]["extensions"]["requestId"] = request_id
            response = json_response(body, 500)
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

    async def process_result(self, request: Request, result: ExecutionResult) -> dict:
        body: dict = {}
        if result.data is not None or not result.errors or any(e.path for e in result.errors):
            # Requests that failed before execution (parse, validation) carry no `data` entry.
            body["data"] = result.data
        if result.errors:
            request_id = request.scope.get("switchboard.request_id", "")
            body["errors"] = [format_error(error, request_id) for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return body

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
