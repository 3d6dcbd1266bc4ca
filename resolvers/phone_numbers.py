"""Phone numbers: normalization, routing-key uniqueness, default caller ID, workflow binding (SPEC §4)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from switchboard.db.errors import is_foreign_key_violation, is_unique_violation
from switchboard.db.loaders import NumberPageKey, NumberStats, cached_or_load, load_all, then
from switchboard.db.models import PhoneNumber
from switchboard.db.telephony import get_config, get_number, make_default_caller_id, number_listing, verified_holder_exists
from switchboard.db.workflows import get_workflow
from switchboard.providers.registry import get_provider

from . import audit
from .access import denied
from .connections import ConnectionSlice, PageRequest, paginate
from .context import RequestContext
from .errors import BadUserInput, UserError, UserErrorCode, not_found
from .ids import database_id_of
from .nodes import load_of_type
from .provider_calls import SyncReport, push_binding, record_sync, sync_number
from .rules.addresses import (
    InvalidAddress,
    InvalidCountryCode,
    NormalizedAddress,
    normalize_address,
    normalize_country_code,
)
from .rules.roles import Role
from .rules.sync import SyncAction, resync_action, routed, sync_action
from .rules.text import contains_nul
from .unchanged import UNCHANGED

TYPE_NAME = "PhoneNumber"
LABEL_MAX_LENGTH = 64
SEARCH_MAX_LENGTH = 255
# SPEC §13: a number's metadata is a few CRM ids and tags, not a document store.
METADATA_MAX_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class NumberResult:
    number: PhoneNumber | None = None
    deleted_id: int | None = None
    sync: SyncReport | None = None
    errors: tuple[UserError, ...] = ()


def _fail(*errors: UserError) -> NumberResult:
    return NumberResult(errors=errors)


def _missing(field: str) -> NumberResult:
    return _fail(not_found("Phone number", ("input", field)))


def _routing_conflict(provider_key: str, normalized: str, *, verified: bool) -> NumberResult:
    provider = get_provider(provider_key).display_name
    message = f"{normalized} is already registered for this {provider} account."
    if not verified:
        message += (
            " If the account is yours, verify this configuration's credentials (verifyTelephonyConfig) and add the "
            "number again: numbers of a configuration whose credentials verified are never blocked by one whose "
            "credentials did not."
        )
    return _fail(UserError(UserErrorCode.CONFLICT, message, ("input", "address")))


async def _held_by_verified(session: AsyncSession, number: PhoneNumber, address: str) -> bool:
    """Whether `number`, of an unverified configuration, would take the routing key of `address`
    that a verified one holds: refused up front (the index would admit it, unrouted)."""
    return not number.account_verified and await verified_holder_exists(
        session, number.provider, number.provider_account_id, address
    )


def _workflow_missing() -> NumberResult:
    return _fail(not_found("Workflow", ("input", "inboundWorkflowId")))


def _check_label(label: str | None) -> UserError | None:
    if label is not None and len(label) > LABEL_MAX_LENGTH:
        return UserError(UserErrorCode.INVALID, f"label must be at most {LABEL_MAX_LENGTH} characters.", ("input", "label"))
    if contains_nul(label):
        return UserError(UserErrorCode.INVALID, "label must not contain NUL characters.", ("input", "label"))
    return None


def _search_term(search: str | None) -> str | None:
    if contains_nul(search):
        raise BadUserInput("`search` must not contain NUL characters")
    return (search or "").strip()[:SEARCH_MAX_LENGTH] or None


def _check_metadata(metadata: Any) -> UserError | None:
    if metadata is not None and not isinstance(metadata, dict):
        return UserError(UserErrorCode.INVALID, "extraMetadata must be a JSON object.", ("input", "extraMetadata"))
    if contains_nul(metadata):
        return UserError(UserErrorCode.INVALID, "extraMetadata must not contain NUL characters.", ("input", "extraMetadata"))
    if metadata and len(orjson.dumps(metadata)) > METADATA_MAX_BYTES:
        return UserError(
            UserErrorCode.INVALID,
            f"extraMetadata must be at most {METADATA_MAX_BYTES // 1024} KiB as JSON.",
            ("input", "extraMetadata"),
        )
    return None


def _normalize(address: str, country_code: str | None) -> NormalizedAddress | UserError:
    if country_code is not None:
        try:
            country_code = normalize_country_code(country_code)
        except InvalidCountryCode as exc:
            return UserError(UserErrorCode.INVALID, str(exc), ("input", "countryCode"))
    try:
        return normalize_address(address, country_code)
    except InvalidAddress as exc:
        return UserError(UserErrorCode.INVALID_PHONE_NUMBER, str(exc), ("input", "address"))


async def _owned_number(session: AsyncSession, ctx: RequestContext, global_id: str) -> PhoneNumber | None:
    number_id = database_id_of(global_id, TYPE_NAME)
    return None if number_id is None else await get_number(session, ctx.organization_id, number_id)


def _is_routed(number: PhoneNumber) -> bool:
    return routed(is_active=number.is_active, workflow_id=number.inbound_workflow_id)


def _apply_address(number: PhoneNumber, address: NormalizedAddress) -> None:
    number.address_normalized = address.normalized
    number.address_type = address.type.value
    number.country_code = address.country_code


async def list_numbers(
    ctx: RequestContext,
    first: int | None,
    after: str | None,
    *,
    config_global_id: str | None,
    is_active: bool | None,
    address_type: str | None,
    search: str | None,
) -> ConnectionSlice:
    config_id = None
    if config_global_id is not None:
        # An unknown or foreign configuration has no numbers: -1 matches nothing.
        config_id = database_id_of(config_global_id, "TelephonyConfig") or -1
    listing = number_listing(
        ctx.organization_id,
        config_id=config_id,
        is_active=is_active,
        address_type=address_type,
        search=_search_term(search),
    )
    page = await paginate(ctx.db, listing, first, after)
    await ctx.loaders.prefetch_number_relations(page.rows)
    return page


async def find_number(ctx: RequestContext, global_id: str) -> PhoneNumber | None:
    return await load_of_type(ctx, global_id, TYPE_NAME)


async def create_number(
    ctx: RequestContext,
    *,
    config_global_id: str,
    address: str,
    country_code: str | None,
    label: str | None,
    workflow_global_id: str | None,
    is_active: bool,
    is_default_caller_id: bool,
    extra_metadata: Any,
) -> NumberResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    normalized = _normalize(address, country_code)
    errors = [
        e
        for e in (
            normalized if isinstance(normalized, UserError) else None,
            _check_label(label),
            _check_metadata(extra_metadata),
        )
        if e is not None
    ]
    if is_default_caller_id and not is_active:
        errors.append(
            UserError(
                UserErrorCode.INVALID, "An inactive number cannot be the default caller ID.", ("input", "isDefaultCallerId")
            )
        )
    if errors:
        return _fail(*errors)
    config_id = database_id_of(config_global_id, "TelephonyConfig")
    workflow_id = None if workflow_global_id is None else database_id_of(workflow_global_id, "Workflow") or -1
    try:
        async with ctx.db.write() as session:
            config = None if config_id is None else await get_config(session, ctx.organization_id, config_id)
            if config is None:
                return _fail(not_found("Telephony configuration", ("input", "telephonyConfigId")))
            if workflow_id is not None and await get_workflow(session, ctx.organization_id, workflow_id) is None:
                return _workflow_missing()
            provider_key, verified = config.provider, config.account_verified
            number = PhoneNumber(
                organization_id=ctx.organization_id,
                telephony_config_id=config.id,
                provider=config.provider,
                provider_account_id=config.account_id,
                address=address,
                label=label,
                is_active=is_active,
                is_default_caller_id=False,
                extra_metadata=extra_metadata or {},
                inbound_workflow_id=workflow_id,
                account_verified=config.account_verified,
            )
            if await _held_by_verified(session, number, normalized.normalized):
                return _routing_conflict(provider_key, normalized.normalized, verified=False)
            _apply_address(number, normalized)
            session.add(number)
            await session.flush()
            if is_default_caller_id:
                await make_default_caller_id(session, config.id, number.id)
                number.is_default_caller_id = True
            await audit.record(session, ctx, "createPhoneNumber", TYPE_NAME, number.id, after=audit.number_fields(number))
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return _routing_conflict(provider_key, normalized.normalized, verified=verified)
        if is_foreign_key_violation(exc):
            return _workflow_missing()
        raise
    action = sync_action(was_routed=False, is_routed=_is_routed(number))
    return NumberResult(number=number, sync=await sync_number(ctx, number, action))


@dataclass(frozen=True, slots=True)
class NumberChanges:
    """What updatePhoneNumber was asked to change; UNCHANGED where a field was omitted."""

    label: Any = UNCHANGED
    workflow_global_id: str | None = None
    clear_workflow: bool = False
    is_active: bool | None = None
    country_code: Any = UNCHANGED
    extra_metadata: Any = UNCHANGED


def _check_changes(changes: NumberChanges) -> list[UserError]:
    errors = []
    if changes.label is not UNCHANGED and (problem := _check_label(changes.label)):
        errors.append(problem)
    if changes.extra_metadata is not UNCHANGED and (problem := _check_metadata(changes.extra_metadata)):
        errors.append(problem)
    if changes.clear_workflow and changes.workflow_global_id is not None:
        errors.append(
            UserError(
                UserErrorCode.INVALID,
                "Give either inboundWorkflowId or clearInboundWorkflow, not both.",
                ("input", "clearInboundWorkflow"),
            )
        )
    return errors


async def update_number(ctx: RequestContext, global_id: str, changes: NumberChanges) -> NumberResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    if errors := _check_changes(changes):
        return _fail(*errors)
    workflow_id = None
    if changes.workflow_global_id is not None:
        workflow_id = database_id_of(changes.workflow_global_id, "Workflow") or -1
    try:
        async with ctx.db.write() as session:
            number = await _owned_number(session, ctx, global_id)
            if number is None:
                return _missing("id")
            provider_key, address, verified = number.provider, number.address, number.account_verified
            was_routed = _is_routed(number)
            before = audit.number_fields(number)
            if changes.country_code is not UNCHANGED:
                normalized = _normalize(address, changes.country_code)
                if isinstance(normalized, UserError):
                    return _fail(normalized)
                if await _held_by_verified(session, number, normalized.normalized):
                    return _routing_conflict(provider_key, normalized.normalized, verified=False)
                _apply_address(number, normalized)
            if workflow_id is not None:
                if await get_workflow(session, ctx.organization_id, workflow_id) is None:
                    return _workflow_missing()
                number.inbound_workflow_id = workflow_id
            if changes.clear_workflow:
                number.inbound_workflow_id = None
            if changes.label is not UNCHANGED:
                number.label = changes.label
            if changes.is_active is not None:
                number.is_active = changes.is_active
            if changes.extra_metadata is not UNCHANGED:
                number.extra_metadata = changes.extra_metadata or {}
            normalized_now = number.address_normalized
            await session.flush()
            after = audit.number_fields(number)
            if after != before:
                await audit.record(session, ctx, "updatePhoneNumber", TYPE_NAME, number.id, before=before, after=after)
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return _routing_conflict(provider_key, normalized_now, verified=verified)
        if is_foreign_key_violation(exc):
            return _workflow_missing()
        raise
    action = sync_action(was_routed=was_routed, is_routed=_is_routed(number))
    return NumberResult(number=number, sync=await sync_number(ctx, number, action))


async def delete_number(ctx: RequestContext, global_id: str, *, force: bool) -> NumberResult:
    """Detach first when the number is routed to Switchboard; keep the row if that fails, unless forced."""
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    number = await find_number(ctx, global_id)
    if number is None:
        return _missing("id")
    report = None
    if _is_routed(number):
        config = await ctx.loaders.telephony_config_by_id.load(number.telephony_config_id)
        report = await push_binding(ctx, config, number, SyncAction.DETACH)
        if not report.ok and not force:
            await record_sync(ctx, number, report)
            return NumberResult(
                number=number,
                sync=report,
                errors=(
                    UserError(
                        UserErrorCode.PROVIDER_ERROR,
                        f"The number was not deleted because detaching it failed: {report.message} "
                        "Retry, or delete with force: true to leave the provider as it is.",
                        ("input", "id"),
                    ),
                ),
            )
    async with ctx.db.write() as session:
        current = await _owned_number(session, ctx, global_id)
        if current is None:
            return _missing("id")
        await audit.record(
            session,
            ctx,
            "deletePhoneNumber",
            TYPE_NAME,
            current.id,
            before=audit.number_fields(current),
            provider_sync=report.as_event() if report is not None else None,
        )
        await session.delete(current)
    return NumberResult(deleted_id=current.id, sync=report)


async def set_default_caller_id(ctx: RequestContext, global_id: str) -> NumberResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    async with ctx.db.write() as session:
        number = await _owned_number(session, ctx, global_id)
        if number is None:
            return _missing("phoneNumberId")
        if not number.is_active:
            return _fail(
                UserError(
                    UserErrorCode.INVALID,
                    "An inactive number cannot be the default caller ID; activate it first.",
                    ("input", "phoneNumberId"),
                )
            )
        before = audit.number_fields(number)
        await make_default_caller_id(session, number.telephony_config_id, number.id)
        number.is_default_caller_id = True
        await audit.record(
            session, ctx, "setDefaultCallerId", TYPE_NAME, number.id, before=before, after=audit.number_fields(number)
        )
    return NumberResult(number=number)


async def clear_inbound_workflow(ctx: RequestContext, global_id: str) -> NumberResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    async with ctx.db.write() as session:
        number = await _owned_number(session, ctx, global_id)
        if number is None:
            return _missing("phoneNumberId")
        was_routed = _is_routed(number)
        before = audit.number_fields(number)
        number.inbound_workflow_id = None
        await session.flush()
        await audit.record(
            session, ctx, "clearInboundWorkflow", TYPE_NAME, number.id, before=before, after=audit.number_fields(number)
        )
    action = sync_action(was_routed=was_routed, is_routed=False)
    return NumberResult(number=number, sync=await sync_number(ctx, number, action))


async def resync_number(ctx: RequestContext, global_id: str) -> NumberResult:
    """Push the current binding again: attach when routed, detach otherwise."""
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    number = await find_number(ctx, global_id)
    if number is None:
        return _missing("phoneNumberId")
    async with ctx.db.write() as session:
        await audit.record(session, ctx, "resyncPhoneNumber", TYPE_NAME, number.id)
    action = resync_action(is_routed=_is_routed(number))
    return NumberResult(number=number, sync=await sync_number(ctx, number, action))


@dataclass(frozen=True, slots=True)
class NestedPageArgs:
    """The arguments a client gave a configuration's `phoneNumbers` below a list of configurations."""

    first: int | None = None
    after: str | None = None
    is_active: bool | None = None


def _config_page_key(config_id: int, args: NestedPageArgs) -> tuple[PageRequest, NumberPageKey]:
    request = PageRequest.parse(args.first, args.after)
    return request, NumberPageKey(config_id, request.size, request.after_id, args.is_active)


def numbers_of_config(ctx: RequestContext, config_id: int, args: NestedPageArgs) -> Any:
    """A configuration's numbers, batched across configurations by a DataLoader (which also
    loads their configurations and workflows); totalCount comes from the number aggregates.

    The page itself when `prefetch_numbers_of_configs` already loaded it, else an awaitable.
    """
    request, key = _config_page_key(config_id, args)
    loaders = ctx.loaders

    def total_count(stats: NumberStats) -> int:
        if args.is_active is None:
            return stats.total
        return stats.active if args.is_active else stats.total - stats.active

    def connection_slice(page) -> ConnectionSlice:
        return ConnectionSlice(
            page.rows,
            page.has_next,
            request.after_id is not None,
            lambda: then(cached_or_load(loaders.number_stats_by_config, config_id), total_count),
        )

    return then(cached_or_load(loaders.number_page_by_config, key), connection_slice)


async def prefetch_numbers_of_configs(
    ctx: RequestContext, config_ids: Sequence[int], requested: Iterable[NestedPageArgs]
) -> None:
    """Load the nested pages a list of configurations will be asked for, one batch for all:
    each configuration's `phoneNumbers` then answers without an await. Arguments that are not
    valid are skipped here; the field reports them."""
    keys = []
    for args in set(requested):
        try:
            keys += [_config_page_key(config_id, args)[1] for config_id in config_ids]
        except BadUserInput:
            continue
    if keys:
        await load_all(ctx.loaders.number_page_by_config, keys)


async def numbers_of_workflow(ctx: RequestContext, workflow_id: int, first: int | None, after: str | None) -> ConnectionSlice:
    """The numbers bound to a workflow, batched across workflows by a DataLoader."""
    request = PageRequest.parse(first, after)
    loaders = ctx.loaders
    page = await loaders.number_page_by_workflow.load(NumberPageKey(workflow_id, request.size, request.after_id, None))
    return ConnectionSlice(
        page.rows,
        page.has_next,
        request.after_id is not None,
        lambda: cached_or_load(loaders.bound_count_by_workflow, workflow_id),
    )


def inbound_webhook_url(ctx: RequestContext, number: PhoneNumber) -> str | None:
    """Where the provider sends this number's inbound calls: only when bound and a public URL is set."""
    if number.inbound_workflow_id is None:
        return None
    return ctx.services.inbound_url(get_provider(number.provider), number.telephony_config_id, number.provider_account_id)
