"""API keys get a name, a role, an expiry, a last use and a revocation; the audit log.

Keys made before roles could do everything, so they become ADMIN keys.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
KEY_COLUMNS = ("name", "role", "expires_at", "last_used_at", "revoked_at")


def upgrade() -> None:
    # ADD COLUMN on both databases (no table rebuild on SQLite): a default fills existing rows.
    op.add_column("api_keys", sa.Column("name", sa.String(128), nullable=False, server_default="API key"))
    op.add_column("api_keys", sa.Column("role", sa.String(8), nullable=False, server_default="ADMIN"))
    op.add_column("api_keys", sa.Column("expires_at", TS, nullable=True))
    op.add_column("api_keys", sa.Column("last_used_at", TS, nullable=True))
    op.add_column("api_keys", sa.Column("revoked_at", TS, nullable=True))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "organization_id",
            sa.Integer,
            sa.ForeignKey("organizations.id", ondelete="CASCADE", name="fk_audit_events_organization_id_organizations"),
            nullable=False,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("actor_name", sa.String(128), nullable=True),
        sa.Column(
            "api_key_id",
            sa.Integer,
            sa.ForeignKey("api_keys.id", ondelete="SET NULL", name="fk_audit_events_api_key_id_api_keys"),
            nullable=True,
        ),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("provider_sync", sa.JSON, nullable=True),
        sa.Column("request_id", sa.String(32), nullable=False),
    )
    op.create_index("ix_audit_events_org_id", "audit_events", ["organization_id", "id"])
    op.create_index("ix_audit_events_org_target", "audit_events", ["organization_id", "target_id", "id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])


def downgrade() -> None:
    op.drop_table("audit_events")
    with op.batch_alter_table("api_keys") as batch:
        for column in KEY_COLUMNS:
            batch.drop_column(column)
