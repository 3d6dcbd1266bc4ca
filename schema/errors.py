"""UserError: expected failures returned as data in every mutation payload."""

import strawberry
from switchboard.resolvers import errors

UserErrorCode = strawberry.enum(errors.UserErrorCode, name="UserErrorCode")


@strawberry.type(description="An expected failure, returned as data. field is the path into the input.")
class UserError:
    code: UserErrorCode
    message: str
    field: list[str] | None

    @classmethod
    def of(cls, error: errors.UserError) -> "UserError":
        return cls(code=error.code, message=error.message, field=list(error.field) if error.field else None)


def user_errors(found: tuple[errors.UserError, ...]) -> list[UserError]:
    return [UserError.of(error) for error in found]
