"""Run the Alembic migrations programmatically against an async engine."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from .engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(database: Database) -> None:
    async with database.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            async with connection.begin():
                await connection.run_sync(_upgrade)
            return
        # SQLite cannot alter a column, so batch migrations copy the table, drop the old one and
        # rename the copy. With foreign keys on, that drop runs the ON DELETE actions of every row
        # that refers to the table (inbound calls lose their number, rejection counts vanish), so
        # the migrations run with them off, as SQLite's table-rebuild procedure says, and the
        # references are checked before the commit. The pragma is a no-op inside a transaction,
        # hence the driver connection, before BEGIN.
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.execute("PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(_upgrade)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"the migrations left rows whose references are broken: {broken[:5]}")
        finally:
            await driver.execute("PRAGMA foreign_keys=ON")
