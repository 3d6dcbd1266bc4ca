"""Generic Relay connection types; Strawberry names them `<Type>Connection` / `<Type>Edge`."""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from switchboard.resolvers.connections import ConnectionSlice
from switchboard.resolvers.ids import to_cursor

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    nodes: list[NodeT]
    page_info: PageInfo
    _ids: strawberry.Private[list[int]]
    _count: strawberry.Private[Callable[[], int | Awaitable[int]]]

    @strawberry.field
    def edges(self) -> list[Edge[NodeT]]:
        """Built when selected: most clients read `nodes` and `pageInfo`, and a cursor per row
        is an encoding per row."""
        return [Edge(cursor=to_cursor(i), node=n) for i, n in zip(self._ids, self.nodes, strict=True)]

    @strawberry.field
    def total_count(self) -> int:
        return self._count()

    @classmethod
    def of(cls, page: ConnectionSlice, wrap: Callable[[Any], NodeT]) -> "Connection[NodeT]":
        ids = [row.id for row in page.rows]
        return cls(
            nodes=[wrap(row) for row in page.rows],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=to_cursor(ids[0]) if ids else None,
                end_cursor=to_cursor(ids[-1]) if ids else None,
            ),
            _ids=ids,
            _count=page.total_count,
        )
