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
    edges: list[Edge[NodeT]]
    nodes: list[NodeT]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], int | Awaitable[int]]]

    @strawberry.field
    def total_count(self) -> int:
        return self._count()

    @classmethod
    def of(cls, page: ConnectionSlice, wrap: Callable[[Any], NodeT]) -> "Connection[NodeT]":
        nodes = [wrap(row) for row in page.rows]
        cursors = [to_cursor(row.id) for row in page.rows]
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
            _count=page.total_count,
        )
