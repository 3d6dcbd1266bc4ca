"""Organizations: the tenant boundary."""

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Organization


async def create_organization(session: AsyncSession, name: str) -> Organization:
    organization = Organization(name=name)
    session.add(organization)
    await session.flush()
    return organization


async def any_organization(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(Organization))))


async def get_organization(session: AsyncSession, organization_id: int) -> Organization | None:
    return await session.get(Organization, organization_id)
