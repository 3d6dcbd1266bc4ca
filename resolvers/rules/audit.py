"""What an audit event says changed (SPEC §13): old and new values, secrets only as changed."""

from collections.abc import Mapping
from typing import Any

SECRET_CHANGED = "changed"


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any], secret: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Each field whose value differs: `{"old": ..., "new": ...}`, or "changed" for a secret, whose
    values never appear. A field missing on one side is null there (created or deleted)."""
    changes: dict[str, Any] = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        changes[name] = SECRET_CHANGED if name in secret else {"old": old, "new": new}
    return changes
