"""Role checks (SPEC §13): a mutation beyond the caller's role answers FORBIDDEN in its
payload's errors; a field beyond it, a top-level FORBIDDEN error."""

from .context import RequestContext
from .errors import Forbidden, UserError, UserErrorCode
from .rules.roles import Role, allows, forbidden_message


def denied(ctx: RequestContext, needed: Role) -> tuple[UserError, ...]:
    """No errors when the caller's role allows `needed`; else the FORBIDDEN error."""
    role = ctx.principal.role
    if allows(role, needed):
        return ()
    return (UserError(UserErrorCode.FORBIDDEN, forbidden_message(role, needed)),)


def require(ctx: RequestContext, needed: Role) -> None:
    """Raise Forbidden unless the caller's role allows `needed`."""
    role = ctx.principal.role
    if not allows(role, needed):
        raise Forbidden(forbidden_message(role, needed))
