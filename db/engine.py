"""Engines and session factories for SQLite (aiosqlite) and PostgreSQL (asyncpg).

Reads that the API serves in bulk (loaders, pages, counts) go through `Database.rows`,
`records` and `scalar`: one statement, built once per shape, and its parameters, run outside
a transaction; rows come back as tuples or records (db/records.py). The statement goes
straight to the driver (db/driver_reads.py): asyncpg on PostgreSQL; on a SQLite file the
standard library's sqlite3, called right on the event loop: aiosqlite hands every cursor call
to its thread and back (about 80 µs each on our 2-core machine, 4 to 8 per statement with
BEGIN and ROLLBACK, plus waits for the GIL while another thread holds it), which costs more
than the indexed reads themselves (0.1 to 1 ms). In WAL mode a reader never waits for a
writer, so such a call does not block on locks; a long read (a search scanning every number)
holds the loop for its duration, as it would hold the one GIL of the process anyway. Writes
keep aiosqlite: they wait on the busy timeout.
"""

import asyncio
import functools
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql import Executable

from .changes import Change, encode, notify_statement, pending_changes
from .driver_reads import DriverStatement, Params, driver_statement, fetch_aiosqlite, fetch_asyncpg, fetch_sqlite
from .records import record_class

_IMMEDIATE = "switchboard_sqlite_immediate"

# Connections a worker keeps open to PostgreSQL, and how many more it may open for a burst
# (settings SWITCHBOARD_DATABASE_POOL_SIZE and _MAX_OVERFLOW). A dashboard runs three or four
# loader batches at once, each on its own connection. The pool closes an overflow connection as
# soon as it is returned while the pool's own are idle, so a load just above the pool's size
# keeps opening and closing connections (a backend forked and set up, every statement prepared
# anew): with 20 + 10, sixteen concurrent dashboards went through 69 backends in 14 seconds and
# served a fifth fewer than with 30 + 0, which waits for a connection instead.
POSTGRES_POOL_SIZE = 30
POSTGRES_POOL_OVERFLOW = 0

# asyncpg prepares every statement, and after five runs PostgreSQL may switch a prepared
# statement to a generic plan, made without the parameter values. For the loaders' queries
# (`= ANY(:ids)` over a list of configurations) generic plans scan instead of using the
# indexes: the dashboard's nested pages took 7.1 ms a run instead of 1.9, its failed-sync
# lookup 5.1 instead of 0.5, its aggregates 7.8 instead of 3.4. Planning each run costs a
# fraction of a millisecond.
POSTGRES_SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# Lookups by a unique key (the front door's routing query, on the call-setup path) have the same
# best plan whatever their parameters, so they run on a few connections of their own that keep
# PostgreSQL's default plan caching: after five runs a prepared statement keeps its generic plan
# instead of being planned again. Planning the routing query each time took 0.16 ms of the
# database's CPU per call, and the front door served 0.68-0.75 of its reference's calls per
# second at 16 and 64 connections; 0.87-0.92 with the generic plan. A sixth of the pool.
POSTGRES_LOOKUP_POOL_SHARE = 6


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _configure_sqlite(engine: Engine, *, transactions: bool = True) -> None:
    """WAL and foreign keys on every connection; explicit BEGIN so writers can take the lock early.

    A deferred SQLite transaction that reads and then writes fails with SQLITE_BUSY when another
    writer committed in between; write sessions therefore start with BEGIN IMMEDIATE, which waits
    on the busy timeout instead. Without `transactions` (the bulk-read engine, whose work is
    single statements) there is no BEGIN: each statement reads its own consistent snapshot.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if not transactions:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    """The engine plus session factories: short read sessions, write transactions, and the
    bulk reads (see the module docstring)."""

    url: str
    engine: AsyncEngine
    reader: async_sessionmaker[AsyncSession]
    writer: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine
    sqlite_read_engine: Engine | None = None
    # PostgreSQL only: the connections of `lookup` (see POSTGRES_LOOKUP_POOL_SHARE).
    lookup_engine: AsyncEngine | None = None
    # Called with the SQL of each bulk read that bypasses SQLAlchemy's execution (and so its
    # events); see `listen_statements`.
    _statement_listeners: list[Callable[[str], None]] = field(default_factory=list)
    # Called with the changes of each committed write on SQLite, where there is no NOTIFY: this
    # process's subscribers are the only ones (db/changes.py).
    committed_changes: Callable[[list[Change]], None] = lambda changes: None
    # What a write transaction waits on first (see `write`): on SQLite a lock, so that this
    # process's writers go one at a time; on PostgreSQL nothing.
    _turn_to_write: AbstractAsyncContextManager[Any] = field(init=False)

    def __post_init__(self) -> None:
        self._turn_to_write = asyncio.Lock() if self.is_sqlite else nullcontext()

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.reader() as session:
            yield session

    async def rows(self, stmt: Executable, params: Params = None) -> Sequence[Sequence[Any]]:
        """Every row of `stmt`, a tuple-like sequence of values each. Each call reads its own
        snapshot: outside a transaction, two calls may see a write in between."""
        if self.sqlite_read_engine is not None:
            statement = driver_statement(stmt, self.sqlite_read_engine.dialect)
            if statement is not None:
                self._notify(statement)
                return fetch_sqlite(self.sqlite_read_engine, statement, params)
            with self.sqlite_read_engine.connect() as connection:
                return connection.execute(stmt, params).all()
        statement = driver_statement(stmt, self.engine.dialect) if self.engine.dialect.driver == "asyncpg" else None
        if statement is not None:
            self._notify(statement)
            return await fetch_asyncpg(self.engine, statement, params)
        async with self.read_engine.connect() as connection:
            return await connection.run_sync(lambda sync: sync.execute(stmt, params).all())

    async def lookup(self, stmt: Executable, params: Params = None) -> Sequence[Sequence[Any]]:
        """The rows of a lookup by a unique key, as `rows` reads them; on PostgreSQL on connections
        that cache its generic plan (POSTGRES_LOOKUP_POOL_SHARE)."""
        if self.lookup_engine is None:
            return await self.rows(stmt, params)
        statement = driver_statement(stmt, self.lookup_engine.dialect)
        if statement is None:
            raise ValueError("lookup takes statements compiled once, with no parameter rendered at execution")
        self._notify(statement)
        return await fetch_asyncpg(self.lookup_engine, statement, params)

    async def records(self, model: type, stmt: Select, params: Params = None) -> list[Any]:
        """The rows of `stmt`, which selects columns of `model`, as records of those columns
        (db/records.py)."""
        make = _record_class_of(model, stmt)
        return [make(*row) for row in await self.rows(stmt, params)]

    async def scalar(self, stmt: Executable, params: Params = None) -> Any:
        """The first column of the first row, or None without rows."""
        found = await self.rows(stmt, params)
        return found[0][0] if found else None

    def _notify(self, statement: DriverStatement) -> None:
        for listener in self._statement_listeners:
            listener(statement.sql)

    def listen_statements(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call `listener` with the SQL text of every statement the database runs (not BEGIN,
        COMMIT or ROLLBACK) until the returned function is called."""

        def on_execute(_conn, _cursor, statement: str, *_: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                listener(statement)

        engines = [self.engine.sync_engine] + ([self.sqlite_read_engine] if self.sqlite_read_engine is not None else [])
        for engine in engines:
            event.listen(engine, "before_cursor_execute", on_execute)
        self._statement_listeners.append(listener)

        def stop() -> None:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", on_execute)
            self._statement_listeners.remove(listener)

        return stop

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends normally, rolled back otherwise.

        On SQLite, one writer holds the file at a time, and the others wait in SQLite's busy
        handler, which polls in sleeps of up to 100 ms while holding a pooled connection and
        aiosqlite's thread: under a burst of edits on one worker that made p99 latency one to two
        seconds. A process's writers therefore wait their turn on an asyncio lock, holding
        nothing; only writers of other processes still meet in the busy handler.

        The changes collected in the session (db/changes.py) leave on commit only: on PostgreSQL
        as one `pg_notify` statement just before it, on SQLite to `committed_changes` after it.
        """
        async with self._turn_to_write, self.writer() as session:
            async with session.begin():
                yield session
                changes = pending_changes(session)
                if changes and not self.is_sqlite:
                    await session.execute(notify_statement(), {"payloads": encode(changes)})
            if changes and self.is_sqlite:
                self.committed_changes(changes)

    async def write_alone(self, stmt: Executable, params: Params = None) -> Sequence[Sequence[Any]]:
        """One writing statement in a transaction of its own, its rows returned (RETURNING):
        straight to the driver in autocommit, as `rows` reads. A session's ORM flush, BEGIN and
        COMMIT cost the front door's call record three times the rest of the call. On SQLite it
        waits its turn with the process's other writers, on aiosqlite's thread."""
        statement = driver_statement(stmt, self.engine.dialect)
        if statement is None:
            raise ValueError("write_alone takes statements compiled once, with no parameter rendered at execution")
        self._notify(statement)
        try:
            if self.engine.dialect.driver == "asyncpg":
                return await fetch_asyncpg(self.engine, statement, params)
            async with self._turn_to_write:
                return await fetch_aiosqlite(self.engine, statement, params)
        except (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError) as exc:
            # As SQLAlchemy raises it (db/errors.py classifies it), without the parameters.
            raise IntegrityError(statement.sql, None, exc) from exc

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.lookup_engine is not None:
            await self.lookup_engine.dispose()
        if self.sqlite_read_engine is not None:
            self.sqlite_read_engine.dispose()


@functools.lru_cache(maxsize=1024)
def _record_class_of(model: type, stmt: Select) -> type:
    """The record type of the columns `stmt` selects; cached by statement (built once per shape)."""
    return record_class(model, tuple(column.key for column in stmt.selected_columns))


def _json_loads(text: str) -> object:
    """orjson for JSON columns (several times faster over a page of rows); the standard library
    for what orjson refuses and `json.dumps` may have written (NaN, Infinity)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_database(
    url: str, *, echo: bool = False, pool_size: int = POSTGRES_POOL_SIZE, max_overflow: int = POSTGRES_POOL_OVERFLOW
) -> Database:
    """`pool_size` and `max_overflow`: PostgreSQL connections kept open and opened for bursts."""
    connect_args: dict[str, object] = {}
    # hide_parameters: a statement's parameters (encrypted credentials, tenants' text) never
    # appear in an exception's message, and so never in the server's log.
    options: dict[str, object] = {"echo": echo, "json_deserializer": _json_loads, "hide_parameters": True}
    if is_sqlite(url):
        connect_args["timeout"] = 30
    else:
        options.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=False)
        connect_args["server_settings"] = POSTGRES_SESSION_SETTINGS
    engine = create_async_engine(url, connect_args=connect_args, **options)
    lookup_engine = None
    if not is_sqlite(url) and make_url(url).drivername.endswith("asyncpg"):
        lookup_options = {**options, "pool_size": max(1, pool_size // POSTGRES_LOOKUP_POOL_SHARE), "max_overflow": 0}
        lookup_engine = create_async_engine(url, **lookup_options)
    sqlite_read_engine = None
    if is_sqlite(url):
        _configure_sqlite(engine.sync_engine)
        sqlite_read_engine = _sqlite_file_read_engine(url, echo=echo)
    write_engine = engine.execution_options(**{_IMMEDIATE: True})
    # PostgreSQL reads are single statements: outside a transaction they save the BEGIN and
    # ROLLBACK round trips (SQLite's BEGIN is a local call and keeps its snapshot semantics).
    read_engine = engine if is_sqlite(url) else engine.execution_options(isolation_level="AUTOCOMMIT")
    return Database(
        url=url,
        engine=engine,
        reader=async_sessionmaker(read_engine, expire_on_commit=False, autoflush=False),
        writer=async_sessionmaker(write_engine, expire_on_commit=False, autoflush=False),
        read_engine=read_engine,
        sqlite_read_engine=sqlite_read_engine,
        lookup_engine=lookup_engine,
    )


def _sqlite_file_read_engine(url: str, *, echo: bool) -> Engine | None:
    """The same file through the standard library's sqlite3, for the bulk reads; none for an
    in-memory database, which another connection would not see."""
    parsed = make_url(url)
    if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    engine = create_engine(
        parsed.set(drivername="sqlite+pysqlite"),
        # The pool may close a connection from another thread (at shutdown, say).
        connect_args={"timeout": 30, "check_same_thread": False},
        echo=echo,
        json_deserializer=_json_loads,
        hide_parameters=True,
    )
    _configure_sqlite(engine, transactions=False)
    return engine
