"""replaced_routings: what an attach replaced at the provider, put back on detach (SPEC §4).

A table of its own rather than a column of phone_numbers: the dashboards read numbers in bulk
and never this.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replaced_routings",
        sa.Column(
            "phone_number_id",
            sa.Integer,
            sa.ForeignKey("phone_numbers.id", ondelete="CASCADE", name="fk_replaced_routings_phone_number_id_phone_numbers"),
            primary_key=True,
        ),
        sa.Column("routing", sa.JSON, nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replaced_routings")
