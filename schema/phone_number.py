"""The PhoneNumber type."""

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from switchboard.db import models
from switchboard.db.loaders import cached_or_load, number_detail, then
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.inbound_calls import calls_of_number
from switchboard.resolvers.phone_numbers import inbound_webhook_url

from .built import related_once
from .connection import Connection
from .info import Info
from .node import Node
from .telephony_config import TelephonyConfig
from .verification import ProviderSyncStatus
from .workflow import Workflow

if TYPE_CHECKING:
    from .inbound_call import InboundCall


@strawberry.enum
class AddressType(Enum):
    PSTN = "PSTN"
    SIP_URI = "SIP_URI"
    SIP_EXTENSION = "SIP_EXTENSION"


InboundCallType = Annotated["InboundCall", strawberry.lazy("switchboard.schema.inbound_call")]

_ADDRESS_TYPES = {member.value: member for member in AddressType}


@strawberry.type
class PhoneNumber(Node):
    database_id: int
    address: str = strawberry.field(description="Exactly as entered; immutable.")
    address_normalized: str
    address_type: AddressType
    country_code: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country, upper case.")
    label: str | None
    is_active: bool
    is_default_caller_id: bool
    row: strawberry.Private[models.PhoneNumber]

    @classmethod
    def of(cls, row: models.PhoneNumber) -> "PhoneNumber":
        """Built for every number of every page: fields that cost an encoding or an object are
        resolvers below, computed only when selected."""
        return cls(
            database_id=row.id,
            address=row.address,
            address_normalized=row.address_normalized,
            address_type=_ADDRESS_TYPES[row.address_type],
            country_code=row.country_code,
            label=row.label,
            is_active=row.is_active,
            is_default_caller_id=row.is_default_caller_id,
            row=row,
        )

    # Lists of numbers leave these columns out (db/telephony.py `NUMBER_DETAILS`).
    @strawberry.field
    def extra_metadata(self, info: Info) -> JSON:
        return number_detail(info.context.loaders, self.row, "extra_metadata")

    @strawberry.field
    def created_at(self, info: Info) -> datetime:
        return number_detail(info.context.loaders, self.row, "created_at")

    @strawberry.field
    def updated_at(self, info: Info) -> datetime:
        return number_detail(info.context.loaders, self.row, "updated_at")

    @strawberry.field
    def inbound_workflow_id(self) -> strawberry.ID | None:
        workflow_id = self.row.inbound_workflow_id
        return None if workflow_id is None else strawberry.ID(to_global_id("Workflow", workflow_id))

    @strawberry.field
    def last_provider_sync(self) -> ProviderSyncStatus | None:
        return ProviderSyncStatus.of(self.row)

    # The relation fields are plain functions: after a list prefetched the page's configurations
    # and workflows they answer from the loaders' cache without an await; otherwise they hand
    # graphql-core the loader's awaitable.
    @strawberry.field
    def telephony_config(self, info: Info) -> TelephonyConfig:
        return related_once(info, TelephonyConfig, info.context.loaders.telephony_config_by_id, self.row.telephony_config_id)

    @strawberry.field
    def inbound_workflow(self, info: Info) -> Workflow | None:
        workflow_id = self.row.inbound_workflow_id
        return None if workflow_id is None else related_once(info, Workflow, info.context.loaders.workflow_by_id, workflow_id)

    @strawberry.field
    def inbound_workflow_name(self, info: Info) -> str | None:
        workflow_id = self.row.inbound_workflow_id
        if workflow_id is None:
            return None
        return then(cached_or_load(info.context.loaders.workflow_by_id, workflow_id), lambda row: row.name if row else None)

    @strawberry.field(
        description="Where the provider sends inbound calls for this number; null without a public base URL."
    )
    def inbound_webhook_url(self, info: Info) -> str | None:
        return inbound_webhook_url(info.context, self.row)

    @strawberry.field(description="Calls to this number, newest first.")
    async def inbound_calls(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[InboundCallType]:
        from .inbound_call import InboundCall

        return Connection.of(await calls_of_number(info.context, self.database_id, first, after), InboundCall.of)
