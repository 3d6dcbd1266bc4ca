"""The call log (SPEC §12) and the dashboard's "test this number" (simulateInboundCall)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from switchboard.db.inbound_calls import call_listing
from switchboard.db.loaders import NumberPageKey, cached_or_load
from switchboard.db.pagination import count
from switchboard.providers.inbound import StreamTarget, WebhookAnswer
from switchboard.providers.registry import get_provider

from .connections import ConnectionSlice, PageRequest, paginate
from .context import RequestContext
from .errors import UserError, UserErrorCode, not_found
from .ids import database_id_of, to_global_id
from .nodes import load_of_type
from .rules.inbound import RejectReason, decide

# The callId a simulated answer carries: no call is recorded, so it names none.
SIMULATED_CALL_ID = "simulated"
FROM_MAX_LENGTH = 255
_NUMBER_FIELD = ("input", "phoneNumberId")
_FROM_FIELD = ("input", "from")


class _NoMatch(Exception):
    """A filter names an object that is not the caller's: the list is empty."""


def _filter_id(global_id: str | None, type_name: str) -> int | None:
    if global_id is None:
        return None
    database_id = database_id_of(global_id, type_name)
    if database_id is None:
        raise _NoMatch
    return database_id


async def list_calls(
    ctx: RequestContext,
    first: int | None,
    after: str | None,
    *,
    phone_number_id: str | None = None,
    workflow_id: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
) -> ConnectionSlice:
    """The organization's calls, newest first. A filter on an ID that is not one of the
    caller's objects matches nothing (another tenant's IDs tell nothing)."""
    try:
        listing = call_listing(
            ctx.organization_id,
            phone_number_id=_filter_id(phone_number_id, "PhoneNumber"),
            workflow_id=_filter_id(workflow_id, "Workflow"),
            status=status,
            since=since,
        )
    except _NoMatch:
        return ConnectionSlice([], False, False, lambda: 0)
    return await paginate(ctx.db, listing, first, after)


async def calls_of_number(ctx: RequestContext, number_id: int, first: int | None, after: str | None) -> ConnectionSlice:
    """A number's calls, newest first, batched across the numbers of a list by a DataLoader."""
    request = PageRequest.parse(first, after)
    page = await ctx.loaders.call_page_by_number.load(NumberPageKey(number_id, request.size, request.after_id, None))

    async def total_count() -> int:
        return await count(ctx.db, call_listing(ctx.organization_id, phone_number_id=number_id))

    if request.after_id is None and not page.has_next:
        total = len(page.rows)
        return ConnectionSlice(page.rows, False, False, lambda: total)
    return ConnectionSlice(page.rows, page.has_next, request.after_id is not None, total_count)


def calls_in_progress(ctx: RequestContext, config_id: int) -> Any:
    """The configuration's calls in progress (an awaitable when not loaded yet)."""
    return cached_or_load(ctx.loaders.calls_in_progress_by_config, config_id)


def duration_seconds(started_at: datetime, ended_at: datetime | None) -> int | None:
    return None if ended_at is None else max(0, round((ended_at - started_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class Simulation:
    accepted: bool
    reject_reason: RejectReason | None
    workflow_id: int | None
    agent_stream_url: str | None
    answer: WebhookAnswer


@dataclass(frozen=True, slots=True)
class SimulationResult:
    simulation: Simulation | None = None
    errors: tuple[UserError, ...] = ()


def _invalid(message: str, field: tuple[str, ...]) -> SimulationResult:
    return SimulationResult(errors=(UserError(UserErrorCode.INVALID, message, field),))


async def simulate_inbound_call(ctx: RequestContext, phone_number_id: str, calling: str) -> SimulationResult:
    """What the front door would decide and answer for a call from `calling` to the number now
    (SPEC §11 steps 2-5), without a signature and without storing anything."""
    calling = calling.strip()
    if not calling or len(calling) > FROM_MAX_LENGTH or "\x00" in calling:
        return _invalid(f"`from` must be 1 to {FROM_MAX_LENGTH} characters, such as +14155550123.", _FROM_FIELD)
    number = await load_of_type(ctx, phone_number_id, "PhoneNumber")
    if number is None:
        return SimulationResult(errors=(not_found("Phone number", _NUMBER_FIELD),))
    plugin = get_provider(number.provider)
    if not plugin.supports_inbound_dispatch:
        return _invalid(
            f"{plugin.display_name} calls do not come through Switchboard's front door, so there is nothing to simulate.",
            _NUMBER_FIELD,
        )
    loaders = ctx.loaders
    config = await loaders.telephony_config_by_id.load(number.telephony_config_id)
    workflow: Any = None
    if number.inbound_workflow_id is not None:
        workflow = await loaders.workflow_by_id.load(number.inbound_workflow_id)
    in_progress = 0
    if config.max_concurrent_calls is not None:
        in_progress = await loaders.calls_in_progress_by_config.load(config.id)
    agent_url = workflow.agent_stream_url if workflow is not None else None
    reason = decide(
        is_active=number.is_active,
        workflow_id=number.inbound_workflow_id,
        agent_stream_url=agent_url,
        max_concurrent_calls=config.max_concurrent_calls,
        calls_in_progress=in_progress,
    )
    if reason is not None:
        answer = plugin.reject_answer()
    else:
        answer = plugin.stream_answer(
            StreamTarget(
                url=agent_url,
                call_id=SIMULATED_CALL_ID,
                workflow_id=to_global_id("Workflow", workflow.id),
                calling=calling,
                called=number.address_normalized,
            )
        )
    return SimulationResult(
        simulation=Simulation(
            accepted=reason is None,
            reject_reason=reason,
            workflow_id=number.inbound_workflow_id,
            agent_stream_url=agent_url,
            answer=answer,
        )
    )
