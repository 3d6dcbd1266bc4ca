"""Data access for provider accounts (SPEC §14): the numbers a listing found registered, the
facts a listing learns (`in_account`), and an import's statements, each one statement for the
whole batch whatever its size."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .models import AuditEvent, PhoneNumber, ReplacedRouting
from .sql import one_of

PSTN = "PSTN"
# An UPDATE whose WHERE is not plain columns: nothing in the session to synchronize with it.
_NO_SYNC = {"synchronize_session": False}
#: What `store_syncs` writes of each number.
SYNC_COLUMNS = ("sync_ok", "sync_action", "sync_message", "sync_at", "in_account")


async def _numbers_at(session: AsyncSession, normalized: Sequence[str], *where: Any) -> list[PhoneNumber]:
    """The numbers whose normalized address is one of `normalized`, among those `where` picks."""
    if not normalized:
        return []
    stmt = select(PhoneNumber).where(*where, PhoneNumber.address_normalized.in_(list(normalized)))
    return list(await session.scalars(stmt))


async def registered_numbers(session: AsyncSession, organization_id: int, config_id: int, normalized: Sequence[str]) -> list[PhoneNumber]:
    """The organization's numbers of the configuration whose normalized address is one of `normalized`."""
    return await _numbers_at(session, normalized, PhoneNumber.organization_id == organization_id, PhoneNumber.telephony_config_id == config_id)


async def record_listing(session: AsyncSession, config_id: int, listed: Sequence[str], *, complete: bool) -> None:
    """Store what a listing of the configuration's account learned: its phone numbers that the
    listing holds are in the account; when the listing is complete, the others are not (an
    incomplete one says nothing of them). Two statements, rows already right left alone."""
    in_config = (PhoneNumber.telephony_config_id == config_id, PhoneNumber.address_type == PSTN)
    listed_ = one_of(PhoneNumber.address_normalized, "listed")
    params = {"listed": list(listed)}
    # A fact learned about the number, not a change made to it: updated_at stays.
    present = update(PhoneNumber).where(*in_config, listed_, PhoneNumber.in_account.is_not(True)).values(in_account=True, updated_at=PhoneNumber.updated_at)
    await session.execute(present.execution_options(**_NO_SYNC), params)
    if complete:
        absent = update(PhoneNumber).where(*in_config, not_(listed_), PhoneNumber.in_account.is_not(False))
        absent = absent.values(in_account=False, updated_at=PhoneNumber.updated_at)
        await session.execute(absent.execution_options(**_NO_SYNC), params)


def _insert_ignoring_conflicts(session: AsyncSession, model: type) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def insert_numbers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert the rows in one statement, skipping each whose routing key is held already (ON
    CONFLICT DO NOTHING: no row fails the others); the ids of those inserted, by normalized address."""
    if not rows:
        return {}
    stmt = (
        _insert_ignoring_conflicts(session, PhoneNumber)
        .values(list(rows))
        .on_conflict_do_nothing()
        .returning(PhoneNumber.id, PhoneNumber.address_normalized)
    )
    return {normalized: number_id for number_id, normalized in await session.execute(stmt)}


async def holders(session: AsyncSession, provider: str, account_id: str, normalized: Sequence[str]) -> list[PhoneNumber]:
    """The numbers, of any organization, that hold these routing keys (for the caller to classify,
    never to show: another organization's row stays out of answers)."""
    return await _numbers_at(session, normalized, PhoneNumber.provider == provider, PhoneNumber.provider_account_id == account_id)


async def add_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Audit events in one statement; their ids by target id."""
    if not rows:
        return {}
    stmt = insert(AuditEvent).values(list(rows)).returning(AuditEvent.id, AuditEvent.target_id)
    return {target_id: event_id for event_id, target_id in await session.execute(stmt)}


async def store_syncs(
    session: AsyncSession,
    outcomes: Sequence[dict[str, Any]],
    replaced: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
) -> None:
    """Many numbers' sync outcomes at once, one executemany each: the numbers' sync columns
    (`outcomes`: number_id and SYNC_COLUMNS), what their attaches replaced (new numbers have no
    earlier record: phone_number_id, routing, replaced_at) and the outcome on their audit events
    (event_id, outcome)."""
    connection = await session.connection()
    if outcomes:
        values = {column: bindparam(f"new_{column}") for column in SYNC_COLUMNS}
        stmt = update(PhoneNumber).where(PhoneNumber.id == bindparam("number_id")).values(values)
        await connection.execute(stmt, [{"number_id": o["number_id"]} | {f"new_{c}": o[c] for c in SYNC_COLUMNS} for o in outcomes])
    if replaced:
        await connection.execute(insert(ReplacedRouting), list(replaced))
    if events:
        stmt = update(AuditEvent).where(AuditEvent.id == bindparam("event_id")).values(provider_sync=bindparam("outcome"))
        await connection.execute(stmt, list(events))
