"""Root fields `node`, `nodes` and `organization`."""

from collections.abc import Callable
from typing import Any

import strawberry
from switchboard.resolvers import nodes
from switchboard.resolvers.errors import BadUserInput

from .inbound_call import InboundCall
from .info import Info
from .node import Node
from .organization import Organization
from .phone_number import PhoneNumber
from .telephony_config import TelephonyConfig
from .workflow import Workflow

MAX_NODES = 100

# GraphQL type name -> constructor from its row; every Node type is listed here.
NODE_WRAPPERS: dict[str, Callable[[Any], Node]] = {
    "Organization": Organization.of,
    "Workflow": Workflow.of,
    "TelephonyConfig": TelephonyConfig.of,
    "PhoneNumber": PhoneNumber.of,
    "InboundCall": InboundCall.of,
}


def _wrap(found: tuple[str, Any] | None) -> Node | None:
    if found is None:
        return None
    type_name, row = found
    return NODE_WRAPPERS[type_name](row)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Fetch any object by its global ID; null when it does not exist or is not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return _wrap(await nodes.load_node(info.context, id))

    @strawberry.field
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"`ids` accepts at most {MAX_NODES} IDs")
        return [_wrap(found) for found in await nodes.load_nodes(info.context, list(ids))]

    @strawberry.field(description="The organization that the API key belongs to.")
    async def organization(self, info: Info) -> Organization:
        ctx = info.context
        return Organization.of(await ctx.loaders.organization_by_id.load(ctx.organization_id))
