"""SQLAlchemy models. Every invariant that must hold under concurrency is an index here.

Relationships are deliberately absent: data is read through explicit queries and DataLoaders,
so a forgotten loader cannot turn into hidden per-row queries.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    false,
    func,
    or_,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The tables whose rows have global IDs: SQLite, like PostgreSQL's sequences, never hands out the
# ID of a deleted row again (migration 0010), since clients cache objects by `__typename:id`.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False, server_default="API key")
    role: Mapped[str] = mapped_column(String(8), nullable=False, server_default="ADMIN")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Workflow(Timestamps, Base):
    __tablename__ = "workflows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    # Where the agent accepts a call's bidirectional media stream (wss://); calls to numbers
    # bound to a workflow without one are rejected.
    agent_stream_url: Mapped[str | None] = mapped_column(String(2048))

    __table_args__ = (
        Index("uq_workflows_org_lower_name", "organization_id", func.lower(text("name")), unique=True),
        IDS_NEVER_REUSED,
    )


class TelephonyConfig(Timestamps, Base):
    __tablename__ = "telephony_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    # What the provider's webhooks carry to identify the account; part of every number's routing key.
    account_id: Mapped[str] = mapped_column(String(255), nullable=False)
    # Field name -> value; secret fields hold ciphertext (see db.secrets).
    credentials: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # What the API shows: secrets already masked at write time, so reads never decrypt.
    masked_credentials: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    max_concurrent_calls: Mapped[int | None] = mapped_column(Integer)
    is_default_outbound: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verification_status: Mapped[str | None] = mapped_column(String(16))
    verification_message: Mapped[str | None] = mapped_column(String(1024))
    verification_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The credentials verified for this account at least once (SPEC §14): its numbers then hold
    # their routing keys against configurations whose credentials never did. Reset when the
    # account changes.
    account_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    __table_args__ = (
        Index(
            "uq_telephony_configs_org_lower_name",
            "organization_id",
            func.lower(text("name")),
            unique=True,
        ),
        Index(
            "uq_telephony_configs_one_default_outbound",
            "organization_id",
            unique=True,
            sqlite_where=text("is_default_outbound"),
            postgresql_where=text("is_default_outbound"),
        ),
        IDS_NEVER_REUSED,
    )


class PhoneNumber(Timestamps, Base):
    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    telephony_config_id: Mapped[int] = mapped_column(ForeignKey("telephony_configs.id", ondelete="CASCADE"), nullable=False)
    # Copies of the configuration's provider and account id: the routing key must be one index.
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_account_id: Mapped[str] = mapped_column(String(255), nullable=False)
    address: Mapped[str] = mapped_column(String(255), nullable=False)
    address_normalized: Mapped[str] = mapped_column(String(255), nullable=False)
    address_type: Mapped[str] = mapped_column(String(16), nullable=False)
    country_code: Mapped[str | None] = mapped_column(String(2))
    label: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_default_caller_id: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    extra_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    inbound_workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="RESTRICT"))
    sync_ok: Mapped[bool | None] = mapped_column(Boolean)
    sync_action: Mapped[str | None] = mapped_column(String(16))
    sync_message: Mapped[str | None] = mapped_column(String(1024))
    sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A copy of the configuration's account_verified, part of the routing key's index.
    account_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Whether the provider account held the number at the last check (a listing of the account,
    # or an attach that found it); None when never checked (SPEC §6 NUMBER_NOT_IN_ACCOUNT).
    in_account: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        # The routing key is held at most once by a configuration whose credentials verified for
        # the account, and at most once by one whose credentials did not: made-up credentials
        # block nobody who can prove the account is theirs (SPEC §14). The front door routes to
        # the verified holder when there are two.
        Index(
            "uq_phone_numbers_routing_key_verified",
            "provider",
            "provider_account_id",
            "address_normalized",
            "account_verified",
            unique=True,
        ),
        Index(
            "uq_phone_numbers_one_default_caller_id",
            "telephony_config_id",
            unique=True,
            sqlite_where=text("is_default_caller_id"),
            postgresql_where=text("is_default_caller_id"),
        ),
        Index("ix_phone_numbers_org_id", "organization_id", "id"),
        Index("ix_phone_numbers_config_id", "telephony_config_id", "id"),
        Index("ix_phone_numbers_workflow_id", "inbound_workflow_id", "id"),
        # Covers the per-configuration aggregates every dashboard reads (counts, capacity,
        # warnings), so they come from the index alone.
        Index(
            "ix_phone_numbers_config_facts",
            "organization_id",
            "telephony_config_id",
            "is_active",
            "is_default_caller_id",
            "inbound_workflow_id",
        ),
        # The few numbers that every dashboard names in a warning: their last provider sync
        # failed, or the provider account lacks them. On SQLite the query must repeat this WHERE
        # exactly: use FLAGGED.
        Index(
            "ix_phone_numbers_flagged",
            "organization_id",
            "id",
            sqlite_where=text("sync_ok = 0 OR in_account = 0"),
            postgresql_where=text("sync_ok = false OR in_account = false"),
        ),
        IDS_NEVER_REUSED,
    )


FLAGGED = or_(PhoneNumber.sync_ok == false(), PhoneNumber.in_account == false())


class InboundCall(Base):
    """One call the front door answered for a matched, correctly signed number (SPEC §12).

    Unauthenticated traffic never adds a row: a request is only recorded once its signature
    verified with the matched configuration's secret. The number, configuration and workflow
    may be deleted later; the call stays in the log without them.
    """

    __tablename__ = "inbound_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    telephony_config_id: Mapped[int | None] = mapped_column(ForeignKey("telephony_configs.id", ondelete="SET NULL"))
    phone_number_id: Mapped[int | None] = mapped_column(ForeignKey("phone_numbers.id", ondelete="SET NULL"))
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_call_id: Mapped[str] = mapped_column(String(255), nullable=False)
    from_address: Mapped[str] = mapped_column(String(255), nullable=False)
    to_address: Mapped[str] = mapped_column(String(255), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Providers retry a webhook: the same call of the same number is one row.
        Index("uq_inbound_calls_number_call", "phone_number_id", "provider_call_id", unique=True),
        # Status callbacks find their call by the provider's id.
        Index("ix_inbound_calls_provider_call", "provider", "provider_call_id"),
        Index("ix_inbound_calls_org_id", "organization_id", "id"),
        Index("ix_inbound_calls_number_id", "phone_number_id", "id"),
        # The calls in progress of a configuration, counted on every call against its limit.
        Index(
            "ix_inbound_calls_connected",
            "telephony_config_id",
            "started_at",
            sqlite_where=text("status = 'CONNECTED'"),
            postgresql_where=text("status = 'CONNECTED'"),
        ),
        # The rejections of the last day, which the warnings read.
        Index(
            "ix_inbound_calls_rejected",
            "organization_id",
            "started_at",
            sqlite_where=text("status = 'REJECTED'"),
            postgresql_where=text("status = 'REJECTED'"),
        ),
        IDS_NEVER_REUSED,
    )


class InboundRejectionCount(Base):
    """Webhooks for a matched number that failed their signature check, counted per number, hour
    and reason instead of stored one by one: a flood of forged requests changes a counter, it
    cannot grow the tenant's storage."""

    __tablename__ = "inbound_rejection_counts"

    phone_number_id: Mapped[int] = mapped_column(ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The number's organization, so that the warnings find an organization's recent counters
    # through an index instead of probing the counters of each of its numbers.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_inbound_rejection_counts_org_hour", "organization_id", "hour"),)


class AuditEvent(Base):
    """One change made through the API (SPEC §13), written in the change's own transaction."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_org_id", "organization_id", "id"),
        Index("ix_audit_events_org_target", "organization_id", "target_id", "id"),
        Index("ix_audit_events_at", "at"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(255), nullable=False)
    actor_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True)
    role: Mapped[str] = mapped_column(String(8), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target_type: Mapped[str] = mapped_column(String(32), nullable=False)
    target_id: Mapped[str] = mapped_column(String(64), nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    provider_sync: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    request_id: Mapped[str] = mapped_column(String(32), nullable=False, default="")


class ReplacedRouting(Base):
    """What an attach replaced at the provider (another voice URL, application, trunk or
    forwarding), kept so that the detach puts it back (SPEC §4)."""

    __tablename__ = "replaced_routings"

    phone_number_id: Mapped[int] = mapped_column(ForeignKey("phone_numbers.id", ondelete="CASCADE"), primary_key=True)
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
