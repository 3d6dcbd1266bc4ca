"""phone_numbers.sync_action holds MANUAL_STEP (11 characters): widen it from 8 to 16.

On SQLite the declared length changes in place, by SQLite's documented procedure for schema
changes that leave the stored data as it is (https://www.sqlite.org/lang_altertable.html,
"writable_schema"): SQLite does not enforce VARCHAR lengths, so only the table's declaration
changes. A batch rebuild would copy the table and recreate its indexes in an arbitrary order,
and SQLite's planner, which has no statistics here, breaks ties between equally good indexes by
that order: the dashboard's failed-sync lookup left its partial index in some rebuilt databases.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _resize(old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("phone_numbers", "sync_action", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, 'sync_action VARCHAR({}),', 'sync_action VARCHAR({}),') "
        "WHERE type = 'table' AND name = 'phone_numbers'".format(old, new)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _resize(8, 16)


def downgrade() -> None:
    _resize(16, 8)
