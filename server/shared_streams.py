"""Identical subscriptions share one execution per event (live updates, SPEC §15).

A dashboard's subscriptions are the same few documents, and two subscriptions with the same
document, variables and operation name, in the same organization with the same role, get the
same events with the same data: every read is scoped by the organization and the role, and
nothing else of the caller is visible to a subscription. On each worker such subscriptions form
a group: the first one's operation runs (the group's source), and each result is handed to
every member, each through a bounded queue of its own. Executing the selection set and loading
the object once per event instead of once per subscription is what lets a worker serve a
thousand subscribers of a change within the issue's 250 ms.

Each member still checks its own connection's credential before each event (a revoked key is
closed with 4403 while its group goes on), and a member too slow to take its events has its
connection closed with 1013 without holding up the others.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any, Protocol

import orjson
from switchboard.resolvers.live import FORBIDDEN_CLOSE, SLOW_CONSUMER_CLOSE
from switchboard.resolvers.principal import Principal

log = logging.getLogger("switchboard.live")

_END = object()


class MemberConnection(Protocol):
    async def still_authorized(self) -> bool: ...

    def close_soon(self, code: int, reason: str) -> None: ...


class _Member:
    __slots__ = ("connection", "queue", "overflowed")

    def __init__(self, connection: MemberConnection, size: int) -> None:
        self.connection = connection
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def offer(self, item: Any) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            self.connection.close_soon(SLOW_CONSUMER_CLOSE, "Too slow to receive its events")

    def end(self) -> None:
        """The group's source ended: let the member finish (past a full queue, it is closing anyway)."""
        if not self.overflowed:
            try:
                self.queue.put_nowait(_END)
            except asyncio.QueueFull:
                self.connection.close_soon(SLOW_CONSUMER_CLOSE, "Too slow to receive its events")


class _Group:
    def __init__(self) -> None:
        self.members: set[_Member] = set()
        self.source: asyncio.Task | None = None

    def close_all(self, code: int, reason: str) -> None:
        for member in self.members:
            member.connection.close_soon(code, reason)


GroupKey = tuple[int, str, str, bytes, str | None]
StartSource = Callable[["_GroupConnection"], Any]


class _GroupConnection:
    """What the group's source sees as its connection: the members check their own credentials,
    and a source too slow for its changes closes every member's connection."""

    def __init__(self, group: _Group) -> None:
        self._group = group

    async def still_authorized(self) -> bool:
        return True

    def close_soon(self, code: int, reason: str) -> None:
        self._group.close_all(code, reason)


class SharedStreams:
    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._groups: dict[GroupKey, _Group] = {}

    @property
    def member_count(self) -> int:
        return sum(len(group.members) for group in self._groups.values())

    @staticmethod
    def key(principal: Principal, query: str, variables: dict | None, operation_name: str | None) -> GroupKey:
        return (
            principal.organization_id,
            principal.role.value,
            query,
            orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS),
            operation_name,
        )

    def join(self, key: GroupKey, connection: MemberConnection, start: StartSource) -> AsyncIterator[Any]:
        """The results of the group's source for a new member; `start(group_connection)` opens the
        source (an async iterator of results) when the member is the group's first."""
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group()
            group.source = asyncio.ensure_future(self._run(key, group, start))
        member = _Member(connection, self.queue_size)
        group.members.add(member)
        return self._results(key, group, member)

    async def _run(self, key: GroupKey, group: _Group, start: StartSource) -> None:
        try:
            async with aclosing(await start(_GroupConnection(group))) as results:
                async for result in results:
                    for member in list(group.members):
                        member.offer(result)
        except Exception:
            log.exception("a shared subscription's source failed")
        finally:
            if self._groups.get(key) is group:
                del self._groups[key]
            for member in list(group.members):
                member.end()

    async def _results(self, key: GroupKey, group: _Group, member: _Member) -> AsyncIterator[Any]:
        try:
            while True:
                item = await member.queue.get()
                if item is _END:
                    return
                if not await member.connection.still_authorized():
                    member.connection.close_soon(FORBIDDEN_CLOSE, "Forbidden")
                    return
                yield item
        finally:
            group.members.discard(member)
            if not group.members and group.source is not None and not group.source.done():
                if self._groups.get(key) is group:
                    del self._groups[key]
                group.source.cancel()
