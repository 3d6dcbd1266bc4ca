"""This worker's subscribers to changes, by organization (SPEC §15).

The hub hands each change to the subscribers of its organization whose filter wants it; a
worker with no subscriber in an organization does nothing with its changes. Every subscriber
has a bounded queue: when it is full the subscriber is too slow, and is told so once
(`on_overflow`, which closes its connection) instead of being buffered without bound.

What a change's subscribers load (the changed object, the organization's warnings) is loaded
once per change and shared (`Delivery.shared`): they all belong to the change's organization,
which scopes every load.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from switchboard.db.changes import Change

# Events a subscriber may have waiting before it counts as too slow (SWITCHBOARD_SUBSCRIBER_QUEUE).
DEFAULT_SUBSCRIBER_QUEUE = 100


class Delivery:
    """One change as its subscribers receive it, with what they load for it, loaded once."""

    __slots__ = ("change", "_shared")

    def __init__(self, change: Change) -> None:
        self.change = change
        self._shared: dict[str, asyncio.Future] = {}

    async def shared(self, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """`load()`'s result, run by the first subscriber that asks and awaited by the others."""
        future = self._shared.get(name)
        if future is None:
            future = self._shared[name] = asyncio.ensure_future(load())
        return await asyncio.shield(future)


class Subscriber:
    __slots__ = ("organization_id", "wants", "queue", "on_overflow", "overflowed")

    def __init__(self, organization_id: int, wants: Callable[[Change], bool], size: int, on_overflow: Callable[[], None]) -> None:
        self.organization_id = organization_id
        self.wants = wants
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=size)
        self.on_overflow = on_overflow
        self.overflowed = False

    def offer(self, delivery: Delivery) -> None:
        if self.overflowed or not self.wants(delivery.change):
            return
        try:
            self.queue.put_nowait(delivery)
        except asyncio.QueueFull:
            self.overflowed = True
            self.on_overflow()

    async def next(self) -> Delivery:
        return await self.queue.get()


class ChangeHub:
    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._by_organization: dict[int, set[Subscriber]] = {}

    @contextmanager
    def subscribe(
        self, organization_id: int, wants: Callable[[Change], bool], on_overflow: Callable[[], None]
    ) -> Iterator[Subscriber]:
        subscriber = Subscriber(organization_id, wants, self.queue_size, on_overflow)
        self._by_organization.setdefault(organization_id, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            subscribers = self._by_organization[organization_id]
            subscribers.discard(subscriber)
            if not subscribers:
                del self._by_organization[organization_id]

    def dispatch(self, changes: Iterable[Change]) -> None:
        for change in changes:
            subscribers = self._by_organization.get(change.organization_id)
            if not subscribers:
                continue
            delivery = Delivery(change)
            for subscriber in list(subscribers):
                subscriber.offer(delivery)

    @property
    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._by_organization.values())
