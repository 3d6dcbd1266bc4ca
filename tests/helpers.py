"""Small helpers for talking to the server under test."""

import secrets
from typing import Any

import httpx
from switchboard.db.models import PhoneNumber, TelephonyConfig, Workflow


class GraphQLFailure(AssertionError):
    pass


def twilio_credentials() -> dict[str, str]:
    """Twilio credentials of a fresh account: the routing key spans organizations, so tests
    that are not about sharing an account must not share one."""
    return {"accountSid": "AC" + secrets.token_hex(16), "authToken": secrets.token_hex(16)}


class Api:
    def __init__(self, http: httpx.AsyncClient, key: str, organization_id: int) -> None:
        self.http = http
        self.key = key
        self.organization_id = organization_id
        self.twilio = twilio_credentials()

    async def raw(self, query: str, variables: dict | None = None, **headers: str) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"X-API-Key": self.key, **headers},
        )

    async def query(self, query: str, variables: dict | None = None) -> dict[str, Any]:
        """Run an operation that must succeed without top-level errors; return `data`."""
        response = await self.raw(query, variables)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLFailure(f"HTTP {response.status_code}: {body}")
        return body["data"]

    async def errors(self, query: str, variables: dict | None = None) -> list[dict[str, Any]]:
        """Run an operation expected to fail at the top level; return its errors."""
        response = await self.raw(query, variables)
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]


CONFIG_FIELDS = """
  id databaseId name provider isDefaultOutbound credentials maxConcurrentCalls
  phoneNumberCount activePhoneNumberCount concurrencyCapacity readyForOutbound outboundBlockedReason
  defaultCallerId { id address }
  warnings { code severity message }
"""
NUMBER_FIELDS = """
  id databaseId address addressNormalized addressType countryCode label isActive isDefaultCallerId
  extraMetadata inboundWorkflowId inboundWorkflowName inboundWebhookUrl
  telephonyConfig { id name }
  inboundWorkflow { id name }
  lastProviderSync { ok action message at }
"""
ERRORS = "errors { code message field }"

CREATE_CONFIG = f"""
mutation($input: CreateTelephonyConfigInput!) {{
  createTelephonyConfig(input: $input) {{ telephonyConfig {{ {CONFIG_FIELDS} }} verification {{ status }} {ERRORS} }}
}}"""
UPDATE_CONFIG = f"""
mutation($input: UpdateTelephonyConfigInput!) {{
  updateTelephonyConfig(input: $input) {{ telephonyConfig {{ {CONFIG_FIELDS} }} {ERRORS} }}
}}"""
CREATE_NUMBER = f"""
mutation($input: CreatePhoneNumberInput!) {{
  createPhoneNumber(input: $input) {{ phoneNumber {{ {NUMBER_FIELDS} }} providerSync {{ ok }} {ERRORS} }}
}}"""
UPDATE_NUMBER = f"""
mutation($input: UpdatePhoneNumberInput!) {{
  updatePhoneNumber(input: $input) {{ phoneNumber {{ {NUMBER_FIELDS} }} {ERRORS} }}
}}"""

SET_DEFAULT_OUTBOUND = """
mutation($id: ID!) {
  setDefaultOutboundConfig(input: {id: $id}) { telephonyConfig { id isDefaultOutbound } errors { code message } }
}"""
SET_DEFAULT_CALLER_ID = """
mutation($id: ID!) {
  setDefaultCallerId(input: {phoneNumberId: $id}) { phoneNumber { id isDefaultCallerId } errors { code message } }
}"""


async def create_config(api: Api, name: str = "Primary", credentials: dict | None = None, **extra: Any) -> dict:
    """Create a configuration (on the organization's own Twilio account unless told otherwise)."""
    payload = await api.query(
        CREATE_CONFIG, {"input": {"name": name, "credentials": credentials or {"twilio": api.twilio}, **extra}}
    )
    return payload["createTelephonyConfig"]


async def create_number(api: Api, config_id: str, address: str, **extra: Any) -> dict:
    payload = await api.query(
        CREATE_NUMBER, {"input": {"telephonyConfigId": config_id, "address": address, **extra}}
    )
    return payload["createPhoneNumber"]


async def create_workflow(api: Api, name: str, agent_stream_url: str | None = "wss://agent.example.test/media") -> str:
    """A workflow; with an agent URL unless told otherwise, so that bound numbers can take calls."""
    payload = await api.query(
        "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { workflow { id } errors { code } } }",
        {"input": {"name": name, "agentStreamUrl": agent_stream_url}},
    )
    return payload["createWorkflow"]["workflow"]["id"]


async def seed_numbers(server, organization_id: int, *, configs: int, numbers_per_config: int) -> None:
    """Rows inserted directly: the counts below are about reading, not about creating."""
    async with server.db.write() as session:
        workflow = Workflow(organization_id=organization_id, name="Agent")
        session.add(workflow)
        await session.flush()
        for c in range(configs):
            config = TelephonyConfig(
                organization_id=organization_id,
                name=f"Config {c}",
                provider="twilio",
                account_id=f"AC-{organization_id}-{c}",
                credentials={},
                masked_credentials={},
                is_default_outbound=False,
            )
            session.add(config)
            await session.flush()
            session.add_all(
                PhoneNumber(
                    organization_id=organization_id,
                    telephony_config_id=config.id,
                    provider="twilio",
                    provider_account_id=config.account_id,
                    address=f"+1415555{n:04d}",
                    address_normalized=f"+1415555{n:04d}",
                    address_type="PSTN",
                    is_active=n % 3 != 0,
                    is_default_caller_id=n == 1,
                    extra_metadata={},
                    inbound_workflow_id=workflow.id if n % 2 else None,
                )
                for n in range(numbers_per_config)
            )
