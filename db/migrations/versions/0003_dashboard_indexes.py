"""Indexes for the dashboard: a covering index for the per-configuration aggregates, and a
partial index on the numbers whose last provider sync failed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_phone_numbers_config_facts",
        "phone_numbers",
        ["organization_id", "telephony_config_id", "is_active", "is_default_caller_id", "inbound_workflow_id"],
    )
    op.create_index(
        "ix_phone_numbers_failed_sync",
        "phone_numbers",
        ["organization_id", "id"],
        sqlite_where=sa.text("sync_ok = 0"),
        postgresql_where=sa.text("sync_ok = false"),
    )


def downgrade() -> None:
    op.drop_index("ix_phone_numbers_failed_sync", table_name="phone_numbers")
    op.drop_index("ix_phone_numbers_config_facts", table_name="phone_numbers")
