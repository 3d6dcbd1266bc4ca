"""Authentication: `X-API-Key: <key>` or `Authorization: Bearer <key>` (SPEC §2, §13), where the
credential is an API key or, when the deployment accepts them, a dashboard's JWT (jwt_auth.py).

A worker remembers each key it has seen for half a second, sparing a query per request; so a key
revoked or expired is refused by every worker within a second (expiry is checked on every
request, revocation by this worker at once). Only keys that exist are remembered, so random keys
cannot fill memory. `lastUsedAt` is written at most once a minute per key.
"""

import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from switchboard.db.api_keys import KEY_PREFIX, StoredKey, hash_api_key, key_usable, stored_key, touch_key
from switchboard.db.engine import Database
from switchboard.db.types import utcnow
from switchboard.resolvers.principal import Principal
from switchboard.resolvers.rules.roles import Role

from .jwt_auth import JwtAuthenticator

log = logging.getLogger("switchboard.auth")

KEY_FRESHNESS_SECONDS = 0.5
LAST_USED_PRECISION = timedelta(minutes=1)


def extract_credential(headers: Mapping[str, str]) -> str | None:
    """The API key or token the request carries."""
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class ApiKeyAuthenticator:
    def __init__(self, db: Database, *, freshness_seconds: float = KEY_FRESHNESS_SECONDS, max_entries: int = 10_000) -> None:
        self._db = db
        self._freshness = freshness_seconds
        self._max_entries = max_entries
        # key hash -> (the stored key, monotonic time until which it is trusted without a query)
        self._cache: dict[str, tuple[StoredKey, float]] = {}

    async def principal_for(self, key: str) -> Principal | None:
        digest = hash_api_key(key)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            found = cached[0]
        else:
            found = await stored_key(self._db, key)
            if found is None:
                self._cache.pop(digest, None)
                return None
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[digest] = (found, now + self._freshness)
        wall_now = utcnow()
        if not key_usable(found.revoked, found.expires_at, wall_now):
            return None
        if found.last_used_at is None or wall_now - found.last_used_at >= LAST_USED_PRECISION:
            await self._touch(digest, found, wall_now)
        return Principal(
            organization_id=found.organization_id,
            role=Role(found.role),
            actor=found.prefix,
            actor_name=found.name,
            api_key_id=found.id,
        )

    async def _touch(self, digest: str, found: StoredKey, now: datetime) -> None:
        """Record the use; a failure to (a busy database) does not fail the request."""
        entry = self._cache.get(digest)
        if entry is not None:
            self._cache[digest] = (replace(found, last_used_at=now), entry[1])
        try:
            await touch_key(self._db, found.id, now, now - LAST_USED_PRECISION)
        except Exception:
            log.warning("could not record the use of API key %s", found.prefix, exc_info=True)

    def forget(self, key_hash: str) -> None:
        """Drop a key this worker remembers (it was just revoked here)."""
        self._cache.pop(key_hash, None)


class Authenticator:
    """An `sb_` credential is an API key; anything else is a JWT when the deployment accepts them."""

    def __init__(self, api_keys: ApiKeyAuthenticator, tokens: JwtAuthenticator | None) -> None:
        self._api_keys = api_keys
        self._tokens = tokens

    async def principal_for(self, credential: str) -> Principal | None:
        if credential.startswith(KEY_PREFIX):
            return await self._api_keys.principal_for(credential)
        if self._tokens is not None:
            return await self._tokens.principal_for(credential)
        return None
