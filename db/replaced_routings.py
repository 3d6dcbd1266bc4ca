"""The routing an attach replaced at the provider, per number (SPEC §4)."""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ReplacedRouting
from .types import utcnow


async def replaced_routing(session: AsyncSession, phone_number_id: int) -> dict[str, Any] | None:
    return await session.scalar(select(ReplacedRouting.routing).where(ReplacedRouting.phone_number_id == phone_number_id))


async def keep_replaced_routing(session: AsyncSession, phone_number_id: int, routing: dict[str, Any]) -> None:
    await forget_replaced_routing(session, phone_number_id)
    session.add(ReplacedRouting(phone_number_id=phone_number_id, routing=routing, replaced_at=utcnow()))


async def forget_replaced_routing(session: AsyncSession, phone_number_id: int) -> None:
    await session.execute(delete(ReplacedRouting).where(ReplacedRouting.phone_number_id == phone_number_id))
