"""Reads return records (db/records.py): the same values, column for column, as the ORM
instances writes use, whatever the statement shape; and a stored JSON value orjson refuses
still reads."""

from datetime import UTC, datetime

import pytest
from helpers import seed_numbers
from sqlalchemy import cast, literal, select, text
from switchboard.db.engine import create_database
from switchboard.db.models import PhoneNumber, TelephonyConfig, Workflow
from switchboard.db.records import record_class
from switchboard.db.telephony import NUMBER_DETAILS, first_numbers
from switchboard.db.types import UTCDateTime
from switchboard.resolvers.ids import to_global_id


def as_dict(model, obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in model.__table__.columns}


async def orm_rows(server, model, organization_id):
    async with server.db.read() as session:
        return list(await session.scalars(select(model).where(model.organization_id == organization_id).order_by(model.id)))


async def test_records_hold_what_the_orm_reads(api, server):
    await seed_numbers(server, api.organization_id, configs=2, numbers_per_config=5)
    for model in (PhoneNumber, TelephonyConfig, Workflow):
        stmt = select(model).where(model.organization_id == api.organization_id).order_by(model.id)
        read = await server.db.records(model, stmt)
        expected = await orm_rows(server, model, api.organization_id)
        assert read, model
        assert [as_dict(model, r) for r in read] == [as_dict(model, o) for o in expected], model
        assert all(type(r) is record_class(model) for r in read)


async def test_nested_page_statements_give_the_listed_columns(api, server):
    """The nested-page statement selects columns of an aliased entity (a LATERAL subquery on
    PostgreSQL): they must still line up with the record's fields, and the record must lack
    the columns lists leave out rather than hold a wrong value for them."""
    await seed_numbers(server, api.organization_id, configs=2, numbers_per_config=5)
    configs = await orm_rows(server, TelephonyConfig, api.organization_id)
    stmt = first_numbers(TelephonyConfig, after=False, active=False, lateral=not server.db.is_sqlite)
    params = {
        "organization_id": api.organization_id,
        "parent_ids": [c.id for c in configs],
        "limit": 3,
        "after_id": None,
        "is_active": None,
    }
    read = await server.db.records(PhoneNumber, stmt, params)
    expected = {n.id: n for n in await orm_rows(server, PhoneNumber, api.organization_id)}
    listed = [column.key for column in PhoneNumber.__table__.columns if column.key not in NUMBER_DETAILS]
    assert len(read) == 6
    assert [{key: getattr(r, key) for key in listed} for r in read] == [
        {key: getattr(expected[r.id], key) for key in listed} for r in read
    ]
    for key in NUMBER_DETAILS:
        with pytest.raises(AttributeError):
            getattr(read[0], key)


async def test_json_that_orjson_refuses_still_reads(api, server, is_postgres):
    """A NaN that an earlier version stored (SQLite keeps any text; PostgreSQL refuses it)."""
    if is_postgres:
        pytest.skip("PostgreSQL never stores JSON that is not JSON")
    await seed_numbers(server, api.organization_id, configs=1, numbers_per_config=1)
    (number,) = await orm_rows(server, PhoneNumber, api.organization_id)
    async with server.db.write() as session:
        await session.execute(
            text("UPDATE phone_numbers SET extra_metadata = :raw WHERE id = :id"), {"raw": '{"ratio": NaN}', "id": number.id}
        )
    found = await api.query(
        "query($id: ID!) { node(id: $id) { ... on PhoneNumber { databaseId } } }", {"id": to_global_id("PhoneNumber", number.id)}
    )
    assert found["node"] == {"databaseId": number.id}
    listed = await api.query("{ phoneNumbers { nodes { databaseId extraMetadata } } }")
    assert [n["databaseId"] for n in listed["phoneNumbers"]["nodes"]] == [number.id]


async def test_timestamps_read_as_aware_utc_whatever_the_session_time_zone(database_url, is_postgres):
    """On PostgreSQL the column type leaves asyncpg's values alone: they must already be the
    instant, in UTC, under a session time zone that is not UTC. A database of one pooled
    connection, so that the time zone set is the reading connection's."""
    if not is_postgres:
        pytest.skip("SQLite's text timestamps are tests/unit/test_utc_datetime.py")
    db = create_database(database_url, pool_size=1, max_overflow=0)
    try:
        await db.rows(text("SET TIME ZONE 'America/New_York'"))
        assert await db.scalar(text("SHOW TIME ZONE")) == "America/New_York"
        read = await db.scalar(select(cast(literal("2026-03-01 12:30:05.25+02:00"), UTCDateTime)))
    finally:
        await db.dispose()
    assert read == datetime(2026, 3, 1, 10, 30, 5, 250000, tzinfo=UTC)
    assert read.tzinfo is UTC
