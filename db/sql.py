"""SQL constructs the dialects spell differently."""

from typing import Any

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[bool]):
    """`column` equals one of the values of the list parameter `parameter`.

    PostgreSQL gets `column = ANY(:parameter)`, one statement text for any number of values, so
    asyncpg prepares it once per connection; an expanding `IN (...)` renders a new text, and a
    new prepared statement, for every list length. Other databases get the expanding IN.
    """

    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no `= 1` after it where booleans are integers
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("parameter", InternalTraversal.dp_string)]

    def __init__(self, column: Any, parameter: str) -> None:
        self.column = column
        self.parameter = parameter


@compiles(OneOf)
def _expanding_in(element: OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.parameter, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _equals_any(element: OneOf, compiler: Any, **kw: Any) -> str:
    array = bindparam(element.parameter, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


def one_of(column: Any, parameter: str) -> OneOf:
    return OneOf(column, parameter)
