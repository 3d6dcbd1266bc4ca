"""Expected failures. UserError is returned as data; BadUserInput becomes a top-level error."""

from dataclasses import dataclass
from enum import StrEnum


class UserErrorCode(StrEnum):
    INVALID = "INVALID"
    INVALID_PHONE_NUMBER = "INVALID_PHONE_NUMBER"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    PROVIDER_MISMATCH = "PROVIDER_MISMATCH"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    FORBIDDEN = "FORBIDDEN"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"


@dataclass(frozen=True, slots=True)
class UserError:
    code: UserErrorCode
    message: str
    field: tuple[str, ...] | None = None


def not_found(what: str, field: tuple[str, ...]) -> UserError:
    return UserError(UserErrorCode.NOT_FOUND, f"{what} not found", field)


class BadUserInput(Exception):
    """A malformed argument of a query (bad cursor, negative page size): top-level BAD_USER_INPUT."""


class Forbidden(Exception):
    """A field beyond the caller's role: a top-level FORBIDDEN error (SPEC §13)."""


class ProviderFailure(Exception):
    """A query that asked a provider and got no answer to show (bad credentials, a timeout; no
    list API: UNSUPPORTED): a top-level error whose code is `code`, with the provider's message
    and its FailureKind in extensions.reason. Mutations report the same as a PROVIDER_ERROR in
    their payload instead."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.code = "UNSUPPORTED" if reason == "UNSUPPORTED" else "PROVIDER_ERROR"
        self.extensions = {"reason": reason}
