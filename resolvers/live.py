"""Live updates (SPEC §15): the streams behind the Subscription fields, without GraphQL.

A subscription registers with this worker's hub (change_hub.py) for its organization. For each
change it wants, it asks its connection whether the credential is still usable (a revoked or
expired one closes the connection with 4403; server/shared_streams.py asks each member of a
shared subscription), then loads the current object through the organization-scoped loaders,
as a query would: an object of another organization can never be loaded, and a deleted object
is announced by its id alone.
"""

import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from switchboard.db.changes import Change, ChangeKind

from .change_hub import Delivery
from .context import RequestContext
from .errors import BadUserInput
from .ids import database_id_of
from .nodes import LOADER_BY_TYPE, load_of_type
from .warnings import warnings_of_organization

# The close code of a connection whose credential stopped being usable, as graphql-ws rejects
# one at connection_init.
FORBIDDEN_CLOSE = 4403
# The close code of a connection too slow to take its events: 1013 "try again later", after
# which graphql-ws clients reconnect (and should refetch what they show).
SLOW_CONSUMER_CLOSE = 1013


class LiveConnection(Protocol):
    """What the WebSocket layer (server/live.py) gives a subscription."""

    async def still_authorized(self) -> bool: ...

    def close_soon(self, code: int, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ObjectChange:
    change: ChangeKind
    type_name: str
    id: int
    row: Any | None  # None when deleted


async def _deliveries(
    ctx: RequestContext, wants: Callable[[Change], bool], *, latest_only: bool = False
) -> AsyncIterator[Delivery]:
    """The changes of the caller's organization that `wants` picks, while the credential holds;
    `latest_only`: of a backlog, only its last change."""
    live: LiveConnection = ctx.live
    hub = ctx.services.changes

    def overflowed() -> None:
        live.close_soon(SLOW_CONSUMER_CLOSE, "Too slow to receive its events")

    with hub.subscribe(ctx.organization_id, wants, overflowed) as subscriber:
        while True:
            delivery = await subscriber.next()
            while latest_only and not subscriber.queue.empty():
                delivery = subscriber.queue.get_nowait()
            if not await live.still_authorized():
                live.close_soon(FORBIDDEN_CLOSE, "Forbidden")
                return
            ctx.release()  # what the previous event loaded is stale now
            yield delivery


def _apart(ctx: RequestContext) -> RequestContext:
    """A context of the same caller for a load that the change's subscribers share: each
    subscriber's own loaders are built only if its selection needs them."""
    return RequestContext(services=ctx.services, principal=ctx.principal, request_id=ctx.request_id)


async def _load_apart(ctx: RequestContext, type_name: str, object_id: int) -> Any:
    return await getattr(_apart(ctx).loaders, LOADER_BY_TYPE[type_name]).load(object_id)


async def object_changes(
    ctx: RequestContext, type_name: str, only_id: int | None = None, belongs: Callable[[Any], bool] | None = None
) -> AsyncIterator[ObjectChange]:
    """Changes of the organization's objects of `type_name` (of one when `only_id`); `belongs`
    narrows the created and updated ones by their row (a deletion names only the id)."""

    def wants(change: Change) -> bool:
        return change.type_name == type_name and (only_id is None or change.id == only_id)

    async for delivery in _deliveries(ctx, wants):
        change = delivery.change
        if change.kind is ChangeKind.DELETED:
            yield ObjectChange(change.kind, type_name, change.id, None)
            continue
        row = await delivery.shared("row", functools.partial(_load_apart, ctx, type_name, change.id))
        if row is None or (belongs is not None and not belongs(row)):
            continue  # deleted since (its deletion follows), or not among the subscriber's
        yield ObjectChange(change.kind, type_name, change.id, row)


async def owned_id(ctx: RequestContext, global_id: str | None, type_name: str, argument: str) -> int | None:
    """The database id of the caller's object named by a subscription's argument; another
    organization's object is refused like a missing one."""
    if global_id is None:
        return None
    if await load_of_type(ctx, global_id, type_name) is None:
        raise BadUserInput(f"`{argument}`: no {type_name} with this ID")
    return database_id_of(global_id, type_name)


async def warning_changes(ctx: RequestContext) -> AsyncIterator[list]:
    """The organization's warnings each time their counts change. Any change of a
    configuration, number or call may change them: they are computed once per change for all
    the organization's subscribers, and once for a subscriber's whole backlog."""
    last = _counts(await warnings_of_organization(ctx))
    async for delivery in _deliveries(ctx, lambda change: True, latest_only=True):
        warnings = await delivery.shared("warnings", functools.partial(_warnings_apart, ctx))
        counts = _counts(warnings)
        if counts != last:
            last = counts
            yield warnings


async def _warnings_apart(ctx: RequestContext) -> list:
    return await warnings_of_organization(_apart(ctx))


def _counts(warnings: list) -> tuple:
    tally: dict[Any, int] = {}
    for warning in warnings:
        tally[warning.code] = tally.get(warning.code, 0) + 1
    return tuple(sorted(tally.items()))
