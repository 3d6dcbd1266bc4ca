"""SPEC §3–§5 invariants under concurrent requests: defaults, routing keys, names, bindings.

Every burst goes over its own connection pool (one connection per request) so the server really
runs the transactions side by side. Whatever the interleaving, every response must be HTTP 200
without top-level errors, losers get a user error, and the database ends in a valid state.
Each test uses its own organization and its own Twilio account SID, so the session-wide database
shared with other test files never causes collisions of routing keys.
"""

import asyncio
import random
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from helpers import (
    CREATE_CONFIG,
    CREATE_NUMBER,
    SET_DEFAULT_CALLER_ID,
    SET_DEFAULT_OUTBOUND,
    Api,
    create_config,
    create_number,
    create_workflow,
)

ROUNDS = 5
BURST = 30

CREATE_WORKFLOW = """
mutation($name: String!) { createWorkflow(input: {name: $name}) { workflow { id name } errors { code message } } }"""
DELETE_WORKFLOW = """
mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { deletedId errors { code message } } }"""
BIND = """
mutation($id: ID!, $workflowId: ID!) {
  updatePhoneNumber(input: {id: $id, inboundWorkflowId: $workflowId}) {
    phoneNumber { id inboundWorkflowId } errors { code message }
  }
}"""
DEFAULT_OUTBOUND_STATE = """{
  organization { defaultOutboundConfig { id } }
  telephonyConfigs(first: 100) { nodes { id isDefaultOutbound } }
}"""
DEFAULT_CALLER_ID_STATE = """
query($id: ID!) {
  telephonyConfig(id: $id) { defaultCallerId { id } phoneNumbers(first: 100) { nodes { id isDefaultCallerId } } }
}"""
NUMBERS_STATE = "{ phoneNumbers(first: 100) { nodes { addressNormalized telephonyConfig { id } } } }"
ORGANIZATION = "{ organization { id databaseId name } }"
WORKFLOW_STATE = "query($id: ID!) { workflow(id: $id) { id } }"
NUMBER_STATE = "query($id: ID!) { node(id: $id) { ... on PhoneNumber { inboundWorkflowId } } }"


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture(params=["one-process", "two-workers"])
async def pool(request, server) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own with enough connections that a burst is not serialized client-side,
    talking to the in-process server or to a two-worker `switchboard serve`."""
    url = server.url if request.param == "one-process" else request.getfixturevalue("two_workers")
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        yield client


def on(pool: httpx.AsyncClient, api: Api) -> Api:
    """The same organization, talking through the concurrent pool."""
    return Api(pool, api.key, api.organization_id)


def twilio_account() -> dict:
    """Fresh Twilio credentials: an account SID no other test uses."""
    return {"twilio": {"accountSid": "AC" + uuid.uuid4().hex, "authToken": "f" * 32}}


def payload_of(response: httpx.Response) -> dict[str, Any]:
    """The single root field's payload; fails on anything but HTTP 200 without top-level errors."""
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
    body = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    return payload


async def fire(calls: list[tuple[Api, str, dict]]) -> list[dict[str, Any]]:
    """Send every (api, query, variables) at once; return the payloads in the same order."""
    responses = await asyncio.gather(*(api.raw(query, variables) for api, query, variables in calls))
    return [payload_of(response) for response in responses]


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def assert_all_succeeded(payloads: list[dict[str, Any]]) -> None:
    failures = [payload["errors"] for payload in payloads if payload["errors"]]
    assert not failures, failures


def assert_one_winner(payloads: list[dict[str, Any]], *loser_codes: str) -> dict[str, Any]:
    """Exactly one payload without errors; every other one fails with exactly one of `loser_codes`."""
    winners = [payload for payload in payloads if not payload["errors"]]
    assert len(winners) == 1, payloads
    losers = Counter(tuple(error_codes(payload)) for payload in payloads if payload["errors"])
    assert set(losers) <= {(code,) for code in loser_codes}, losers
    return winners[0]


def bursts(ids: list[str], size: int = BURST) -> list[str]:
    """`size` ids in random order, each id at least once."""
    chosen = ids * (size // len(ids)) + random.sample(ids, size % len(ids))
    random.shuffle(chosen)
    return chosen


async def assert_one_default_outbound(api: Api, config_ids: list[str]) -> str:
    state = await api.query(DEFAULT_OUTBOUND_STATE)
    defaults = [node["id"] for node in state["telephonyConfigs"]["nodes"] if node["isDefaultOutbound"]]
    assert len(defaults) == 1, state
    assert defaults[0] in config_ids
    assert state["organization"]["defaultOutboundConfig"] == {"id": defaults[0]}
    return defaults[0]


async def assert_one_default_caller_id(api: Api, config_id: str, number_ids: list[str]) -> str:
    state = (await api.query(DEFAULT_CALLER_ID_STATE, {"id": config_id}))["telephonyConfig"]
    defaults = [node["id"] for node in state["phoneNumbers"]["nodes"] if node["isDefaultCallerId"]]
    assert len(defaults) == 1, state
    assert defaults[0] in number_ids
    assert state["defaultCallerId"] == {"id": defaults[0]}
    return defaults[0]


def pstn(i: int) -> str:
    return f"+1415555{i:04d}"


async def new_config(api: Api, name: str, credentials: dict | None = None) -> str:
    """A Twilio configuration (on a fresh account unless `credentials` are given); its id."""
    return (await create_config(api, name, credentials or twilio_account()))["telephonyConfig"]["id"]


async def new_number(api: Api, config_id: str, address: str) -> str:
    return (await create_number(api, config_id, address))["phoneNumber"]["id"]


async def create_configs(api: Api, count: int, credentials: dict) -> list[str]:
    return [await new_config(api, f"Config {i}", credentials) for i in range(count)]


def assert_no_leak(message: str, address: str, organization: dict) -> None:
    """The conflict message names neither the other organization nor its ids."""
    assert organization["name"] not in message, message
    assert organization["id"] not in message, message
    without_address = message.replace(address, "")
    assert not re.search(rf"(?<!\d){organization['databaseId']}(?!\d)", without_address), message


# --- §3 default outbound configuration -----------------------------------------------------------


async def test_concurrent_set_default_outbound_leaves_exactly_one_default(api, pool):
    config_ids = await create_configs(api, 5, twilio_account())
    concurrent = on(pool, api)
    for _ in range(ROUNDS):
        payloads = await fire([(concurrent, SET_DEFAULT_OUTBOUND, {"id": i}) for i in bursts(config_ids)])
        assert_all_succeeded(payloads)
        assert all(payload["telephonyConfig"]["isDefaultOutbound"] for payload in payloads)
        await assert_one_default_outbound(api, config_ids)


async def test_concurrent_creates_as_default_outbound_leave_exactly_one_default(api, pool):
    credentials = twilio_account()
    concurrent = on(pool, api)
    inputs = [{"name": f"Default {i}", "credentials": credentials, "isDefaultOutbound": True} for i in range(20)]
    calls = [(concurrent, CREATE_CONFIG, {"input": given}) for given in inputs]
    payloads = await fire(calls)
    assert_all_succeeded(payloads)
    await assert_one_default_outbound(api, [payload["telephonyConfig"]["id"] for payload in payloads])


# --- §4 default caller ID and routing keys -------------------------------------------------------


async def test_concurrent_set_default_caller_id_leaves_exactly_one_default(api, pool):
    config_id = await new_config(api, "Caller IDs")
    number_ids = [await new_number(api, config_id, pstn(i)) for i in range(5)]
    concurrent = on(pool, api)
    for _ in range(ROUNDS):
        payloads = await fire([(concurrent, SET_DEFAULT_CALLER_ID, {"id": i}) for i in bursts(number_ids)])
        assert_all_succeeded(payloads)
        assert all(payload["phoneNumber"]["isDefaultCallerId"] for payload in payloads)
        await assert_one_default_caller_id(api, config_id, number_ids)


async def test_concurrent_creates_as_default_caller_id_leave_exactly_one_default(api, pool):
    config_id = await new_config(api, "Caller IDs")
    concurrent = on(pool, api)
    inputs = [{"telephonyConfigId": config_id, "address": pstn(i), "isDefaultCallerId": True} for i in range(20)]
    calls = [(concurrent, CREATE_NUMBER, {"input": given}) for given in inputs]
    payloads = await fire(calls)
    assert_all_succeeded(payloads)
    await assert_one_default_caller_id(api, config_id, [payload["phoneNumber"]["id"] for payload in payloads])


def number_call(api: Api, config_id: str, address: str) -> tuple[Api, str, dict]:
    return api, CREATE_NUMBER, {"input": {"telephonyConfigId": config_id, "address": address}}


async def test_two_organizations_racing_for_the_same_routing_key_one_conflicts(api, other_api, pool):
    credentials = twilio_account()
    sides = [(on(pool, side), await new_config(side, "Shared account", credentials)) for side in (api, other_api)]
    organizations = [(await side.query(ORGANIZATION))["organization"] for side in (api, other_api)]
    addresses = [pstn(i) for i in range(10)]
    calls = [number_call(side, config_id, address) for address in addresses for side, config_id in sides]
    payloads = await fire(calls)
    for n, address in enumerate(addresses):
        pair = payloads[2 * n : 2 * n + 2]
        winner = assert_one_winner(pair, "CONFLICT")
        loser_side = 1 - pair.index(winner)
        assert_no_leak(pair[loser_side]["errors"][0]["message"], address, organizations[1 - loser_side])
    stored = [(await side.query(NUMBERS_STATE))["phoneNumbers"]["nodes"] for side in (api, other_api)]
    assert sorted(node["addressNormalized"] for nodes in stored for node in nodes) == addresses


async def test_same_organization_racing_in_two_configs_of_one_account_one_conflicts(api, pool):
    config_ids = await create_configs(api, 2, twilio_account())
    concurrent = on(pool, api)
    addresses = [pstn(i) for i in range(10)]
    payloads = await fire([number_call(concurrent, c, address) for address in addresses for c in config_ids])
    for n in range(len(addresses)):
        assert_one_winner(payloads[2 * n : 2 * n + 2], "CONFLICT")
    nodes = (await api.query(NUMBERS_STATE))["phoneNumbers"]["nodes"]
    assert sorted(node["addressNormalized"] for node in nodes) == addresses


# --- §5 workflows --------------------------------------------------------------------------------


def case_variants(name: str) -> list[str]:
    return [name, name.lower(), name.upper(), f"  {name} ", name.swapcase()]


@pytest.mark.parametrize("name", ["Support", "After hours"])
async def test_concurrent_creates_of_one_workflow_name_one_wins(api, pool, name):
    concurrent = on(pool, api)
    names = case_variants(name) * 4
    payloads = await fire([(concurrent, CREATE_WORKFLOW, {"name": variant}) for variant in names])
    winner = assert_one_winner(payloads, "CONFLICT")
    assert winner["workflow"]["name"].lower() == name.lower()
    assert (await api.query("{ workflows { totalCount } }"))["workflows"]["totalCount"] == 1


async def race_bind_against_delete(concurrent: Api, pairs: list[tuple[str, str]]) -> list[list[dict]]:
    """Bind each number to its workflow while deleting that workflow; both orders of submission."""
    calls = []
    for n, (number_id, workflow_id) in enumerate(pairs):
        bind = (concurrent, BIND, {"id": number_id, "workflowId": workflow_id})
        delete = (concurrent, DELETE_WORKFLOW, {"id": workflow_id})
        calls += [bind, delete] if n % 2 == 0 else [delete, bind]
    payloads = await fire(calls)
    return [sorted(payloads[2 * n : 2 * n + 2], key=lambda p: "deletedId" in p) for n in range(len(pairs))]


async def test_binding_a_number_while_its_workflow_is_deleted_never_leaves_a_dangling_binding(api, pool):
    config_id = await new_config(api, "Inbound")
    pairs = [(await new_number(api, config_id, pstn(i)), await create_workflow(api, f"Agent {i}")) for i in range(10)]
    outcomes = await race_bind_against_delete(on(pool, api), pairs)
    for (number_id, workflow_id), (bind, delete) in zip(pairs, outcomes, strict=True):
        assert_one_winner([bind, delete], "NOT_FOUND", "CONFLICT")
        workflow = (await api.query(WORKFLOW_STATE, {"id": workflow_id}))["workflow"]
        bound_to = (await api.query(NUMBER_STATE, {"id": number_id}))["node"]["inboundWorkflowId"]
        if bind["errors"]:
            assert error_codes(bind) == ["NOT_FOUND"] and delete["deletedId"] == workflow_id
            assert workflow is None and bound_to is None
        else:
            assert error_codes(delete) == ["CONFLICT"] and bind["phoneNumber"]["inboundWorkflowId"] == workflow_id
            assert workflow == {"id": workflow_id} and bound_to == workflow_id
