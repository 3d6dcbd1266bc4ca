"""Warnings of configurations and of the whole organization, from batched aggregate queries."""

import asyncio
from collections.abc import Sequence

from switchboard.db.inbound_calls import AGENTLESS_FACT
from switchboard.db.loaders import NumberStats, load_all
from switchboard.db.models import PhoneNumber, TelephonyConfig
from switchboard.providers.registry import get_provider

from .context import RequestContext
from .rules.warnings import (
    AgentlessWorkflow,
    ConfigFacts,
    FailedSync,
    FlaggedNumber,
    NumberRejections,
    Warning,
    config_warnings,
    most_severe_first,
    organization_warnings,
    public_base_url_usable,
)


def _inbound(rows: list[tuple]) -> tuple[tuple[NumberRejections, ...], tuple[AgentlessWorkflow, ...]]:
    """The rows of `db.inbound_calls.inbound_facts` of one configuration, as the rules take them."""
    agentless = tuple(AgentlessWorkflow(row_id, label, count) for kind, row_id, label, _r, count in rows if kind == AGENTLESS_FACT)
    by_number: dict[int, tuple[str, dict[str, int]]] = {}
    for kind, row_id, label, reason, count in rows:
        if kind != AGENTLESS_FACT:
            counts = by_number.setdefault(row_id, (label, {}))[1]
            counts[reason] = counts.get(reason, 0) + count
    rejections = tuple(
        NumberRejections(number_id, address, tuple(sorted(counts.items()))) for number_id, (address, counts) in sorted(by_number.items())
    )
    return rejections, agentless


def _facts(
    ctx: RequestContext, config: TelephonyConfig, stats: NumberStats, flagged: list[PhoneNumber], inbound: list[tuple]
) -> ConfigFacts:
    plugin = get_provider(config.provider)
    secret_field = plugin.webhook_secret_field
    missing_secret = secret_field is not None and not config.masked_credentials.get(secret_field)
    rejections, agentless = _inbound(inbound)
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
        failed_syncs=tuple(FailedSync(n.id, n.address_normalized, n.sync_message) for n in flagged if n.sync_ok is False),
        not_in_account=tuple(FlaggedNumber(n.id, n.address_normalized) for n in flagged if n.in_account is False),
        rejections=rejections,
        agentless_workflows=agentless,
    )


def warnings_from(
    ctx: RequestContext, config: TelephonyConfig, stats: NumberStats, flagged: list[PhoneNumber], inbound: list[tuple]
) -> list[Warning]:
    """The configuration's warnings, most severe first; computed once a request (the facts are
    the request's loaders', which read them once)."""
    found = ctx.config_warnings.get(config.id)
    if found is None:
        facts = _facts(ctx, config, stats, flagged, inbound)
        found = ctx.config_warnings[config.id] = most_severe_first(
            config_warnings(facts, public_base_url_ok=public_base_url_usable(ctx.services.public_base_url))
        )
    return found


async def warnings_of_configs(ctx: RequestContext, configs: Sequence[TelephonyConfig]) -> list[list[Warning]]:
    """Each configuration's warnings, from one batch of facts for all of them."""
    ids = [config.id for config in configs]
    loaders = ctx.loaders
    stats, flagged, inbound = await asyncio.gather(
        load_all(loaders.number_stats_by_config, ids),
        load_all(loaders.flagged_numbers_by_config, ids),
        load_all(loaders.inbound_facts_by_config, ids),
    )
    return [warnings_from(ctx, *facts) for facts in zip(configs, stats, flagged, inbound, strict=True)]


async def warnings_of_config(ctx: RequestContext, config: TelephonyConfig) -> list[Warning]:
    (found,) = await warnings_of_configs(ctx, [config])
    return found


async def warnings_of_organization(ctx: RequestContext) -> list[Warning]:
    """Every warning of the organization, most severe first: a fixed number of queries whatever the size."""
    configs = await ctx.loaders.all_configs()
    found = organization_warnings(
        config_count=len(configs), has_default_outbound=any(c.is_default_outbound for c in configs)
    )
    for config_warnings_found in await warnings_of_configs(ctx, configs):
        found.extend(config_warnings_found)
    return most_severe_first(found)
