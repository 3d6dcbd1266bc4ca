"""The bulk reads (`Database.rows`, `records`, `scalar`): every statement shape reads the same
rows whichever way it reaches the driver, is seen by statement listeners, and a read
connection the server dropped costs one failed read, not a broken pool."""

import asyncio

import pytest
from helpers import seed_numbers
from sqlalchemy import bindparam, select, text
from switchboard.db.engine import create_database
from switchboard.db.models import PhoneNumber
from switchboard.db.sql import one_of


async def test_statements_sqlalchemy_must_finish_read_the_same_rows(api, server, sql):
    """An expanding IN is rendered at execution time, so it runs through SQLAlchemy instead of
    straight through the driver; the answers agree, converted columns included."""
    await seed_numbers(server, api.organization_id, configs=1, numbers_per_config=5)
    mine = PhoneNumber.organization_id == bindparam("organization_id")
    all_ids = select(PhoneNumber.id).where(mine).order_by(PhoneNumber.id)
    ids = [row[0] for row in await server.db.rows(all_ids, {"organization_id": api.organization_id})][1:4]
    params = {"organization_id": api.organization_id, "ids": ids}
    expanding = select(PhoneNumber.id).where(mine, PhoneNumber.id.in_(bindparam("ids", expanding=True))).order_by(PhoneNumber.id)
    direct = select(PhoneNumber.id).where(mine, one_of(PhoneNumber.id, "ids")).order_by(PhoneNumber.id)
    before = sql.count
    assert [tuple(r) for r in await server.db.rows(expanding, params)] == [tuple(r) for r in await server.db.rows(direct, params)]
    assert [tuple(r) for r in await server.db.rows(direct, params)] == [(i,) for i in ids]
    assert sql.count - before == 3
    records = await server.db.records(PhoneNumber, select(PhoneNumber).where(mine, one_of(PhoneNumber.id, "ids")), params)
    assert sorted(r.id for r in records) == ids
    through_sqlalchemy = select(PhoneNumber).where(mine, PhoneNumber.id.in_(bindparam("ids", expanding=True)))
    expected = await server.db.records(PhoneNumber, through_sqlalchemy, params)
    fields = lambda r: (r.id, r.is_active, r.is_default_caller_id, r.extra_metadata, r.created_at, r.sync_ok)  # noqa: E731
    assert sorted(map(fields, records)) == sorted(map(fields, expected))
    assert {type(r.is_active) for r in records} == {bool} and all(r.created_at.utcoffset() is not None for r in records)
    assert await server.db.scalar(select(PhoneNumber.id).where(PhoneNumber.id == -1)) is None


async def test_a_dropped_read_connection_fails_one_read_and_the_next_reconnect(database_url, is_postgres):
    """SQLAlchemy drops the whole pool on a disconnect; the reads that bypass its execution
    must too, or each dead connection fails a request in turn."""
    if not is_postgres:
        pytest.skip("a PostgreSQL server closing connections")
    db = create_database(database_url, pool_size=2, max_overflow=0)
    try:
        both = [db.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.1)")) for _ in range(2)]
        pids = set(await asyncio.gather(*both))  # the pool's two connections, both open
        assert len(pids) == 2
        killer = create_database(database_url, pool_size=1, max_overflow=0)
        try:
            for pid in pids:
                assert await killer.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
        finally:
            await killer.dispose()
        failures = 0
        for _ in range(4):
            try:
                assert await db.scalar(text("SELECT 1")) == 1
            except Exception:
                failures += 1
        assert failures <= 1
        assert await db.scalar(text("SELECT pg_backend_pid()")) not in pids
    finally:
        await db.dispose()


async def test_a_read_cancelled_mid_statement_leaves_the_pool_usable(database_url, is_postgres):
    """A client that goes away cancels its reads; the connection they ran on is not handed to
    the next read half-way through a statement."""
    if not is_postgres:
        pytest.skip("SQLite reads run to completion on the event loop")
    db = create_database(database_url, pool_size=1, max_overflow=0)
    try:
        slow = asyncio.create_task(db.scalar(text("SELECT 1 FROM pg_sleep(5)")))
        await asyncio.sleep(0.3)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        started = asyncio.get_running_loop().time()
        assert await asyncio.wait_for(db.scalar(text("SELECT 2")), timeout=3) == 2
        assert asyncio.get_running_loop().time() - started < 3
    finally:
        await db.dispose()
