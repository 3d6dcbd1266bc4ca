"""One page of a connection, independent of GraphQL types."""

from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.db.engine import Database
from switchboard.db.pagination import Listing, count, keyset_page

from .ids import from_cursor, page_size


@dataclass(frozen=True, slots=True)
class PageRequest:
    size: int
    after_id: int | None

    @classmethod
    def parse(cls, first: int | None, after: str | None) -> "PageRequest":
        return cls(size=page_size(first), after_id=from_cursor(after))


@dataclass(frozen=True, slots=True)
class ConnectionSlice:
    rows: list[Any]
    has_next: bool
    has_previous: bool
    # totalCount costs a query: it runs only when the client selects it. An int when the
    # count is already known (nested pages read it from the number aggregates).
    total_count: Callable[[], int | Awaitable[int]]


async def paginate(db: Database, listing: Listing, first: int | None, after: str | None) -> ConnectionSlice:
    request = PageRequest.parse(first, after)
    page = await keyset_page(db, listing, first=request.size, after_id=request.after_id)
    if request.after_id is None and not page.has_next:
        # The first page holds every row: it is the count, and no query needs to say so.
        total = len(page.rows)
        return ConnectionSlice(page.rows, False, False, lambda: total)

    async def total_count() -> int:
        return await count(db, listing)

    return ConnectionSlice(page.rows, page.has_next, request.after_id is not None, total_count)


def slice_of(rows: Sequence[Any], first: int | None, after: str | None) -> ConnectionSlice:
    """The page `paginate` would read, from a list already read whole and ordered by id."""
    request = PageRequest.parse(first, after)
    start = 0 if request.after_id is None else bisect_right(rows, request.after_id, key=lambda row: row.id)
    total = len(rows)
    return ConnectionSlice(
        list(rows[start : start + request.size]), start + request.size < total, request.after_id is not None, lambda: total
    )
