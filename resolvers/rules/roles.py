"""Roles (SPEC §13): what a key or a token may do.

ADMIN does everything, including API keys and the audit log; EDITOR changes configurations,
numbers and workflows; VIEWER reads. Each role includes the ones below it.
"""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"
    EDITOR = "EDITOR"
    VIEWER = "VIEWER"


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


def allows(role: Role, needed: Role) -> bool:
    """True when `role` may do what `needed` may."""
    return _RANK[role] >= _RANK[needed]


def role_named(value: object) -> Role | None:
    """The role a claim or a stored value names (case as written by Switchboard: upper), or None."""
    if not isinstance(value, str):
        return None
    try:
        return Role(value.strip().upper())
    except ValueError:
        return None


def forbidden_message(role: Role, needed: Role) -> str:
    return f"This needs the {needed} role; the caller's role is {role}."
