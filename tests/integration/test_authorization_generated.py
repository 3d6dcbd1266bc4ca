"""Authorization tests generated from the exported schema (NetBox-style).

For every query field and mutation that takes an ID, and for every Node type, a request made by
one organization with another organization's IDs returns null / NOT_FOUND and changes nothing.
Fields and types added to the schema later are covered without touching this file.
"""

import json

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_schema,
    get_named_type,
)
from helpers import create_config, create_number, create_workflow
from switchboard.db.models import InboundCall
from switchboard.db.types import utcnow
from switchboard.resolvers.ids import from_global_id, to_global_id
from test_schema_file import SCHEMA_FILE

SCHEMA = build_schema(SCHEMA_FILE.read_text())
NODE_TYPES = sorted(
    t.name for t in SCHEMA.type_map.values() if getattr(t, "interfaces", None) and any(i.name == "Node" for i in t.interfaces)
)

# Valid values for required inputs that are not IDs, so that only the foreign ID can make a call fail.
VALID = {
    ("CreatePhoneNumberInput", "address"): "+14155550188",
    ("CreateTelephonyConfigInput", "name"): "Intruder",
    ("CreateWorkflowInput", "name"): "Intruder",
}
SCALARS = {"String": "x", "Int": 1, "Boolean": False, "JSON": {}, "DateTime": "2026-01-01T00:00:00+00:00"}

VICTIM_STATE = """{
  organization { name defaultOutboundConfig { id } }
  telephonyConfigs { nodes { id name credentials isDefaultOutbound maxConcurrentCalls lastVerification { status } } }
  phoneNumbers { nodes { id address label isActive isDefaultCallerId inboundWorkflowId extraMetadata countryCode lastProviderSync { ok } } }
  workflows { nodes { id name } }
}"""


def takes_id(field) -> bool:
    """True when an argument, or a field of an input argument, is an ID."""

    def has_id(type_, seen=()) -> bool:
        named = get_named_type(type_)
        if named.name == "ID":
            return True
        if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            return any(has_id(f.type, (*seen, named.name)) for f in named.fields.values())
        return False

    return any(has_id(arg.type) for arg in field.args.values())


def value_for(type_, owner: str, name: str, foreign_id: str):
    """A value of `type_`: the foreign ID for every ID, valid values elsewhere (required fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return value_for(type_.of_type, owner, name, foreign_id)
    if isinstance(type_, GraphQLList):
        return [value_for(type_.of_type, owner, name, foreign_id)]
    if type_.name == "ID":
        return foreign_id
    if (owner, name) in VALID:
        return VALID[(owner, name)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    if type_.name == "TelephonyCredentialsInput":
        return {"twilio": {"accountSid": "AC" + "9" * 32, "authToken": "t" * 32}}
    return {
        field_name: value_for(field.type, type_.name, field_name, foreign_id)
        for field_name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull) or get_named_type(field.type).name == "ID"
    }


def arguments(field_name: str, field, foreign_id: str) -> dict:
    return {
        name: value_for(arg.type, field_name, name, foreign_id)
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) or get_named_type(arg.type).name == "ID"
    }


def selection(type_) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    scalar_fields = (
        [n for n, f in named.fields.items() if isinstance(get_named_type(f.type), GraphQLScalarType) and not f.args]
        if hasattr(named, "fields")
        else []
    )
    if "errors" in getattr(named, "fields", {}):
        scalar_fields.append("errors { code }")
    if "nodes" in getattr(named, "fields", {}):
        scalar_fields.append("nodes { __typename }")
    return "{ __typename " + " ".join(scalar_fields) + " }"


def operation(kind: str, field_name: str, field, foreign_id: str) -> tuple[str, dict]:
    args = arguments(field_name, field, foreign_id)
    variables = {f"v{i}": value for i, value in enumerate(args.values())}
    declared = ", ".join(f"$v{i}: {field.args[name].type}" for i, name in enumerate(args))
    passed = ", ".join(f"{name}: $v{i}" for i, name in enumerate(args))
    header = f"{kind}({declared})" if declared else kind
    return f"{header} {{ {field_name}({passed}) {selection(field.type)} }}", variables


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
    return {
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
