"""Warnings of configurations and of the whole organization, from batched aggregate queries."""

import asyncio

from switchboard.db.loaders import NumberStats
from switchboard.db.models import PhoneNumber, TelephonyConfig
from switchboard.db.records import records
from switchboard.db.telephony import configs_of
from switchboard.providers.registry import get_provider

from .context import RequestContext
from .rules.warnings import (
    ConfigFacts,
    FailedSync,
    Warning,
    config_warnings,
    most_severe_first,
    organization_warnings,
    public_base_url_usable,
)


def _facts(ctx: RequestContext, config: TelephonyConfig, stats: NumberStats, failed: list[PhoneNumber]) -> ConfigFacts:
    plugin = get_provider(config.provider)
    secret_field = plugin.webhook_secret_field
    missing_secret = secret_field is not None and not config.masked_credentials.get(secret_field)
    return ConfigFacts(
        config_id=config.id,
        name=config.name,
        provider_name=plugin.display_name,
        needs_caller_ids=plugin.needs_caller_ids,
        webhook_secret_label=plugin.field(secret_field).label if missing_secret else None,
        active_numbers=stats.active,
        has_default_caller_id=stats.has_default,
        default_caller_id_active=stats.default_active,
        bound_numbers=stats.bound,
        max_concurrent_calls=config.max_concurrent_calls,
        verification_status=config.verification_status,
        verification_message=config.verification_message,
        failed_syncs=tuple(FailedSync(n.id, n.address_normalized, n.sync_message) for n in failed),
    )


def warnings_from(
    ctx: RequestContext, config: TelephonyConfig, stats: NumberStats, failed: list[PhoneNumber]
) -> list[Warning]:
    facts = _facts(ctx, config, stats, failed)
    return most_severe_first(
        config_warnings(facts, public_base_url_ok=public_base_url_usable(ctx.services.public_base_url))
    )


async def warnings_of_config(ctx: RequestContext, config: TelephonyConfig) -> list[Warning]:
    stats, failed = await asyncio.gather(
        ctx.loaders.number_stats_by_config.load(config.id),
        ctx.loaders.failed_syncs_by_config.load(config.id),
    )
    return warnings_from(ctx, config, stats, failed)


async def warnings_of_organization(ctx: RequestContext) -> list[Warning]:
    """Every warning of the organization, most severe first: a fixed number of queries whatever the size."""
    stmt = configs_of(ctx.organization_id).order_by(TelephonyConfig.id)
    configs = await ctx.db.run_read(lambda connection: records(TelephonyConfig, connection.execute(stmt)))
    loaders = ctx.loaders
    for config in configs:
        loaders.telephony_config_by_id.prime(config.id, config)
    ids = [config.id for config in configs]
    stats, failed = await asyncio.gather(loaders.number_stats_by_config.load_many(ids), loaders.failed_syncs_by_config.load_many(ids))
    found = organization_warnings(
        config_count=len(configs), has_default_outbound=any(c.is_default_outbound for c in configs)
    )
    for config, config_stats, config_failed in zip(configs, stats, failed, strict=True):
        found.extend(warnings_from(ctx, config, config_stats, config_failed))
    return most_severe_first(found)
