"""What reads return: plain records with the models' attribute names, not ORM instances.

The API reads rows in bulk and never changes them through a session (writes load their own
rows in a write transaction), so the ORM's per-instance work (instance state, identity map,
instrumented attributes) is cost without use: about 40 µs a number on our machine, against
16 µs for the same columns as a Core row. A record is a slotted dataclass built from the row;
code that reads a number, or sets an attribute on it to describe the answer (the outcome of
a provider sync), works the same on a record and on an ORM instance.
"""

from dataclasses import make_dataclass
from functools import cache


def record_class(model: type, keys: tuple[str, ...] | None = None) -> type:
    """The record type of a model: its table's columns in table order, as slots, or only the
    columns `keys` names, for statements that read a part of a row (reading a column it lacks
    raises AttributeError, never gives a silent None). One type per set of columns."""
    return _record_class(model, keys if keys is not None else tuple(column.key for column in model.__table__.columns))


@cache
def _record_class(model: type, keys: tuple[str, ...]) -> type:
    whole = len(keys) == len(model.__table__.columns)
    return make_dataclass(f"{model.__name__}{'' if whole else 'Part'}Record", keys, slots=True, eq=False)
