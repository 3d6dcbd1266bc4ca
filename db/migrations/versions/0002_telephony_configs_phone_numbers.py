"""Telephony configurations and phone numbers, with the invariants as indexes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _organization_fk(table: str) -> sa.Column:
    return sa.Column(
        "organization_id",
        sa.Integer,
        sa.ForeignKey("organizations.id", ondelete="CASCADE", name=f"fk_{table}_organization_id_organizations"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "telephony_configs",
        sa.Column("id", sa.Integer, primary_key=True),
        _organization_fk("telephony_configs"),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("credentials", sa.JSON, nullable=False),
        sa.Column("masked_credentials", sa.JSON, nullable=False),
        sa.Column("max_concurrent_calls", sa.Integer),
        sa.Column("is_default_outbound", sa.Boolean, nullable=False),
        sa.Column("verification_status", sa.String(16)),
        sa.Column("verification_message", sa.String(1024)),
        sa.Column("verification_checked_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "uq_telephony_configs_org_lower_name",
        "telephony_configs",
        ["organization_id", sa.text("lower(name)")],
        unique=True,
    )
    op.create_index(
        "uq_telephony_configs_one_default_outbound",
        "telephony_configs",
        ["organization_id"],
        unique=True,
        sqlite_where=sa.text("is_default_outbound"),
        postgresql_where=sa.text("is_default_outbound"),
    )
    op.create_table(
        "phone_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        _organization_fk("phone_numbers"),
        sa.Column(
            "telephony_config_id",
            sa.Integer,
            sa.ForeignKey(
                "telephony_configs.id", ondelete="CASCADE", name="fk_phone_numbers_telephony_config_id_telephony_configs"
            ),
            nullable=False,
        ),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("provider_account_id", sa.String(255), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("address_normalized", sa.String(255), nullable=False),
        sa.Column("address_type", sa.String(16), nullable=False),
        sa.Column("country_code", sa.String(2)),
        sa.Column("label", sa.String(64)),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("is_default_caller_id", sa.Boolean, nullable=False),
        sa.Column("extra_metadata", sa.JSON, nullable=False),
        sa.Column(
            "inbound_workflow_id",
            sa.Integer,
            sa.ForeignKey("workflows.id", ondelete="RESTRICT", name="fk_phone_numbers_inbound_workflow_id_workflows"),
        ),
        sa.Column("sync_ok", sa.Boolean),
        sa.Column("sync_action", sa.String(8)),
        sa.Column("sync_message", sa.String(1024)),
        sa.Column("sync_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "uq_phone_numbers_routing_key",
        "phone_numbers",
        ["provider", "provider_account_id", "address_normalized"],
        unique=True,
    )
    op.create_index(
        "uq_phone_numbers_one_default_caller_id",
        "phone_numbers",
        ["telephony_config_id"],
        unique=True,
        sqlite_where=sa.text("is_default_caller_id"),
        postgresql_where=sa.text("is_default_caller_id"),
    )
    op.create_index("ix_phone_numbers_org_id", "phone_numbers", ["organization_id", "id"])
    op.create_index("ix_phone_numbers_config_id", "phone_numbers", ["telephony_config_id", "id"])
    op.create_index("ix_phone_numbers_workflow_id", "phone_numbers", ["inbound_workflow_id", "id"])


def downgrade() -> None:
    op.drop_table("phone_numbers")
    op.drop_table("telephony_configs")
