"""SPEC §2: API keys, both header forms, 401 with UNAUTHENTICATED otherwise."""

import pytest

QUERY = {"query": "{ organization { name } }"}


async def test_x_api_key_header_authenticates(api):
    response = await api.http.post("/graphql", json=QUERY, headers={"X-API-Key": api.key})
    assert response.status_code == 200
    assert response.json() == {"data": {"organization": {"name": "Acme"}}}


async def test_bearer_header_authenticates(api):
    response = await api.http.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {api.key}"})
    assert response.json() == {"data": {"organization": {"name": "Acme"}}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "sb_" + "x" * 43},
        {"X-API-Key": "not-a-key"},
        {"Authorization": "Bearer sb_" + "y" * 43},
        {"Authorization": "Basic c2I6eA=="},
        {"X-API-Key": ""},
    ],
    ids=["none", "unknown-key", "malformed-key", "unknown-bearer", "basic-auth", "empty"],
)
async def test_missing_or_bad_key_is_401_unauthenticated(http, server, headers):
    response = await http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body


async def test_get_query_without_key_is_401(http, server):
    response = await http.get("/graphql", params={"query": "{ organization { name } }"})
    assert response.status_code == 401


async def test_browser_get_serves_graphiql_without_key(http, server):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_key_sees_only_its_own_organization(api, other_api):
    mine = await api.query("{ organization { id databaseId name } }")
    theirs = await other_api.query("{ organization { id databaseId name } }")
    assert mine["organization"]["databaseId"] == api.organization_id
    assert theirs["organization"]["databaseId"] == other_api.organization_id
    assert theirs["organization"]["name"] == "Other"
