"""SPEC §5 workflows through the contract: names, conflicts, tenancy."""

import pytest

CREATE = """
mutation($name: String!) {
  createWorkflow(input: {name: $name}) { workflow { id databaseId name createdAt updatedAt } errors { code message field } }
}"""
UPDATE = """
mutation($id: ID!, $name: String) {
  updateWorkflow(input: {id: $id, name: $name}) { workflow { id name } errors { code message field } }
}"""
DELETE = """
mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { deletedId errors { code message field } } }"""
GET = "query($id: ID!) { workflow(id: $id) { id name } }"


async def create(api, name):
    return (await api.query(CREATE, {"name": name}))["createWorkflow"]


async def test_create_trims_name_and_returns_timestamps_with_offset(api):
    payload = await create(api, "  Support line  ")
    assert payload["errors"] == []
    workflow = payload["workflow"]
    assert workflow["name"] == "Support line"
    assert workflow["createdAt"].endswith("+00:00")
    assert (await api.query(GET, {"id": workflow["id"]}))["workflow"]["name"] == "Support line"


@pytest.mark.parametrize("name", ["", "   ", "x" * 129], ids=["empty", "blank", "129-chars"])
async def test_invalid_names_are_rejected_and_nothing_is_written(api, name):
    payload = await create(api, name)
    assert payload["workflow"] is None
    assert payload["errors"][0]["code"] == "INVALID"
    assert payload["errors"][0]["field"] == ["input", "name"]
    assert (await api.query("{ workflows { totalCount } }"))["workflows"]["totalCount"] == 0


async def test_128_characters_is_accepted(api):
    assert (await create(api, "y" * 128))["errors"] == []


async def test_duplicate_name_is_a_case_insensitive_conflict(api):
    await create(api, "Sales")
    payload = await create(api, " SALES ")
    assert payload["workflow"] is None
    assert payload["errors"][0]["code"] == "CONFLICT"
    assert (await api.query("{ workflows { totalCount } }"))["workflows"]["totalCount"] == 1


async def test_same_name_in_two_organizations_is_fine(api, other_api):
    assert (await create(api, "Sales"))["errors"] == []
    assert (await create(other_api, "Sales"))["errors"] == []


async def test_rename_and_rename_conflict(api):
    first = (await create(api, "One"))["workflow"]
    await create(api, "Two")
    renamed = (await api.query(UPDATE, {"id": first["id"], "name": "Uno"}))["updateWorkflow"]
    assert renamed["workflow"]["name"] == "Uno"
    clash = (await api.query(UPDATE, {"id": first["id"], "name": "two"}))["updateWorkflow"]
    assert clash["errors"][0]["code"] == "CONFLICT"
    assert (await api.query(GET, {"id": first["id"]}))["workflow"]["name"] == "Uno"


async def test_update_with_null_name_changes_nothing(api):
    workflow = (await create(api, "Keep"))["workflow"]
    payload = (await api.query(UPDATE, {"id": workflow["id"], "name": None}))["updateWorkflow"]
    assert payload["workflow"]["name"] == "Keep"


async def test_delete(api):
    workflow = (await create(api, "Temp"))["workflow"]
    payload = (await api.query(DELETE, {"id": workflow["id"]}))["deleteWorkflow"]
    assert payload == {"deletedId": workflow["id"], "errors": []}
    assert (await api.query(GET, {"id": workflow["id"]}))["workflow"] is None
    again = (await api.query(DELETE, {"id": workflow["id"]}))["deleteWorkflow"]
    assert again["errors"][0]["code"] == "NOT_FOUND"


async def test_another_organizations_workflow_is_invisible_and_untouchable(api, other_api):
    theirs = (await create(other_api, "Private"))["workflow"]
    assert (await api.query(GET, {"id": theirs["id"]}))["workflow"] is None
    node = await api.query("query($id: ID!) { node(id: $id) { id } }", {"id": theirs["id"]})
    assert node["node"] is None
    nodes = await api.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [theirs["id"]]})
    assert nodes["nodes"] == [None]
    update = (await api.query(UPDATE, {"id": theirs["id"], "name": "Hijacked"}))["updateWorkflow"]
    assert update["errors"][0]["code"] == "NOT_FOUND"
    delete = (await api.query(DELETE, {"id": theirs["id"]}))["deleteWorkflow"]
    assert delete["errors"][0]["code"] == "NOT_FOUND"
    still = await other_api.query(GET, {"id": theirs["id"]})
    assert still["workflow"]["name"] == "Private"


@pytest.mark.parametrize("bad_id", ["", "garbage", "V29ya2Zsb3c6", "T3JnYW5pemF0aW9uOjE"])
async def test_malformed_or_wrong_type_ids_are_not_found(api, bad_id):
    assert (await api.query(GET, {"id": bad_id}))["workflow"] is None
    payload = (await api.query(UPDATE, {"id": bad_id, "name": "x"}))["updateWorkflow"]
    assert payload["errors"][0]["code"] == "NOT_FOUND"


async def test_node_resolves_own_workflow_and_organization(api):
    workflow = (await create(api, "Mine"))["workflow"]
    org = (await api.query("{ organization { id } }"))["organization"]
    data = await api.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Workflow { name } } }",
        {"ids": [workflow["id"], org["id"], "nonsense"]},
    )
    assert data["nodes"][0] == {"__typename": "Workflow", "id": workflow["id"], "name": "Mine"}
    assert data["nodes"][1]["__typename"] == "Organization"
    assert data["nodes"][2] is None
