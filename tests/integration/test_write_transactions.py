"""Write transactions of one process on SQLite take turns before they touch the database."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from switchboard.db.engine import Database, create_database


@pytest.fixture
async def sqlite_db(database_url: str, is_postgres: bool, server) -> AsyncIterator[Database]:
    if is_postgres:
        pytest.skip("SQLite has one writer at a time; PostgreSQL's writers run side by side")
    db = create_database(database_url)
    yield db
    await db.dispose()


async def test_a_waiting_writer_holds_no_connection_and_goes_once_the_first_commits(sqlite_db: Database):
    first_holds, first_may_end, second_wrote = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with sqlite_db.write() as session:
            await session.execute(text("SELECT 1"))
            first_holds.set()
            await first_may_end.wait()

    async def second() -> None:
        async with sqlite_db.write() as session:
            await session.execute(text("SELECT 1"))
            second_wrote.set()

    first_task = asyncio.create_task(first())
    await first_holds.wait()
    second_task = asyncio.create_task(second())
    try:
        await asyncio.sleep(0.2)
        # Waiting in SQLite's busy handler instead would hold a second pooled connection.
        assert not second_wrote.is_set()
        assert sqlite_db.engine.pool.checkedout() == 1
    finally:
        first_may_end.set()
        await asyncio.wait_for(asyncio.gather(first_task, second_task), timeout=10)
    assert second_wrote.is_set()


async def test_a_failed_write_lets_the_next_writer_go(sqlite_db: Database):
    with pytest.raises(RuntimeError):
        async with sqlite_db.write() as session:
            await session.execute(text("SELECT 1"))
            raise RuntimeError("the transaction fails")

    async with asyncio.timeout(10), sqlite_db.write() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
