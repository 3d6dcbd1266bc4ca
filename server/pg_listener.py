"""Each worker's one PostgreSQL connection that LISTENs for change notices (SPEC §15).

Every worker's write transactions NOTIFY their changes (db/changes.py); this connection hands
the notices of all workers, this one's included, to this worker's hub. When the connection is
lost (PostgreSQL restarted, a network fault) it is opened again, waiting 0.5 s and doubling up
to 10 s between tries; the notices sent meanwhile are lost, as a client's own reconnection
loses what happened while it was away.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable

import asyncpg
from sqlalchemy.engine import make_url
from switchboard.db.changes import CHANNEL, Change, decode

log = logging.getLogger("switchboard.live")

FIRST_RETRY_SECONDS = 0.5
LAST_RETRY_SECONDS = 10.0


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    def __init__(self, database_url: str, deliver: Callable[[Iterable[Change]], None]) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._deliver = deliver
        self.listening = asyncio.Event()

    def _on_notice(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            changes = decode(payload)
        except ValueError:
            log.warning("ignored a notice on %s that is not a change notice", CHANNEL)
            return
        self._deliver(changes)

    async def run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._listen_until_lost()
                log.warning("lost the connection listening for changes; opening it again")
                delay = FIRST_RETRY_SECONDS
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cannot listen for changes (%s); trying again in %.1f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LAST_RETRY_SECONDS)

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._on_notice)
            self.listening.set()
            await lost.wait()
        finally:
            self.listening.clear()
            if not connection.is_closed():
                await connection.close()


@contextlib.asynccontextmanager
async def listening(database_url: str, deliver: Callable[[Iterable[Change]], None]) -> AsyncIterator[ChangeListener]:
    """Listen while the block runs (the app's lifespan)."""
    listener = ChangeListener(database_url, deliver)
    task = asyncio.create_task(listener.run())
    try:
        # Start serving once listening, so that a subscription never misses a change made after it was
        # acknowledged; a database that is down does not hold the start-up for long.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.listening.wait(), timeout=5)
        yield listener
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
