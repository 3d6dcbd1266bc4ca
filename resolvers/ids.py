"""Opaque Relay global IDs and connection cursors."""

import base64
import binascii

from .errors import BadUserInput

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_CURSOR_TAG = "cursor"


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(token: str) -> str | None:
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _split(text: str | None) -> tuple[str, int] | None:
    if not text or ":" not in text:
        return None
    tag, _, raw_id = text.partition(":")
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return tag, int(raw_id)


def to_global_id(type_name: str, database_id: int) -> str:
    return _encode(f"{type_name}:{database_id}")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, database id), or None when the ID is not one of ours."""
    return _split(_decode(global_id))


def database_id_of(global_id: str, type_name: str) -> int | None:
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        return None
    return parsed[1]


def to_cursor(database_id: int) -> str:
    return _encode(f"{_CURSOR_TAG}:{database_id}")


class InvalidCursor(BadUserInput):
    pass


def from_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    parsed = _split(_decode(cursor))
    if parsed is None or parsed[0] != _CURSOR_TAG:
        raise InvalidCursor("`after` is not a cursor returned by this API")
    return parsed[1]


class InvalidPageSize(BadUserInput):
    pass


def page_size(first: int | None) -> int:
    """`first` defaults to 50 and is capped at 100; negative values are rejected."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise InvalidPageSize("`first` must not be negative")
    return min(first, MAX_PAGE_SIZE)


def to_text_cursor(tag: str, key: str) -> str:
    """A cursor over a list keyed by text (a provider account's numbers, by address)."""
    return _encode(f"{tag}:{key}")


def from_text_cursor(tag: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    text = _decode(cursor)
    if not text or not text.startswith(f"{tag}:"):
        raise InvalidCursor("`after` is not a cursor returned by this API")
    return text.removeprefix(f"{tag}:")
