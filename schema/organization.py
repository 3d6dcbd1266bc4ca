"""The Organization type."""

from datetime import datetime

import strawberry

from switchboard.db import models
from switchboard.resolvers.ids import to_global_id

from .node import Node


@strawberry.type
class Organization(Node):
    database_id: int
    name: str
    created_at: datetime

    @classmethod
    def of(cls, row: models.Organization) -> "Organization":
        return cls(
            id=strawberry.ID(to_global_id("Organization", row.id)),
            database_id=row.id,
            name=row.name,
            created_at=row.created_at,
        )
