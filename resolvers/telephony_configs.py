"""Telephony configurations: provider credentials with defaults, counts and readiness (SPEC §3)."""

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from switchboard.db.changes import ChangeKind, collect_all
from switchboard.db.errors import is_unique_violation
from switchboard.db.models import TelephonyConfig
from switchboard.db.telephony import (
    get_config,
    make_default_outbound,
    number_ids_of_config,
    rekey_numbers,
    routed_numbers_of,
)
from switchboard.providers.base import ProviderPlugin
from switchboard.providers.credentials import FieldProblem, merge_update, public_credentials, validate_new
from switchboard.providers.registry import get_provider

from . import audit
from .access import denied
from .connections import ConnectionSlice, slice_of
from .context import RequestContext
from .errors import UserError, UserErrorCode, not_found
from .ids import database_id_of
from .nodes import load_of_type
from .phone_numbers import NestedPageArgs, prefetch_numbers_of_configs
from .provider_calls import SyncReport, VerificationReport, plain_credentials, push_binding, verify_credentials
from .rules.names import InvalidName, clean_name
from .rules.roles import Role
from .rules.sync import SyncAction
from .unchanged import UNCHANGED

NAME_MAX_LENGTH = 64
TYPE_NAME = "TelephonyConfig"


@dataclass(frozen=True, slots=True)
class CredentialsGiven:
    """The one provider named in a TelephonyCredentialsInput and the fields that were sent."""

    provider: str
    values: Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class ConfigResult:
    config: TelephonyConfig | None = None
    deleted_id: int | None = None
    verification: VerificationReport | None = None
    syncs: tuple[SyncReport, ...] = ()
    errors: tuple[UserError, ...] = ()


def _fail(*errors: UserError) -> ConfigResult:
    return ConfigResult(errors=errors)


_NOT_FOUND = _fail(not_found("Telephony configuration", ("input", "id")))


def _name_conflict(name: str) -> ConfigResult:
    return _fail(
        UserError(UserErrorCode.CONFLICT, f"A telephony configuration named '{name}' already exists.", ("input", "name"))
    )


def _credential_errors(provider: str, problems: list[FieldProblem]) -> ConfigResult:
    return _fail(
        *(
            UserError(UserErrorCode.INVALID, problem.message, ("input", "credentials", provider, problem.field))
            for problem in problems
        )
    )


def _check_name(name: str) -> str | UserError:
    try:
        return clean_name(name, max_length=NAME_MAX_LENGTH)
    except InvalidName as exc:
        return UserError(UserErrorCode.INVALID, str(exc), ("input", "name"))


def _check_max_calls(value: int | None) -> UserError | None:
    if value is not None and value < 1:
        return UserError(UserErrorCode.INVALID, "maxConcurrentCalls must be at least 1.", ("input", "maxConcurrentCalls"))
    return None


def _store_credentials(ctx: RequestContext, config: TelephonyConfig, plugin: ProviderPlugin, plain: dict[str, str]) -> None:
    config.credentials = ctx.services.secrets.seal(plain, plugin.secret_field_names)
    config.masked_credentials = public_credentials(plugin, plain)
    config.account_id = plugin.account_id(plain)


async def list_configs(
    ctx: RequestContext,
    first: int | None,
    after: str | None,
    provider: str | None,
    nested_number_pages: Iterable[NestedPageArgs] = (),
    with_facts: bool = True,
    with_warnings: bool = True,
) -> ConnectionSlice:
    """A page of configurations with what their fields read loaded in batches: the number
    facts (`with_facts`; the inbound facts too `with_warnings`), and the nested pages of numbers
    the client selected."""
    configs = await ctx.loaders.all_configs()  # their numbers' `telephonyConfig` is one of them
    page = slice_of([c for c in configs if c.provider == provider] if provider else configs, first, after)
    prefetches = [prefetch_numbers_of_configs(ctx, [config.id for config in page.rows], nested_number_pages)]
    if with_facts:
        prefetches.append(ctx.loaders.prefetch_config_facts(page.rows, warnings=with_warnings))
    await asyncio.gather(*prefetches)
    return page


async def find_config(ctx: RequestContext, global_id: str) -> TelephonyConfig | None:
    return await load_of_type(ctx, global_id, TYPE_NAME)


async def create_config(
    ctx: RequestContext,
    *,
    name: str,
    credentials: CredentialsGiven,
    is_default_outbound: bool,
    max_concurrent_calls: int | None,
    verify: bool,
) -> ConfigResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    checked_name = _check_name(name)
    errors = [e for e in (checked_name, _check_max_calls(max_concurrent_calls)) if isinstance(e, UserError)]
    plugin = get_provider(credentials.provider)
    plain, problems = validate_new(plugin, credentials.values)
    if problems:
        errors += _credential_errors(credentials.provider, problems).errors
    if errors:
        return _fail(*errors)
    try:
        async with ctx.db.write() as session:
            config = TelephonyConfig(
                organization_id=ctx.organization_id,
                name=checked_name,
                provider=plugin.key,
                max_concurrent_calls=max_concurrent_calls,
                is_default_outbound=False,
            )
            _store_credentials(ctx, config, plugin, plain)
            session.add(config)
            await session.flush()
            if is_default_outbound:
                await make_default_outbound(session, ctx.organization_id, config.id)
                config.is_default_outbound = True
            await audit.record(
                session,
                ctx,
                "createTelephonyConfig",
                TYPE_NAME,
                config.id,
                after=audit.config_fields(config, plain),
                secret=audit.secret_credentials(plugin.secret_field_names),
            )
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return _name_conflict(checked_name)
        raise
    return await _verified(ctx, config, verify)


async def update_config(
    ctx: RequestContext,
    global_id: str,
    *,
    name: str | None,
    credentials: CredentialsGiven | None,
    max_concurrent_calls: object = UNCHANGED,
    verify: bool = False,
) -> ConfigResult:
    """`max_concurrent_calls`: omit to keep, None to remove the cap, an int to set it."""
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    config_id = database_id_of(global_id, TYPE_NAME)
    if config_id is None:
        return _NOT_FOUND
    errors: list[UserError] = []
    if name is not None:
        checked = _check_name(name)
        if isinstance(checked, UserError):
            errors.append(checked)
        else:
            name = checked
    if max_concurrent_calls is not UNCHANGED and (problem := _check_max_calls(max_concurrent_calls)):
        errors.append(problem)
    if errors:
        return _fail(*errors)
    stage = "name"
    try:
        async with ctx.db.write() as session:
            config = await get_config(session, ctx.organization_id, config_id, lock=True)
            if config is None:
                return _NOT_FOUND
            plugin = get_provider(config.provider)
            merged = stored = None
            before = audit.config_fields(config)
            if credentials is not None:
                if credentials.provider != config.provider:
                    return _fail(_provider_mismatch(config.provider))
                stored = plain_credentials(ctx, config, plugin)
                before = audit.config_fields(config, stored)
                merged, problems = merge_update(plugin, stored, credentials.values)
                if problems:
                    return _credential_errors(config.provider, problems)
                if merged != stored:
                    # The last check was about the old credentials; it says nothing about these.
                    config.verification_status = config.verification_message = None
                    config.verification_checked_at = None
            if name is not None:
                config.name = name
            if max_concurrent_calls is not UNCHANGED:
                config.max_concurrent_calls = max_concurrent_calls
            await session.flush()
            stage = "credentials"
            if merged is not None:
                previous_account = config.account_id
                _store_credentials(ctx, config, plugin, merged)
                await session.flush()
                if config.account_id != previous_account:
                    await rekey_numbers(session, config.id, config.account_id)
                    config.account_verified = False
            await audit.record(
                session,
                ctx,
                "updateTelephonyConfig",
                TYPE_NAME,
                config.id,
                before=before,
                after=audit.config_fields(config, merged if merged is not None else stored),
                secret=audit.secret_credentials(plugin.secret_field_names),
            )
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return _name_conflict(name or "") if stage == "name" else _fail(_rekey_conflict())
    return await _verified(ctx, config, verify)


async def _verified(ctx: RequestContext, config: TelephonyConfig, verify: bool) -> ConfigResult:
    """The write has committed; check the credentials now when asked to."""
    return ConfigResult(config=config, verification=await verify_credentials(ctx, config) if verify else None)


def _provider_mismatch(provider: str) -> UserError:
    return UserError(
        UserErrorCode.PROVIDER_MISMATCH,
        f"This configuration is for {get_provider(provider).display_name}; its provider cannot change. "
        "Create a new configuration instead.",
        ("input", "credentials"),
    )


def _rekey_conflict() -> UserError:
    return UserError(
        UserErrorCode.CONFLICT,
        "A phone number of this configuration is already registered for that provider account; nothing was changed.",
        ("input", "credentials"),
    )


async def delete_config(ctx: RequestContext, global_id: str) -> ConfigResult:
    """Detach every number routed to Switchboard (each reported), then delete the configuration
    and, by cascade, its numbers. A failed detach does not keep the configuration."""
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    config = await find_config(ctx, global_id)
    if config is None:
        return _NOT_FOUND
    async with ctx.db.read() as session:
        routed_numbers = list(await session.scalars(routed_numbers_of(config.id)))
    reports = [await push_binding(ctx, config, number, SyncAction.DETACH) for number in routed_numbers]
    async with ctx.db.write() as session:
        current = await get_config(session, ctx.organization_id, config.id, lock=True)
        if current is None:
            return _NOT_FOUND
        await audit.record(
            session,
            ctx,
            "deleteTelephonyConfig",
            TYPE_NAME,
            current.id,
            before=audit.config_fields(current),
            provider_sync=[report.as_event() for report in reports] or None,
        )
        # Its numbers go with it, by cascade in the database.
        numbers = await number_ids_of_config(session, current.id)
        collect_all(session, "PhoneNumber", ctx.organization_id, numbers, ChangeKind.DELETED)
        await session.delete(current)
    return ConfigResult(deleted_id=config.id, syncs=tuple(reports))


async def set_default_outbound(ctx: RequestContext, global_id: str) -> ConfigResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    config_id = database_id_of(global_id, TYPE_NAME)
    if config_id is None:
        return _NOT_FOUND
    async with ctx.db.write() as session:
        config = await get_config(session, ctx.organization_id, config_id)
        if config is None:
            return _NOT_FOUND
        before = audit.config_fields(config)
        await make_default_outbound(session, ctx.organization_id, config_id)
        await session.refresh(config)
        await audit.record(
            session, ctx, "setDefaultOutboundConfig", TYPE_NAME, config.id, before=before, after=audit.config_fields(config)
        )
    return ConfigResult(config=config)


async def verify_config(ctx: RequestContext, global_id: str) -> ConfigResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return _fail(*forbidden)
    config = await find_config(ctx, global_id)
    if config is None:
        return _NOT_FOUND
    return ConfigResult(config=config, verification=await verify_credentials(ctx, config, audited=True))


async def default_outbound_config(ctx: RequestContext) -> TelephonyConfig | None:
    return next((config for config in await ctx.loaders.all_configs() if config.is_default_outbound), None)
