"""Keyset pagination on the primary key: stable under inserts, no offsets."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    has_next: bool


async def keyset_page(
    session: AsyncSession,
    stmt: Select,
    id_column: InstrumentedAttribute[int],
    *,
    first: int,
    after_id: int | None,
) -> Page:
    if after_id is not None:
        stmt = stmt.where(id_column > after_id)
    rows = list((await session.scalars(stmt.order_by(id_column).limit(first + 1))).all())
    return Page(rows=rows[:first], has_next=len(rows) > first)


async def count(session: AsyncSession, stmt: Select) -> int:
    return await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
