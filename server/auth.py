"""API-key authentication: `X-API-Key: <key>` or `Authorization: Bearer <key>` (SPEC §2)."""

import time
from collections.abc import Mapping

from switchboard.db.api_keys import hash_api_key, organization_for_key
from switchboard.db.engine import Database


def extract_api_key(headers: Mapping[str, str]) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class ApiKeyAuthenticator:
    """Resolves keys to organizations, remembering hits briefly to spare a query per request.

    Only successful lookups are cached (so random keys cannot fill memory); keys cannot be
    revoked through the API, and the cache lifetime bounds how long a key deleted in the database
    keeps working in a running process.
    """

    def __init__(self, db: Database, *, ttl_seconds: float = 30.0, max_entries: int = 10_000) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._cache: dict[str, tuple[int, float]] = {}

    async def organization_for(self, key: str | None) -> int | None:
        if not key:
            return None
        digest = hash_api_key(key)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached and cached[1] > now:
            return cached[0]
        async with self._db.read() as session:
            organization_id = await organization_for_key(session, key)
        if organization_id is not None:
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[digest] = (organization_id, now + self._ttl)
        return organization_id
