"""The TelephonyConfig type."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from switchboard.db import models
from switchboard.providers.registry import get_provider
from switchboard.resolvers import phone_numbers, warnings
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.rules import readiness

from .connection import Connection
from .info import Info
from .node import Node
from .providers import TelephonyProvider
from .verification import CredentialVerification

if TYPE_CHECKING:
    from .phone_number import PhoneNumber
    from .warnings import TelephonyWarning

PhoneNumberType = Annotated["PhoneNumber", strawberry.lazy("switchboard.schema.phone_number")]
WarningType = Annotated["TelephonyWarning", strawberry.lazy("switchboard.schema.warnings")]


@strawberry.type
class TelephonyConfig(Node):
    database_id: int
    name: str
    provider: TelephonyProvider
    is_default_outbound: bool
    credentials: JSON = strawberry.field(description="Credentials keyed by ProviderField.name; secret values are masked.")
    max_concurrent_calls: int | None = strawberry.field(description="Optional cap on simultaneous calls for this account.")
    last_verification: CredentialVerification | None
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[models.TelephonyConfig]

    @classmethod
    def of(cls, row: models.TelephonyConfig) -> "TelephonyConfig":
        return cls(
            id=strawberry.ID(to_global_id("TelephonyConfig", row.id)),
            database_id=row.id,
            name=row.name,
            provider=TelephonyProvider(row.provider),
            is_default_outbound=row.is_default_outbound,
            credentials=row.masked_credentials,
            max_concurrent_calls=row.max_concurrent_calls,
            last_verification=CredentialVerification.of(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    async def _active_numbers(self, info: Info) -> int:
        return (await info.context.loaders.number_stats_by_config.load(self.row.id)).active

    @strawberry.field
    async def phone_number_count(self, info: Info) -> int:
        return (await info.context.loaders.number_stats_by_config.load(self.row.id)).total

    @strawberry.field
    async def active_phone_number_count(self, info: Info) -> int:
        return await self._active_numbers(info)

    @strawberry.field(description="How many calls can run at once: active numbers, capped by maxConcurrentCalls.")
    async def concurrency_capacity(self, info: Info) -> int:
        return readiness.concurrency_capacity(
            needs_caller_ids=get_provider(self.row.provider).needs_caller_ids,
            active_numbers=await self._active_numbers(info),
            max_concurrent_calls=self.row.max_concurrent_calls,
        )

    @strawberry.field
    async def outbound_blocked_reason(self, info: Info) -> str | None:
        plugin = get_provider(self.row.provider)
        return readiness.outbound_blocked_reason(
            provider_name=plugin.display_name,
            needs_caller_ids=plugin.needs_caller_ids,
            active_numbers=await self._active_numbers(info),
            verification_status=self.row.verification_status,
        )

    @strawberry.field
    async def ready_for_outbound(self, info: Info) -> bool:
        return await self.outbound_blocked_reason(info) is None

    @strawberry.field
    async def default_caller_id(self, info: Info) -> PhoneNumberType | None:
        from .phone_number import PhoneNumber

        row = await info.context.loaders.default_caller_id_by_config.load(self.row.id)
        return PhoneNumber.of(row) if row else None

    @strawberry.field
    async def phone_numbers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        is_active: bool | None = None,
    ) -> Connection[PhoneNumberType]:
        from .phone_number import PhoneNumber

        page = await phone_numbers.numbers_of_config(info.context, self.row.id, first, after, is_active)
        return Connection.of(page, PhoneNumber.of)

    @strawberry.field
    async def warnings(self, info: Info) -> list[WarningType]:
        from .warnings import TelephonyWarning

        return [TelephonyWarning.of(w) for w in await warnings.warnings_of_config(info.context, self.row)]
