"""Workflow types, inputs and payloads."""

from datetime import datetime

import strawberry

from switchboard.db import models
from switchboard.resolvers.ids import to_global_id

from .node import Node


@strawberry.type
class Workflow(Node):
    database_id: int
    name: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: models.Workflow) -> "Workflow":
        return cls(
            id=strawberry.ID(to_global_id("Workflow", row.id)),
            database_id=row.id,
            name=row.name,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


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
