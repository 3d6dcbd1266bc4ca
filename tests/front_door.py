"""Helpers for front-door tests: bind a number to an agent, post a provider's webhook, read the log.

The webhooks are signed by each test with the provider's official SDK (or, where the SDK has no
signer, a signer written in the test from the provider's documentation), never by Switchboard."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
from conftest import PUBLIC_BASE_URL
from helpers import Api, create_config, create_number

AGENT_URL = "wss://agent.example.test/media"
CREATE_WORKFLOW = """
mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { workflow { id agentStreamUrl } errors { code message field } } }"""
CALLS = """
query($number: ID) { inboundCalls(phoneNumberId: $number) { totalCount edges { node {
  id provider providerCallId from to status rejectReason startedAt endedAt durationSeconds
  phoneNumber { id } telephonyConfig { id } workflow { id } } } } }"""

SIMULATE = """
mutation($input: SimulateInboundCallInput!) { simulateInboundCall(input: $input) {
  simulation { accepted rejectReason providerAnswer { statusCode contentType body } } errors { code message } } }"""


def front_door_url(provider: str, kind: str = "inbound", query: str = "") -> str:
    """The URL the provider requests (and signs): Switchboard's public one."""
    return f"{PUBLIC_BASE_URL}/telephony/{provider}/{kind}" + (f"?{query}" if query else "")


@dataclass
class BoundNumber:
    config_id: str
    number_id: str
    workflow_id: str
    inbound_url: str | None


async def bind_number(
    api: Api,
    credentials: dict[str, Any],
    address: str,
    *,
    agent_url: str | None = AGENT_URL,
    max_concurrent_calls: int | None = None,
    verify: bool = False,
    **number: Any,
) -> BoundNumber:
    """A configuration with these credentials (checked with the provider first when `verify`) and
    a number bound to a workflow streaming to `agent_url`."""
    extra: dict[str, Any] = {"maxConcurrentCalls": max_concurrent_calls} if max_concurrent_calls is not None else {}
    if verify:
        extra["verify"] = True
    config = await create_config(api, "Front door", credentials, **extra)
    assert config["errors"] == [], config["errors"]
    workflow_input = {"name": "Agent", **({"agentStreamUrl": agent_url} if agent_url else {})}
    workflow = (await api.query(CREATE_WORKFLOW, {"input": workflow_input}))["createWorkflow"]
    assert workflow["errors"] == [], workflow["errors"]
    created = await create_number(
        api, config["telephonyConfig"]["id"], address, inboundWorkflowId=workflow["workflow"]["id"], **number
    )
    assert created["errors"] == [], created["errors"]
    phone = created["phoneNumber"]
    return BoundNumber(config["telephonyConfig"]["id"], phone["id"], workflow["workflow"]["id"], phone["inboundWebhookUrl"])


def local(url: str) -> str:
    """The path and query of a public front-door URL, to request it from the test server."""
    assert url.startswith(PUBLIC_BASE_URL), url
    return url[len(PUBLIC_BASE_URL) :]


async def post_webhook(server_url: str, url: str, **kwargs: Any) -> httpx.Response:
    """POST to the test server at the path and query of `url` (the public URL that was signed)."""
    async with httpx.AsyncClient(base_url=server_url, timeout=30) as client:
        return await client.post(local(url), **kwargs)


async def get_webhook(server_url: str, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server_url, timeout=30) as client:
        return await client.get(local(url), **kwargs)


def twiml_stream(response: httpx.Response) -> tuple[str | None, dict[str, str | None]]:
    """The stream URL and the <Parameter>s of a TwiML <Connect><Stream> answer (200, text/xml)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    stream = ET.fromstring(response.content).find("./Connect/Stream")
    assert stream is not None, response.text
    return stream.get("url"), {p.get("name"): p.get("value") for p in stream.findall("Parameter")}


async def calls_of(api: Api, number_id: str | None = None) -> list[dict[str, Any]]:
    data = await api.query(CALLS, {"number": number_id})
    return [edge["node"] for edge in data["inboundCalls"]["edges"]]


async def simulate(api: Api, number_id: str, calling: str) -> dict[str, Any]:
    """simulateInboundCall for the number: the decision and the answer the provider would get."""
    payload = (await api.query(SIMULATE, {"input": {"phoneNumberId": number_id, "from": calling}}))["simulateInboundCall"]
    assert payload["errors"] == [], payload["errors"]
    return payload["simulation"]
