"""Routing keys held by verified credentials are never blocked by unverified ones (SPEC §14).

Configurations and their numbers get `account_verified` (true where the credentials last
verified); the routing key's unique index takes it as a fourth column, so one verified and one
unverified holder may coexist. The old index guaranteed one holder per key, so no existing row
conflicts.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY = ["provider", "provider_account_id", "address_normalized"]


def upgrade() -> None:
    op.add_column("telephony_configs", sa.Column("account_verified", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("phone_numbers", sa.Column("account_verified", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("UPDATE telephony_configs SET account_verified = (verification_status = 'VERIFIED') WHERE verification_status IS NOT NULL")
    op.execute(
        "UPDATE phone_numbers SET account_verified = true WHERE telephony_config_id IN "
        "(SELECT id FROM telephony_configs WHERE account_verified)"
    )
    op.drop_index("uq_phone_numbers_routing_key", table_name="phone_numbers")
    op.create_index("uq_phone_numbers_routing_key_verified", "phone_numbers", [*KEY, "account_verified"], unique=True)


def downgrade() -> None:
    # Fails if a key has both a verified and an unverified holder: drop one of them first.
    op.drop_index("uq_phone_numbers_routing_key_verified", table_name="phone_numbers")
    op.create_index("uq_phone_numbers_routing_key", "phone_numbers", KEY, unique=True)
    with op.batch_alter_table("phone_numbers") as batch:
        batch.drop_column("account_verified")
    with op.batch_alter_table("telephony_configs") as batch:
        batch.drop_column("account_verified")
