"""Text that the databases cannot store: NUL characters (SPEC §13).

PostgreSQL's text types refuse NUL (asyncpg raises CharacterNotInRepertoireError), so a NUL that
reached a statement was a server error there and stored as is on SQLite. Inputs are refused
before, on both databases, as INVALID.
"""

from typing import Any

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """Whether a string, or any key or string inside a JSON value, contains NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False
