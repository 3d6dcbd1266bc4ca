"""The Subscription root: live changes over graphql-transport-ws (SPEC §15).

Each event carries the changed object as the queries return it (with `id` and `__typename`, so
a normalized client cache such as Apollo's updates itself), or, for a deletion, only its `id`.
"""

from collections.abc import AsyncGenerator

import strawberry
from switchboard.db.changes import ChangeKind as ChangeKindValue
from switchboard.resolvers import live
from switchboard.resolvers.ids import to_global_id

from .inbound_call import InboundCall
from .info import Info
from .phone_number import PhoneNumber
from .telephony_config import TelephonyConfig
from .warnings import TelephonyConfigWarnings

ChangeKind = strawberry.enum(ChangeKindValue, name="ChangeKind", description="What happened to the object.")


@strawberry.type(description="A configuration was created, changed or deleted.")
class TelephonyConfigChange:
    change: ChangeKind
    id: strawberry.ID = strawberry.field(description="The configuration's global ID (also after its deletion).")
    telephony_config: TelephonyConfig | None = strawberry.field(description="The configuration now; null once deleted.")


@strawberry.type(description="A phone number was created, changed (its provider sync included) or deleted.")
class PhoneNumberChange:
    change: ChangeKind
    id: strawberry.ID = strawberry.field(description="The number's global ID (also after its deletion).")
    phone_number: PhoneNumber | None = strawberry.field(description="The number now; null once deleted.")


@strawberry.type(description="An inbound call started (CREATED) or ended (UPDATED).")
class InboundCallChange:
    change: ChangeKind
    id: strawberry.ID
    inbound_call: InboundCall | None


def _config_change(event: live.ObjectChange) -> TelephonyConfigChange:
    config = TelephonyConfig.of(event.row) if event.row is not None else None
    return TelephonyConfigChange(
        change=event.change, id=strawberry.ID(to_global_id(event.type_name, event.id)), telephony_config=config
    )


def _number_change(event: live.ObjectChange) -> PhoneNumberChange:
    number = PhoneNumber.of(event.row) if event.row is not None else None
    return PhoneNumberChange(change=event.change, id=strawberry.ID(to_global_id(event.type_name, event.id)), phone_number=number)


def _call_change(event: live.ObjectChange) -> InboundCallChange:
    call = InboundCall.of(event.row) if event.row is not None else None
    return InboundCallChange(change=event.change, id=strawberry.ID(to_global_id(event.type_name, event.id)), inbound_call=call)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The organization's configurations as they are created, changed (verification included) and deleted; "
        "with `id`, only that configuration's."
    )
    async def telephony_config_changed(
        self, info: Info, id: strawberry.ID | None = None
    ) -> AsyncGenerator[TelephonyConfigChange, None]:
        ctx = info.context
        only = await live.owned_id(ctx, id, "TelephonyConfig", "id")
        async for event in live.object_changes(ctx, "TelephonyConfig", only):
            yield _config_change(event)

    @strawberry.subscription(
        description="The organization's phone numbers as they are created, changed (provider-sync outcomes included) and "
        "deleted; with `id`, only that number's; with `telephonyConfigId`, the creations and changes of that "
        "configuration's numbers and every deletion."
    )
    async def phone_number_changed(
        self, info: Info, id: strawberry.ID | None = None, telephony_config_id: strawberry.ID | None = None
    ) -> AsyncGenerator[PhoneNumberChange, None]:
        ctx = info.context
        only = await live.owned_id(ctx, id, "PhoneNumber", "id")
        config_id = await live.owned_id(ctx, telephony_config_id, "TelephonyConfig", "telephonyConfigId")
        belongs = None if config_id is None else (lambda row: row.telephony_config_id == config_id)
        async for event in live.object_changes(ctx, "PhoneNumber", only, belongs):
            yield _number_change(event)

    @strawberry.subscription(description="The organization's aggregated warnings, each time their counts change.")
    async def telephony_config_warnings_changed(self, info: Info) -> AsyncGenerator[TelephonyConfigWarnings, None]:
        async for warnings in live.warning_changes(info.context):
            yield TelephonyConfigWarnings(all=warnings)

    @strawberry.subscription(
        description="Inbound calls to the organization's numbers as they start (CREATED, rejected ones included) and end "
        "(UPDATED); with `phoneNumberId`, only that number's."
    )
    async def inbound_call_changed(
        self, info: Info, phone_number_id: strawberry.ID | None = None
    ) -> AsyncGenerator[InboundCallChange, None]:
        ctx = info.context
        number_id = await live.owned_id(ctx, phone_number_id, "PhoneNumber", "phoneNumberId")
        belongs = None if number_id is None else (lambda row: row.phone_number_id == number_id)
        async for event in live.object_changes(ctx, "InboundCall", None, belongs):
            yield _call_change(event)
