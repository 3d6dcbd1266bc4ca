"""Keyset pagination on the primary key: stable under inserts, no offsets."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func
from sqlalchemy.orm import InstrumentedAttribute

from .records import records


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    has_next: bool


def keyset_page(
    connection: Connection,
    stmt: Select,
    id_column: InstrumentedAttribute[int],
    *,
    first: int,
    after_id: int | None,
) -> Page:
    if after_id is not None:
        stmt = stmt.where(id_column > after_id)
    rows = records(id_column.class_, connection.execute(stmt.order_by(id_column).limit(first + 1)))
    return Page(rows=rows[:first], has_next=len(rows) > first)


def count(connection: Connection, stmt: Select) -> int:
    """`SELECT count(*)` with the page's FROM and WHERE: no subquery of all its columns."""
    return connection.scalar(stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0
