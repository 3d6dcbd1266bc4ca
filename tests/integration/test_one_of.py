"""`one_of` (db/sql.py): the rows whose column is in a list parameter, for lists of any length,
empty included; every length sends the same statement text, so asyncpg prepares it once per
connection and SQLite's is compiled once, instead of once per length."""

import pytest
from helpers import seed_numbers
from sqlalchemy import bindparam, select, text
from switchboard.db.models import PhoneNumber
from switchboard.db.sql import one_of

STATEMENT = (
    select(PhoneNumber.id)
    .where(PhoneNumber.organization_id == bindparam("organization_id"), one_of(PhoneNumber.id, "ids"))
    .order_by(PhoneNumber.id)
)


async def test_one_of_matches_lists_of_any_length(api, server, sql, is_postgres):
    await seed_numbers(server, api.organization_id, configs=1, numbers_per_config=6)
    mine = select(PhoneNumber.id).where(PhoneNumber.organization_id == api.organization_id).order_by(PhoneNumber.id)
    all_ids = [row[0] for row in await server.db.rows(mine)]
    sent = len(sql.statements)
    for ids in ([all_ids[0]], all_ids[1:4], [*all_ids[2:], 10**9], []):
        found = await server.db.rows(STATEMENT, {"organization_id": api.organization_id, "ids": ids})
        assert [row[0] for row in found] == [i for i in all_ids if i in ids]
    texts = sql.statements[sent:]
    assert len(texts) == 4
    assert len(set(texts)) == 1, texts
    if is_postgres:
        assert "= ANY (" in texts[0].upper().replace("ANY(", "ANY (")
    else:
        assert "json_each(" in texts[0]


async def test_postgres_sessions_plan_every_run_with_its_values(server, is_postgres):
    """Prepared statements over id lists get plans for their actual values (see
    POSTGRES_SESSION_SETTINGS), on the read connections and the write sessions alike."""
    if not is_postgres:
        pytest.skip("a PostgreSQL setting")
    read = await server.db.scalar(text("SHOW plan_cache_mode"))
    async with server.db.write() as session:
        written = (await session.execute(text("SHOW plan_cache_mode"))).scalar()
    assert read == written == "force_custom_plan"
