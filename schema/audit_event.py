"""The audit log: `auditEvents` (ADMIN only, SPEC §13)."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from switchboard.db import models
from switchboard.resolvers import audit_events
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.rules.roles import Role as RoleValue

from .api_keys import Role
from .connection import Connection
from .info import Info


@strawberry.type(description="One change made through the API, recorded in the change's own transaction.")
class AuditEvent:
    database_id: int
    at: datetime
    actor: str = strawberry.field(description="The API key's prefix, or the JWT's subject.")
    actor_name: str | None = strawberry.field(description="The API key's name; null for a JWT.")
    role: Role
    action: str = strawberry.field(description="The mutation, e.g. updatePhoneNumber.")
    target_type: str
    target_id: strawberry.ID = strawberry.field(description="The changed object's global ID (it may since be deleted).")
    changes: JSON = strawberry.field(
        description='Changed fields: {"old": ..., "new": ...}, or "changed" for a secret, whose values are never recorded.'
    )
    provider_sync: JSON | None = strawberry.field(description="The provider-sync outcome the change caused, if any.")
    request_id: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("AuditEvent", self.database_id))

    @classmethod
    def of(cls, row: models.AuditEvent) -> "AuditEvent":
        return cls(
            database_id=row.id,
            at=row.at,
            actor=row.actor,
            actor_name=row.actor_name,
            role=RoleValue(row.role),
            action=row.action,
            target_type=row.target_type,
            target_id=strawberry.ID(row.target_id),
            changes=row.changes,
            provider_sync=row.provider_sync,
            request_id=row.request_id,
        )


@strawberry.type
class AuditQueries:
    @strawberry.field(description="The organization's audit events, newest first (ADMIN only).")
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        target_id: strawberry.ID | None = None,
        actor: str | None = None,
        since: datetime | None = None,
    ) -> Connection[AuditEvent] | None:
        page = await audit_events.list_events(info.context, first, after, target_id=target_id, actor=actor, since=since)
        return Connection.of(page, AuditEvent.of)
