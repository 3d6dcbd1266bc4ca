"""The migrations build the schema the models describe: columns, types, keys and indexes
(Alembic's autogenerate comparison finds nothing to add, drop or change). Expression indexes
are outside the comparison on SQLite, which cannot reflect them. And they keep the data: a
table that SQLite rebuilds keeps the rows that refer to it."""

import os
import warnings
from collections.abc import AsyncIterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from conftest import _create_postgres_database, _drop_postgres_database
from sqlalchemy import text
from switchboard.db.engine import Database, create_database
from switchboard.db.migrate import MIGRATIONS_DIR, migrate
from switchboard.db.models import Base


async def test_migrated_database_matches_the_models(server):
    def differences(connection):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "skipping expression-based index" on SQLite
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with server.db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


@pytest.fixture
async def fresh_db(tmp_path) -> AsyncIterator[Database]:
    """An empty database of the kind the suite runs on."""
    admin_url = os.environ.get("SWITCHBOARD_TEST_DATABASE_URL")
    if admin_url:
        url, name = await _create_postgres_database(admin_url)
    else:
        url, name = f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}", None
    db = create_database(url)
    try:
        yield db
    finally:
        await db.dispose()
        if name is not None:
            await _drop_postgres_database(admin_url, name)


async def upgrade_to(db: Database, revision: str) -> None:
    def run(connection):
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def test_widening_sync_action_keeps_the_calls_and_counts_that_refer_to_phone_numbers(fresh_db):
    """0005 widens phone_numbers.sync_action. A rebuild of the table on SQLite with foreign keys
    on would null the calls' number and delete the counts; the rows stay, and MANUAL_STEP fits."""
    await upgrade_to(fresh_db, "0004")
    rows = [
        "INSERT INTO organizations (id, name, created_at) VALUES (1, 'Acme', CURRENT_TIMESTAMP)",
        "INSERT INTO telephony_configs (id, organization_id, name, provider, account_id, credentials, masked_credentials,"
        " is_default_outbound, created_at, updated_at)"
        " VALUES (1, 1, 'Main', 'twilio', 'AC1', '{}', '{}', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO phone_numbers (id, organization_id, telephony_config_id, provider, provider_account_id, address,"
        " address_normalized, address_type, is_active, is_default_caller_id, extra_metadata, sync_ok, sync_action,"
        " created_at, updated_at) VALUES (1, 1, 1, 'twilio', 'AC1', '+14155550100', '+14155550100', 'PSTN', true,"
        " true, '{}', true, 'ATTACH', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO inbound_calls (organization_id, telephony_config_id, phone_number_id, provider, provider_call_id,"
        " from_address, to_address, status, started_at)"
        " VALUES (1, 1, 1, 'twilio', 'CA1', '+14155559876', '+14155550100', 'CONNECTED', CURRENT_TIMESTAMP)",
        "INSERT INTO inbound_rejection_counts (organization_id, phone_number_id, hour, reason, count)"
        " VALUES (1, 1, CURRENT_TIMESTAMP, 'SIGNATURE_INVALID', 3)",
    ]
    async with fresh_db.engine.begin() as connection:
        for row in rows:
            await connection.execute(text(row))

    await migrate(fresh_db)

    async with fresh_db.engine.begin() as connection:
        assert (await connection.execute(text("SELECT phone_number_id FROM inbound_calls"))).scalars().all() == [1]
        assert (await connection.execute(text("SELECT count FROM inbound_rejection_counts"))).scalars().all() == [3]
        await connection.execute(text("UPDATE phone_numbers SET sync_action = 'MANUAL_STEP'"))
        if fresh_db.engine.dialect.name == "sqlite":
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1, "foreign keys are back on"


def _sqlite_schema(connection) -> list[tuple[str, str, str]]:
    """sqlite_master in its own order, which is the order SQLite's planner breaks ties in."""
    return connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).all()


async def test_ids_of_deleted_rows_are_not_reused_after_the_upgrade(fresh_db):
    """0010 makes SQLite keep the largest ID each table ever had, in place: the rows stay, the
    indexes keep their order, and a deleted row's ID is not given to the next row."""
    await upgrade_to(fresh_db, "0009")
    async with fresh_db.engine.begin() as connection:
        for name in ("Acme", "Globex"):
            await connection.execute(
                text("INSERT INTO organizations (name, created_at) VALUES (:name, CURRENT_TIMESTAMP)"), {"name": name}
            )
        before = await connection.run_sync(_sqlite_schema) if fresh_db.engine.dialect.name == "sqlite" else None

    await migrate(fresh_db)

    async with fresh_db.engine.begin() as connection:
        await connection.execute(text("DELETE FROM organizations WHERE name = 'Globex'"))
        await connection.execute(text("INSERT INTO organizations (name, created_at) VALUES ('Initech', CURRENT_TIMESTAMP)"))
        ids = (await connection.execute(text("SELECT name, id FROM organizations ORDER BY id"))).all()
        assert [tuple(row) for row in ids] == [("Acme", 1), ("Initech", 3)]
        if before is not None:
            after = await connection.run_sync(_sqlite_schema)
            assert [row[:2] for row in after] == [row[:2] for row in before], "same tables and indexes, same order"
            assert "AUTOINCREMENT" in dict((row[1], row[2]) for row in after)["phone_numbers"]
            assert (await connection.exec_driver_sql("PRAGMA integrity_check")).scalar() == "ok"


async def test_downgrading_0010_restores_the_earlier_declarations(fresh_db):
    if fresh_db.engine.dialect.name != "sqlite":
        pytest.skip("0010 changes nothing on PostgreSQL, whose sequences never reuse an ID")
    await upgrade_to(fresh_db, "0009")
    async with fresh_db.engine.connect() as connection:
        before = await connection.run_sync(_sqlite_schema)
    await migrate(fresh_db)

    def downgrade(connection):
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")

    async with fresh_db.engine.begin() as connection:
        await connection.run_sync(downgrade)
        assert await connection.run_sync(_sqlite_schema) == before
