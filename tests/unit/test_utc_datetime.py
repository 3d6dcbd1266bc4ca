"""UTCDateTime reads back the instant that was written, always as aware UTC, on SQLite's text."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Column, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite
from switchboard.db.types import UTCDateTime


def test_an_aware_instant_round_trips_through_sqlite():
    table = Table("t", MetaData(), Column("at", UTCDateTime))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    written = [datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=timezone(timedelta(hours=2))), datetime(2026, 1, 1, tzinfo=UTC), None]
    with engine.begin() as connection:
        connection.execute(insert(table), [{"at": at} for at in written])
        read = [row.at for row in connection.execute(select(table.c.at))]
        stored = connection.execute(text("SELECT at FROM t")).scalars().all()
    assert read == written
    assert all(at.tzinfo is UTC for at in read if at is not None)
    assert stored[0] == "2026-03-01 10:30:05.123456"


def test_text_with_an_offset_or_without_fraction_still_reads():
    process = UTCDateTime().dialect_impl(sqlite.dialect()).result_processor(sqlite.dialect(), None)
    assert process("2026-03-01 10:30:05") == datetime(2026, 3, 1, 10, 30, 5, tzinfo=UTC)
    assert process("2026-03-01 12:30:05.000000+02:00") == datetime(2026, 3, 1, 10, 30, 5, tzinfo=UTC)
    assert process(None) is None
