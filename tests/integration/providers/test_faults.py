"""Provider faults during writes: the write is committed, the sync reports ok: false with a helpful
message, and no request outlives the provider time budget (PROVIDER_TIMEOUT in the tests)."""

import asyncio
import time

import httpx
import pytest
from conftest import PROVIDER_TIMEOUT, PUBLIC_BASE_URL, free_port, new_organization, running_server
from helpers import Api, create_config, create_number, create_workflow

BUDGET_MARGIN = 1.5  # seconds of our own work on top of the provider budget


@pytest.fixture
async def ready(synced_api, fakes):
    twilio = fakes["twilio"]
    twilio.add_account(synced_api.twilio["accountSid"], synced_api.twilio["authToken"])
    twilio.add_number(synced_api.twilio["accountSid"], "+14155550100")
    config = (await create_config(synced_api))["telephonyConfig"]
    workflow = await create_workflow(synced_api, "Reception")
    return twilio, config, workflow


async def bind(api: Api, config: dict, workflow: str) -> tuple[dict, float]:
    started = time.monotonic()
    payload = await create_number(api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    return payload, time.monotonic() - started


def assert_committed_and_failed(payload: dict, fragment: str) -> None:
    assert payload["errors"] == []
    number = payload["phoneNumber"]
    assert number["inboundWorkflowName"] == "Reception"
    assert number["lastProviderSync"]["ok"] is False
    assert fragment in number["lastProviderSync"]["message"]


async def test_hanging_provider_times_out_within_the_budget(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("hang")
    payload, elapsed = await bind(synced_api, config, workflow)
    assert_committed_and_failed(payload, f"did not answer within {PROVIDER_TIMEOUT:g} s")
    assert elapsed < PROVIDER_TIMEOUT + BUDGET_MARGIN


async def test_5xx_is_retried_then_reported(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("status", status=503, times=3)
    payload, elapsed = await bind(synced_api, config, workflow)
    assert_committed_and_failed(payload, "Twilio had an error of its own (HTTP 503)")
    assert len(twilio.sent("GET", "IncomingPhoneNumbers")) == 3
    assert elapsed < PROVIDER_TIMEOUT + BUDGET_MARGIN


async def test_a_single_5xx_is_absorbed_by_the_retry(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("status", status=500)
    payload, _ = await bind(synced_api, config, workflow)
    assert payload["providerSync"] == {"ok": True}


async def test_429_honours_retry_after(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("status", status=429, retry_after="1")
    payload, elapsed = await bind(synced_api, config, workflow)
    assert payload["providerSync"] == {"ok": True}
    assert elapsed >= 1.0
    assert len(twilio.sent("GET", "IncomingPhoneNumbers")) == 2


async def test_429_with_a_retry_after_beyond_the_budget_is_reported_at_once(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("status", status=429, retry_after="120")
    payload, elapsed = await bind(synced_api, config, workflow)
    assert_committed_and_failed(payload, "rate-limiting")
    assert elapsed < 1.0


async def test_malformed_json_is_reported(synced_api, ready):
    twilio, config, workflow = ready
    twilio.fail_next("malformed")
    payload, _ = await bind(synced_api, config, workflow)
    assert_committed_and_failed(payload, "malformed JSON")


async def test_verify_against_a_hanging_provider_is_unreachable(synced_api, ready):
    twilio, config, _ = ready
    twilio.fail_next("hang")
    started = time.monotonic()
    data = await synced_api.query(
        "mutation($id: ID!) { verifyTelephonyConfig(input: {id: $id}) { verification { status message } } }", {"id": config["id"]}
    )
    assert data["verifyTelephonyConfig"]["verification"]["status"] == "UNREACHABLE"
    assert time.monotonic() - started < PROVIDER_TIMEOUT + BUDGET_MARGIN


async def test_refused_connection_is_unreachable(settings, synced_server, monkeypatch, caplog):
    monkeypatch.setenv("SWITCHBOARD_TWILIO_API_BASE", f"http://127.0.0.1:{free_port()}")
    refused = settings.model_copy(update={"public_base_url": PUBLIC_BASE_URL})
    async with running_server(refused, migrated=False) as server, httpx.AsyncClient(base_url=server.url) as client:
        organization_id, key = await new_organization(server.db)
        api = Api(client, key, organization_id)
        config = (await create_config(api))["telephonyConfig"]
        workflow = await create_workflow(api, "Reception")
        payload, elapsed = await bind(api, config, workflow)
    assert_committed_and_failed(payload, "Could not connect to Twilio")
    assert elapsed < PROVIDER_TIMEOUT + BUDGET_MARGIN
    assert api.twilio["authToken"] not in caplog.text


async def test_faults_under_concurrency_stay_within_budget_and_commit_every_write(synced_api, fakes):
    twilio = fakes["twilio"]
    sid = synced_api.twilio["accountSid"]
    twilio.add_account(sid, synced_api.twilio["authToken"])
    addresses = [f"+1415555{i:04d}" for i in range(12)]
    for address in addresses:
        twilio.add_number(sid, address)
    config = (await create_config(synced_api))["telephonyConfig"]
    workflow = await create_workflow(synced_api, "Reception")
    twilio.fail_next("hang", times=4)
    twilio.fail_next("status", status=503, times=8)

    async def timed_bind(address: str) -> tuple[dict, float]:
        started = time.monotonic()
        payload = await create_number(synced_api, config["id"], address, inboundWorkflowId=workflow)
        return payload, time.monotonic() - started

    results = await asyncio.gather(*(timed_bind(address) for address in addresses))
    assert all(payload["errors"] == [] for payload, _ in results)
    assert max(elapsed for _, elapsed in results) < PROVIDER_TIMEOUT + BUDGET_MARGIN
    data = await synced_api.query(
        "query($id: ID!) { telephonyConfig(id: $id) { phoneNumberCount phoneNumbers(first: 100) { nodes { inboundWorkflowName lastProviderSync { ok } } } } }",
        {"id": config["id"]},
    )
    numbers = data["telephonyConfig"]["phoneNumbers"]["nodes"]
    assert data["telephonyConfig"]["phoneNumberCount"] == len(addresses)
    assert all(n["inboundWorkflowName"] == "Reception" and n["lastProviderSync"] is not None for n in numbers)
