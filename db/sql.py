"""SQL constructs the dialects spell differently."""

from typing import Any

import orjson
from sqlalchemy import Boolean, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, column, func
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


class OneOf(ColumnElement[bool]):
    """`column` equals one of the values of the list parameter `parameter`.

    Every list length gets the same statement text: PostgreSQL `column = ANY(:parameter)`, so
    asyncpg prepares it once per connection; SQLite `column IN (SELECT value FROM
    json_each(:parameter))` with the list sent as JSON text, so the statement is compiled once
    and can go straight to sqlite3 (db/driver_reads.py). An expanding `IN (...)` renders a new
    text for every length, at execution time. Other databases get the expanding IN.
    """

    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no `= 1` after it where booleans are integers
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("parameter", InternalTraversal.dp_string)]

    def __init__(self, column: Any, parameter: str) -> None:
        self.column = column
        self.parameter = parameter


class JSONList(TypeDecorator[list]):
    """A list parameter sent as its JSON text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(list(value)).decode()


@compiles(OneOf)
def _expanding_in(element: OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.parameter, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _equals_any(element: OneOf, compiler: Any, **kw: Any) -> str:
    array = bindparam(element.parameter, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


@compiles(OneOf, "sqlite")
def _in_json_each(element: OneOf, compiler: Any, **kw: Any) -> str:
    values = select(column("value")).select_from(func.json_each(bindparam(element.parameter, type_=JSONList())))
    return compiler.process(element.column.in_(values.scalar_subquery()), **kw)


def one_of(column: Any, parameter: str) -> OneOf:
    return OneOf(column, parameter)
