"""Classify integrity errors the same way on SQLite and PostgreSQL."""

from sqlalchemy.exc import IntegrityError

_PG_UNIQUE_VIOLATION = "23505"
_PG_FOREIGN_KEY_VIOLATION = "23503"


def _sqlstate(exc: IntegrityError) -> str | None:
    original = exc.orig
    return getattr(original, "sqlstate", None) or getattr(getattr(original, "__cause__", None), "sqlstate", None)


def is_unique_violation(exc: IntegrityError) -> bool:
    return _sqlstate(exc) == _PG_UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(exc.orig)


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    return _sqlstate(exc) == _PG_FOREIGN_KEY_VIOLATION or "FOREIGN KEY constraint failed" in str(exc.orig)
