"""The audit log as ADMIN keys read it (SPEC §13): newest first, filtered."""

from datetime import datetime

from switchboard.db.audit import event_listing

from .access import require
from .connections import ConnectionSlice, paginate
from .context import RequestContext
from .rules.roles import Role


async def list_events(
    ctx: RequestContext,
    first: int | None,
    after: str | None,
    *,
    target_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> ConnectionSlice:
    require(ctx, Role.ADMIN)
    listing = event_listing(ctx.organization_id, target_id=target_id, actor=actor, since=since)
    return await paginate(ctx.db, listing, first, after)
