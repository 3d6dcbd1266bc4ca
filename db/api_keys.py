"""API keys: shown once, stored only as a SHA-256 hash plus a short visible prefix (SPEC §2).

A key has a name, a role and an optional expiry; revoking keeps the row (the audit log refers
to it) and stamps `revoked_at`.
"""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .engine import Database
from .models import ApiKey
from .pagination import Listing

KEY_PREFIX = "sb_"
_VISIBLE_PREFIX_LENGTH = 10
_MAX_KEY_LENGTH = 256


def generate_api_key() -> str:
    # token_urlsafe(32) yields 43 characters from 32 random bytes.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(key: str) -> bool:
    return key.startswith(KEY_PREFIX) and len(key) <= _MAX_KEY_LENGTH


async def create_api_key(
    session: AsyncSession, organization_id: int, *, name: str = "API key", role: str = "ADMIN", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """The new key's row and its secret (which is not stored)."""
    key = generate_api_key()
    row = ApiKey(
        organization_id=organization_id,
        prefix=key[:_VISIBLE_PREFIX_LENGTH],
        key_hash=hash_api_key(key),
        name=name,
        role=role,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row, key


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What authentication needs of a key."""

    id: int
    organization_id: int
    role: str
    name: str
    prefix: str
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


_BY_HASH = select(
    ApiKey.id,
    ApiKey.organization_id,
    ApiKey.role,
    ApiKey.name,
    ApiKey.prefix,
    ApiKey.expires_at,
    ApiKey.last_used_at,
    ApiKey.revoked_at.is_not(None),
).where(ApiKey.key_hash == bindparam("key_hash"))

# At most one write per key per minute, whichever worker gets there first.
_TOUCH = (
    update(ApiKey)
    .where(
        ApiKey.id == bindparam("key_id"),
        or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < bindparam("stale_before", type_=ApiKey.last_used_at.type)),
    )
    .values(last_used_at=bindparam("now", type_=ApiKey.last_used_at.type))
    .returning(ApiKey.id)
)


async def stored_key(db: Database, key: str) -> StoredKey | None:
    if not looks_like_key(key):
        return None
    found = await db.lookup(_BY_HASH, {"key_hash": hash_api_key(key)})
    return StoredKey(*found[0]) if found else None


async def touch_key(db: Database, key_id: int, now: datetime, stale_before: datetime) -> None:
    await db.write_alone(_TOUCH, {"key_id": key_id, "now": now, "stale_before": stale_before})


def key_usable(revoked: bool, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a key authenticates at `now`: not revoked, not expired (`usable` in SQL)."""
    return not revoked and (expires_at is None or expires_at > now)


def usable(now: datetime):
    """The keys that authenticate at `now`: not revoked, not expired (`key_usable` in SQL)."""
    return and_(ApiKey.revoked_at.is_(None), or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now))


async def usable_admin_count(session: AsyncSession, organization_id: int, now: datetime, *, besides: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.organization_id == organization_id, ApiKey.role == "ADMIN", ApiKey.id != besides, usable(now))
    )


async def get_key(session: AsyncSession, organization_id: int, key_id: int) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == organization_id))


async def keys_of(session: AsyncSession, organization_id: int) -> Sequence[ApiKey]:
    return (await session.scalars(select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.id))).all()


def key_listing(organization_id: int) -> Listing:
    return Listing(ApiKey, _KEYS_OF_ORGANIZATION, {"organization_id": organization_id})


_KEYS_OF_ORGANIZATION: Select = select(ApiKey).where(ApiKey.organization_id == bindparam("organization_id"))
