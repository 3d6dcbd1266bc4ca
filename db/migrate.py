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
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade)
