"""Data access for telephony configurations and phone numbers."""

import functools
from typing import Any

from sqlalchemy import Select, bindparam, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from .changes import Change, ChangeKind, collect, collect_all
from .models import FLAGGED, PhoneNumber, TelephonyConfig, Workflow
from .organizations import lock_organization
from .pagination import Listing
from .sql import one_of

# The column of phone_numbers that points at each kind of parent a nested number page has.
NUMBER_PARENT_COLUMN = {TelephonyConfig: "telephony_config_id", Workflow: "inbound_workflow_id"}

# Columns of a number that lists of numbers (pages, searches, nested pages) do not read: the
# drivers decode them at several times the cost of all the others (asyncpg builds each
# timestamp through a timedelta, about 3,600 instructions; the JSON goes through a Python
# call), and a dashboard's lists select none of them. Loaded by id when asked for
# (`Loaders.number_details_by_id`).
NUMBER_DETAILS = ("created_at", "updated_at", "extra_metadata")


def listed_columns(numbers: Any) -> list[Any]:
    """The columns of `numbers` (the table's entity or an alias of it) that lists read."""
    return [getattr(numbers, column.key) for column in PhoneNumber.__table__.columns if column.key not in NUMBER_DETAILS]


def configs_of(organization_id: int) -> Select:
    return select(TelephonyConfig).where(TelephonyConfig.organization_id == organization_id)


@functools.cache
def organization_configs() -> Select:
    """Every configuration of `:organization_id`, oldest first. An organization has few (one
    per provider account), so the list, its pages and its aggregates read them whole."""
    return (
        select(TelephonyConfig)
        .where(TelephonyConfig.organization_id == bindparam("organization_id"))
        .order_by(TelephonyConfig.id)
    )


async def get_config(
    session: AsyncSession, organization_id: int, config_id: int, *, lock: bool = False
) -> TelephonyConfig | None:
    stmt = configs_of(organization_id).where(TelephonyConfig.id == config_id)
    return await session.scalar(stmt.with_for_update(key_share=True) if lock else stmt)


async def make_default_outbound(session: AsyncSession, organization_id: int, config_id: int) -> None:
    """Unset the previous default and set this one; the previous one's change is announced."""
    await lock_organization(session, organization_id)
    demoted = await session.scalars(
        update(TelephonyConfig)
        .where(
            TelephonyConfig.organization_id == organization_id,
            TelephonyConfig.is_default_outbound,
            TelephonyConfig.id != config_id,
        )
        .values(is_default_outbound=False)
        .returning(TelephonyConfig.id)
    )
    collect_all(session, "TelephonyConfig", organization_id, demoted, ChangeKind.UPDATED)
    await session.execute(update(TelephonyConfig).where(TelephonyConfig.id == config_id).values(is_default_outbound=True))


async def rekey_numbers(session: AsyncSession, config_id: int, account_id: str) -> None:
    """Move the configuration's numbers to another account, which its credentials have not
    verified yet."""
    await session.execute(
        update(PhoneNumber)
        .where(PhoneNumber.telephony_config_id == config_id)
        .values(provider_account_id=account_id, account_verified=False)
    )


async def verified_holder_exists(session: AsyncSession, provider: str, account_id: str, address: str) -> bool:
    """Whether a configuration whose credentials verified holds this routing key."""
    found = await session.scalar(
        select(PhoneNumber.id).where(
            PhoneNumber.provider == provider,
            PhoneNumber.provider_account_id == account_id,
            PhoneNumber.address_normalized == address,
            PhoneNumber.account_verified,
        )
    )
    return found is not None


async def hold_verified_keys(session: AsyncSession, config_id: int) -> int:
    """The configuration's credentials verified: its numbers hold their routing keys as verified,
    except those another verified configuration already holds (they stay unverified, and
    unrouted while the other holds them). Returns how many stay unverified."""
    other = aliased(PhoneNumber)
    held_elsewhere = (
        select(other.id)
        .where(
            other.provider == PhoneNumber.provider,
            other.provider_account_id == PhoneNumber.provider_account_id,
            other.address_normalized == PhoneNumber.address_normalized,
            other.account_verified,
        )
        .exists()
    )
    await session.execute(
        update(TelephonyConfig).where(TelephonyConfig.id == config_id).values(account_verified=True)
    )
    await session.execute(
        update(PhoneNumber)
        .where(PhoneNumber.telephony_config_id == config_id, PhoneNumber.account_verified.is_(False), ~held_elsewhere)
        .values(account_verified=True)
    )
    return await session.scalar(
        select(func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.telephony_config_id == config_id, PhoneNumber.account_verified.is_(False))
    )


def routed_numbers_of(config_id: int) -> Select:
    """Numbers whose inbound calls should reach Switchboard: active and bound to a workflow."""
    return (
        select(PhoneNumber)
        .where(
            PhoneNumber.telephony_config_id == config_id,
            PhoneNumber.is_active,
            PhoneNumber.inbound_workflow_id.is_not(None),
        )
        .order_by(PhoneNumber.id)
    )


@functools.cache
def _numbers_shape(config: bool, active: bool, address_type: bool, search: bool) -> Select:
    stmt = select(*listed_columns(PhoneNumber)).where(PhoneNumber.organization_id == bindparam("organization_id"))
    if config:
        stmt = stmt.where(PhoneNumber.telephony_config_id == bindparam("config_id"))
    if active:
        stmt = stmt.where(PhoneNumber.is_active == bindparam("is_active"))
    if address_type:
        stmt = stmt.where(PhoneNumber.address_type == bindparam("address_type"))
    if search:
        term = bindparam("search")
        stmt = stmt.where(
            PhoneNumber.address.icontains(term, escape=_LIKE_ESCAPE)
            | PhoneNumber.address_normalized.icontains(term, escape=_LIKE_ESCAPE)
            | PhoneNumber.label.icontains(term, escape=_LIKE_ESCAPE)
        )
    return stmt


_LIKE_ESCAPE = "/"


def _escape_like(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '/': no wildcard in it counts as one."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def number_listing(
    organization_id: int,
    *,
    config_id: int | None = None,
    is_active: bool | None = None,
    address_type: str | None = None,
    search: str | None = None,
) -> Listing:
    """The organization's numbers with the filters given (a substring of the address, its
    normalized form or the label for `search`), to page through."""
    stmt = _numbers_shape(config_id is not None, is_active is not None, address_type is not None, bool(search))
    params = {
        "organization_id": organization_id,
        "config_id": config_id,
        "is_active": is_active,
        "address_type": address_type,
        "search": _escape_like(search) if search else None,
    }
    return Listing(PhoneNumber, stmt, params)


async def number_ids_of_config(session: AsyncSession, config_id: int) -> list[int]:
    return list(await session.scalars(select(PhoneNumber.id).where(PhoneNumber.telephony_config_id == config_id)))


async def get_number(session: AsyncSession, organization_id: int, number_id: int) -> PhoneNumber | None:
    return await session.scalar(
        select(PhoneNumber).where(PhoneNumber.organization_id == organization_id, PhoneNumber.id == number_id)
    )


async def make_default_caller_id(session: AsyncSession, config_id: int, number_id: int) -> None:
    """Unset the previous default and set this one; the config row lock serializes racing calls.
    The previous default's change is announced."""
    await session.execute(select(TelephonyConfig.id).where(TelephonyConfig.id == config_id).with_for_update(key_share=True))
    demoted = await session.execute(
        update(PhoneNumber)
        .where(
            PhoneNumber.telephony_config_id == config_id,
            PhoneNumber.is_default_caller_id,
            PhoneNumber.id != number_id,
        )
        .values(is_default_caller_id=False)
        .returning(PhoneNumber.organization_id, PhoneNumber.id)
    )
    for organization_id, demoted_id in demoted:
        collect(session, Change("PhoneNumber", organization_id, demoted_id, ChangeKind.UPDATED))
    await session.execute(update(PhoneNumber).where(PhoneNumber.id == number_id).values(is_default_caller_id=True))


@functools.cache
def number_facts() -> Select:
    """Numbers per (configuration, active, default caller ID) of the configurations in
    `:config_ids` of `:organization_id`, with how many are bound and, in the one default group
    of a configuration, the default's id: at most four rows a configuration, which
    `NumberStats.of_groups` adds up.

    Grouped by leading columns of the covering index ix_phone_numbers_config_facts, so SQLite
    aggregates while it walks the index, with no expression evaluated per number; summing
    CASE expressions per configuration instead took twice as long over 10,000 numbers.
    """
    return (
        select(
            PhoneNumber.telephony_config_id,
            PhoneNumber.is_active,
            PhoneNumber.is_default_caller_id,
            func.count(),
            func.count(PhoneNumber.inbound_workflow_id),
            func.max(PhoneNumber.id),
        )
        .where(PhoneNumber.organization_id == bindparam("organization_id"), one_of(PhoneNumber.telephony_config_id, "config_ids"))
        .group_by(PhoneNumber.telephony_config_id, PhoneNumber.is_active, PhoneNumber.is_default_caller_id)
    )


@functools.cache
def flagged_numbers() -> Select:
    """Numbers of the configurations in `:config_ids` of `:organization_id` that warnings name:
    their last provider sync failed, or the provider account lacks them; oldest first, through
    ix_phone_numbers_flagged."""
    return (
        select(PhoneNumber)
        .where(
            PhoneNumber.organization_id == bindparam("organization_id"),
            one_of(PhoneNumber.telephony_config_id, "config_ids"),
            FLAGGED,
        )
        .order_by(PhoneNumber.id)
    )


@functools.cache
def first_numbers(parent: Any, *, after: bool, active: bool, lateral: bool) -> Select:
    """The first `:limit` numbers of each parent in `:parent_ids` (configurations or workflows)
    of `:organization_id`, after `:after_id` and with `is_active = :is_active` when asked.

    Each parent's page is read through the (parent, id) index with its own LIMIT: a LATERAL join
    on PostgreSQL, a correlated `id IN (... LIMIT n)` on SQLite (which has no LATERAL). Numbering
    every number of every parent with row_number() instead scans all the organization's numbers
    (27 ms for 10,000 on SQLite). Built once per shape: the aliasing costs more than the query.
    """
    inner = aliased(PhoneNumber)
    organization = bindparam("organization_id")
    first = select(*listed_columns(inner)) if lateral else select(inner.id)
    first = first.where(getattr(inner, NUMBER_PARENT_COLUMN[parent]) == parent.id, inner.organization_id == organization)
    if after:
        first = first.where(inner.id > bindparam("after_id"))
    if active:
        first = first.where(inner.is_active == bindparam("is_active"))
    first = first.order_by(inner.id).limit(bindparam("limit"))
    parents = (parent.organization_id == organization, one_of(parent.id, "parent_ids"))
    if lateral:
        page = first.lateral()
        number = aliased(PhoneNumber, page)
        return select(*listed_columns(number)).select_from(parent).join(page, true()).where(*parents).order_by(page.c.id)
    return (
        select(*listed_columns(PhoneNumber))
        .select_from(parent)
        .join(PhoneNumber, PhoneNumber.id.in_(first.correlate(parent)))
        .where(*parents)
        .order_by(PhoneNumber.id)
    )
