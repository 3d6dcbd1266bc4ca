"""Authorization tests generated from the exported schema (NetBox-style).

For every query field and mutation that takes an ID, and for every Node type, a request made by
one organization with another organization's IDs returns null / NOT_FOUND and changes nothing.
Fields and types added to the schema later are covered without touching this file.
"""

import json

import pytest
from helpers import create_config, create_number, create_workflow
from schema_operations import NODE_TYPES, SCHEMA, operation, takes_id
from switchboard.db.models import InboundCall
from switchboard.db.types import utcnow
from switchboard.resolvers.ids import from_global_id, to_global_id

VICTIM_STATE = """{
  organization { name defaultOutboundConfig { id } }
  telephonyConfigs { nodes { id name credentials isDefaultOutbound maxConcurrentCalls lastVerification { status } } }
  phoneNumbers { nodes { id address label isActive isDefaultCallerId inboundWorkflowId extraMetadata countryCode lastProviderSync { ok } } }
  workflows { nodes { id name } }
  apiKeys { nodes { id usable } }
}"""


async def record_call(server, organization_id: int, config: dict, number: dict, workflow_id: str) -> str:
    """A call in the victim's log, as the front door records one (calls have no create mutation)."""
    async with server.db.write() as session:
        call = InboundCall(
            organization_id=organization_id,
            telephony_config_id=config["databaseId"],
            phone_number_id=number["databaseId"],
            workflow_id=from_global_id(workflow_id)[1],
            provider="twilio",
            provider_call_id="CA" + "7" * 32,
            from_address="+14155550100",
            to_address=number["addressNormalized"],
            status="CONNECTED",
            started_at=utcnow(),
        )
        session.add(call)
        await session.flush()
        return to_global_id("InboundCall", call.id)


@pytest.fixture
async def victim(server, other_api):
    """An organization with one object of every kind."""
    config = (await create_config(other_api, "Victim", isDefaultOutbound=True))["telephonyConfig"]
    workflow = await create_workflow(other_api, "Victim agent")
    number = (await create_number(other_api, config["id"], "+14155550177", inboundWorkflowId=workflow))["phoneNumber"]
    organization = (await other_api.query("{ organization { id } }"))["organization"]
    call = await record_call(server, other_api.organization_id, config, number, workflow)
    (key,) = (await other_api.query("{ apiKeys { nodes { id } } }"))["apiKeys"]["nodes"]
    return {
        "ApiKey": key["id"],
        "InboundCall": call,
        "TelephonyConfig": config["id"],
        "Workflow": workflow,
        "PhoneNumber": number["id"],
        "Organization": organization["id"],
    }


async def test_every_node_type_is_covered(victim):
    assert set(NODE_TYPES) <= set(victim), f"add an object of {set(NODE_TYPES) - set(victim)} to the victim fixture"


QUERIES = sorted(name for name, field in SCHEMA.query_type.fields.items() if takes_id(field))
MUTATIONS = sorted(name for name, field in SCHEMA.mutation_type.fields.items() if takes_id(field))


@pytest.mark.parametrize("field_name", QUERIES)
async def test_queries_with_foreign_ids_find_nothing(api, other_api, victim, field_name):
    for type_name, foreign_id in victim.items():
        query, variables = operation("query", field_name, SCHEMA.query_type.fields[field_name], foreign_id)
        data = await api.query(query, variables)
        value = data[field_name]
        if isinstance(value, list):
            assert all(item is None for item in value), (type_name, value)
        elif isinstance(value, dict) and "nodes" in value:
            assert value["nodes"] == [] and value["totalCount"] == 0, (type_name, value)
        else:
            assert value is None, f"{field_name} returned {type_name} {foreign_id} of another organization: {value}"


@pytest.mark.parametrize("field_name", MUTATIONS)
async def test_mutations_with_foreign_ids_are_not_found_and_change_nothing(api, other_api, victim, field_name):
    before = await other_api.query(VICTIM_STATE)
    for type_name, foreign_id in victim.items():
        query, variables = operation("mutation", field_name, SCHEMA.mutation_type.fields[field_name], foreign_id)
        payload = (await api.query(query, variables))[field_name]
        codes = {error["code"] for error in payload["errors"]}
        assert "NOT_FOUND" in codes, (type_name, json.dumps(payload))
    assert await other_api.query(VICTIM_STATE) == before
