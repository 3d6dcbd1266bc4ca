"""Live updates (SPEC §15) over a real WebSocket to the served app: what subscribers receive,
the protocol's answers to bad input, authentication, isolation, and delivery across workers."""

import asyncio
import contextlib

import httpx
import pytest
import websockets
from helpers import CREATE_NUMBER, SET_DEFAULT_CALLER_ID, UPDATE_NUMBER, Api, create_config, create_number, create_workflow
from live_client import connected, live
from switchboard.db.changes import Change, ChangeKind, collect

NUMBERS = """subscription($id: ID, $config: ID) {
  phoneNumberChanged(id: $id, telephonyConfigId: $config) {
    change id phoneNumber { __typename id label isDefaultCallerId lastProviderSync { ok action } telephonyConfig { id name } }
  }
}"""
CONFIGS = "subscription { telephonyConfigChanged { change id telephonyConfig { __typename id name isDefaultOutbound } } }"
WARNINGS = "subscription { telephonyConfigWarningsChanged { totalCount counts { code count } } }"
UPDATE_CONFIG_NAME = """mutation($id: ID!, $name: String!) {
  updateTelephonyConfig(input: {id: $id, name: $name}) { errors { code } }
}"""
DELETE_CONFIG = "mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId errors { code } } }"
CREATE_KEY = """mutation($role: Role!) {
  createApiKey(input: {name: "Live", role: $role}) { apiKey { id } secret errors { code } }
}"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"


async def new_key(api: Api, role: str) -> tuple[str, str]:
    created = (await api.query(CREATE_KEY, {"role": role}))["createApiKey"]
    return created["apiKey"]["id"], created["secret"]


async def test_a_change_reaches_subscribers_as_the_type_the_queries_return(server, api):
    config = (await create_config(api))["telephonyConfig"]
    number = (await create_number(api, config["id"], "+14155550100"))["phoneNumber"]
    async with live(server.url, api.key) as client:
        await client.subscribe("one", NUMBERS, {"id": number["id"]})
        await client.subscribe("all", NUMBERS)
        await client.nothing(0.2)
        await api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "label": "Main line"}})
        for operation in ("one", "all"):
            event = (await client.next_data(operation))["phoneNumberChanged"]
            assert event["change"] == "UPDATED"
            assert event["id"] == number["id"]
            assert event["phoneNumber"]["__typename"] == "PhoneNumber"
            assert event["phoneNumber"]["id"] == number["id"]
            assert event["phoneNumber"]["label"] == "Main line"
            assert event["phoneNumber"]["telephonyConfig"] == {"id": config["id"], "name": "Primary"}


async def test_creation_and_deletion_of_a_configuration_and_its_numbers(server, api):
    async with live(server.url, api.key) as client:
        await client.subscribe("configs", CONFIGS)
        await client.subscribe("numbers", NUMBERS)
        await client.nothing(0.2)
        config = (await create_config(api, "Sales"))["telephonyConfig"]
        created = (await client.next_data("configs"))["telephonyConfigChanged"]
        assert created["change"] == "CREATED"
        assert created["telephonyConfig"] == {
            "__typename": "TelephonyConfig",
            "id": config["id"],
            "name": "Sales",
            "isDefaultOutbound": False,
        }
        number = (await create_number(api, config["id"], "+14155550101"))["phoneNumber"]
        assert (await client.next_data("numbers"))["phoneNumberChanged"]["change"] == "CREATED"
        await api.query(DELETE_CONFIG, {"id": config["id"]})
        assert (await client.next_data("configs"))["telephonyConfigChanged"] == {
            "change": "DELETED",
            "id": config["id"],
            "telephonyConfig": None,
        }
        # The number went with its configuration: its deletion is announced too.
        assert (await client.next_data("numbers"))["phoneNumberChanged"] == {
            "change": "DELETED",
            "id": number["id"],
            "phoneNumber": None,
        }


async def test_the_previous_default_caller_id_is_announced_with_the_new_one(server, api):
    config = (await create_config(api))["telephonyConfig"]
    first = (await create_number(api, config["id"], "+14155550102", isDefaultCallerId=True))["phoneNumber"]
    second = (await create_number(api, config["id"], "+14155550103"))["phoneNumber"]
    async with live(server.url, api.key) as client:
        await client.subscribe("numbers", NUMBERS, {"config": config["id"]})
        await client.nothing(0.2)
        await api.query(SET_DEFAULT_CALLER_ID, {"id": second["id"]})
        events = [(await client.next_data("numbers"))["phoneNumberChanged"] for _ in range(2)]
        flags = {event["id"]: event["phoneNumber"]["isDefaultCallerId"] for event in events}
        assert flags == {first["id"]: False, second["id"]: True}


async def test_a_provider_sync_outcome_is_announced(server, api):
    config = (await create_config(api))["telephonyConfig"]
    workflow = await create_workflow(api, "Reception")
    async with live(server.url, api.key) as client:
        await client.subscribe("numbers", NUMBERS)
        await client.nothing(0.2)
        await api.query(
            CREATE_NUMBER,
            {"input": {"telephonyConfigId": config["id"], "address": "+14155550104", "inboundWorkflowId": workflow}},
        )
        created = (await client.next_data("numbers"))["phoneNumberChanged"]
        synced = (await client.next_data("numbers"))["phoneNumberChanged"]
        assert created["change"] == "CREATED"
        # The test server has no public URL, so the attach fails, and says so on the number.
        assert synced["change"] == "UPDATED"
        assert synced["phoneNumber"]["lastProviderSync"] == {"ok": False, "action": "ATTACH"}


async def test_warning_counts_are_sent_when_they_change_and_only_then(server, api):
    async with live(server.url, api.key) as client:
        await client.subscribe("warnings", WARNINGS)
        await client.nothing(0.2)
        config = (await create_config(api))["telephonyConfig"]
        warnings = (await client.next_data("warnings"))["telephonyConfigWarningsChanged"]
        assert {"code": "NO_DEFAULT_OUTBOUND_CONFIG", "count": 1} in warnings["counts"]
        await api.query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Renamed"})
        await client.nothing(0.5)
        await api.query(
            "mutation($id: ID!) { setDefaultOutboundConfig(input: {id: $id}) { errors { code } } }", {"id": config["id"]}
        )
        after = (await client.next_data("warnings"))["telephonyConfigWarningsChanged"]
        assert "NO_DEFAULT_OUTBOUND_CONFIG" not in {count["code"] for count in after["counts"]}
        assert after["totalCount"] == warnings["totalCount"] - 1


async def test_a_rolled_back_change_sends_nothing(server, api):
    config = (await create_config(api, "Taken"))["telephonyConfig"]
    other = (await create_config(api, "Other"))["telephonyConfig"]
    async with live(server.url, api.key) as client:
        await client.subscribe("configs", CONFIGS)
        await client.nothing(0.2)
        # A conflicting rename is rolled back.
        assert (await api.query(UPDATE_CONFIG_NAME, {"id": other["id"], "name": "Taken"}))["updateTelephonyConfig"]["errors"] == [
            {"code": "CONFLICT"}
        ]
        # A transaction that collected a change and then failed.
        with pytest.raises(RuntimeError):
            async with server.db.write() as session:
                collect(session, Change("TelephonyConfig", api.organization_id, int(config["databaseId"]), ChangeKind.UPDATED))
                raise RuntimeError("rolled back")
        await client.nothing(0.5)
        await api.query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Committed"})
        assert (await client.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Committed"


async def test_organizations_see_only_their_own_changes(server, api, other_api):
    config = (await create_config(api))["telephonyConfig"]
    number = (await create_number(api, config["id"], "+14155550105"))["phoneNumber"]
    async with live(server.url, other_api.key) as other:
        await other.subscribe("numbers", NUMBERS)
        await other.subscribe("configs", CONFIGS)
        # Another organization's object is refused like a missing one, and nothing is leaked.
        await other.subscribe("foreign", NUMBERS, {"id": number["id"]})
        refused = await other.receive()
        assert refused["id"] == "foreign" and refused["type"] == "next"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert (await other.receive())["type"] == "complete"
        await api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "label": "Mine"}})
        await create_config(api, "Second")
        await other.nothing(0.5)


async def test_a_viewer_may_subscribe_and_a_revoked_key_is_closed_with_4403(server, api):
    """Two viewers' identical subscriptions share their execution; revoking one key closes only its connection."""
    key_id, viewer_key = await new_key(api, "VIEWER")
    _, other_viewer_key = await new_key(api, "VIEWER")
    config = (await create_config(api))["telephonyConfig"]
    async with live(server.url, viewer_key) as viewer, live(server.url, other_viewer_key) as other_viewer:
        for client in (viewer, other_viewer):
            await client.subscribe("configs", CONFIGS)
        await viewer.nothing(0.2)
        await api.query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Seen"})
        for client in (viewer, other_viewer):
            assert (await client.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Seen"
        await api.query(REVOKE_KEY, {"id": key_id})
        await asyncio.sleep(0.6)  # what any worker trusts a key for at most
        await api.query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Unseen"})
        assert (await viewer.closed())[0] == 4403
        assert (await other_viewer.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Unseen"


async def test_connection_init_authenticates_like_http(server, api):
    for payload in ({"X-API-Key": "sb_wrong"}, {}, {"Authorization": "Bearer sb_wrong"}, None):
        async with connected(server.url) as client:
            await client.send(
                {"type": "connection_init", "payload": payload} if payload is not None else {"type": "connection_init"}
            )
            assert (await client.closed())[0] == 4403
    async with connected(server.url) as client:
        await client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {api.key}"}})
        assert (await client.receive())["type"] == "connection_ack"


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"id": "1", "type": "subscribe", "payload": {"query": CONFIGS}}], 4401),
        (['{"type": "connection_init"'], 4400),
        (["[1, 2]"], 4400),
        (['"connection_init"'], 4400),
        ([{"type": "shout"}], 4400),
        ([{"type": 7}], 4400),
        ([{"type": "connection_init", "payload": "key"}], 4400),
    ],
    ids=["subscribe-before-init", "malformed-json", "array", "string", "unknown-type", "numeric-type", "payload-not-object"],
)
async def test_bad_messages_before_init_close_with_the_protocols_codes(server, messages, code):
    async with connected(server.url) as client:
        for message in messages:
            await client.send(message)
        assert (await client.closed())[0] == code


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"id": "1", "type": "subscribe", "payload": "subscription { x }"}, 4400),
        ({"id": 1, "type": "subscribe", "payload": {"query": CONFIGS}}, 4400),
        ({"id": "1", "type": "subscribe", "payload": {"query": CONFIGS, "variables": [1]}}, 4400),
        ({"id": "1", "type": "subscribe", "payload": {"query": "subscription {"}}, 4400),
        ({"type": "complete"}, 4400),
        ({"type": "connection_init", "payload": {}}, 4429),
        ({"type": "nonsense"}, 4400),
    ],
    ids=["payload-string", "numeric-id", "variables-array", "syntax-error", "complete-without-id", "second-init", "unknown-type"],
)
async def test_bad_messages_after_init_close_with_the_protocols_codes(server, api, message, code):
    async with live(server.url, api.key) as client:
        await client.send(message)
        assert (await client.closed())[0] == code


async def test_a_binary_frame_closes_with_4400(server, api):
    async with live(server.url, api.key) as client:
        await client.socket.send(b'{"type": "ping"}')
        assert (await client.closed())[0] == 4400


async def test_duplicate_ids_ping_and_non_subscriptions(server, api):
    async with live(server.url, api.key) as client:
        await client.send({"type": "ping"})
        assert (await client.receive())["type"] == "pong"
        await client.subscribe("q", "{ organization { name } }")
        refused = await client.receive()
        assert refused["id"] == "q" and refused["type"] == "error", refused
        await client.subscribe("1", CONFIGS)
        await client.subscribe("1", CONFIGS)
        assert (await client.closed())[0] == 4409


async def test_the_protocol_must_be_graphql_transport_ws(server):
    for subprotocols in ((), ("graphql-ws",)):
        async with connected(server.url, subprotocols=subprotocols) as client:
            assert (await client.closed())[0] == 4406


async def test_a_browser_page_of_another_origin_is_refused(server, api):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connected(server.url, origin="https://elsewhere.example"):
            pass
    assert refused.value.response.status_code == 403
    host = server.url.removeprefix("http://")
    async with live(server.url, api.key, origin=f"http://{host}"):
        pass


async def test_changes_reach_subscribers_on_other_workers(server, api, is_postgres, request):
    """PostgreSQL: a mutation sent to one process reaches subscribers on every worker of another."""
    if not is_postgres:
        pytest.skip("on SQLite live updates stay within one process (README: single-worker for live updates)")
    two_workers = request.getfixturevalue("two_workers")
    config = (await create_config(api))["telephonyConfig"]
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(live(two_workers, api.key)) for _ in range(6)]
        for client in clients:
            await client.subscribe("configs", CONFIGS)
        await asyncio.sleep(0.3)
        await api.query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Everywhere"})
        for client in clients:
            assert (await client.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Everywhere"
        # And the other way: sent to one of the two workers, received here and on both.
        async with live(server.url, api.key) as here:
            await here.subscribe("configs", CONFIGS)
            await asyncio.sleep(0.2)
            async with httpx.AsyncClient(base_url=two_workers, timeout=30) as http:
                await Api(http, api.key, api.organization_id).query(UPDATE_CONFIG_NAME, {"id": config["id"], "name": "Back"})
            assert (await here.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Back"
            for client in clients:
                assert (await client.next_data("configs"))["telephonyConfigChanged"]["telephonyConfig"]["name"] == "Back"
