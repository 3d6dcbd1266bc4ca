"""phone_numbers.sync_action holds MANUAL_STEP (11 characters): widen it from 8 to 16.

Revision ID: 0005
Revises: 0004
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _resize(old: int, new: int) -> None:
    # On SQLite the batch rebuilds phone_numbers (db/migrate.py says why it runs with foreign keys
    # off); reflecting the tables it refers to skips their expression indexes, which it leaves alone.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("phone_numbers") as batch:
            batch.alter_column("sync_action", existing_type=sa.String(old), type_=sa.String(new), existing_nullable=True)


def upgrade() -> None:
    _resize(8, 16)


def downgrade() -> None:
    _resize(16, 8)
