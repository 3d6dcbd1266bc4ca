"""Reads on PostgreSQL sent straight to asyncpg, from SQLAlchemy statements compiled once.

SQLAlchemy builds every statement and compiles it for asyncpg; executing it through
SQLAlchemy as well (an execution context, the asyncpg adapter's cursor under a greenlet, a
Row per row) cost more on our 2-core machine than asyncpg's own work: the dashboard's nine
reads took 6.1 ms of the server's CPU through SQLAlchemy and 3.5 ms through asyncpg alone.
A statement qualifies when nothing of its execution is left to SQLAlchemy: no parameters
rendered into the text at execution time (an expanding IN, literal_execute) and no column
whose type converts what asyncpg returns (none of our columns does on asyncpg; the JSON
codecs are the dialect's own, set on each connection). Others run through SQLAlchemy.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A statement as asyncpg takes it: the SQL text, and how to order and convert the
    parameters ($1, $2, ...) from their names."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    bound: Mapping[str, BindParameter]  # parameters with a value of their own (a literal, a callable)

    def arguments(self, params: Mapping[str, Any] | None) -> list[Any]:
        params = params or {}
        values = []
        for name, convert in zip(self.names, self.converters, strict=True):
            if name in params:
                value = params[name]
            elif name in self.bound:
                value = self.bound[name].effective_value  # a callable's value is taken per read
            else:
                raise KeyError(f"no value for the bind parameter {name!r}")
            values.append(value if convert is None or value is None else convert(value))
        return values


@functools.lru_cache(maxsize=512)
def driver_statement(stmt: Executable, dialect: Dialect) -> DriverStatement | None:
    """The statement compiled for asyncpg, or None when SQLAlchemy must run it (see the module
    docstring). Cached by statement object: statements are built once per shape."""
    compiled = stmt.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params or not compiled.positional:
        return None
    for column in getattr(stmt, "selected_columns", ()):
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            return None
    names = tuple(compiled.positiontup or ())
    binds = {name: compiled.binds[name] for name in names}
    converters = tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    bound = {name: bind for name, bind in binds.items() if not bind.required}
    return DriverStatement(compiled.string, names, converters, bound)


async def fetch(engine: AsyncEngine, statement: DriverStatement, params: Mapping[str, Any] | None) -> Sequence[Sequence[Any]]:
    """The rows of `statement` on a connection of the engine's pool, taken as it is: an
    AsyncConnection around it would cost three greenlet switches and an isolation-level change
    a read. asyncpg finishes a cancelled statement before the connection's next one; when the
    server went away, the pool's other connections are dropped too, as SQLAlchemy does on a
    disconnect."""
    arguments = statement.arguments(params)
    pooled = await engine.raw_connection()
    try:
        return await pooled.driver_connection.fetch(statement.sql, *arguments)
    except BaseException:
        if pooled.driver_connection.is_closed():
            pooled.invalidate()
            await engine.dispose(close=False)
        raise
    finally:
        pooled.close()
