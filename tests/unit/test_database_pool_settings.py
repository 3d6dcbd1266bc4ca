"""SWITCHBOARD_DATABASE_POOL_SIZE and _MAX_OVERFLOW size each worker's PostgreSQL pool, so that
workers x (size + overflow) can be kept under the server's max_connections."""

import pytest
from pydantic import ValidationError
from switchboard.db.engine import POSTGRES_POOL_OVERFLOW, POSTGRES_POOL_SIZE
from switchboard.server.settings import Settings, create_database_for

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/none"


async def test_the_environment_sizes_the_pool(monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_MAX_OVERFLOW", "0")
    db = create_database_for(Settings(database_url=POSTGRES))
    try:
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (3, 0)
    finally:
        await db.dispose()


async def test_the_defaults():
    db = create_database_for(Settings(database_url=POSTGRES))
    try:
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == (POSTGRES_POOL_SIZE, POSTGRES_POOL_OVERFLOW)
    finally:
        await db.dispose()


@pytest.mark.parametrize(("name", "value"), [("SWITCHBOARD_DATABASE_POOL_SIZE", "0"), ("SWITCHBOARD_DATABASE_MAX_OVERFLOW", "-1")])
def test_a_pool_that_cannot_work_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(database_url=POSTGRES)
