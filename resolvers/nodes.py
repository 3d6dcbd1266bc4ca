"""Relay `node`/`nodes`: load any object of the caller's organization by global ID."""

import asyncio
from typing import Any

from .context import RequestContext
from .ids import database_id_of, from_global_id

# GraphQL type name -> attribute of Loaders that loads it (scoped to the organization).
LOADER_BY_TYPE = {
    "Organization": "organization_by_id",
    "Workflow": "workflow_by_id",
    "TelephonyConfig": "telephony_config_by_id",
    "PhoneNumber": "phone_number_by_id",
    "InboundCall": "inbound_call_by_id",
}


async def load_of_type(ctx: RequestContext, global_id: str, type_name: str) -> Any | None:
    """The caller's object of `type_name` with this global ID, or None (missing, foreign or malformed)."""
    database_id = database_id_of(global_id, type_name)
    if database_id is None:
        return None
    return await getattr(ctx.loaders, LOADER_BY_TYPE[type_name]).load(database_id)


async def load_node(ctx: RequestContext, global_id: str) -> tuple[str, Any] | None:
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] not in LOADER_BY_TYPE:
        return None
    type_name, database_id = parsed
    row = await getattr(ctx.loaders, LOADER_BY_TYPE[type_name]).load(database_id)
    return (type_name, row) if row is not None else None


async def load_nodes(ctx: RequestContext, global_ids: list[str]) -> list[tuple[str, Any] | None]:
    return list(await asyncio.gather(*(load_node(ctx, gid) for gid in global_ids)))
