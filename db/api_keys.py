"""API keys: shown once, stored only as a SHA-256 hash plus a short visible prefix (SPEC §2)."""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ApiKey

KEY_PREFIX = "sb_"
_VISIBLE_PREFIX_LENGTH = 10


def generate_api_key() -> str:
    # token_urlsafe(32) yields 43 characters from 32 random bytes.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(session: AsyncSession, organization_id: int) -> str:
    key = generate_api_key()
    session.add(
        ApiKey(
            organization_id=organization_id,
            prefix=key[:_VISIBLE_PREFIX_LENGTH],
            key_hash=hash_api_key(key),
        )
    )
    await session.flush()
    return key


async def organization_for_key(session: AsyncSession, key: str) -> int | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 256:
        return None
    return await session.scalar(select(ApiKey.organization_id).where(ApiKey.key_hash == hash_api_key(key)))
