"""Automatic persisted queries (Apollo's protocol, `extensions.persistedQuery` version 1)."""

from collections import OrderedDict
from typing import Any

from cross_web import HTTPException


class PersistedQueryNotFound(Exception):
    """An automatic persisted query whose hash this process has not stored (yet)."""


class PersistedQueryCache:
    """Automatic persisted queries: query text by the hex SHA-256 of its UTF-8 bytes, kept in a
    bounded in-process LRU (by entry count and by total characters). Each worker has its own;
    a client that meets PERSISTED_QUERY_NOT_FOUND simply sends the query again."""

    def __init__(self, max_entries: int = 1000, max_chars: int = 8 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._chars = 0

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, sha256_hash: str) -> str | None:
        query = self._queries.get(sha256_hash)
        if query is not None:
            self._queries.move_to_end(sha256_hash)
        return query

    def put(self, sha256_hash: str, query: str) -> None:
        if len(query) > self.max_chars:
            return
        previous = self._queries.pop(sha256_hash, None)
        if previous is not None:
            self._chars -= len(previous)
        self._queries[sha256_hash] = query
        self._chars += len(query)
        while len(self._queries) > self.max_entries or self._chars > self.max_chars:
            _, evicted = self._queries.popitem(last=False)
            self._chars -= len(evicted)


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
