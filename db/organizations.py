"""Organizations: the tenant boundary."""

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from .engine import Database
from .models import Organization

_BY_ID = select(Organization.id).where(Organization.id == bindparam("organization_id"))


async def create_organization(session: AsyncSession, name: str) -> Organization:
    organization = Organization(name=name)
    session.add(organization)
    await session.flush()
    return organization


async def any_organization(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(Organization))))


async def get_organization(session: AsyncSession, organization_id: int) -> Organization | None:
    return await session.get(Organization, organization_id)


async def organization_exists(db: Database, organization_id: int) -> bool:
    """A primary-key lookup on the connections API keys are found with (Database.lookup)."""
    return bool(await db.lookup(_BY_ID, {"organization_id": organization_id}))


async def lock_organization(session: AsyncSession, organization_id: int) -> None:
    """Serialize changes of one organization that check its other rows first (the default
    outbound configuration, its usable ADMIN keys).

    FOR NO KEY UPDATE, not FOR UPDATE: inserting a child row takes KEY SHARE on its parent, and a
    transaction that inserted a configuration and then locks the organization would otherwise
    deadlock with another doing the same. SQLite ignores the clause; BEGIN IMMEDIATE already
    serializes its writers.
    """
    await session.execute(select(Organization.id).where(Organization.id == organization_id).with_for_update(key_share=True))
