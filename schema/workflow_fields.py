"""Workflow root fields: queries and mutations."""

import strawberry
from switchboard.resolvers import workflows

from .connection import Connection
from .errors import UserError, user_errors
from .info import Info
from .workflow import CreateWorkflowInput, DeleteWorkflowInput, UpdateWorkflowInput, Workflow


@strawberry.type
class WorkflowPayload:
    workflow: Workflow | None
    errors: list[UserError]

    @classmethod
    def of(cls, result: workflows.WorkflowResult) -> "WorkflowPayload":
        return cls(
            workflow=Workflow.of(result.workflow) if result.workflow else None,
            errors=user_errors(result.errors),
        )


@strawberry.type
class DeleteWorkflowPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class WorkflowQueries:
    @strawberry.field
    async def workflows(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Workflow]:
        page = await workflows.list_workflows(info.context, first, after)
        return Connection.of(page, Workflow.of)

    @strawberry.field
    async def workflow(self, info: Info, id: strawberry.ID) -> Workflow | None:
        row = await workflows.find_workflow(info.context, id)
        return Workflow.of(row) if row else None


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> WorkflowPayload:
        return WorkflowPayload.of(await workflows.create_workflow(info.context, input.name, input.agent_stream_url))

    @strawberry.mutation
    async def update_workflow(self, info: Info, input: UpdateWorkflowInput) -> WorkflowPayload:
        return WorkflowPayload.of(
            await workflows.update_workflow(
                info.context,
                input.id,
                input.name,
                input.agent_stream_url,
                clear_agent_stream_url=input.clear_agent_stream_url,
            )
        )

    @strawberry.mutation
    async def delete_workflow(self, info: Info, input: DeleteWorkflowInput) -> DeleteWorkflowPayload:
        result = await workflows.delete_workflow(info.context, input.id)
        return DeleteWorkflowPayload(
            deleted_id=input.id if result.deleted_id is not None else None,
            errors=user_errors(result.errors),
        )
