"""Keyset pagination on the primary key: stable under inserts, no offsets."""

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func

from .engine import Database


@dataclass(frozen=True, slots=True)
class Listing:
    """A list to page through: a statement with bound parameters, built once per shape (which
    filters are present), and this request's values for them. Building and cache-keying a
    statement costs SQLAlchemy more than running it, so page and count statements derive from
    the shape once too."""

    model: Any
    stmt: Select
    params: dict[str, Any]
    #: Descending ids (logs read newest first) instead of ascending.
    newest_first: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    has_next: bool


# Bounded: shapes are few, but a caller passing a fresh statement each time must not grow it.
@functools.lru_cache(maxsize=256)
def _page_statement(model: Any, stmt: Select, after: bool, newest_first: bool) -> Select:
    if after:
        stmt = stmt.where(model.id < bindparam("after_id") if newest_first else model.id > bindparam("after_id"))
    return stmt.order_by(model.id.desc() if newest_first else model.id).limit(bindparam("limit"))


@functools.lru_cache(maxsize=256)
def _count_statement(stmt: Select) -> Select:
    """`SELECT count(*)` with the list's FROM and WHERE: no subquery of all its columns."""
    return stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)


async def keyset_page(db: Database, listing: Listing, *, first: int, after_id: int | None) -> Page:
    stmt = _page_statement(listing.model, listing.stmt, after_id is not None, listing.newest_first)
    rows = await db.records(listing.model, stmt, {**listing.params, "after_id": after_id, "limit": first + 1})
    return Page(rows=rows[:first], has_next=len(rows) > first)


async def count(db: Database, listing: Listing) -> int:
    return await db.scalar(_count_statement(listing.stmt), listing.params) or 0
