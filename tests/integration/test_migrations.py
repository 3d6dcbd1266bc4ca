"""The migrations build the schema the models describe: columns, types, keys and indexes
(Alembic's autogenerate comparison finds nothing to add, drop or change). Expression indexes
are outside the comparison on SQLite, which cannot reflect them."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from switchboard.db.models import Base


async def test_migrated_database_matches_the_models(server):
    def differences(connection):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "skipping expression-based index" on SQLite
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with server.db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
