"""Bulk reads sent straight to the driver, from SQLAlchemy statements compiled once.

SQLAlchemy builds every statement and compiles it; executing it through SQLAlchemy as well (an
execution context, a cursor wrapper, on asyncpg a greenlet hand-off, a Row per row) cost more
on our 2-core machine than the driver's own work: the dashboard's nine reads took 6.1 ms of the
server's CPU through SQLAlchemy and 3.5 ms through asyncpg alone; a page of 100 numbers spent
1.7 ms in SQLAlchemy over SQLite against 1.0 ms in sqlite3. Here a statement is compiled once
per dialect into its SQL text, the order of its parameters with their types' conversions, and
its columns' result conversions (SQLite stores timestamps, booleans and JSON as text and
integers), and runs on a connection of the engine's pool. A statement qualifies when nothing
of its execution is left to SQLAlchemy: no parameters rendered into the text at execution time
(an expanding IN, literal_execute). Others run through SQLAlchemy.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.util import greenlet_spawn

Params = Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A statement as the driver takes it: the SQL text, how to order and convert the
    positional parameters from their names, and how to convert the columns of each row."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    bound: Mapping[str, BindParameter]  # parameters with a value of their own (a literal, a callable)
    results: tuple[tuple[int, Callable[[Any], Any]], ...] = ()  # (column index, conversion)

    def arguments(self, params: Params) -> list[Any]:
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

    def converted(self, rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
        """The driver's rows with the columns' result conversions applied (each handles None),
        column by column: a third cheaper than row by row."""
        if not self.results or not rows:
            return rows
        columns: list[Any] = list(zip(*rows, strict=True))
        for index, convert in self.results:
            columns[index] = map(convert, columns[index])
        return list(zip(*columns, strict=True))


@functools.lru_cache(maxsize=1024)
def driver_statement(stmt: Executable, dialect: Dialect) -> DriverStatement | None:
    """The statement compiled for `dialect`'s driver, or None when SQLAlchemy must run it (see
    the module docstring). Cached by statement object: statements are built once per shape.
    Result conversions are the ones SQLAlchemy applies, taken without the cursor's column
    type codes (no type of ours reads them)."""
    compiled = stmt.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params or not compiled.positional:
        return None
    results = []
    for index, column in enumerate(getattr(stmt, "selected_columns", ())):
        convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            results.append((index, convert))
    names = tuple(compiled.positiontup or ())
    binds = {name: compiled.binds[name] for name in names}
    converters = tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    bound = {name: bind for name, bind in binds.items() if not bind.required}
    return DriverStatement(compiled.string, names, converters, bound, tuple(results))


async def fetch_asyncpg(engine: AsyncEngine, statement: DriverStatement, params: Params) -> Sequence[Sequence[Any]]:
    """The rows of `statement` on a connection of the engine's pool, taken as it is: an
    AsyncConnection around it would cost three greenlet switches and an isolation-level change
    a read. asyncpg finishes a cancelled statement before the connection's next one; when the
    server went away, the pool's other connections are dropped too, as SQLAlchemy does on a
    disconnect."""
    arguments = statement.arguments(params)
    pooled = await engine.raw_connection()
    try:
        return statement.converted(await pooled.driver_connection.fetch(statement.sql, *arguments))
    except BaseException:
        if pooled.driver_connection.is_closed():
            pooled.invalidate()
            await engine.dispose(close=False)
        raise
    finally:
        pooled.close()


def fetch_sqlite(engine: Engine, statement: DriverStatement, params: Params) -> Sequence[Sequence[Any]]:
    """The rows of `statement` on a sqlite3 connection of the engine's pool, outside a
    transaction (the connections are in autocommit: one statement reads one snapshot)."""
    arguments = statement.arguments(params)
    pooled = engine.raw_connection()
    try:
        return statement.converted(pooled.driver_connection.execute(statement.sql, arguments).fetchall())
    finally:
        pooled.close()


async def fetch_aiosqlite(engine: AsyncEngine, statement: DriverStatement, params: Params) -> Sequence[Sequence[Any]]:
    """The rows of `statement` on an aiosqlite connection of the engine's pool, in autocommit: one
    hand-off to aiosqlite's thread (execute and fetch together), where a write may wait on another
    process's lock without holding the event loop."""
    arguments = statement.arguments(params)
    pooled = await engine.raw_connection()
    try:
        return statement.converted(list(await pooled.driver_connection.execute_fetchall(statement.sql, arguments)))
    finally:
        await greenlet_spawn(pooled.close)  # the pool's reset awaits aiosqlite through SQLAlchemy
