"""Data access for the front door and the call log (SPEC §11, §12)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, func, literal, select, text, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from .changes import Change, ChangeKind, collect, notice_of_row
from .engine import Database
from .models import InboundCall, InboundRejectionCount, PhoneNumber, TelephonyConfig, Workflow
from .pagination import Listing
from .sql import one_of

# Repeated verbatim from the partial indexes' WHERE, so that SQLite uses them.
CONNECTED = text("inbound_calls.status = 'CONNECTED'")
REJECTED = text("inbound_calls.status = 'REJECTED'")


def calls_in_progress(config_id: Any, since: Any) -> Any:
    """How many calls of a configuration are connected and started after `since`."""
    return (
        select(func.count())
        .select_from(InboundCall)
        .where(InboundCall.telephony_config_id == config_id, CONNECTED, InboundCall.started_at > since)
        .scalar_subquery()
    )


@functools.cache
def route_statement() -> Select:
    """The number a call is for, by its routing key, with everything the decision needs: one
    indexed lookup (the routing key's unique index), whatever the outcome. A key may have a
    verified and an unverified holder (SPEC §14): the verified one gets the call. The calls in
    progress are only counted when the configuration has a limit."""
    in_progress = calls_in_progress(PhoneNumber.telephony_config_id, bindparam("since", type_=InboundCall.started_at.type))
    return (
        select(
            PhoneNumber.id,
            PhoneNumber.organization_id,
            PhoneNumber.telephony_config_id,
            PhoneNumber.is_active,
            PhoneNumber.inbound_workflow_id,
            TelephonyConfig.credentials,
            TelephonyConfig.max_concurrent_calls,
            Workflow.agent_stream_url,
            case((TelephonyConfig.max_concurrent_calls.is_(None), 0), else_=in_progress),
        )
        .join(TelephonyConfig, TelephonyConfig.id == PhoneNumber.telephony_config_id)
        .outerjoin(Workflow, Workflow.id == PhoneNumber.inbound_workflow_id)
        .where(
            PhoneNumber.provider == bindparam("provider"),
            PhoneNumber.provider_account_id == bindparam("account_id"),
            PhoneNumber.address_normalized == bindparam("address"),
        )
        .order_by(PhoneNumber.account_verified.desc())
        .limit(1)
    )


async def route(db: Database, provider: str, account_id: str, address: str, since: datetime) -> Any | None:
    rows = await db.lookup(route_statement(), {"provider": provider, "account_id": account_id, "address": address, "since": since})
    return rows[0] if rows else None


def _insert(dialect_name: str) -> Any:
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


# Every column a new call is recorded with (the others: its id, and ended_at once it ends).
RECORDED_COLUMNS = tuple(column.key for column in InboundCall.__table__.columns if column.key not in ("id", "ended_at"))


@functools.cache
def _record_statement(dialect_name: str) -> Any:
    """The insert; on PostgreSQL with its change notice in the same statement (and transaction)."""
    insert = (
        _insert(dialect_name)(InboundCall)
        .values({column: bindparam(column, type_=InboundCall.__table__.c[column].type) for column in RECORDED_COLUMNS})
        .on_conflict_do_nothing(index_elements=["phone_number_id", "provider_call_id"])
    )
    if dialect_name != "postgresql":
        return insert.returning(InboundCall.id)
    recorded = insert.returning(InboundCall.id, InboundCall.organization_id).cte("recorded")
    notice = notice_of_row("InboundCall", recorded.c.organization_id, recorded.c.id, ChangeKind.CREATED)
    return select(recorded.c.id, notice)


async def record_call(db: Database, values: dict[str, Any]) -> int | None:
    """Insert the call (`values` of RECORDED_COLUMNS) in one statement, and announce it; None when
    the same call of the same number is already recorded."""
    rows = await db.write_alone(_record_statement(db.engine.dialect.name), values)
    if not rows:
        return None
    call_id = rows[0][0]
    if db.is_sqlite:
        db.committed_changes([Change("InboundCall", values["organization_id"], call_id, ChangeKind.CREATED)])
    return call_id


@functools.cache
def _recorded_call() -> Select:
    return select(InboundCall.id, InboundCall.status).where(
        InboundCall.phone_number_id == bindparam("phone_number_id"), InboundCall.provider_call_id == bindparam("call_id")
    )


async def recorded_call(db: Database, phone_number_id: int, provider_call_id: str) -> tuple[int, str] | None:
    """(id, status) of a call already recorded for the number."""
    rows = await db.rows(_recorded_call(), {"phone_number_id": phone_number_id, "call_id": provider_call_id})
    return (rows[0][0], rows[0][1]) if rows else None


async def count_rejection(
    session: AsyncSession, organization_id: int, phone_number_id: int, hour: datetime, reason: str, keep_since: datetime
) -> None:
    """Add one to the number's counter of the hour, and drop its counters older than
    `keep_since`: a number has a bounded number of counter rows, whatever is sent to it."""
    insert = _insert(session.bind.dialect.name)(InboundRejectionCount).values(
        organization_id=organization_id, phone_number_id=phone_number_id, hour=hour, reason=reason, count=1
    )
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["phone_number_id", "hour", "reason"],
            set_={"count": InboundRejectionCount.count + 1},
        )
    )
    await session.execute(
        delete(InboundRejectionCount).where(
            InboundRejectionCount.phone_number_id == phone_number_id, InboundRejectionCount.hour < keep_since
        )
    )


@functools.cache
def _calls_by_provider_id() -> Select:
    return (
        select(InboundCall.id, InboundCall.status, TelephonyConfig.account_id, TelephonyConfig.id, TelephonyConfig.credentials)
        .join(TelephonyConfig, TelephonyConfig.id == InboundCall.telephony_config_id)
        .where(InboundCall.provider == bindparam("provider"), InboundCall.provider_call_id == bindparam("call_id"))
    )


async def calls_by_provider_id(db: Database, provider: str, call_id: str) -> list[Any]:
    """Every recorded call with this provider call id, with its configuration's account and
    credentials (ids are unique per provider in practice; the signature picks the right one)."""
    return list(await db.rows(_calls_by_provider_id(), {"provider": provider, "call_id": call_id}))


async def end_call(session: AsyncSession, call_id: int, ended_at: datetime) -> None:
    """End a connected call; its end is announced (db/changes.py)."""
    organization_id = await session.scalar(
        update(InboundCall)
        .where(InboundCall.id == call_id, InboundCall.status == "CONNECTED")
        .values(status="ENDED", ended_at=ended_at)
        .returning(InboundCall.organization_id)
    )
    if organization_id is not None:
        collect(session, Change("InboundCall", organization_id, call_id, ChangeKind.UPDATED))


@functools.cache
def _calls_shape(number: bool, workflow: bool, status: bool, since: bool) -> Select:
    stmt = select(InboundCall).where(InboundCall.organization_id == bindparam("organization_id"))
    if number:
        stmt = stmt.where(InboundCall.phone_number_id == bindparam("phone_number_id"))
    if workflow:
        stmt = stmt.where(InboundCall.workflow_id == bindparam("workflow_id"))
    if status:
        stmt = stmt.where(InboundCall.status == bindparam("status"))
    if since:
        stmt = stmt.where(InboundCall.started_at >= bindparam("since", type_=InboundCall.started_at.type))
    return stmt


def call_listing(
    organization_id: int,
    *,
    phone_number_id: int | None = None,
    workflow_id: int | None = None,
    status: str | None = None,
    since: datetime | None = None,
) -> Listing:
    """An organization's calls, newest first, with the given filters."""
    params: dict[str, Any] = {"organization_id": organization_id}
    for name, value in (("phone_number_id", phone_number_id), ("workflow_id", workflow_id), ("status", status), ("since", since)):
        if value is not None:
            params[name] = value
    shape = _calls_shape(phone_number_id is not None, workflow_id is not None, status is not None, since is not None)
    return Listing(InboundCall, shape, params, newest_first=True)


@functools.cache
def calls_in_progress_by_config() -> Select:
    """How many calls each configuration in `:config_ids` of `:organization_id` has in progress."""
    return (
        select(InboundCall.telephony_config_id, func.count())
        .where(
            InboundCall.organization_id == bindparam("organization_id"),
            one_of(InboundCall.telephony_config_id, "config_ids"),
            CONNECTED,
            InboundCall.started_at > bindparam("since", type_=InboundCall.started_at.type),
        )
        .group_by(InboundCall.telephony_config_id)
    )


@functools.cache
def first_calls(*, after: bool) -> Select:
    """The newest `:limit` calls of each number in `:number_ids` of `:organization_id` (before
    `:after_id` when asked), each number's page read through the (number, id) index with its own
    LIMIT. Built once per shape."""
    inner = aliased(InboundCall)
    organization = bindparam("organization_id")
    page = select(inner.id).where(inner.phone_number_id == PhoneNumber.id, inner.organization_id == organization)
    if after:
        page = page.where(inner.id < bindparam("after_id"))
    page = page.order_by(inner.id.desc()).limit(bindparam("limit"))
    return (
        select(InboundCall)
        .select_from(PhoneNumber)
        .join(InboundCall, InboundCall.id.in_(page.correlate(PhoneNumber)))
        .where(PhoneNumber.organization_id == organization, one_of(PhoneNumber.id, "number_ids"))
        .order_by(InboundCall.id.desc())
    )


REJECTED_FACT, AGENTLESS_FACT = "rejected", "agentless"


@functools.cache
def inbound_facts() -> Select:
    """What the inbound warnings of the configurations in `:config_ids` of `:organization_id`
    need, in one statement: rows (kind, config id, id, label, reason, count) of

    - `rejected`: per number and reason, calls rejected since `:since` (the call log) and
      signature failures counted since `:since` (the per-hour counters);
    - `agentless`: per workflow without an agent URL, the configuration's active numbers bound
      to it (read through the workflow index: usually no such workflow, so no number is read).
    """
    organization, since = bindparam("organization_id"), bindparam("since", type_=InboundCall.started_at.type)
    calls = (
        select(
            literal(REJECTED_FACT).label("kind"),
            InboundCall.telephony_config_id,
            PhoneNumber.id,
            PhoneNumber.address_normalized.label("label"),
            InboundCall.reject_reason,
            func.count().label("count"),
        )
        .join(PhoneNumber, PhoneNumber.id == InboundCall.phone_number_id)
        .where(
            InboundCall.organization_id == organization,
            REJECTED,
            InboundCall.started_at >= since,
            one_of(InboundCall.telephony_config_id, "config_ids"),
        )
        .group_by(InboundCall.telephony_config_id, PhoneNumber.id, PhoneNumber.address_normalized, InboundCall.reject_reason)
    )
    counted = (
        select(
            literal(REJECTED_FACT),
            PhoneNumber.telephony_config_id,
            PhoneNumber.id,
            PhoneNumber.address_normalized,
            InboundRejectionCount.reason,
            func.sum(InboundRejectionCount.count),
        )
        .join(PhoneNumber, PhoneNumber.id == InboundRejectionCount.phone_number_id)
        .where(
            InboundRejectionCount.organization_id == organization,
            InboundRejectionCount.hour >= bindparam("since_hour", type_=InboundRejectionCount.hour.type),
            one_of(PhoneNumber.telephony_config_id, "config_ids"),
        )
        .group_by(PhoneNumber.telephony_config_id, PhoneNumber.id, PhoneNumber.address_normalized, InboundRejectionCount.reason)
    )
    agentless = (
        select(
            literal(AGENTLESS_FACT),
            PhoneNumber.telephony_config_id,
            Workflow.id,
            Workflow.name,
            literal(None, type_=InboundCall.reject_reason.type),
            func.count(),
        )
        .join(PhoneNumber, PhoneNumber.inbound_workflow_id == Workflow.id)
        .where(
            Workflow.organization_id == organization,
            Workflow.agent_stream_url.is_(None),
            PhoneNumber.is_active,
            one_of(PhoneNumber.telephony_config_id, "config_ids"),
        )
        .group_by(PhoneNumber.telephony_config_id, Workflow.id, Workflow.name)
    )
    return union_all(calls, counted, agentless)
