"""Provider accounts (SPEC §14): `providerPhoneNumbers` and `importPhoneNumbers`."""

from typing import Annotated

import strawberry
from switchboard.resolvers import provider_accounts
from switchboard.resolvers.rules.accounts import MAX_IMPORT_ROWS, ImportStatus

from .connection import PageInfo
from .errors import UserError, user_errors
from .info import Info
from .phone_number import AddressType, PhoneNumber
from .verification import ProviderSyncStatus

ImportPhoneNumberStatus = strawberry.enum(ImportStatus, name="ImportPhoneNumberStatus")


@strawberry.type(description="A number that the provider account holds, as its own number list says.")
class ProviderPhoneNumber:
    address: str = strawberry.field(description="As the provider lists it (E.164 with the + where the provider leaves it out).")
    address_normalized: str | None = strawberry.field(description="By Switchboard's rules; null when they cannot read it.")
    address_type: AddressType | None
    registered: bool = strawberry.field(
        description="Registered in this organization under this configuration. Whether another organization "
        "holds it is never shown (importing it answers CONFLICT)."
    )
    phone_number: PhoneNumber | None = strawberry.field(description="The registered number, when registered.")

    @classmethod
    def of(cls, listed: provider_accounts.ListedNumber) -> "ProviderPhoneNumber":
        normalized = listed.normalized
        return cls(
            address=listed.address,
            address_normalized=normalized.normalized if normalized else None,
            address_type=AddressType(normalized.type.value) if normalized else None,
            registered=listed.number is not None,
            phone_number=PhoneNumber.of(listed.number) if listed.number else None,
        )


@strawberry.type
class ProviderPhoneNumberEdge:
    cursor: str
    node: ProviderPhoneNumber


@strawberry.type(description="The numbers of a provider account, ordered by address.")
class ProviderPhoneNumberConnection:
    nodes: list[ProviderPhoneNumber]
    edges: list[ProviderPhoneNumberEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Numbers listed (that match the search), within the listing.")
    complete: bool = strawberry.field(
        description="False when the listing stopped early (10,000 numbers, the provider time budget, a failure on a "
        "later page): the numbers are those read until then."
    )
    incomplete_reason: str | None = strawberry.field(description="Why the listing stopped early; null when complete.")

    @classmethod
    def of(cls, page: provider_accounts.ListingPage) -> "ProviderPhoneNumberConnection":
        nodes = [ProviderPhoneNumber.of(row) for row in page.rows]
        cursors = [row.cursor for row in page.rows]
        return cls(
            nodes=nodes,
            edges=[ProviderPhoneNumberEdge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
            total_count=page.total_count,
            complete=page.complete,
            incomplete_reason=page.note,
        )


@strawberry.input
class ImportPhoneNumbersInput:
    telephony_config_id: strawberry.ID
    addresses: list[str] = strawberry.field(
        description=f"At most {MAX_IMPORT_ROWS:,}; each as createPhoneNumber takes it. The numbers need not be in the "
        "provider account (those that are not get the NUMBER_NOT_IN_ACCOUNT warning)."
    )
    inbound_workflow_id: strawberry.ID | None = strawberry.field(
        default=None, description="Binds every created number; each is then attached at the provider (see providerSync)."
    )
    country_code: str | None = strawberry.field(default=None, description="The region of national numbers (8 or more digits without +).")


@strawberry.type(description="What became of one row of importPhoneNumbers, in input order.")
class ImportPhoneNumberResult:
    row: int = strawberry.field(description="The row's index in addresses, from 0.")
    address: str
    status: ImportPhoneNumberStatus
    message: str | None = strawberry.field(description="Why a row was not created; null for CREATED.")
    address_normalized: str | None
    phone_number: PhoneNumber | None = strawberry.field(description="The created number, or the one registered already here.")
    in_account: bool | None = strawberry.field(
        description="Whether the provider account's number list holds it; null when unknown (no list, or an incomplete one)."
    )
    provider_sync: ProviderSyncStatus | None = strawberry.field(description="The attach of a created number bound to a workflow.")

    @classmethod
    def of(cls, row: provider_accounts.ImportRow) -> "ImportPhoneNumberResult":
        return cls(
            row=row.row,
            address=row.address,
            status=row.status,
            message=row.message,
            address_normalized=row.normalized,
            phone_number=PhoneNumber.of(row.number) if row.number else None,
            in_account=row.in_account,
            provider_sync=ProviderSyncStatus.of_report(row.sync),
        )


@strawberry.type
class ImportPhoneNumbersPayload:
    results: list[ImportPhoneNumberResult] = strawberry.field(description="One per address, in input order.")
    created_count: int
    account_list_complete: bool | None = strawberry.field(
        description="Whether the provider account's number list was read whole before the import; null when it could not be read."
    )
    account_list_message: str | None = strawberry.field(description="Why it was not read whole.")
    errors: list[UserError]

    @classmethod
    def of(cls, result: provider_accounts.ImportResult) -> "ImportPhoneNumbersPayload":
        return cls(
            results=[ImportPhoneNumberResult.of(row) for row in result.rows],
            created_count=sum(row.status is ImportStatus.CREATED for row in result.rows),
            account_list_complete=result.listing_complete,
            account_list_message=result.listing_message,
            errors=user_errors(result.errors),
        )


@strawberry.type
class ProviderAccountQueries:
    @strawberry.field(
        description="The numbers in the configuration's provider account, from the provider's own list (one listing "
        "per request); null when the configuration is not yours. A provider failure is a top-level PROVIDER_ERROR "
        "(UNSUPPORTED for a provider without a number list)."
    )
    async def provider_phone_numbers(
        self,
        info: Info,
        telephony_config_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[str | None, strawberry.argument(description="Substring of the address or of its digits.")] = None,
    ) -> ProviderPhoneNumberConnection | None:
        page = await provider_accounts.account_numbers(info.context, telephony_config_id, first, after, search)
        return ProviderPhoneNumberConnection.of(page) if page is not None else None


@strawberry.type
class ProviderAccountMutations:
    @strawberry.mutation(
        description=f"Register up to {MAX_IMPORT_ROWS:,} numbers at once; one result per row, a bad row never fails the others."
    )
    async def import_phone_numbers(self, info: Info, input: ImportPhoneNumbersInput) -> ImportPhoneNumbersPayload:
        result = await provider_accounts.import_numbers(
            info.context,
            config_global_id=input.telephony_config_id,
            addresses=input.addresses,
            workflow_global_id=input.inbound_workflow_id,
            country_code=input.country_code,
        )
        return ImportPhoneNumbersPayload.of(result)
