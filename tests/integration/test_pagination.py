"""SPEC §8 connections: keyset cursors, defaults, the 100 cap, exact totalCount."""

from switchboard.db.models import Workflow

PAGE = """
query($first: Int, $after: String) {
  workflows(first: $first, after: $after) {
    totalCount
    edges { cursor node { name } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def insert_workflows(server, organization_id, names):
    async with server.db.write() as session:
        session.add_all(Workflow(organization_id=organization_id, name=name) for name in names)


async def page(api, first=None, after=None):
    return (await api.query(PAGE, {"first": first, "after": after}))["workflows"]


async def test_pages_are_disjoint_ordered_and_complete(api, server):
    names = [f"wf-{i:02d}" for i in range(7)]
    await insert_workflows(server, api.organization_id, names)
    seen, after = [], None
    while True:
        current = await page(api, 3, after)
        assert current["totalCount"] == 7
        assert [e["node"]["name"] for e in current["edges"]] == [n["name"] for n in current["nodes"]]
        seen += [n["name"] for n in current["nodes"]]
        assert current["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not current["pageInfo"]["hasNextPage"]:
            break
        after = current["pageInfo"]["endCursor"]
    assert seen == names


async def test_cursor_is_stable_when_rows_are_inserted(api, server):
    await insert_workflows(server, api.organization_id, ["a", "b", "c", "d"])
    first = await page(api, 2)
    cursor = first["pageInfo"]["endCursor"]
    await insert_workflows(server, api.organization_id, ["e", "f"])
    second = await page(api, 2, cursor)
    assert [n["name"] for n in second["nodes"]] == ["c", "d"]
    assert second["totalCount"] == 6


async def test_default_page_size_is_50_and_cap_is_100(api, server):
    await insert_workflows(server, api.organization_id, [f"n{i:03d}" for i in range(130)])
    assert len((await page(api))["nodes"]) == 50
    capped = await page(api, 500)
    assert len(capped["nodes"]) == 100
    assert capped["pageInfo"]["hasNextPage"] is True
    assert capped["totalCount"] == 130


async def test_empty_connection(api):
    empty = await page(api, 10)
    assert empty["nodes"] == [] and empty["totalCount"] == 0
    assert empty["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_bad_cursor_and_negative_first_are_bad_user_input(api):
    for variables in ({"after": "not-a-cursor"}, {"first": -1}):
        errors = await api.errors(PAGE, variables)
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_global_id_is_not_a_cursor(api):
    created = await api.query('mutation { createWorkflow(input: {name: "x"}) { workflow { id } } }')
    errors = await api.errors(PAGE, {"after": created["createWorkflow"]["workflow"]["id"]})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
