"""The Organization type."""

from datetime import datetime

import strawberry
from switchboard.db import models
from switchboard.resolvers.telephony_configs import default_outbound_config

from .info import Info
from .node import Node
from .telephony_config import TelephonyConfig


@strawberry.type
class Organization(Node):
    database_id: int
    name: str
    created_at: datetime

    @classmethod
    def of(cls, row: models.Organization) -> "Organization":
        return cls(
            database_id=row.id,
            name=row.name,
            created_at=row.created_at,
        )

    @strawberry.field
    async def default_outbound_config(self, info: Info) -> TelephonyConfig | None:
        row = await default_outbound_config(info.context)
        return TelephonyConfig.of(row) if row else None
