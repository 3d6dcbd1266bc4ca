"""Data access for workflows."""

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import PhoneNumber, Workflow
from .pagination import Listing


def workflows_of(organization_id: int) -> Select:
    return select(Workflow).where(Workflow.organization_id == organization_id)


_WORKFLOWS = select(Workflow).where(Workflow.organization_id == bindparam("organization_id"))


def workflow_listing(organization_id: int) -> Listing:
    return Listing(Workflow, _WORKFLOWS, {"organization_id": organization_id})


async def get_workflow(session: AsyncSession, organization_id: int, workflow_id: int) -> Workflow | None:
    return await session.scalar(workflows_of(organization_id).where(Workflow.id == workflow_id))


async def bound_number_count(session: AsyncSession, workflow_id: int) -> int:
    return await session.scalar(select(func.count()).where(PhoneNumber.inbound_workflow_id == workflow_id)) or 0
