"""SPEC §8 connections: keyset cursors, defaults, the 100 cap, exact totalCount."""

from helpers import seed_numbers
from sqlalchemy import select
from switchboard.db.models import PhoneNumber, Workflow
from switchboard.resolvers.ids import to_cursor

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


NESTED = """
query($first: Int, $after: String, $active: Boolean) {
  telephonyConfigs { nodes { databaseId
    phoneNumbers(first: $first, after: $after, isActive: $active) { nodes { databaseId } pageInfo { hasNextPage } } } }
  workflows { nodes { inboundPhoneNumbers(first: $first, after: $after) { nodes { databaseId } pageInfo { hasNextPage } } } }
}"""


async def test_nested_pages_are_each_parents_own_first_numbers(api, server):
    """The nested pages of all parents come from one batched query: each must still be exactly
    its parent's numbers, in id order, after the cursor, filtered, and limited."""
    await seed_numbers(server, api.organization_id, configs=3, numbers_per_config=9)
    async with server.db.read() as session:
        rows = (
            await session.execute(
                select(PhoneNumber.id, PhoneNumber.telephony_config_id, PhoneNumber.is_active, PhoneNumber.inbound_workflow_id)
                .where(PhoneNumber.organization_id == api.organization_id)
                .order_by(PhoneNumber.id)
            )
        ).all()
    after = sorted(r.id for r in rows)[4]  # inside the first configuration's numbers
    for first, cursor, active in [
        (2, None, None),
        (4, to_cursor(after), None),
        (3, None, True),
        (3, to_cursor(after), False),
        (50, None, None),
    ]:
        data = await api.query(NESTED, {"first": first, "after": cursor, "active": active})
        for config in data["telephonyConfigs"]["nodes"]:
            own = [
                r.id
                for r in rows
                if r.telephony_config_id == config["databaseId"]
                and (cursor is None or r.id > after)
                and (active is None or r.is_active is active)
            ]
            page = config["phoneNumbers"]
            assert [n["databaseId"] for n in page["nodes"]] == own[:first], (first, cursor, active)
            assert page["pageInfo"]["hasNextPage"] is (len(own) > first)
        (workflow,) = data["workflows"]["nodes"]
        bound = [r.id for r in rows if r.inbound_workflow_id is not None and (cursor is None or r.id > after)]
        assert [n["databaseId"] for n in workflow["inboundPhoneNumbers"]["nodes"]] == bound[:first]
        assert workflow["inboundPhoneNumbers"]["pageInfo"]["hasNextPage"] is (len(bound) > first)


async def test_nested_pages_under_aliases_and_fragments(api, server, sql):
    """The configuration list loads every nested page its client selected (aliases with
    different arguments, through a fragment) in one batch, and each alias gets its own page."""
    await seed_numbers(server, api.organization_id, configs=3, numbers_per_config=4)
    document = """
      query { telephonyConfigs { nodes { databaseId phoneNumberCount ...Pages } } }
      fragment Pages on TelephonyConfig {
        few: phoneNumbers(first: 1) { nodes { databaseId } pageInfo { hasNextPage } }
        active: phoneNumbers(isActive: true) { totalCount nodes { isActive } }
        all: phoneNumbers { totalCount nodes { databaseId } }
      }"""
    before = sql.count
    configs = (await api.query(document))["telephonyConfigs"]["nodes"]
    assert sql.count - before <= 9, "\n".join(s[:90] for s in sql.statements[before:])
    assert len(configs) == 3
    for config in configs:
        assert config["few"]["nodes"] == config["all"]["nodes"][:1]
        assert config["few"]["pageInfo"]["hasNextPage"] is (config["phoneNumberCount"] > 1)
        assert all(n["isActive"] for n in config["active"]["nodes"])
        assert config["active"]["totalCount"] == len(config["active"]["nodes"])
        assert config["all"]["totalCount"] == config["phoneNumberCount"] == len(config["all"]["nodes"])


async def test_a_bad_nested_page_argument_is_bad_user_input(api, server):
    await seed_numbers(server, api.organization_id, configs=2, numbers_per_config=2)
    for arguments in ("first: -1", 'after: "not-a-cursor"'):
        document = f"{{ telephonyConfigs {{ nodes {{ ok: phoneNumbers {{ totalCount }} bad: phoneNumbers({arguments}) {{ totalCount }} }} }} }}"
        errors = await api.errors(document)
        assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
        assert {e["path"][-1] for e in errors} == {"bad"}
