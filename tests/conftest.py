"""Test fixtures: a fresh database per run (SQLite file, or PostgreSQL when
SWITCHBOARD_TEST_DATABASE_URL is set), and a real uvicorn server on loopback."""

import asyncio
import contextlib
import gc
import logging
import logging.handlers
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
import uvicorn
from fakes import FakeProvider, all_fakes
from helpers import Api
from processes import switchboard_serve
from sqlalchemy import select
from sqlalchemy.engine import make_url
from switchboard.db.api_keys import create_api_key
from switchboard.db.engine import Database, create_database
from switchboard.db.migrate import migrate
from switchboard.db.models import TelephonyConfig
from switchboard.db.organizations import create_organization
from switchboard.db.secrets import SecretBox, SecretKeyError
from switchboard.providers.registry import get_provider, load_providers
from switchboard.providers.url_guard import Resolver, resolve_with_getaddrinfo
from switchboard.server.app import create_app
from switchboard.server.http_protocol import HEADER_TIMEOUT_SECONDS, with_header_timeout
from switchboard.server.settings import Settings
from switchboard.server.ws_protocol import GoingAwayWebSocketProtocol

TEST_SECRET_KEY = "n6wrjYzvU8DE4eSkfRZtLZ4hvm6sY0m4dQ1XWf4G9Ps="
# Short, so that the fault tests (hanging providers) finish quickly; production uses 15 s.
PROVIDER_TIMEOUT = 2.0
BODY_TIMEOUT = 1.0
# PostgreSQL connections each test server keeps (production: 30 a worker). Several servers share
# the test database at once (the session's, the synced one, a two-worker `serve`), and with 30
# each they came within a few connections of PostgreSQL's default max_connections of 100: a
# burst then failed with "too many clients" as HTTP 500.
TEST_POOL_SIZE = 10


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
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        public_base_url=None,
        provider_timeout=PROVIDER_TIMEOUT,
        request_body_timeout=BODY_TIMEOUT,
        database_pool_size=TEST_POOL_SIZE,
        # The suite sends far faster than any dashboard with one key (the fuzzer, the floods);
        # test_rate_limit.py serves its own server with a limit.
        rate_limit_per_second=0,
    )


class RunningServer:
    def __init__(self, url: str, db: Database, app) -> None:
        self.url = url
        self.db = db
        self.app = app


@asynccontextmanager
async def serving(
    app, *, lifespan: str = "on", header_timeout: float = HEADER_TIMEOUT_SECONDS, **uvicorn_options
) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port inside the test event loop, with
    Switchboard's HTTP protocol (`header_timeout`: seconds to send a request's head); over https
    when `uvicorn_options` name a certificate (``ssl_certfile``, ``ssl_keyfile``).

    The server shuts down gracefully, lifespan included: a forced exit would leave the lifespan
    task pending, and when the collector later destroyed it uvicorn logged a traceback from
    inside whatever was running then (once, from inside an `ast.parse`, which broke it)."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan=lifespan,
        timeout_graceful_shutdown=1,
        http=with_header_timeout(header_timeout),
        ws=GoingAwayWebSocketProtocol,
        **uvicorn_options,
    )
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve())
    while not uv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"{'https' if 'ssl_certfile' in uvicorn_options else 'http'}://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        await task


# Every response body any test server sent and every log line of the run, scanned for secrets
# when the session ends (see `server`).
RESPONSE_BODIES: list[bytes] = []
LOG_LINES = logging.handlers.BufferingHandler(capacity=10**9)


def recording(app):
    """Wrap an ASGI app so that its response bodies are kept for the secret scan."""

    async def recorder(scope, receive, send):
        async def keep(message):
            if message["type"] == "http.response.body":
                RESPONSE_BODIES.append(message.get("body", b""))
            await send(message)

        await app(scope, receive, keep)

    return recorder


@asynccontextmanager
async def running_server(
    settings: Settings, *, migrated: bool = True, resolver: Resolver = resolve_with_getaddrinfo
) -> AsyncIterator[RunningServer]:
    """A real Switchboard server for `settings`; `resolver` resolves the host names tenants supply."""
    app = create_app(settings, resolver=resolver)
    if migrated:
        await migrate(app.state.services.db)
    async with serving(recording(app), header_timeout=settings.request_header_timeout) as url:
        yield RunningServer(url=url, db=app.state.services.db, app=app)


async def stored_secrets(db: Database) -> set[str]:
    """The plaintext of every secret credential stored during the run (those the test key opens)."""
    box = SecretBox([TEST_SECRET_KEY])
    found: set[str] = set()
    async with db.read() as session:
        for config in await session.scalars(select(TelephonyConfig)):
            secret_fields = get_provider(config.provider).secret_field_names
            for name, value in config.credentials.items():
                if name in secret_fields:
                    with contextlib.suppress(SecretKeyError):
                        found.add(box.decrypt(value))
    return {secret for secret in found if len(secret) >= 8}


def assert_no_secret_leaked(secrets: set[str]) -> None:
    logged = "\n".join(LOG_LINES.format(record) for record in LOG_LINES.buffer)
    responses = b"\n".join(RESPONSE_BODIES).decode(errors="replace")
    leaked = {secret[:4] + "…" for secret in secrets if secret in logged or secret in responses}
    assert not leaked, f"secrets appeared in responses or logs: {sorted(leaked)}"


@pytest.fixture(scope="session")
async def fakes() -> AsyncIterator[dict[str, FakeProvider]]:
    """Every fake provider server, each on its own port; SWITCHBOARD_<PROVIDER>_API_BASE points at it.
    Providers without a fake point at a closed port, so no test can reach the internet."""
    started: dict[str, FakeProvider] = {}
    async with AsyncExitStack() as stack:
        for fake_class in all_fakes():
            fake = fake_class()
            fake.url = await stack.enter_async_context(serving(fake.app(), lifespan="off"))
            started[fake.key] = fake
        for key in load_providers():
            url = started[key].url if key in started else f"http://127.0.0.1:{free_port()}"
            os.environ[f"SWITCHBOARD_{key.upper()}_API_BASE"] = url
        yield started


@pytest.fixture(autouse=True)
def _reset_fakes(request) -> None:
    if "fakes" in request.fixturenames:
        for fake in request.getfixturevalue("fakes").values():
            fake.reset()


@pytest.fixture(scope="session", autouse=True)
def _no_abandoned_tasks() -> Iterator[None]:
    """Fail the run if a test left a task pending for the collector to destroy (see `serving`)."""
    destroyed = logging.handlers.BufferingHandler(capacity=10**6)
    asyncio_logger = logging.getLogger("asyncio")
    asyncio_logger.addHandler(destroyed)
    yield
    gc.collect()
    asyncio_logger.removeHandler(destroyed)
    abandoned = [record.getMessage() for record in destroyed.buffer if "destroyed but it is pending" in record.getMessage()]
    assert not abandoned, abandoned


@pytest.fixture(scope="session")
async def server(settings: Settings, fakes) -> AsyncIterator[RunningServer]:
    LOG_LINES.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(LOG_LINES)
    async with running_server(settings) as running:
        yield running
        secrets = await stored_secrets(running.db)
    logging.getLogger().removeHandler(LOG_LINES)
    assert_no_secret_leaked(secrets)


PUBLIC_BASE_URL = "https://switchboard.example.test"


@pytest.fixture(scope="session")
async def synced_server(settings: Settings, server: RunningServer) -> AsyncIterator[RunningServer]:
    """A second server on the same database with a public https base URL, so bindings are pushed."""
    async with running_server(settings.model_copy(update={"public_base_url": PUBLIC_BASE_URL}), migrated=False) as running:
        yield running


@pytest.fixture
async def synced_api(synced_server: RunningServer, http: httpx.AsyncClient) -> AsyncIterator[Api]:
    organization_id, key = await new_organization(synced_server.db, "Synced")
    async with httpx.AsyncClient(base_url=synced_server.url, timeout=30) as client:
        yield Api(client, key, organization_id)


@pytest.fixture(scope="session")
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def new_organization(db: Database, name: str = "Acme") -> tuple[int, str]:
    async with db.write() as session:
        organization = await create_organization(session, name)
        _, key = await create_api_key(session, organization.id)
        return organization.id, key


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


# The key lookup and the lastUsedAt write of server/auth.py (db/api_keys.py).
AUTHENTICATION_STATEMENTS = ("SELECT api_keys.id, api_keys.organization_id, api_keys.role", "UPDATE api_keys SET last_used_at")


class StatementCounter:
    """The statements operations run. Authentication's own (a key read at most every half
    second per worker, its lastUsedAt written at most once a minute) are counted apart, in
    `authentication`: they belong to the request, not to the operation, and come and go with
    the clock (tests/integration/test_api_keys.py bounds them)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.authentication: list[str] = []

    def __call__(self, statement: str) -> None:
        is_authentication = statement.startswith(AUTHENTICATION_STATEMENTS)
        (self.authentication if is_authentication else self.statements).append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql(server: RunningServer):
    """Counts the SQL statements the server runs while the test runs (Database.listen_statements)."""
    counter = StatementCounter()
    stop = server.db.listen_statements(counter)
    yield counter
    stop()


@pytest.fixture(scope="session")
async def standalone_db(database_url: str, server: RunningServer) -> AsyncIterator[Database]:
    """A second engine on the same database, as another process would have."""
    db = create_database(database_url)
    yield db
    await db.dispose()


def serve_environment(database_url: str) -> dict[str, str]:
    """The environment of a `switchboard serve` process on the suite's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    return env | {
        "SWITCHBOARD_DATABASE_URL": database_url,
        "SWITCHBOARD_SECRET_KEY": TEST_SECRET_KEY,
        "SWITCHBOARD_LOG_LEVEL": "warning",
        "SWITCHBOARD_DATABASE_POOL_SIZE": str(TEST_POOL_SIZE),
    }


@pytest.fixture(scope="module")
def two_workers(database_url, server, tmp_path_factory) -> Iterator[str]:
    """`switchboard serve --workers 2` on the same database: two processes racing, as in production."""
    env = serve_environment(database_url)
    with switchboard_serve(env, tmp_path_factory.mktemp("workers"), free_port(), "--workers", "2") as served:
        yield served.url
