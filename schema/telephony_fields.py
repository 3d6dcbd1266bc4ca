"""Root fields for telephony configurations and phone numbers: queries, inputs, payloads, mutations."""

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from switchboard.resolvers import phone_numbers, telephony_configs
from switchboard.resolvers.unchanged import UNCHANGED

from .connection import Connection
from .errors import UserError, user_errors
from .info import Info
from .lookahead import arguments_below, fields_below
from .phone_number import AddressType, PhoneNumber
from .providers import PROVIDER_INFOS, TelephonyCredentialsInput, TelephonyProvider, TelephonyProviderInfo, credentials_given
from .telephony_config import READS_NUMBER_FACTS, TelephonyConfig
from .verification import CredentialVerification, ProviderSyncStatus


def _given(value: Any) -> Any:
    """strawberry.Maybe -> the value given (possibly None), or UNCHANGED when the field was omitted."""
    return UNCHANGED if value is None else value.value


@strawberry.input
class CreateTelephonyConfigInput:
    name: str = strawberry.field(description="1 to 64 characters after trimming; unique in the organization.")
    credentials: TelephonyCredentialsInput
    is_default_outbound: bool | None = False
    max_concurrent_calls: int | None = None
    verify: bool | None = strawberry.field(default=False, description="Check the credentials with the provider and report the result.")


@strawberry.input
class UpdateTelephonyConfigInput:
    id: strawberry.ID
    name: str | None = None
    credentials: TelephonyCredentialsInput | None = strawberry.field(default=None, description="Must name the configuration's own provider.")
    max_concurrent_calls: strawberry.Maybe[int | None] = strawberry.field(
        description="An integer sets the cap, null removes it, omitted keeps it."
    )
    verify: bool | None = False


@strawberry.input
class DeleteTelephonyConfigInput:
    id: strawberry.ID


@strawberry.input
class SetDefaultOutboundConfigInput:
    id: strawberry.ID


@strawberry.input
class VerifyTelephonyConfigInput:
    id: strawberry.ID


@strawberry.type
class TelephonyConfigPayload:
    telephony_config: TelephonyConfig | None
    verification: CredentialVerification | None = strawberry.field(description="Present when the mutation checked the credentials.")
    errors: list[UserError]

    @classmethod
    def of(cls, result: telephony_configs.ConfigResult) -> "TelephonyConfigPayload":
        return cls(
            telephony_config=TelephonyConfig.of(result.config) if result.config else None,
            verification=CredentialVerification.of_report(result.verification),
            errors=user_errors(result.errors),
        )


@strawberry.type
class DeleteTelephonyConfigPayload:
    deleted_id: strawberry.ID | None
    provider_sync: list[ProviderSyncStatus] = strawberry.field(description="Detach results for numbers that had an inbound binding.")
    errors: list[UserError]


@strawberry.input
class CreatePhoneNumberInput:
    telephony_config_id: strawberry.ID
    address: str = strawberry.field(description="1 to 255 characters: E.164, national digits with countryCode, sip: URI or extension.")
    country_code: str | None = None
    label: str | None = strawberry.field(default=None, description="At most 64 characters.")
    inbound_workflow_id: strawberry.ID | None = None
    is_active: bool | None = True
    is_default_caller_id: bool | None = False
    extra_metadata: JSON | None = None


@strawberry.input
class UpdatePhoneNumberInput:
    id: strawberry.ID
    label: strawberry.Maybe[str | None] = strawberry.field(description="A string sets the label, null removes it, omitted keeps it.")
    inbound_workflow_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null or absent means no change; use clearInboundWorkflow to unbind."
    )
    clear_inbound_workflow: bool | None = False
    is_active: bool | None = None
    country_code: strawberry.Maybe[str | None] = strawberry.field(description="Re-normalizes a PSTN address.")
    extra_metadata: strawberry.Maybe[JSON | None] = strawberry.field(description="Replaces the stored metadata.")


@strawberry.input
class DeletePhoneNumberInput:
    id: strawberry.ID
    force: bool | None = strawberry.field(default=False, description="Delete even when detaching the inbound webhook at the provider fails.")


@strawberry.input
class SetDefaultCallerIdInput:
    phone_number_id: strawberry.ID


@strawberry.input
class ClearInboundWorkflowInput:
    phone_number_id: strawberry.ID


@strawberry.input
class ResyncPhoneNumberInput:
    phone_number_id: strawberry.ID


@strawberry.type
class PhoneNumberPayload:
    phone_number: PhoneNumber | None
    provider_sync: ProviderSyncStatus | None = strawberry.field(
        description="Result of the provider sync that this mutation attempted; null when none was needed."
    )
    errors: list[UserError]

    @classmethod
    def of(cls, result: phone_numbers.NumberResult) -> "PhoneNumberPayload":
        return cls(
            phone_number=PhoneNumber.of(result.number) if result.number else None,
            provider_sync=ProviderSyncStatus.of_report(result.sync),
            errors=user_errors(result.errors),
        )


@strawberry.type
class DeletePhoneNumberPayload:
    deleted_id: strawberry.ID | None
    provider_sync: ProviderSyncStatus | None
    errors: list[UserError]


@strawberry.type
class TelephonyQueries:
    @strawberry.field(description="Telephony configurations of the organization, oldest first.")
    async def telephony_configs(
        self, info: Info, first: int | None = None, after: str | None = None, provider: TelephonyProvider | None = None
    ) -> Connection[TelephonyConfig]:
        nested = [
            phone_numbers.NestedPageArgs(args.get("first"), args.get("after"), args.get("isActive"))
            for path in (("nodes", "phoneNumbers"), ("edges", "node", "phoneNumbers"))
            for args in arguments_below(info, *path)
        ]
        selected = fields_below(info, "nodes") | fields_below(info, "edges", "node")
        page = await telephony_configs.list_configs(
            info.context,
            first,
            after,
            provider.value if provider else None,
            nested_number_pages=nested,
            with_facts=not selected.isdisjoint(READS_NUMBER_FACTS),
            with_warnings="warnings" in selected,
        )
        return Connection.of(page, TelephonyConfig.of)

    @strawberry.field
    async def telephony_config(self, info: Info, id: strawberry.ID) -> TelephonyConfig | None:
        row = await telephony_configs.find_config(info.context, id)
        return TelephonyConfig.of(row) if row else None

    @strawberry.field(description="Phone numbers of the organization, across configurations unless one is named.")
    async def phone_numbers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        telephony_config_id: strawberry.ID | None = None,
        is_active: bool | None = None,
        address_type: AddressType | None = None,
        search: Annotated[
            str | None, strawberry.argument(description="Substring of the address, its normalized form or the label.")
        ] = None,
    ) -> Connection[PhoneNumber]:
        page = await phone_numbers.list_numbers(
            info.context,
            first,
            after,
            config_global_id=telephony_config_id,
            is_active=is_active,
            address_type=address_type.value if address_type else None,
            search=search,
        )
        return Connection.of(page, PhoneNumber.of)

    @strawberry.field
    async def phone_number(self, info: Info, id: strawberry.ID) -> PhoneNumber | None:
        row = await phone_numbers.find_number(info.context, id)
        return PhoneNumber.of(row) if row else None

    @strawberry.field(description="Every supported provider with the form schema of its credentials.")
    def telephony_providers(self) -> list[TelephonyProviderInfo]:
        return PROVIDER_INFOS


@strawberry.type
class TelephonyMutations:
    @strawberry.mutation
    async def create_telephony_config(self, info: Info, input: CreateTelephonyConfigInput) -> TelephonyConfigPayload:
        result = await telephony_configs.create_config(
            info.context,
            name=input.name,
            credentials=credentials_given(input.credentials),
            is_default_outbound=bool(input.is_default_outbound),
            max_concurrent_calls=input.max_concurrent_calls,
            verify=bool(input.verify),
        )
        return TelephonyConfigPayload.of(result)

    @strawberry.mutation
    async def update_telephony_config(self, info: Info, input: UpdateTelephonyConfigInput) -> TelephonyConfigPayload:
        result = await telephony_configs.update_config(
            info.context,
            input.id,
            name=input.name,
            credentials=credentials_given(input.credentials) if input.credentials else None,
            max_concurrent_calls=_given(input.max_concurrent_calls),
            verify=bool(input.verify),
        )
        return TelephonyConfigPayload.of(result)

    @strawberry.mutation
    async def delete_telephony_config(self, info: Info, input: DeleteTelephonyConfigInput) -> DeleteTelephonyConfigPayload:
        result = await telephony_configs.delete_config(info.context, input.id)
        return DeleteTelephonyConfigPayload(
            deleted_id=input.id if result.deleted_id is not None else None,
            provider_sync=[ProviderSyncStatus.of_report(report) for report in result.syncs],
            errors=user_errors(result.errors),
        )

    @strawberry.mutation(description="Make this the organization's default for outbound calls; the previous default is unset.")
    async def set_default_outbound_config(self, info: Info, input: SetDefaultOutboundConfigInput) -> TelephonyConfigPayload:
        return TelephonyConfigPayload.of(await telephony_configs.set_default_outbound(info.context, input.id))

    @strawberry.mutation
    async def verify_telephony_config(self, info: Info, input: VerifyTelephonyConfigInput) -> TelephonyConfigPayload:
        return TelephonyConfigPayload.of(await telephony_configs.verify_config(info.context, input.id))

    @strawberry.mutation
    async def create_phone_number(self, info: Info, input: CreatePhoneNumberInput) -> PhoneNumberPayload:
        result = await phone_numbers.create_number(
            info.context,
            config_global_id=input.telephony_config_id,
            address=input.address,
            country_code=input.country_code,
            label=input.label,
            workflow_global_id=input.inbound_workflow_id,
            is_active=input.is_active is not False,
            is_default_caller_id=bool(input.is_default_caller_id),
            extra_metadata=input.extra_metadata,
        )
        return PhoneNumberPayload.of(result)

    @strawberry.mutation
    async def update_phone_number(self, info: Info, input: UpdatePhoneNumberInput) -> PhoneNumberPayload:
        changes = phone_numbers.NumberChanges(
            label=_given(input.label),
            workflow_global_id=input.inbound_workflow_id,
            clear_workflow=bool(input.clear_inbound_workflow),
            is_active=input.is_active,
            country_code=_given(input.country_code),
            extra_metadata=_given(input.extra_metadata),
        )
        return PhoneNumberPayload.of(await phone_numbers.update_number(info.context, input.id, changes))

    @strawberry.mutation
    async def delete_phone_number(self, info: Info, input: DeletePhoneNumberInput) -> DeletePhoneNumberPayload:
        result = await phone_numbers.delete_number(info.context, input.id, force=bool(input.force))
        return DeletePhoneNumberPayload(
            deleted_id=input.id if result.deleted_id is not None else None,
            provider_sync=ProviderSyncStatus.of_report(result.sync),
            errors=user_errors(result.errors),
        )

    @strawberry.mutation(description="Make this number its configuration's default caller ID; the previous one is unset.")
    async def set_default_caller_id(self, info: Info, input: SetDefaultCallerIdInput) -> PhoneNumberPayload:
        return PhoneNumberPayload.of(await phone_numbers.set_default_caller_id(info.context, input.phone_number_id))

    @strawberry.mutation(description="Unbind the number's inbound workflow and detach its webhook at the provider.")
    async def clear_inbound_workflow(self, info: Info, input: ClearInboundWorkflowInput) -> PhoneNumberPayload:
        return PhoneNumberPayload.of(await phone_numbers.clear_inbound_workflow(info.context, input.phone_number_id))

    @strawberry.mutation(description="Push the number's current inbound binding to the provider again.")
    async def resync_phone_number(self, info: Info, input: ResyncPhoneNumberInput) -> PhoneNumberPayload:
        return PhoneNumberPayload.of(await phone_numbers.resync_number(info.context, input.phone_number_id))
