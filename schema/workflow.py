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
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: models.Workflow) -> "Workflow":
        return cls(
            database_id=row.id,
            name=row.name,
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


@strawberry.input
class UpdateWorkflowInput:
    id: strawberry.ID
    name: str | None = None


@strawberry.input
class DeleteWorkflowInput:
    id: strawberry.ID
