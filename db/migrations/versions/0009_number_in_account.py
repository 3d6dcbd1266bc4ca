"""phone_numbers.in_account: whether the provider account held the number at the last check
(SPEC §6 NUMBER_NOT_IN_ACCOUNT); the partial index of the numbers dashboards name in warnings
covers those it lacks beside those whose sync failed.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("phone_numbers", sa.Column("in_account", sa.Boolean, nullable=True))
    op.drop_index("ix_phone_numbers_failed_sync", table_name="phone_numbers")
    op.create_index(
        "ix_phone_numbers_flagged",
        "phone_numbers",
        ["organization_id", "id"],
        sqlite_where=sa.text("sync_ok = 0 OR in_account = 0"),
        postgresql_where=sa.text("sync_ok = false OR in_account = false"),
    )


def downgrade() -> None:
    op.drop_index("ix_phone_numbers_flagged", table_name="phone_numbers")
    op.create_index(
        "ix_phone_numbers_failed_sync",
        "phone_numbers",
        ["organization_id", "id"],
        sqlite_where=sa.text("sync_ok = 0"),
        postgresql_where=sa.text("sync_ok = false"),
    )
    with op.batch_alter_table("phone_numbers") as batch:
        batch.drop_column("in_account")
