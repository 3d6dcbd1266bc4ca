"""SPEC §8: the number of SQL statements of an operation does not grow with page size."""

from datetime import timedelta

import pytest
from helpers import create_workflow
from helpers import seed_numbers as seed
from sqlalchemy import event, select
from switchboard.db.inbound_calls import inbound_facts
from switchboard.db.models import PhoneNumber
from switchboard.db.telephony import flagged_numbers, number_facts
from switchboard.db.types import utcnow
from switchboard.resolvers.ids import to_global_id

DASHBOARD = """
query($first: Int) {
  organization { name defaultOutboundConfig { id } }
  telephonyConfigs(first: $first) {
    totalCount
    nodes {
      name phoneNumberCount activePhoneNumberCount concurrencyCapacity readyForOutbound
      defaultCallerId { address inboundWorkflowName }
      phoneNumbers(first: 5) { totalCount nodes { addressNormalized inboundWorkflowName telephonyConfig { name } } }
    }
  }
}"""

NUMBER_PAGE = """
query($first: Int, $after: String) {
  phoneNumbers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { address label telephonyConfig { name provider } inboundWorkflow { name } inboundWorkflowName }
  }
}"""


async def statements_for(api, sql, query, variables) -> int:
    await api.query("{ __typename }")  # the API-key lookup is cached from here on
    before = sql.count
    await api.query(query, variables)
    return sql.count - before


async def test_dashboard_statements_do_not_grow_with_configurations(api, other_api, server, sql):
    await seed(server, api.organization_id, configs=2, numbers_per_config=6)
    await seed(server, other_api.organization_id, configs=40, numbers_per_config=6)
    small = await statements_for(api, sql, DASHBOARD, {"first": 100})
    large = await statements_for(other_api, sql, DASHBOARD, {"first": 100})
    assert small == large, sql.statements
    # The seven reads of the configuration dashboard and the inbound warnings' one (rejected
    # calls and agentless workflows, db/inbound_calls.py `inbound_facts`).
    assert large <= 8, sql.statements


async def test_number_page_statements_do_not_grow_with_page_size(api, server, sql):
    await seed(server, api.organization_id, configs=3, numbers_per_config=60)
    ten = await statements_for(api, sql, NUMBER_PAGE, {"first": 10})
    hundred = await statements_for(api, sql, NUMBER_PAGE, {"first": 100})
    assert ten == hundred, sql.statements
    assert hundred <= 4, sql.statements


NUMBER_DETAILS_ON_LISTS = {
    "page": "query($first: Int) { phoneNumbers(first: $first) { nodes { databaseId label %s } } }",
    "nested pages": "query($first: Int) { telephonyConfigs { nodes { phoneNumbers(first: $first) { nodes { databaseId %s } } } } }",
}


@pytest.mark.parametrize("shape", NUMBER_DETAILS_ON_LISTS)
async def test_number_details_on_a_list_cost_one_statement_whatever_its_size(api, server, sql, shape):
    """Lists of numbers leave out the timestamps and the metadata; selecting them reads them for
    the whole list at once, and they are the values a lookup by id gives."""
    await seed(server, api.organization_id, configs=3, numbers_per_config=60)
    async with server.db.write() as session:
        for number in await session.scalars(select(PhoneNumber).where(PhoneNumber.organization_id == api.organization_id)):
            number.extra_metadata = {"number": number.id}
    query = NUMBER_DETAILS_ON_LISTS[shape]
    without = await statements_for(api, sql, query % "", {"first": 10})
    ten = await statements_for(api, sql, query % "createdAt updatedAt extraMetadata", {"first": 10})
    hundred = await statements_for(api, sql, query % "createdAt updatedAt extraMetadata", {"first": 100})
    assert ten == hundred == without + 1, sql.statements
    listed = await api.query(query % "createdAt extraMetadata", {"first": 10})
    nodes = listed["phoneNumbers"]["nodes"] if shape == "page" else [
        n for c in listed["telephonyConfigs"]["nodes"] for n in c["phoneNumbers"]["nodes"]
    ]
    by_id = await api.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on PhoneNumber { databaseId createdAt } } }",
        {"ids": [to_global_id("PhoneNumber", n["databaseId"]) for n in nodes]},
    )
    created = {n["databaseId"]: n["createdAt"] for n in by_id["nodes"]}
    assert len(nodes) in (10, 30)
    for node in nodes:
        assert node["extraMetadata"] == {"number": node["databaseId"]}
        assert node["createdAt"] == created[node["databaseId"]]
        assert node["createdAt"].endswith("+00:00")


async def test_next_page_by_cursor_costs_the_same(api, server, sql):
    await seed(server, api.organization_id, configs=1, numbers_per_config=150)
    first = await api.query(NUMBER_PAGE, {"first": 100})
    cursor = first["phoneNumbers"]["pageInfo"]["endCursor"]
    second = await statements_for(api, sql, NUMBER_PAGE, {"first": 100, "after": cursor})
    assert second <= 4, sql.statements


async def test_dashboard_aggregates_read_their_indexes(api, server, is_postgres):
    """The per-configuration aggregates and the failed-sync lookup stay on their indexes (a
    covering one and a partial one) instead of reading every number of the organization.
    SQLite only: its planner is deterministic here, PostgreSQL's depends on table statistics."""
    if is_postgres:
        pytest.skip("the plan check is for SQLite")
    await seed(server, api.organization_id, configs=2, numbers_per_config=6)

    def plan(stmt) -> str:
        """The plan of the statement text and parameters SQLAlchemy sends to SQLite."""
        sent = []
        record = lambda _conn, _cursor, statement, parameters, _context, _many: sent.append((statement, parameters))  # noqa: E731
        day_ago = utcnow() - timedelta(days=1)
        params = {"organization_id": api.organization_id, "config_ids": [1, 2], "since": day_ago, "since_hour": day_ago}
        with server.db.sqlite_read_engine.connect() as connection:
            event.listen(connection, "before_cursor_execute", record)
            connection.execute(stmt, params).all()
            event.remove(connection, "before_cursor_execute", record)
            statement, parameters = sent[0]
            return " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))

    assert "COVERING INDEX ix_phone_numbers_config_facts" in plan(number_facts())
    assert "INDEX ix_phone_numbers_flagged" in plan(flagged_numbers())
    # The inbound warnings read the organization's recent rejections and counters through their
    # indexes; reading the counters number by number probed all 10,000 numbers of the bench's
    # organization (4.5 ms a dashboard, against 0.15 ms).
    inbound = plan(inbound_facts())
    assert "INDEX ix_inbound_calls_rejected" in inbound and "INDEX ix_inbound_rejection_counts_org_hour" in inbound
    assert "ix_phone_numbers_org_id" not in inbound


CONFIG_LIST = """
query($first: Int, $after: String) {
  telephonyConfigs(first: $first, after: $after) { totalCount pageInfo { hasNextPage } nodes { name } }
}"""


async def test_any_page_of_configurations_costs_one_statement(api, server, sql):
    """An organization's configurations are read whole (db/telephony.organization_configs):
    every page and its count come from that one statement, and agree with the rows there are."""
    await seed(server, api.organization_id, configs=3, numbers_per_config=1)
    all_three = await api.query("{ telephonyConfigs(first: 10) { edges { cursor node { name } } } }")
    edges = all_three["telephonyConfigs"]["edges"]
    for variables, names, has_next in [
        ({"first": 10}, [e["node"]["name"] for e in edges], False),
        ({"first": 2}, [e["node"]["name"] for e in edges[:2]], True),
        ({"first": 10, "after": edges[0]["cursor"]}, [e["node"]["name"] for e in edges[1:]], False),
        ({"first": 1, "after": edges[0]["cursor"]}, [edges[1]["node"]["name"]], True),
        ({"first": 10, "after": edges[2]["cursor"]}, [], False),
    ]:
        assert await statements_for(api, sql, CONFIG_LIST, variables) == 1, sql.statements[-3:]
        found = (await api.query(CONFIG_LIST, variables))["telephonyConfigs"]
        assert [n["name"] for n in found["nodes"]] == names, variables
        assert found["totalCount"] == 3
        assert found["pageInfo"]["hasNextPage"] is has_next, variables


WORKFLOW_LIST = """
query($first: Int, $after: String) {
  workflows(first: $first, after: $after) { totalCount nodes { name } }
}"""


async def test_total_count_of_a_complete_first_page_costs_no_count(api, sql):
    """A first page that holds every row is its own count; a partial page or a later one asks
    the database, and all three agree with the rows there are."""
    for name in ("Sales", "Support", "Billing"):
        await create_workflow(api, name)
    whole = await statements_for(api, sql, WORKFLOW_LIST, {"first": 10})
    assert whole == 1, sql.statements[-whole:]
    assert (await api.query(WORKFLOW_LIST, {"first": 10}))["workflows"]["totalCount"] == 3
    partial = await statements_for(api, sql, WORKFLOW_LIST, {"first": 2})
    assert partial == 2, sql.statements[-partial:]
    assert (await api.query(WORKFLOW_LIST, {"first": 2}))["workflows"]["totalCount"] == 3
    all_three = await api.query("{ workflows(first: 10) { edges { cursor } } }")
    after_first = all_three["workflows"]["edges"][0]["cursor"]
    later = await api.query(WORKFLOW_LIST, {"first": 10, "after": after_first})
    assert later["workflows"]["totalCount"] == 3
    assert len(later["workflows"]["nodes"]) == 2
