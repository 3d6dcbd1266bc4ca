"""Audit events of the API's changes (SPEC §13), written in the change's own transaction: a
change rolled back leaves no event. Provider-sync outcomes, which arrive after the change has
committed, join its event in the transaction that stores them on the row. Each event also
collects the change notice of live updates (db/changes.py), which leaves on commit only."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from switchboard.db.audit import add_event, set_provider_sync
from switchboard.db.changes import Change, ChangeKind, collect
from switchboard.db.models import ApiKey, PhoneNumber, TelephonyConfig, Workflow

from .context import RequestContext
from .ids import to_global_id
from .rules.audit import field_changes

# The audited changes that live updates announce (SPEC §15); a workflow's changes show in its
# numbers' fields and in the warnings.
LIVE_TYPES = frozenset({"TelephonyConfig", "PhoneNumber", "Workflow"})


async def record(
    session: AsyncSession,
    ctx: RequestContext,
    action: str,
    target_type: str,
    target_id: int,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    secret: frozenset[str] = frozenset(),
    provider_sync: Any = None,
) -> None:
    """One event: `action` (the mutation) on the target, with the fields that differ between the
    snapshots `before` and `after` (none for a creation, none after a deletion)."""
    values = event_values(ctx, action, target_type, target_id, before=before, after=after, secret=secret)
    event_id = await add_event(session, **values, provider_sync=provider_sync)
    ctx.audit_events[(target_type, target_id)] = event_id
    if target_type in LIVE_TYPES:
        # A creation records only what it made, a deletion only what it removed.
        kind = ChangeKind.CREATED if before is None and after is not None else ChangeKind.UPDATED
        if after is None and before is not None:
            kind = ChangeKind.DELETED
        collect(session, Change(target_type, ctx.organization_id, target_id, kind))


def event_values(
    ctx: RequestContext,
    action: str,
    target_type: str,
    target_id: int,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    secret: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The columns of an event (see `record`), for writing many at once."""
    principal = ctx.principal
    return {
        "organization_id": principal.organization_id,
        "actor": principal.actor,
        "actor_name": principal.actor_name,
        "api_key_id": principal.api_key_id,
        "role": principal.role.value,
        "action": action,
        "target_type": target_type,
        "target_id": to_global_id(target_type, target_id),
        "changes": field_changes(before or {}, after or {}, secret),
        "request_id": ctx.request_id,
    }


async def join_provider_sync(session: AsyncSession, ctx: RequestContext, target_type: str, target_id: int, outcome: Any) -> None:
    """Add a provider-sync outcome to the event this request wrote for the target, if any."""
    event_id = ctx.audit_events.get((target_type, target_id))
    if event_id is not None:
        await set_provider_sync(session, event_id, outcome)


def number_fields(number: PhoneNumber) -> dict[str, Any]:
    workflow = number.inbound_workflow_id
    return {
        "address": number.address,
        "countryCode": number.country_code,
        "label": number.label,
        "isActive": number.is_active,
        "isDefaultCallerId": number.is_default_caller_id,
        "inboundWorkflowId": to_global_id("Workflow", workflow) if workflow is not None else None,
        "extraMetadata": number.extra_metadata,
    }


def config_fields(config: TelephonyConfig, credentials: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The configuration's fields; with its plain `credentials`, one field per credential."""
    fields = {
        "name": config.name,
        "provider": config.provider,
        "maxConcurrentCalls": config.max_concurrent_calls,
        "isDefaultOutbound": config.is_default_outbound,
    }
    for name, value in (credentials or {}).items():
        fields[f"credentials.{name}"] = value
    return fields


def secret_credentials(secret_field_names: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"credentials.{name}" for name in secret_field_names)


def workflow_fields(workflow: Workflow) -> dict[str, Any]:
    return {"name": workflow.name, "agentStreamUrl": workflow.agent_stream_url}


def key_fields(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "prefix": key.prefix,
        "role": key.role,
        "expiresAt": key.expires_at.isoformat() if key.expires_at else None,
        "revokedAt": key.revoked_at.isoformat() if key.revoked_at else None,
    }
