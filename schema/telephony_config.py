"""The TelephonyConfig type."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from switchboard.db import models
from switchboard.db.loaders import MISSING, cached, cached_or_load, then
from switchboard.providers.registry import get_provider
from switchboard.resolvers import phone_numbers, warnings
from switchboard.resolvers.inbound_calls import calls_in_progress
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


# The fields that read a configuration's number facts (aggregates, failed syncs, the default
# caller ID): a list prefetches those only when one of them is selected.
READS_NUMBER_FACTS = frozenset(
    {
        "phoneNumberCount",
        "activePhoneNumberCount",
        "concurrencyCapacity",
        "readyForOutbound",
        "outboundBlockedReason",
        "defaultCallerId",
        "warnings",
        "phoneNumbers",
    }
)


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

    # Counts, readiness, the default caller ID and warnings answer without an await when the
    # list that produced this configuration prefetched its facts (see schema/built.py).
    @strawberry.field(description="Inbound calls connected now (ended or older than SWITCHBOARD_CALL_MAX_SECONDS excluded).")
    def active_inbound_call_count(self, info: Info) -> int:
        return calls_in_progress(info.context, self.row.id)

    def _stats(self, info: Info, pick):
        return then(cached_or_load(info.context.loaders.number_stats_by_config, self.row.id), pick)

    @strawberry.field
    def phone_number_count(self, info: Info) -> int:
        return self._stats(info, lambda stats: stats.total)

    @strawberry.field
    def active_phone_number_count(self, info: Info) -> int:
        return self._stats(info, lambda stats: stats.active)

    @strawberry.field(description="How many calls can run at once: active numbers, capped by maxConcurrentCalls.")
    def concurrency_capacity(self, info: Info) -> int:
        return self._stats(
            info,
            lambda stats: readiness.concurrency_capacity(
                needs_caller_ids=get_provider(self.row.provider).needs_caller_ids,
                active_numbers=stats.active,
                max_concurrent_calls=self.row.max_concurrent_calls,
            ),
        )

    def _blocked_reason(self, stats) -> str | None:
        plugin = get_provider(self.row.provider)
        return readiness.outbound_blocked_reason(
            provider_name=plugin.display_name,
            needs_caller_ids=plugin.needs_caller_ids,
            active_numbers=stats.active,
            verification_status=self.row.verification_status,
        )

    @strawberry.field
    def outbound_blocked_reason(self, info: Info) -> str | None:
        return self._stats(info, self._blocked_reason)

    @strawberry.field
    def ready_for_outbound(self, info: Info) -> bool:
        return self._stats(info, lambda stats: self._blocked_reason(stats) is None)

    @strawberry.field
    def default_caller_id(self, info: Info) -> PhoneNumberType | None:
        from .phone_number import PhoneNumber

        row = cached_or_load(info.context.loaders.default_caller_id_by_config, self.row.id)
        return then(row, lambda found: PhoneNumber.of(found) if found else None)

    @strawberry.field
    def phone_numbers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        is_active: bool | None = None,
    ) -> Connection[PhoneNumberType]:
        from .phone_number import PhoneNumber

        page = phone_numbers.numbers_of_config(info.context, self.row.id, phone_numbers.NestedPageArgs(first, after, is_active))
        return then(page, lambda found: Connection.of(found, PhoneNumber.of))

    @strawberry.field
    def warnings(self, info: Info) -> list[WarningType]:
        from .warnings import TelephonyWarning

        ctx, loaders = info.context, info.context.loaders
        facts = [
            cached(loader, self.row.id)
            for loader in (loaders.number_stats_by_config, loaders.flagged_numbers_by_config, loaders.inbound_facts_by_config)
        ]
        if any(fact is MISSING for fact in facts):
            return then(warnings.warnings_of_config(ctx, self.row), lambda found: [TelephonyWarning.of(w) for w in found])
        return [TelephonyWarning.of(w) for w in warnings.warnings_from(ctx, self.row, *facts)]
