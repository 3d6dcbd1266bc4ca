"""The audit log's rows: written in the changing transaction, listed newest first, pruned."""

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .engine import Database
from .models import AuditEvent
from .pagination import Listing


async def add_event(session: AsyncSession, **values: Any) -> int:
    event = AuditEvent(**values)
    session.add(event)
    await session.flush()
    return event.id


async def set_provider_sync(session: AsyncSession, event_id: int, outcome: Any) -> None:
    await session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(provider_sync=outcome))


@functools.cache
def _events_shape(target: bool, actor: bool, since: bool) -> Select:
    stmt = select(AuditEvent).where(AuditEvent.organization_id == bindparam("organization_id"))
    if target:
        stmt = stmt.where(AuditEvent.target_id == bindparam("target_id"))
    if actor:
        stmt = stmt.where(AuditEvent.actor == bindparam("actor"))
    if since:
        stmt = stmt.where(AuditEvent.at >= bindparam("since", type_=AuditEvent.at.type))
    return stmt


def event_listing(
    organization_id: int, *, target_id: str | None = None, actor: str | None = None, since: datetime | None = None
) -> Listing:
    """An organization's events, newest first, with the given filters."""
    params: dict[str, Any] = {"organization_id": organization_id}
    for name, value in (("target_id", target_id), ("actor", actor), ("since", since)):
        if value is not None:
            params[name] = value
    stmt = _events_shape(target_id is not None, actor is not None, since is not None)
    return Listing(AuditEvent, stmt, params, newest_first=True)


async def prune_events(db: Database, before: datetime) -> int:
    """Delete the events older than `before`; how many went."""
    async with db.write() as session:
        result = await session.execute(delete(AuditEvent).where(AuditEvent.at < before))
    return result.rowcount or 0
