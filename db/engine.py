"""Async engine and session factories for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_IMMEDIATE = "switchboard_sqlite_immediate"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL and foreign keys on every connection; explicit BEGIN so writers can take the lock early.

    A deferred SQLite transaction that reads and then writes fails with SQLITE_BUSY when another
    writer committed in between; write sessions therefore start with BEGIN IMMEDIATE, which waits
    on the busy timeout instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    """The engine plus two session factories: short read sessions and write transactions."""

    url: str
    engine: AsyncEngine
    reader: async_sessionmaker[AsyncSession]
    writer: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.reader() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends normally, rolled back otherwise."""
        async with self.writer() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(url: str, *, echo: bool = False) -> Database:
    connect_args: dict[str, object] = {}
    options: dict[str, object] = {"echo": echo}
    if is_sqlite(url):
        connect_args["timeout"] = 30
    else:
        options.update(pool_size=10, max_overflow=10, pool_pre_ping=False)
    engine = create_async_engine(url, connect_args=connect_args, **options)
    if is_sqlite(url):
        _configure_sqlite(engine)
    write_engine = engine.execution_options(**{_IMMEDIATE: True})
    return Database(
        url=url,
        engine=engine,
        reader=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
        writer=async_sessionmaker(write_engine, expire_on_commit=False, autoflush=False),
    )
