"""Workflows: the agents that inbound numbers are bound to (SPEC §5)."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from switchboard.db.errors import is_foreign_key_violation, is_unique_violation
from switchboard.db.models import Workflow
from switchboard.db.workflows import bound_number_count, get_workflow, workflow_listing

from . import audit
from .access import denied
from .connections import ConnectionSlice, paginate
from .context import RequestContext
from .errors import UserError, UserErrorCode, not_found
from .ids import database_id_of
from .nodes import load_of_type
from .rules.inbound import InvalidAgentUrl, clean_agent_stream_url
from .rules.names import InvalidName, clean_name
from .rules.roles import Role
from .unchanged import UNCHANGED

NAME_MAX_LENGTH = 128
_NAME_FIELD = ("input", "name")
_AGENT_URL_FIELD = ("input", "agentStreamUrl")
_ID_FIELD = ("input", "id")


@dataclass(frozen=True, slots=True)
class WorkflowResult:
    workflow: Workflow | None = None
    deleted_id: int | None = None
    errors: tuple[UserError, ...] = ()


def _conflict(name: str) -> WorkflowResult:
    return WorkflowResult(errors=(UserError(UserErrorCode.CONFLICT, f"A workflow named '{name}' already exists.", _NAME_FIELD),))


def _invalid_name(exc: InvalidName) -> WorkflowResult:
    return WorkflowResult(errors=(UserError(UserErrorCode.INVALID, str(exc), _NAME_FIELD),))


_NOT_FOUND = WorkflowResult(errors=(not_found("Workflow", _ID_FIELD),))


def _invalid_agent_url(exc: InvalidAgentUrl) -> WorkflowResult:
    return WorkflowResult(errors=(UserError(UserErrorCode.INVALID, str(exc), _AGENT_URL_FIELD),))


async def list_workflows(ctx: RequestContext, first: int | None, after: str | None) -> ConnectionSlice:
    return await paginate(ctx.db, workflow_listing(ctx.organization_id), first, after)


async def find_workflow(ctx: RequestContext, global_id: str) -> Workflow | None:
    return await load_of_type(ctx, global_id, "Workflow")


async def create_workflow(ctx: RequestContext, name: str, agent_stream_url: str | None = None) -> WorkflowResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return WorkflowResult(errors=forbidden)
    try:
        name = clean_name(name, max_length=NAME_MAX_LENGTH)
    except InvalidName as exc:
        return _invalid_name(exc)
    try:
        agent_stream_url = clean_agent_stream_url(agent_stream_url) if agent_stream_url is not None else None
    except InvalidAgentUrl as exc:
        return _invalid_agent_url(exc)
    try:
        async with ctx.db.write() as session:
            workflow = Workflow(organization_id=ctx.organization_id, name=name, agent_stream_url=agent_stream_url)
            session.add(workflow)
            await session.flush()
            await audit.record(session, ctx, "createWorkflow", "Workflow", workflow.id, after=audit.workflow_fields(workflow))
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return _conflict(name)
        raise
    return WorkflowResult(workflow=workflow)


async def update_workflow(
    ctx: RequestContext,
    global_id: str,
    name: str | None,
    agent_stream_url: str | None = None,
    *,
    clear_agent_stream_url: bool = False,
) -> WorkflowResult:
    """None means no change; `clear_agent_stream_url` removes the agent URL."""
    if forbidden := denied(ctx, Role.EDITOR):
        return WorkflowResult(errors=forbidden)
    workflow_id = database_id_of(global_id, "Workflow")
    if workflow_id is None:
        return _NOT_FOUND
    if name is not None:
        try:
            name = clean_name(name, max_length=NAME_MAX_LENGTH)
        except InvalidName as exc:
            return _invalid_name(exc)
    new_agent_url: object = UNCHANGED
    if clear_agent_stream_url:
        new_agent_url = None
    elif agent_stream_url is not None:
        try:
            new_agent_url = clean_agent_stream_url(agent_stream_url)
        except InvalidAgentUrl as exc:
            return _invalid_agent_url(exc)
    try:
        async with ctx.db.write() as session:
            workflow = await get_workflow(session, ctx.organization_id, workflow_id)
            if workflow is None:
                return _NOT_FOUND
            before = audit.workflow_fields(workflow)
            if name is not None:
                workflow.name = name
            if new_agent_url is not UNCHANGED:
                workflow.agent_stream_url = new_agent_url
            await session.flush()
            after = audit.workflow_fields(workflow)
            if after != before:
                await audit.record(session, ctx, "updateWorkflow", "Workflow", workflow.id, before=before, after=after)
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return _conflict(name or "")
        raise
    return WorkflowResult(workflow=workflow)


def _still_bound(count: int) -> WorkflowResult:
    numbers = "1 phone number is" if count == 1 else f"{count} phone numbers are"
    return WorkflowResult(
        errors=(
            UserError(
                UserErrorCode.CONFLICT,
                f"{numbers} bound to this workflow; unbind them before deleting it.",
                _ID_FIELD,
            ),
        )
    )


async def delete_workflow(ctx: RequestContext, global_id: str) -> WorkflowResult:
    if forbidden := denied(ctx, Role.EDITOR):
        return WorkflowResult(errors=forbidden)
    workflow_id = database_id_of(global_id, "Workflow")
    if workflow_id is None:
        return _NOT_FOUND
    try:
        async with ctx.db.write() as session:
            workflow = await get_workflow(session, ctx.organization_id, workflow_id)
            if workflow is None:
                return _NOT_FOUND
            bound = await bound_number_count(session, workflow_id)
            if bound:
                return _still_bound(bound)
            await audit.record(session, ctx, "deleteWorkflow", "Workflow", workflow.id, before=audit.workflow_fields(workflow))
            await session.delete(workflow)
            await session.flush()
    except IntegrityError as exc:
        # A number was bound between the count and the delete; the foreign key refused it.
        if is_foreign_key_violation(exc):
            return _still_bound(1)
        raise
    return WorkflowResult(deleted_id=workflow_id)
