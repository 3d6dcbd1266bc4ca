"""API keys (SPEC §13): listed, created (the secret shown once) and revoked by ADMIN keys; an
organization always keeps a usable ADMIN key."""

from dataclasses import dataclass
from datetime import datetime

from switchboard.db.api_keys import create_api_key, get_key, key_listing, key_usable, usable_admin_count
from switchboard.db.models import ApiKey
from switchboard.db.organizations import lock_organization
from switchboard.db.types import utcnow

from . import audit
from .access import denied, require
from .connections import ConnectionSlice, paginate
from .context import RequestContext
from .errors import UserError, UserErrorCode, not_found
from .ids import database_id_of
from .rules.names import InvalidName, clean_name
from .rules.roles import Role

TYPE_NAME = "ApiKey"
NAME_MAX_LENGTH = 128


@dataclass(frozen=True, slots=True)
class KeyResult:
    key: ApiKey | None = None
    # The new key itself: returned once, by createApiKey, and stored nowhere.
    secret: str | None = None
    errors: tuple[UserError, ...] = ()


def _fail(*errors: UserError) -> KeyResult:
    return KeyResult(errors=errors)


async def list_keys(ctx: RequestContext, first: int | None, after: str | None) -> ConnectionSlice:
    require(ctx, Role.ADMIN)
    return await paginate(ctx.db, key_listing(ctx.organization_id), first, after)


async def create_key(ctx: RequestContext, name: str, role: Role, expires_at: datetime | None) -> KeyResult:
    if forbidden := denied(ctx, Role.ADMIN):
        return _fail(*forbidden)
    errors = []
    try:
        name = clean_name(name, max_length=NAME_MAX_LENGTH)
    except InvalidName as exc:
        errors.append(UserError(UserErrorCode.INVALID, str(exc), ("input", "name")))
    if expires_at is not None and expires_at <= utcnow():
        errors.append(UserError(UserErrorCode.INVALID, "expiresAt must be in the future.", ("input", "expiresAt")))
    if errors:
        return _fail(*errors)
    async with ctx.db.write() as session:
        key, secret = await create_api_key(session, ctx.organization_id, name=name, role=role.value, expires_at=expires_at)
        await audit.record(session, ctx, "createApiKey", TYPE_NAME, key.id, after=audit.key_fields(key))
    return KeyResult(key=key, secret=secret)


def _last_admin() -> KeyResult:
    return _fail(
        UserError(
            UserErrorCode.FAILED_PRECONDITION,
            "This is the organization's last usable ADMIN key; create another ADMIN key before revoking it.",
            ("input", "id"),
        )
    )


async def revoke_key(ctx: RequestContext, global_id: str) -> KeyResult:
    """Revoke a key (again: no change). Every worker refuses it within a second (server/auth.py)."""
    if forbidden := denied(ctx, Role.ADMIN):
        return _fail(*forbidden)
    key_id = database_id_of(global_id, TYPE_NAME)
    missing = _fail(not_found("API key", ("input", "id")))
    if key_id is None:
        return missing
    async with ctx.db.write() as session:
        # Two admins revoking each other's keys at once must not leave none: one waits.
        await lock_organization(session, ctx.organization_id)
        key = await get_key(session, ctx.organization_id, key_id)
        if key is None:
            return missing
        if key.revoked_at is not None:
            return KeyResult(key=key)
        now = utcnow()
        if key_usable(key.revoked_at is not None, key.expires_at, now) and key.role == Role.ADMIN and not await usable_admin_count(session, ctx.organization_id, now, besides=key.id):
            return _last_admin()
        before = audit.key_fields(key)
        key.revoked_at = now
        await session.flush()
        await audit.record(session, ctx, "revokeApiKey", TYPE_NAME, key.id, before=before, after=audit.key_fields(key))
    ctx.services.forget_key(key.key_hash)
    return KeyResult(key=key)
