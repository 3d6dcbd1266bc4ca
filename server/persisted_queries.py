"""Automatic persisted queries (Apollo's protocol, `extensions.persistedQuery` version 1)."""

import sys
from typing import Any

from cachetools import LRUCache
from cross_web import HTTPException


class PersistedQueryNotFound(Exception):
    """An automatic persisted query whose hash this process has not stored (yet)."""


class PersistedQueryCache:
    """Automatic persisted queries: query text by the hex SHA-256 of its UTF-8 bytes, kept in an
    in-process LRU bounded by the memory of the texts (`sys.getsizeof`: a text of wide
    characters takes up to four bytes each). Each worker has its own; a client that meets
    PERSISTED_QUERY_NOT_FOUND simply sends the query again."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self._queries: LRUCache[str, str] = LRUCache(max_bytes, getsizeof=sys.getsizeof)

    def __len__(self) -> int:
        return len(self._queries)

    @property
    def size(self) -> int:
        """The bytes of the stored texts."""
        return int(self._queries.currsize)

    def get(self, sha256_hash: str) -> str | None:
        return self._queries.get(sha256_hash)

    def put(self, sha256_hash: str, query: str) -> None:
        if sys.getsizeof(query) <= self._queries.maxsize:
            self._queries[sha256_hash] = query


def persisted_query_hash(extensions: dict[str, Any] | None) -> str | None:
    """The sha256Hash of `extensions.persistedQuery`, or None when the request has none."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise HTTPException(400, "`extensions.persistedQuery` must be an object.")
    if persisted.get("version") != 1:
        raise HTTPException(400, "Unsupported persisted query version: only version 1 is supported.")
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not sha256_hash:
        raise HTTPException(400, "`extensions.persistedQuery.sha256Hash` must be a non-empty string.")
    return sha256_hash.lower()
