"""Provider accounts (SPEC §14): the numbers a provider account holds, and importing them.

`providerPhoneNumbers` lists the account through the plugin (one listing per request, bounded by
the provider time budget and MAX_ACCOUNT_NUMBERS), marks each number registered when the caller's
organization has it under this configuration, and stores what the listing learned about the
configuration's numbers (`in_account`, the NUMBER_NOT_IN_ACCOUNT warning's fact): the dashboard's
warnings then read it from the database and never call a provider.

`importPhoneNumbers` reads the listing first (to record each new number's fact), then writes
every row in one transaction of a fixed number of statements: one INSERT ... ON CONFLICT DO
NOTHING for all rows, one look-up of the routing keys that did not insert (to tell
ALREADY_REGISTERED from CONFLICT), one INSERT of the audit events. Rows bound to a workflow are
attached at the provider after the commit, a few at a time within one time budget.
"""

import asyncio
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from switchboard.db.changes import ChangeKind, collect_all
from switchboard.db.errors import is_foreign_key_violation
from switchboard.db.models import PhoneNumber, TelephonyConfig
from switchboard.db.provider_accounts import (
    add_events,
    holders,
    insert_numbers,
    record_listing,
    registered_numbers,
    store_syncs,
)
from switchboard.db.types import utcnow
from switchboard.db.workflows import get_workflow
from switchboard.providers.base import AccountNumbers
from switchboard.providers.errors import FailureKind, ProviderError
from switchboard.providers.http import ProviderOperation
from switchboard.providers.registry import get_provider

from . import audit
from .access import denied
from .context import RequestContext
from .errors import ProviderFailure, UserError, UserErrorCode, not_found
from .ids import database_id_of, from_text_cursor, page_size, to_global_id, to_text_cursor
from .provider_calls import SyncReport, plain_credentials, push_binding
from .rules.accounts import MAX_IMPORT_ROWS, Holder, ImportStatus, matches, search_keys, unimported_status
from .rules.addresses import (
    AddressType,
    InvalidAddress,
    InvalidCountryCode,
    NormalizedAddress,
    normalize_address,
    normalize_country_code,
)
from .rules.roles import Role
from .rules.sync import SyncAction
from .telephony_configs import find_config

CURSOR_TAG = "account"
#: Attaches an import runs at once: enough to bind a few hundred numbers within the budget,
#: few enough for the providers' rate limits (Plivo: 300 requests in 5 s).
IMPORT_SYNC_CONCURRENCY = 4
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _normalized(address: str) -> NormalizedAddress | None:
    """The address by our own rules, or None when they cannot read it (listed as given)."""
    try:
        return normalize_address(address)
    except InvalidAddress:
        return None


def _listed_e164(addresses: Sequence[str]) -> set[str]:
    """The listing's phone numbers as E.164, to compare with stored numbers: most are E.164 as
    listed already (no parse needed for 10,000); the others go through our rules."""
    found = set()
    for address in addresses:
        if _E164.fullmatch(address):
            found.add(address)
        elif (normalized := _normalized(address)) is not None and normalized.type is AddressType.PSTN:
            found.add(normalized.normalized)
    return found


# --- the listing


async def _read_listing(ctx: RequestContext, config: TelephonyConfig) -> AccountNumbers:
    """The account's numbers, listed once per request (fields that ask at once share the one
    listing); what the listing learned is stored on the configuration's numbers. Raises ProviderError."""
    listing = ctx.account_listings.get(config.id)
    if listing is None:
        listing = ctx.account_listings[config.id] = asyncio.ensure_future(_list_and_record(ctx, config))
    return await listing


async def _list_and_record(ctx: RequestContext, config: TelephonyConfig) -> AccountNumbers:
    plugin = get_provider(config.provider)
    http = ctx.services.provider_http
    credentials = plain_credentials(ctx, config, plugin)
    with http.budget(plugin.key, ProviderOperation.LIST_NUMBERS):
        listing = await plugin.account_numbers(http, credentials)
    async with ctx.db.write() as session:
        await record_listing(session, config.id, sorted(_listed_e164(listing.addresses)), complete=listing.complete)
    return listing


@dataclass(frozen=True, slots=True)
class ListedNumber:
    address: str  # as the provider lists it
    normalized: NormalizedAddress | None
    number: PhoneNumber | None  # the caller's, registered under this configuration

    @property
    def cursor(self) -> str:
        return to_text_cursor(CURSOR_TAG, self.address)


@dataclass(frozen=True, slots=True)
class ListingPage:
    rows: list[ListedNumber]
    has_next: bool
    has_previous: bool
    total_count: int
    complete: bool
    note: str | None


async def account_numbers(
    ctx: RequestContext, config_global_id: str, first: int | None, after: str | None, search: str | None
) -> ListingPage | None:
    """A page of the account's numbers, ordered by address (so cursors hold across listings);
    None when the configuration is not the caller's. A provider failure is a top-level error."""
    size, after_address = page_size(first), from_text_cursor(CURSOR_TAG, after)
    config = await find_config(ctx, config_global_id)
    if config is None:
        return None
    try:
        listing = await _read_listing(ctx, config)
    except ProviderError as exc:
        raise ProviderFailure(exc.message, exc.kind.value) from exc
    keys = search_keys(search)
    found = sorted(address for address in listing.addresses if matches(address, keys))
    start = 0 if after_address is None else bisect_right(found, after_address)
    chunk = found[start : start + size]
    normalized = {address: _normalized(address) for address in chunk}
    async with ctx.db.read() as session:
        wanted = [n.normalized for n in normalized.values() if n is not None]
        registered = await registered_numbers(session, ctx.organization_id, config.id, wanted)
    by_address = {number.address_normalized: number for number in registered}
    rows = [ListedNumber(a, n, by_address.get(n.normalized) if n else None) for a, n in normalized.items()]
    return ListingPage(rows, start + size < len(found), start > 0, len(found), listing.complete, listing.note)


# --- the import


@dataclass(frozen=True, slots=True)
class ImportRow:
    row: int
    address: str
    status: ImportStatus
    message: str | None = None
    normalized: str | None = None
    number: PhoneNumber | None = None
    in_account: bool | None = None
    sync: SyncReport | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: tuple[ImportRow, ...] = ()
    errors: tuple[UserError, ...] = ()
    #: Whether the account's list was read whole (None: the provider has none, or it failed).
    listing_complete: bool | None = None
    listing_message: str | None = None


def _fail(*errors: UserError) -> ImportResult:
    return ImportResult(errors=errors)


async def _listing_for_import(ctx: RequestContext, config: TelephonyConfig) -> tuple[AccountNumbers | None, str | None]:
    """The account's listing, or None and why not: an import goes on without it."""
    provider = get_provider(config.provider).display_name
    try:
        listing = await _read_listing(ctx, config)
    except ProviderError as exc:
        if exc.kind is FailureKind.UNSUPPORTED:
            return None, None
        return None, f"{provider}'s number list could not be read, so whether the numbers are in the account is unknown: {exc.message}"
    if not listing.complete:
        return listing, f"{listing.note} Numbers beyond the listing are not known to be in the account or not."
    return listing, None


def _in_account(normalized: NormalizedAddress, listed: set[str] | None, complete: bool) -> bool | None:
    if listed is None or normalized.type is not AddressType.PSTN:
        return None
    if normalized.normalized in listed:
        return True
    return False if complete else None


async def import_numbers(
    ctx: RequestContext,
    *,
    config_global_id: str,
    addresses: Sequence[str],
    workflow_global_id: str | None,
    country_code: str | None,
) -> ImportResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    if len(addresses) > MAX_IMPORT_ROWS:
        return _fail(
            UserError(
                UserErrorCode.INVALID,
                f"An import takes at most {MAX_IMPORT_ROWS:,} addresses; {len(addresses):,} were given. Split them.",
                ("input", "addresses"),
            )
        )
    if country_code is not None:
        try:
            country_code = normalize_country_code(country_code)
        except InvalidCountryCode as exc:
            return _fail(UserError(UserErrorCode.INVALID, str(exc), ("input", "countryCode")))
    config = await find_config(ctx, config_global_id)
    if config is None:
        return _fail(not_found("Telephony configuration", ("input", "telephonyConfigId")))
    workflow_id = None if workflow_global_id is None else database_id_of(workflow_global_id, "Workflow") or -1

    rows: dict[int, ImportRow] = {}
    first_of: dict[str, int] = {}  # normalized address -> its first row
    duplicate_of: dict[int, int] = {}  # a row -> the earlier row of the same number
    candidates: dict[str, tuple[int, NormalizedAddress]] = {}
    for index, address in enumerate(addresses):
        try:
            normalized = normalize_address(address, country_code)
        except InvalidAddress as exc:
            rows[index] = ImportRow(index, address, ImportStatus.INVALID, str(exc))
            continue
        if normalized.normalized in first_of:
            duplicate_of[index] = first_of[normalized.normalized]
            continue
        first_of[normalized.normalized] = index
        candidates[normalized.normalized] = (index, normalized)

    listing, listing_message = None, None
    if candidates:
        listing, listing_message = await _listing_for_import(ctx, config)
    listed = None if listing is None else _listed_e164(listing.addresses)
    complete = listing is not None and listing.complete

    now = utcnow()
    values = [
        {
            "organization_id": ctx.organization_id,
            "telephony_config_id": config.id,
            "provider": config.provider,
            "provider_account_id": config.account_id,
            "address": addresses[index],
            "address_normalized": normalized.normalized,
            "address_type": normalized.type.value,
            "country_code": normalized.country_code,
            "label": None,
            "is_active": True,
            "is_default_caller_id": False,
            "extra_metadata": {},
            "inbound_workflow_id": workflow_id,
            "in_account": _in_account(normalized, listed, complete),
            "account_verified": config.account_verified,
            "created_at": now,
            "updated_at": now,
        }
        for index, normalized in candidates.values()
    ]
    provider = get_provider(config.provider).display_name
    created: list[PhoneNumber] = []
    try:
        async with ctx.db.write() as session:
            if workflow_id is not None and await get_workflow(session, ctx.organization_id, workflow_id) is None:
                return _fail(not_found("Workflow", ("input", "inboundWorkflowId")))
            if not config.account_verified:
                # A key a verified configuration holds is not taken by an unverified one (SPEC §14):
                # the index would admit it, unrouted.
                taken = await holders(session, config.provider, config.account_id, list(candidates))
                verified_held = {n.address_normalized for n in taken if n.account_verified}
                values = [row for row in values if row["address_normalized"] not in verified_held]
            inserted = await insert_numbers(session, values)
            # The holder that kept a row out is the one in the same slot (verified or not), or, for an
            # unverified configuration, the verified one found above.
            held = [
                number
                for number in await holders(session, config.provider, config.account_id, [n for n in candidates if n not in inserted])
                if number.account_verified == config.account_verified or number.address_normalized in verified_held
            ]
            for row in values:
                index = first_of[row["address_normalized"]]
                number_id = inserted.get(row["address_normalized"])
                if number_id is not None:
                    number = PhoneNumber(id=number_id, **row, sync_ok=None, sync_action=None, sync_message=None, sync_at=None)
                    created.append(number)
                    rows[index] = ImportRow(
                        index, number.address, ImportStatus.CREATED, None, number.address_normalized, number, number.in_account
                    )
            for number in held:
                index = first_of[number.address_normalized]
                holder = Holder(number.organization_id, number.telephony_config_id)
                status, message = unimported_status(
                    holder, organization_id=ctx.organization_id, config_id=config.id, provider=provider, verified=config.account_verified
                )
                own = number if status is ImportStatus.ALREADY_REGISTERED else None
                in_account = own.in_account if own is not None else None
                rows[index] = ImportRow(index, addresses[index], status, message, number.address_normalized, own, in_account)
            collect_all(session, "PhoneNumber", ctx.organization_id, (n.id for n in created), ChangeKind.CREATED)
            events = await add_events(
                session,
                [
                    {**audit.event_values(ctx, "importPhoneNumbers", "PhoneNumber", n.id, after=audit.number_fields(n)), "at": now}
                    for n in created
                ],
            )
    except IntegrityError as exc:
        if is_foreign_key_violation(exc):
            return _fail(not_found("Telephony configuration or workflow", ("input", "telephonyConfigId")))
        raise
    for normalized, (index, _n) in candidates.items():
        if index not in rows:  # held by nothing any more: see unimported_status
            status, message = unimported_status(
                None, organization_id=ctx.organization_id, config_id=config.id, provider=provider, verified=config.account_verified
            )
            rows[index] = ImportRow(index, addresses[index], status, message, normalized)
    for index, first_index in duplicate_of.items():
        first = rows[first_index]
        status = ImportStatus.ALREADY_REGISTERED if first.status is ImportStatus.CREATED else first.status
        rows[index] = replace(first, row=index, address=addresses[index], status=status, message=f"The same number as row {first_index}.")
    if workflow_id is not None and created:
        syncs = await _attach_all(ctx, config, created, events)
        rows.update({i: replace(r, sync=syncs[r.number.id]) for i, r in rows.items() if r.status is ImportStatus.CREATED})
    return ImportResult(tuple(rows[i] for i in range(len(addresses))), (), None if listing is None else listing.complete, listing_message)


async def _attach_all(
    ctx: RequestContext, config: TelephonyConfig, numbers: list[PhoneNumber], events: dict[str, int]
) -> dict[int, SyncReport]:
    """Attach the new numbers at the provider, IMPORT_SYNC_CONCURRENCY at once within one time
    budget; those whose turn comes after it ran out are not attempted and say so (a resync
    attaches them). Every outcome is stored in one transaction of three statements."""
    http = ctx.services.provider_http
    plugin = get_provider(config.provider)
    slots = asyncio.Semaphore(IMPORT_SYNC_CONCURRENCY)

    async def attach(number: PhoneNumber) -> SyncReport:
        async with slots:
            if not http.budget_left():
                return SyncReport(
                    ok=False,
                    action=SyncAction.ATTACH,
                    message=f"Not attached: the import's time for {plugin.display_name} ({http.total_timeout:g} s) ran out "
                    "before this number's turn. Resync it to attach it.",
                    at=utcnow(),
                )
            return await push_binding(ctx, config, number, SyncAction.ATTACH)

    with http.budget():
        reports = await asyncio.gather(*(attach(number) for number in numbers))
    outcomes, replaced, joined = [], [], []
    for number, report in zip(numbers, reports, strict=True):
        if report.ok and report.action is SyncAction.ATTACH:
            number.in_account = True  # the provider found it
        number.sync_ok, number.sync_action, number.sync_message, number.sync_at = report.ok, report.action.value, report.message, report.at
        outcomes.append(
            {
                "number_id": number.id,
                "sync_ok": number.sync_ok,
                "sync_action": number.sync_action,
                "sync_message": number.sync_message,
                "sync_at": number.sync_at,
                "in_account": number.in_account,
            }
        )
        if report.ok and report.replaced is not None:
            replaced.append({"phone_number_id": number.id, "routing": dict(report.replaced), "replaced_at": report.at})
        event_id = events.get(to_global_id("PhoneNumber", number.id))
        if event_id is not None:
            joined.append({"event_id": event_id, "outcome": report.as_event()})
    async with ctx.db.write() as session:
        await store_syncs(session, outcomes, replaced, joined)
        collect_all(session, "PhoneNumber", ctx.organization_id, (n.id for n in numbers), ChangeKind.UPDATED)
    return {number.id: report for number, report in zip(numbers, reports, strict=True)}
