"""One page of a connection, independent of GraphQL types."""

from collections.abc import Awaitable, Callable
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
