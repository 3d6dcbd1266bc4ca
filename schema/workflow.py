"""Workflow types, inputs and payloads."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from switchboard.db import models
from switchboard.resolvers.phone_numbers import numbers_of_workflow

from .connection import Connection
from .info import Info
from .node import Node

if TYPE_CHECKING:
    from .phone_number import PhoneNumber

PhoneNumberType = Annotated["PhoneNumber", strawberry.lazy("switchboard.schema.phone_number")]


@strawberry.type
class Workflow(Node):
    database_id: int
    name: str
    agent_stream_url: str | None = strawberry.field(
        description="Where the agent accepts an inbound call's bidirectional media stream (wss://). "
        "Calls to numbers bound to a workflow without one are rejected."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: models.Workflow) -> "Workflow":
        return cls(
            database_id=row.id,
            name=row.name,
            agent_stream_url=row.agent_stream_url,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field
    async def inbound_phone_numbers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PhoneNumberType]:
        from .phone_number import PhoneNumber

        page = await numbers_of_workflow(info.context, self.database_id, first, after)
        return Connection.of(page, PhoneNumber.of)


@strawberry.input
class CreateWorkflowInput:
    name: str
    agent_stream_url: str | None = strawberry.field(
        default=None, description="wss:// URL of the agent's media stream (ws:// only for loopback hosts)."
    )


@strawberry.input
class UpdateWorkflowInput:
    id: strawberry.ID
    name: str | None = None
    agent_stream_url: str | None = strawberry.field(
        default=None, description="Null or absent means no change; use clearAgentStreamUrl to remove it."
    )
    clear_agent_stream_url: bool = False


@strawberry.input
class DeleteWorkflowInput:
    id: strawberry.ID
