"""The front door: workflows get an agent URL; the call log and the per-hour rejection counters.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _foreign_key(table: str, column: str, target: str, ondelete: str) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer,
        sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}"),
        nullable=ondelete == "SET NULL",
    )


def upgrade() -> None:
    with op.batch_alter_table("workflows") as batch:
        batch.add_column(sa.Column("agent_stream_url", sa.String(2048), nullable=True))
    op.create_table(
        "inbound_calls",
        sa.Column("id", sa.Integer, primary_key=True),
        _foreign_key("inbound_calls", "organization_id", "organizations", "CASCADE"),
        _foreign_key("inbound_calls", "telephony_config_id", "telephony_configs", "SET NULL"),
        _foreign_key("inbound_calls", "phone_number_id", "phone_numbers", "SET NULL"),
        _foreign_key("inbound_calls", "workflow_id", "workflows", "SET NULL"),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("provider_call_id", sa.String(255), nullable=False),
        sa.Column("from_address", sa.String(255), nullable=False),
        sa.Column("to_address", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reject_reason", sa.String(32), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
    )
    op.create_index("uq_inbound_calls_number_call", "inbound_calls", ["phone_number_id", "provider_call_id"], unique=True)
    op.create_index("ix_inbound_calls_provider_call", "inbound_calls", ["provider", "provider_call_id"])
    op.create_index("ix_inbound_calls_org_id", "inbound_calls", ["organization_id", "id"])
    op.create_index("ix_inbound_calls_number_id", "inbound_calls", ["phone_number_id", "id"])
    op.create_index(
        "ix_inbound_calls_connected",
        "inbound_calls",
        ["telephony_config_id", "started_at"],
        sqlite_where=sa.text("status = 'CONNECTED'"),
        postgresql_where=sa.text("status = 'CONNECTED'"),
    )
    op.create_index(
        "ix_inbound_calls_rejected",
        "inbound_calls",
        ["organization_id", "started_at"],
        sqlite_where=sa.text("status = 'REJECTED'"),
        postgresql_where=sa.text("status = 'REJECTED'"),
    )
    op.create_table(
        "inbound_rejection_counts",
        sa.Column(
            "phone_number_id",
            sa.Integer,
            sa.ForeignKey("phone_numbers.id", ondelete="CASCADE", name="fk_inbound_rejection_counts_phone_number_id_phone_numbers"),
            nullable=False,
        ),
        sa.Column("hour", TS, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        _foreign_key("inbound_rejection_counts", "organization_id", "organizations", "CASCADE"),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("phone_number_id", "hour", "reason", name="pk_inbound_rejection_counts"),
    )
    op.create_index("ix_inbound_rejection_counts_org_hour", "inbound_rejection_counts", ["organization_id", "hour"])


def downgrade() -> None:
    op.drop_table("inbound_rejection_counts")
    op.drop_table("inbound_calls")
    with op.batch_alter_table("workflows") as batch:
        batch.drop_column("agent_stream_url")
