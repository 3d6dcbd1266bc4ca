"""Change notices for live updates (SPEC §15): what changed, never its data.

A write transaction collects the changes it makes (`collect`) and they leave only when it
commits (`Database.write`): on PostgreSQL as one `pg_notify` statement inside the transaction,
which PostgreSQL delivers on commit to every listening worker (server/pg_listener.py), this one
included; on SQLite handed to this process's subscribers after the commit. A rolled-back
transaction sends nothing. Subscribers load the current object themselves, as their caller, so
a notice carries no data a subscriber could not read anyway.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import orjson
from sqlalchemy import ARRAY, ColumnElement, Text, TextClause, bindparam, cast, func, literal, text
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "switchboard_changes"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a notice is 40 to 60 bytes.
MAX_PAYLOAD_BYTES = 7900
_PENDING = "switchboard.pending_changes"


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class Change:
    """`type_name` is the GraphQL type ("TelephonyConfig", "PhoneNumber", "InboundCall")."""

    type_name: str
    organization_id: int
    id: int
    kind: ChangeKind


def collect(session: AsyncSession, change: Change) -> None:
    """Send `change` when the session's transaction commits. Notices of one object merge: a
    creation stays a creation when the same transaction updates it, and a deletion wins."""
    pending: dict[tuple[str, int], Change] = session.info.setdefault(_PENDING, {})
    key = (change.type_name, change.id)
    earlier = pending.get(key)
    if earlier is None or change.kind is ChangeKind.DELETED:
        pending[key] = change


def collect_all(session: AsyncSession, type_name: str, organization_id: int, ids: Iterable[int], kind: ChangeKind) -> None:
    for object_id in ids:
        collect(session, Change(type_name, organization_id, object_id, kind))


def pending_changes(session: AsyncSession) -> list[Change]:
    return list(session.info.get(_PENDING, {}).values())


def encode(changes: Iterable[Change]) -> list[str]:
    """NOTIFY payloads of the changes, each under PostgreSQL's limit: JSON arrays of
    `[type, organization, id, kind]`."""
    payloads: list[str] = []
    chunk: list[str] = []
    size = 2
    for change in changes:
        item = orjson.dumps([change.type_name, change.organization_id, change.id, change.kind.value]).decode()
        if chunk and size + len(item) + 1 > MAX_PAYLOAD_BYTES:
            payloads.append(f"[{','.join(chunk)}]")
            chunk, size = [], 2
        chunk.append(item)
        size += len(item) + 1
    if chunk:
        payloads.append(f"[{','.join(chunk)}]")
    return payloads


def decode(payload: str) -> list[Change]:
    """The changes of one payload; ValueError when it is not one of ours."""
    try:
        items = orjson.loads(payload)
        return [Change(str(t), int(o), int(i), ChangeKind(k)) for t, o, i, k in items]
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ValueError("not a change notice") from exc


def notice_of_row(type_name: str, organization_id: ColumnElement, object_id: ColumnElement, kind: ChangeKind) -> ColumnElement:
    """`pg_notify` of one change whose organization and id are columns of a statement's rows: a
    write that is a single statement announces itself without a statement more."""
    item = func.json_build_array(literal(type_name), organization_id, object_id, literal(kind.value))
    return func.pg_notify(literal(CHANNEL), cast(func.json_build_array(item), Text))


@functools.cache
def notify_statement() -> TextClause:
    """One statement for any number of payloads: `pg_notify` over the rows of `unnest`."""
    return text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(CAST(:payloads AS text[])) AS p").bindparams(
        bindparam("payloads", type_=ARRAY(Text))
    )
