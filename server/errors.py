"""Top-level GraphQL error codes and masking of unexpected failures (SPEC §8)."""

import logging

from graphql import GraphQLError
from switchboard.resolvers.errors import BadUserInput, Forbidden, ProviderFailure

log = logging.getLogger("switchboard.errors")

INTERNAL_MESSAGE = "Internal server error"


def _code(error: GraphQLError) -> str:
    original = error.original_error
    if original is None:
        return "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
    if isinstance(original, Forbidden):
        return "FORBIDDEN"
    if isinstance(original, ProviderFailure):
        return original.code
    if isinstance(original, BadUserInput) or error.path is None:
        # Errors outside field execution come from coercing the request's variables.
        return "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"


def format_error(error: GraphQLError, request_id: str) -> dict:
    code = _code(error)
    if code == "INTERNAL_SERVER_ERROR":
        log.error(
            "request %s: unexpected error at %s",
            request_id,
            ".".join(map(str, error.path or [])),
            exc_info=error.original_error,
        )
        formatted: dict = {"message": INTERNAL_MESSAGE}
        if error.locations:
            formatted["locations"] = [loc._asdict() for loc in error.locations]
        if error.path:
            formatted["path"] = error.path
        formatted["extensions"] = {"code": code, "requestId": request_id}
        return formatted
    formatted = error.formatted
    formatted["extensions"] = {**(error.extensions or {}), "code": code}
    return formatted


def error_body(message: str, code: str) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
