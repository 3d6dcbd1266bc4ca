"""Test fixtures: a fresh database per run (SQLite file, or PostgreSQL when
SWITCHBOARD_TEST_DATABASE_URL is set), and a real uvicorn server on loopback."""

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from helpers import Api
from sqlalchemy import event
from sqlalchemy.engine import make_url
from switchboard.db.api_keys import create_api_key
from switchboard.db.engine import Database, create_database
from switchboard.db.migrate import migrate
from switchboard.db.organizations import create_organization
from switchboard.server.app import create_app
from switchboard.server.settings import Settings

TEST_SECRET_KEY = "n6wrjYzvU8DE4eSkfRZtLZ4hvm6sY0m4dQ1XWf4G9Ps="


async def _create_postgres_database(admin_url: str) -> tuple[str, str]:
    import asyncpg

    url = make_url(admin_url)
    name = f"switchboard_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres_database(admin_url: str, name: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory) -> AsyncIterator[str]:
    admin_url = os.environ.get("SWITCHBOARD_TEST_DATABASE_URL")
    if not admin_url:
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'switchboard.db'}"
        return
    url, name = await _create_postgres_database(admin_url)
    try:
        yield url
    finally:
        await _drop_postgres_database(admin_url, name)


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY, public_base_url=None)


class RunningServer:
    def __init__(self, url: str, db: Database) -> None:
        self.url = url
        self.db = db


@asynccontextmanager
async def running_server(settings: Settings, *, migrated: bool = True) -> AsyncIterator[RunningServer]:
    """A real uvicorn server for `settings` on a free loopback port, inside the test event loop."""
    app = create_app(settings)
    if migrated:
        await migrate(app.state.services.db)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(uv.serve())
    while not uv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield RunningServer(url=f"http://127.0.0.1:{port}", db=app.state.services.db)
    finally:
        uv.should_exit = True
        await task


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    async with running_server(settings) as running:
        yield running


@pytest.fixture(scope="session")
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def new_organization(db: Database, name: str = "Acme") -> tuple[int, str]:
    async with db.write() as session:
        organization = await create_organization(session, name)
        return organization.id, await create_api_key(session, organization.id)


@pytest.fixture
async def api(server: RunningServer, http: httpx.AsyncClient) -> Api:
    """A client authenticated as a fresh organization of its own."""
    organization_id, key = await new_organization(server.db)
    return Api(http, key, organization_id)


@pytest.fixture
async def other_api(server: RunningServer, http: httpx.AsyncClient) -> Api:
    """A second, unrelated organization."""
    organization_id, key = await new_organization(server.db, "Other")
    return Api(http, key, organization_id)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql(server: RunningServer):
    """Counts the SQL statements the server runs while the test is inside `with sql:`-free code."""
    counter = StatementCounter()
    engine = server.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture(scope="session")
async def standalone_db(database_url: str, server: RunningServer) -> AsyncIterator[Database]:
    """A second engine on the same database, as another process would have."""
    db = create_database(database_url)
    yield db
    await db.dispose()
