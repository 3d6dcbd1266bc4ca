"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, on SQLite (which drops offsets) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        """On SQLite, which stores these as naive UTC text, one C call per value: reading the
        text as UTC with `fromisoformat` is a quarter of the cost of parsing it and then
        setting the zone (reads build thousands of these a second). asyncpg already reads a
        timestamptz as an aware datetime in UTC: nothing to do."""
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            return None
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return general

        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:  # not the naive text SQLAlchemy writes
                return general(value)

        return process


def utcnow() -> datetime:
    return datetime.now(UTC)
