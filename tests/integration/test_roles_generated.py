"""Role tests generated from the exported schema (SPEC §13): every mutation × every role, and
every admin-only field × every role. Fields added to the schema later are covered without
touching this file: a mutation needs EDITOR unless its description says "(ADMIN only)" or it is
listed below as changing nothing.

A mutation beyond the caller's role answers FORBIDDEN in its payload and changes nothing, even
given the IDs of the caller's own objects; an admin-only field answers a top-level FORBIDDEN.
"""

import pytest
from helpers import create_config, create_number, create_workflow
from schema_operations import SCHEMA, operation

ROLES = ("VIEWER", "EDITOR", "ADMIN")
RANK = {role: rank for rank, role in enumerate(ROLES)}
ADMIN_ONLY = "(ADMIN only)"
# Mutations that store nothing, which a VIEWER may run.
READ_ONLY_MUTATIONS = {"simulateInboundCall"}

STATE = """{
  organization { name defaultOutboundConfig { id } }
  telephonyConfigs { nodes { id name credentials isDefaultOutbound maxConcurrentCalls lastVerification { status } } }
  phoneNumbers { nodes { id address label isActive isDefaultCallerId inboundWorkflowId extraMetadata lastProviderSync { ok } } }
  workflows { nodes { id name agentStreamUrl } }
  apiKeys { nodes { id name role usable } }
  auditEvents { totalCount }
}"""


def needed_role(name: str, field) -> str:
    if ADMIN_ONLY in (field.description or ""):
        return "ADMIN"
    return "VIEWER" if name in READ_ONLY_MUTATIONS else "EDITOR"


MUTATIONS = sorted(SCHEMA.mutation_type.fields)
ADMIN_FIELDS = sorted(name for name, field in SCHEMA.query_type.fields.items() if ADMIN_ONLY in (field.description or ""))
CREATE_KEY = """
mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret errors { code } } }"""


def test_keys_and_the_audit_log_are_marked_admin_only():
    admin_mutations = {name for name in MUTATIONS if needed_role(name, SCHEMA.mutation_type.fields[name]) == "ADMIN"}
    assert admin_mutations == {"createApiKey", "revokeApiKey"}
    assert set(ADMIN_FIELDS) == {"apiKeys", "auditEvents"}


@pytest.fixture
async def callers(api):
    """The organization's ADMIN key (the fixture's own) and an EDITOR and a VIEWER key."""
    found = {"ADMIN": api}
    for role in ("EDITOR", "VIEWER"):
        created = (await api.query(CREATE_KEY, {"input": {"name": role.title(), "role": role}}))["createApiKey"]
        found[role] = type(api)(api.http, created["secret"], api.organization_id)
    return found


@pytest.fixture
async def own_ids(api) -> list[str]:
    """An object of every kind the caller's mutations take, its own."""
    config = (await create_config(api, "Own", isDefaultOutbound=True))["telephonyConfig"]
    workflow = await create_workflow(api, "Own agent")
    number = (await create_number(api, config["id"], "+14155550166", inboundWorkflowId=workflow))["phoneNumber"]
    keys = (await api.query("{ apiKeys { nodes { id } } }"))["apiKeys"]["nodes"]
    return [config["id"], workflow, number["id"], *(key["id"] for key in keys)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field_name", MUTATIONS)
async def test_a_mutation_beyond_the_role_is_forbidden_and_changes_nothing(callers, own_ids, field_name, role):
    field = SCHEMA.mutation_type.fields[field_name]
    needed = needed_role(field_name, field)
    caller = callers[role]
    if RANK[role] >= RANK[needed]:
        query, variables = operation("mutation", field_name, field, "bm90LWFuLWlk")
        payload = (await caller.query(query, variables))[field_name]
        assert "FORBIDDEN" not in {error["code"] for error in payload["errors"]}, payload
        return
    before = await callers["ADMIN"].query(STATE)
    for own_id in own_ids:
        query, variables = operation("mutation", field_name, field, own_id)
        payload = (await caller.query(query, variables))[field_name]
        assert [error["code"] for error in payload["errors"]] == ["FORBIDDEN"], payload
        assert needed in payload["errors"][0]["message"]
    assert await callers["ADMIN"].query(STATE) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field_name", ADMIN_FIELDS)
async def test_an_admin_only_field_is_a_top_level_forbidden_below_admin(callers, field_name, role):
    query, variables = operation("query", field_name, SCHEMA.query_type.fields[field_name], "bm90LWFuLWlk")
    body = (await callers[role].raw(query, variables)).json()
    if role == "ADMIN":
        assert "errors" not in body and body["data"][field_name] is not None, body
        return
    assert body["data"] == {field_name: None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and error["path"] == [field_name]
    assert "ADMIN" in error["message"]
