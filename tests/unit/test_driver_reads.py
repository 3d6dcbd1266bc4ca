"""How a statement is handed to the driver (db/driver_reads.py): parameters in the order of
the text, converted by their types, values bound into the statement itself used when no
parameter overrides them, rows converted by their columns' types; statements SQLAlchemy must
finish at execution time are refused."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import String, bindparam, cast, select
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.types import TypeDecorator
from switchboard.db.driver_reads import driver_statement
from switchboard.db.models import PhoneNumber
from switchboard.db.sql import one_of

DIALECT = asyncpg.dialect()
SQLITE = pysqlite.dialect()


def test_parameters_follow_the_text_and_their_types():
    stmt = select(PhoneNumber.id).where(
        PhoneNumber.sync_at > bindparam("since", type_=PhoneNumber.sync_at.type),
        PhoneNumber.organization_id == bindparam("organization_id"),
        one_of(PhoneNumber.id, "ids"),
    )
    statement = driver_statement(stmt, DIALECT)
    assert statement is not None
    assert statement.sql.index("$1") < statement.sql.index("$2") < statement.sql.index("$3")
    eastern = datetime(2026, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=-5)))
    arguments = statement.arguments({"organization_id": 7, "ids": [3, 4], "since": eastern, "unused": "x"})
    assert arguments == [datetime(2026, 1, 1, 12, 0, tzinfo=UTC), 7, [3, 4]]
    assert arguments[0].utcoffset() == timedelta(0)  # UTCDateTime's conversion ran


def test_values_bound_into_the_statement_are_sent_unless_given():
    statement = driver_statement(select(PhoneNumber.id).where(PhoneNumber.organization_id == 5), DIALECT)
    assert statement.arguments(None) == [5]
    assert statement.arguments({"organization_id_1": 6}) == [6]


def test_a_missing_parameter_is_named():
    statement = driver_statement(select(PhoneNumber.id).where(PhoneNumber.id == bindparam("wanted")), DIALECT)
    with pytest.raises(KeyError, match="wanted"):
        statement.arguments({})


def test_statements_rendered_at_execution_are_left_to_sqlalchemy():
    expanding = select(PhoneNumber.id).where(PhoneNumber.id.in_(bindparam("ids", expanding=True)))
    assert driver_statement(expanding, DIALECT) is None
    assert driver_statement(select(PhoneNumber.id).limit(bindparam("n", literal_execute=True)), DIALECT) is None


class Upper(TypeDecorator):
    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.upper()


def test_columns_are_converted_as_sqlalchemy_converts_them():
    statement = driver_statement(select(PhoneNumber.id, cast(PhoneNumber.label, Upper)), DIALECT)
    assert [tuple(row) for row in statement.converted([(1, "front"), (2, "desk")])] == [(1, "FRONT"), (2, "DESK")]
    assert driver_statement(select(PhoneNumber), DIALECT).results == ()  # asyncpg returns our columns as they are
    assert statement.converted([]) == []


def test_sqlite_rows_get_booleans_timestamps_and_json_back():
    """SQLite stores them as integers and text; the conversions are the columns' own."""
    statement = driver_statement(
        select(PhoneNumber.id, PhoneNumber.is_active, PhoneNumber.created_at, PhoneNumber.extra_metadata), SQLITE
    )
    (row,) = statement.converted([(4, 1, "2026-01-02 03:04:05.000006", '{"a": [1]}')])
    assert row == (4, True, datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), {"a": [1]})
    assert type(row[1]) is bool


def test_sqlite_id_lists_are_one_text_with_the_list_as_json():
    statement = driver_statement(select(PhoneNumber.id).where(one_of(PhoneNumber.id, "ids")), SQLITE)
    assert "json_each(?)" in statement.sql
    assert statement.arguments({"ids": [3, 4]}) == ["[3,4]"]
    assert statement.arguments({"ids": ()}) == ["[]"]


def test_a_callable_value_is_taken_at_each_read():
    values = iter([1, 2])
    stmt = select(PhoneNumber.id).where(PhoneNumber.id == bindparam("next_id", callable_=lambda: next(values)))
    statement = driver_statement(stmt, DIALECT)
    assert [statement.arguments(None), statement.arguments(None)] == [[1], [2]]
