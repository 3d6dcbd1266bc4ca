"""Live updates' limits (SPEC §15), each on a server of its own with small limits: operations per
connection, connections per credential, a subscribe flood, the rate limit, the init timeout, a
slow consumer's bounded queue, and the close code at shutdown."""

import asyncio
import contextlib
import secrets
import socket

import httpx
from conftest import new_organization, running_server
from helpers import UPDATE_NUMBER, Api, create_config, create_number
from live_client import connected, live

NUMBER = "subscription($id: ID) { phoneNumberChanged(id: $id) { change phoneNumber { id extraMetadata } } }"


@contextlib.asynccontextmanager
async def served(settings, **limits):
    async with running_server(settings.model_copy(update=limits), migrated=False) as running:
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as http:
            running.http = http
            yield running


async def organization(running) -> Api:
    """An organization whose mutations go to `running` (on SQLite its subscribers hear only its own)."""
    organization_id, key = await new_organization(running.db, "Live limits")
    return Api(running.http, key, organization_id)


async def test_operations_per_connection_and_a_flood_of_subscribe_messages(settings, server):
    async with served(settings, max_subscriptions_per_connection=5) as running:
        api = await organization(running)
        hub, shared = running.app.state.services.changes, running.app.state.live.shared_streams
        async with live(running.url, api.key) as client:
            for index in range(10_000):
                await client.subscribe(str(index), NUMBER)
            refused = 0
            while refused < 10_000 - 5:
                message = await client.receive()
                assert message["type"] == "error", message
                assert message["payload"][0]["message"] == "Subscription limit reached"
                refused += 1
            # Five operations, and one subscription to the changes: identical ones share it.
            assert (shared.member_count, hub.subscriber_count) == (5, 1)
            await client.send({"type": "ping"})
            assert (await client.receive())["type"] == "pong"
        for _ in range(50):
            if (shared.member_count, hub.subscriber_count) == (0, 0):
                break
            await asyncio.sleep(0.05)
        assert (shared.member_count, hub.subscriber_count) == (0, 0)


async def test_subscribe_messages_count_against_the_credentials_rate_limit(settings, server):
    async with served(settings, rate_limit_per_second=0.5, rate_limit_burst=4) as running:
        api = await organization(running)
        async with live(running.url, api.key) as client:  # connection_init takes one
            for index in range(10):
                await client.subscribe(str(index), NUMBER)
            codes = [(await client.receive())["payload"][0]["extensions"]["code"] for _ in range(7)]
            assert codes == ["RATE_LIMITED"] * 7
            await client.nothing(0.3)


async def test_connections_per_credential(settings, server):
    async with served(settings, ws_connections_per_key=2) as running:
        api = await organization(running)
        async with live(running.url, api.key), live(running.url, api.key):
            async with connected(running.url) as third:
                await third.send({"type": "connection_init", "payload": {"X-API-Key": api.key}})
                assert await third.closed() == (4403, "Too many connections with this credential")
        # Closed connections no longer count.
        async with live(running.url, api.key), live(running.url, api.key):
            pass


async def test_connection_init_must_come_in_time(settings, server):
    async with served(settings, ws_init_timeout=0.3) as running, connected(running.url) as client:
        assert (await client.closed())[0] == 4408


async def test_a_slow_consumer_is_closed_not_buffered(settings, server):
    """A client that stops reading: the server's writes block, the subscriptions' queues fill, and
    the connection is closed with 1013 instead of queuing more."""
    async with served(settings, subscriber_queue=2) as running:
        api = await organization(running)
        config = (await create_config(api))["telephonyConfig"]
        number = (await create_number(api, config["id"], "+14155550190"))["phoneNumber"]
        # A small receive buffer, and the client library queues at most one message: the server's
        # writes block soon.
        reader = socket.socket()
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.connect(("127.0.0.1", int(running.url.rsplit(":", 1)[1])))
        async with live(running.url, api.key, max_queue=1, sock=reader) as client:
            for index in range(20):
                await client.subscribe(str(index), NUMBER, {"id": number["id"]})
            await asyncio.sleep(0.3)
            for _ in range(40):
                metadata = {"blob": secrets.token_hex(7_500)}  # incompressible: permessage-deflate is on
                updated = await api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "extraMetadata": metadata}})
                assert not updated["updatePhoneNumber"]["errors"], updated
            assert (await client.closed(timeout=20))[0] == 1013
        assert running.app.state.services.changes.subscriber_count == 0
        assert (await api.query("{ organization { name } }"))["organization"]["name"] == "Live limits"


async def test_shutdown_closes_connections_as_going_away(settings, server):
    async with contextlib.AsyncExitStack() as clients:
        async with served(settings) as running:
            api = await organization(running)
            client = await clients.enter_async_context(live(running.url, api.key))
            await client.subscribe("1", NUMBER)
            await asyncio.sleep(0.2)
            closing = asyncio.create_task(client.closed(timeout=10))
        assert (await closing)[0] == 1001
